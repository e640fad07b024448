"""Importing each StoryCore shape: every shot once, in its sequence, with every field and unit right."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from storyboard_core import Store
from storyboard_core.storycore import import_storycore

from .conftest import FIXTURES, Copy, Imported

DoImport = Callable[..., Imported]


def test_current_storycore_project_regroups_the_single_bag_by_sequence(do_import: DoImport) -> None:
    """P1 + one S-A without id holding every shot + S-B files named sequence_<id>.json + shots/."""
    for f in (FIXTURES / "current").rglob("*.json"):  # as TypeScript writes: accents, no newline
        assert not f.read_bytes().endswith(b"\n"), f
    assert "é".encode() in (FIXTURES / "current" / "sequences" / "sequence_001.json").read_bytes()
    got = do_import("current")
    r = got.report
    assert r.shape == "P1"
    assert (r.project_id, got.project.name) == ("l-orage-sur-la-baie", "L'Orage sur la baie")
    assert got.project.format == "court-metrage"
    assert got.project.created_at == datetime(2026, 1, 10, 8, 0, tzinfo=UTC)
    # Sequences keep StoryCore's order and names; the empty one from "Add sequence" too.
    assert [(s.id, s.name, s.order) for s in got.sequences] == [
        ("001", "L'aube", 1),
        ("002", "La nuit", 2),
        ("003", "Nouvelle séquence", 3),
    ]
    assert [(c.id, c.shots, c.storycore_id) for c in r.sequences] == [
        ("001", 2, "seq-aube"),
        ("002", 2, "seq-nuit"),
        ("003", 0, "seq-vide"),
    ]
    assert [[x.id for x in s.shots] for s in got.sequences] == [
        ["shot-aube-1", "shot-aube-2"],
        ["shot-nuit-1", "shot-nuit-2"],
        [],
    ]
    # A shot naming a sequence that is not there, and one naming none, are loose.
    assert [x.id for x in got.project.shots] == ["shot-perdu", "shot-sans-sequence"]
    assert r.loose_shots == 2 and r.shot_count == 6
    assert got.changes("shot-perdu", "sequence") == ["no such sequence here: a loose shot"]
    # Every shot once, every id unique across the project.
    assert got.store.validate(r.project_id) == []
    assert r.dropped == [] and r.unreadable == []


def test_current_every_field_of_a_shot_with_generation_data(do_import: DoImport) -> None:
    got = do_import("current")
    shot = got.shot("shot-aube-1")
    assert shot.title == "Le phare à l'aube"  # the sequence file's copy, not the shots/ file's
    assert shot.description == "Le phare se découpe sur un ciel rosé."
    assert (shot.position, shot.duration) == (1, 4.5)
    assert (shot.shot_type, shot.camera_movement) == ("wide", "static")
    assert shot.status == "review"  # generated -> review
    assert shot.prompt == "phare breton à l'aube, brume légère, lumière rosée"
    assert shot.negative_prompt == "flou, texte"
    assert shot.notes == "Garder la brume."
    g = shot.generation
    assert (g.checkpoint, g.width, g.height, g.seed, g.steps) == (
        "sdxl_base_1.0.safetensors",
        1024,
        576,
        1234,
        28,
    )
    assert (g.cfg_scale, g.sampler, g.scheduler, g.denoise) == (6.5, "dpmpp_2m", "karras", 0.8)
    kept = shot.model_extra["storycore"]  # type: ignore[index]
    # Not ours: kept, from the used copy and from the shots/ copy (which alone had audio tracks).
    assert kept["referenceImage"] == "assets/phare.png"
    assert kept["tags"] == ["extérieur", "aube"]
    assert kept["dialogues"] == []
    assert kept["audioTracks"] == [{"id": "a2", "name": "Ressac"}]
    assert kept["effects"] == [{"type": "fade-in"}]
    assert kept["status"] == "generated"  # a converted value keeps its original
    assert "title" not in kept and "generation" not in kept  # what was mapped as it was is not
    # The report names the copy used and the others, and each conflict between them.
    (source,) = [s for s in got.report.shots if s.shot == "shot-aube-1"]
    assert (source.file, source.sequence) == ("sequences/sequence_001.json", "001")
    assert source.other_files == ("project.json", "shots/shot_shot-aube-1.json")
    conflicts = {(c.field, c.other_file): c.other_value for c in got.report.conflicts}
    assert conflicts[("prompt", "project.json")] == "phare (ancienne version)"
    assert conflicts[("title", "shots/shot_shot-aube-1.json")] == "Le phare (ancien titre)"


def test_current_units_statuses_and_lossy_copies(do_import: DoImport) -> None:
    got = do_import("current")
    storm = got.shot("shot-nuit-1")
    assert storm.duration == 2.0  # timing.duration: 48 frames at the default 24 fps
    assert got.changes("shot-nuit-1", "duration") == [
        "timing.duration: 48 frames at 24 fps, in seconds"
    ]
    assert storm.status == "draft"  # generating -> draft
    assert storm.shot_type == "extreme-wide"
    # camera_movement is in metadata (static) before camera.movement.type (dolly-in)
    assert storm.camera_movement == "static"
    assert storm.model_extra["storycore"]["camera"] == {  # type: ignore[index]
        "movement": {"type": "dolly-in", "speed": "lent"},
        "lens": "24mm",
    }
    assert got.shot("shot-aube-2").status == "draft"  # planned -> draft
    assert got.shot("shot-aube-2").generation.seed == -1
    assert got.shot("shot-perdu").status == "approved"
    assert got.shot("shot-sans-sequence").status == "rejected"
    # Only in shots/ (listed by the S-B): lossy, but every field it has is mapped.
    keeper = got.shot("shot-nuit-2")
    assert (keeper.title, keeper.duration, keeper.position) == ("Le gardien", 4.0, 2)
    assert (keeper.shot_type, keeper.camera_movement) == ("close-up", "tilt")
    assert keeper.prompt == "gardien de phare, lanterne, visage éclairé"
    assert keeper.model_extra["storycore"]["audioTracks"] == [{"id": "a1", "name": "Vent"}]  # type: ignore[index]
    (source,) = [s for s in got.report.shots if s.shot == "shot-nuit-2"]
    assert source.file == "shots/shot_shot-nuit-2.json"


def test_current_nothing_of_the_files_is_lost(do_import: DoImport) -> None:
    """Project-level data and the bag's own fields are kept on project.json under storycore."""
    got = do_import("current")
    kept = got.project.model_extra["storycore"]  # type: ignore[index]
    assert kept["shape"] == "P1"
    assert kept["files"]["project.json"]["capabilities"]["grid_generation"] is True
    assert kept["files"]["project.json"]["lastModified"] == 1768210200000
    assert "shots" not in kept["files"]["project.json"]  # imported as shots, not kept twice
    assert kept["files"]["sequences/sequence_001.json"]["name"] == "Séquence 1"
    aube = got.sequences[0].model_extra["storycore"]  # type: ignore[index]
    assert aube["id"] == "seq-aube"
    assert aube["files"]["sequences/sequence_seq-aube.json"]["resume"] == "Le port se réveille."


def test_legacy_sequences_by_order_and_shots_by_order(do_import: DoImport) -> None:
    """P2 + legacy S-A files with id and shots ordered by ``order`` + an S-B over an S-A."""
    got = do_import("legacy")
    r = got.report
    assert r.shape == "P2"
    assert got.project.name == "Le Village englouti"
    assert got.project.description == "Un village sous les eaux."
    assert got.project.created_at == datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    # order 0 (sequence_002.json) before order 1 (sequence_001.json) before 3
    assert [(s.name, s.description) for s in got.sequences] == [
        ("Ouverture", ""),
        ("Prologue", "Avant la tempête"),
        ("Épilogue", ""),
    ]
    assert [[x.id for x in s.shots] for s in got.sequences] == [["o-1"], ["p-1", "p-2"], ["e-1"]]
    assert [x.position for x in got.sequences[1].shots] == [1, 2]
    # The S-B's shot is recovered from project.json.
    (epilogue,) = [s for s in r.shots if s.shot == "e-1"]
    assert (epilogue.file, epilogue.sequence) == ("project.json", "003")
    # An unknown format becomes custom, with a finding; the original is kept.
    assert got.project.format == "custom"
    assert got.changes("project", "format") == ["not one of our formats"]
    kept = got.project.model_extra["storycore"]["files"]["project.json"]  # type: ignore[index]
    assert kept["metadata"]["format"]["id"] == "format-maison"
    assert kept["global_resume"] == "Un village disparaît sous la mer."
    assert kept["characters"] == [{"id": "c1", "name": "Marie"}]


def test_legacy_field_variants_and_clamped_values(do_import: DoImport) -> None:
    got = do_import("legacy")
    village = got.shot("p-2")
    assert (village.title, village.description, village.duration) == (
        "Le village",
        "Vue du village",
        4.0,
    )
    assert (village.shot_type, village.camera_movement, village.status) == (
        "wide",
        "tracking",
        "draft",
    )
    assert village.prompt == "village de pêcheurs, toits d'ardoise"
    assert village.negative_prompt == "voitures"
    sky = got.shot("p-1")
    assert (sky.shot_type, sky.camera_movement, sky.status) == ("extreme-wide", "pan", "review")
    assert sky.prompt == "ciel d'orage au-dessus de la mer"
    g = sky.generation
    # Out of our ranges: clamped, each with a finding; never silently.
    assert (g.steps, g.cfg_scale, g.width, g.height, g.seed, g.denoise) == (
        150,
        30.0,
        1000,
        64,
        -1,
        1.0,
    )
    for field, why in [
        ("generation.steps", "500 is out of our range 1 to 150, clamped to 150"),
        ("generation.cfg_scale", "45 is out of our range 0 to 30, clamped to 30"),
        ("generation.width", "rounded to a multiple of 8"),
        ("generation.height", "40 is out of our range 64 to 8192, clamped to 64"),
        ("generation.seed", "-5 is out of our range -1 to 18446744073709551615, clamped to -1"),
        ("generation.denoise", "1.5 is out of our range 0 to 1, clamped to 1"),
    ]:
        (reason,) = got.changes("p-1", field)
        assert why in reason, (field, reason)
    assert g.sampler == "euler"  # empty in StoryCore: our default, said so, original kept
    assert "our default is used" in got.changes("p-1", "generation.sampler")[0]
    kept = sky.model_extra["storycore"]  # type: ignore[index]
    assert kept["generation"]["parameters"]["steps"] == 500
    assert kept["generation"]["parameters"]["sampler"] == ""
    epilogue = got.shot("e-1")
    assert (epilogue.camera_movement, epilogue.status, epilogue.prompt) == (
        "crane",
        "review",
        "mer calme au lever du jour",
    )
    assert (epilogue.generation.checkpoint, epilogue.generation.seed) == (
        "juggernaut.safetensors",
        99,
    )


def test_legacy_broken_file_is_reported_with_line_and_column(do_import: DoImport) -> None:
    got = do_import("legacy")
    (issue,) = got.report.unreadable
    assert issue.file == "sequences/sequence_004.json"
    assert (issue.line, issue.column) == (6, 5)
    assert "invalid JSON" in issue.message
    assert any(
        "sequence_004.json" in line and "line 6, column 5" in line for line in got.report.lines()
    )


def test_contract_shots_under_storyboard(do_import: DoImport) -> None:
    """P3: the shots are under ``storyboard``; orderIndex orders them; sequencePlanId places them."""
    got = do_import("contract")
    assert got.report.shape == "P3"
    assert got.project.format == "episode-serie"
    assert got.project.created_at == datetime(2026, 1, 1, tzinfo=UTC)  # JavaScript milliseconds
    (train,) = got.sequences
    assert train.name == "Le train"
    assert [(x.id, x.position) for x in train.shots] == [("c-0", 1), ("c-1", 2)]
    arrival = got.shot("c-1")
    assert (arrival.shot_type, arrival.camera_movement, arrival.status) == (
        "close-up",
        "dolly",
        "draft",
    )
    assert arrival.model_extra["storycore"]["dialogues"] == [  # type: ignore[index]
        {"character": "Marie", "text": "Enfin !"}
    ]
    assert (got.shot("c-0").shot_type, got.shot("c-0").status) == ("pov", "approved")
    # Values we have no word for: our default, a finding, the original kept.
    odd = got.shot("c-2")
    assert (odd.shot_type, odd.status) == ("medium", "draft")
    assert got.home("c-2") is None
    assert "'panoramique' is not one of" in got.changes("c-2", "shot_type")[0]
    assert "'archived' is not a status we know" in got.changes("c-2", "status")[0]
    assert odd.model_extra["storycore"]["shot_type"] == "panoramique"  # type: ignore[index]
    kept = got.project.model_extra["storycore"]["files"]["project.json"]  # type: ignore[index]
    assert kept["scenes"] == [{"id": "sc1", "name": "La gare"}]
    assert kept["world"] == {"name": "Années 30"}


def test_engine_storyboard_json_and_prompt_modules(do_import: DoImport) -> None:
    """P4: project_id, shots in storyboard.json, prompt_modules.technical, \\uXXXX escapes."""
    raw = (FIXTURES / "engine" / "storyboard.json").read_bytes()
    assert b"\\u00e8" in raw and not raw.endswith(b"\n")  # the fixture is what the engine writes
    got = do_import("engine")
    assert got.report.shape == "P4"
    assert got.project.name == "Fenêtre"  # project_id is storycore_<name>
    assert got.project.created_at == datetime(2026, 2, 1, 10, tzinfo=UTC)
    opening = got.shot("shot_01")
    assert (opening.title, opening.description) == (
        "Plan d'ouverture",
        "La fenêtre s'ouvre sur la baie",
    )
    assert (opening.duration, opening.position) == (6.0, 1)
    assert opening.prompt == (
        "une fenêtre ouverte sur la baie, plan large, fixe, lumière du matin, bleus doux, "
        "réalisme cinéma"
    )
    assert opening.negative_prompt == "flou, déformé"
    g = opening.generation
    assert (g.seed, g.cfg_scale, g.steps, g.width, g.height) == (42, 7.5, 30, 1920, 1080)
    kept = opening.model_extra["storycore"]  # type: ignore[index]
    assert kept["scene_id"] == "scene_01" and kept["version"] == "v1"
    assert kept["prompt_modules"]["subject"] == "une fenêtre ouverte sur la baie"
    production = got.shot("shot_02")
    assert production.duration == 2.0  # 50 frames at the plan's 25 fps
    assert got.changes("shot_02", "duration") == [
        "timing.duration: 50 frames at 25 fps, in seconds"
    ]
    assert (production.generation.width, production.generation.height) == (1280, 720)
    assert production.prompt == ""
    assert [x.id for x in got.project.shots] == ["shot_01", "shot_02"]


def folder_state(folder: Path) -> dict[str, tuple[bytes | None, int]]:
    """Every entry below ``folder`` (and itself): its bytes (None for a folder) and its mtime."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None, p.stat().st_mtime_ns)
        for p in [folder, *sorted(folder.rglob("*"))]
    }


def test_the_source_folder_is_never_written(store: Store, source: Copy) -> None:
    for name in ("current", "legacy", "contract", "engine"):
        folder = source(name)
        before = folder_state(folder)
        import_storycore(store, folder)
        assert folder_state(folder) == before, name


def test_report_json_is_plain_data(do_import: DoImport) -> None:
    data = do_import("current").report.to_dict()
    again = json.loads(json.dumps(data, ensure_ascii=False))
    assert again["shot_count"] == 6
    assert again["sequences"][0] == {
        "id": "001",
        "name": "L'aube",
        "shots": 2,
        "storycore_id": "seq-aube",
        "files": ["sequences/sequence_seq-aube.json"],
    }
    assert {s["shot"]: s["file"] for s in again["shots"]}[
        "shot-nuit-2"
    ] == "shots/shot_shot-nuit-2.json"


def test_a_name_given_replaces_the_project_name(do_import: DoImport, workspace: Path) -> None:
    got = do_import("legacy", name="Ys")
    assert (got.report.project_id, got.project.name) == ("ys", "Ys")
    assert (workspace / "ys" / "project.json").is_file()


def test_ids_unique_only_in_their_sequence_are_different_shots(
    store: Store, tmp_path: Path
) -> None:
    """Legacy files reuse ``shot_1`` in every sequence; one file may even hold an id twice."""
    folder = tmp_path / "ids"
    (folder / "sequences").mkdir(parents=True)

    def write(rel: str, data: object) -> None:
        (folder / rel).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    write(
        "project.json",
        {
            "project_name": "Doublons",
            "shots": [{"id": "shot_1", "title": "B1 (copie)", "sequence_id": "b", "notes": "n"}],
        },
    )
    write(
        "sequences/sequence_001.json",
        {"id": "a", "name": "A", "order": 1, "shots": [{"id": "shot_1", "title": "A1"}]},
    )
    write(
        "sequences/sequence_002.json",
        {
            "id": "b",
            "name": "B",
            "order": 2,
            "shots": [{"id": "shot_1", "title": "B1"}, {"id": "shot_1", "title": "B1 bis"}],
        },
    )
    report = import_storycore(store, folder)
    got = Store(store.root)
    a, b = (got.read_sequence(report.project_id, i).shots for i in ("001", "002"))
    assert [s.title for s in a] == ["A1"] and a[0].id == "shot_1"
    assert [s.title for s in b] == ["B1", "B1 bis"]
    assert len({a[0].id, b[0].id, b[1].id}) == 3
    # The project.json copy names sequence b: it is a copy of B1 (its notes fill the gap).
    assert b[0].notes == "n"
    assert [c.reason for c in report.changes if c.field == "id"] == [
        "another shot (sequences/sequence_001.json) has this id: a new one",
        "another shot (sequences/sequence_001.json) has this id: a new one",
    ]
    assert got.validate(report.project_id) == []


def test_an_engine_project_without_project_json(store: Store, source: Copy) -> None:
    folder = source("engine")
    (folder / "project.json").unlink()
    report = import_storycore(store, folder)
    assert (report.shape, report.project_name, report.shot_count) == ("P4", "engine", 2)
    kept = Store(store.root).read_project(report.project_id).model_extra["storycore"]  # type: ignore[index]
    assert list(kept["files"]) == ["storyboard.json"]
    # Without the plan, a production shot's frames are at 24 fps.
    assert [c.reason for c in report.changes if c.field == "duration"] == [
        "timing.duration: 50 frames at 24 fps, in seconds"
    ]


def test_the_path_of_project_json_names_its_folder(store: Store, source: Copy) -> None:
    folder = source("contract")
    report = import_storycore(store, folder / "project.json")
    assert (report.source, report.shot_count) == (str(folder), 3)


def test_a_sequence_without_a_name_gets_one_and_says_so(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "sans-nom"
    (folder / "sequences").mkdir(parents=True)
    (folder / "project.json").write_text(json.dumps({"project_name": "Sans nom"}))
    (folder / "sequences" / "sequence_001.json").write_text(
        json.dumps({"id": "s", "name": None, "shots": [{"id": "a"}]})
    )
    report = import_storycore(store, folder)
    assert Store(store.root).read_sequence(report.project_id, "001").name == "Sequence 1"
    assert [(c.where, c.field, c.after, c.reason) for c in report.changes] == [
        ("sequence 001", "name", "Sequence 1", "no name"),
        ("project", "format", "custom", "StoryCore gave none"),
        ("project", "created_at", "now", "no creation time we can read"),
    ]
