"""Store: create, list, read, edit shots and sequences, conflicts, validation, broken files, paths,
history, the summary cache and ``validate()``."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from storyboard_core import (
    FORMATS,
    BrokenFileError,
    ConflictError,
    InvalidDataError,
    NotFoundError,
    Project,
    Store,
    UnsafePathError,
)

from .conftest import snapshot


def seq_file(store: Store, project: Project, seq_id: str = "001") -> Path:
    return store.project_dir(project.id) / "sequences" / f"sequence_{seq_id}.json"


def on_disk(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def shot_ids(store: Store, project: Project, seq_id: str | None = "001") -> list[str]:
    return [s.id for s in store.read_shots(project.id, seq_id)]


def assert_in_sync(path: Path) -> None:
    """Positions 1..n and the sequence duration equal to the sum of its shots."""
    data = on_disk(path)
    assert [s["position"] for s in data["shots"]] == list(range(1, len(data["shots"]) + 1))
    if "duration" in data and "revision" in data:
        assert data["duration"] == pytest.approx(sum(s["duration"] for s in data["shots"]))


# ----------------------------------------------------------------------------- create


@pytest.mark.parametrize("format_id", sorted(FORMATS))
def test_create_from_each_format(store: Store, format_id: str) -> None:
    fmt = FORMATS[format_id]
    project = store.create_project("Film", format_id=format_id, shots_per_sequence=3)
    summaries = store.list_sequences(project.id)
    assert len(summaries) == fmt.sequences
    assert [s.id for s in summaries] == [f"{n:03d}" for n in range(1, fmt.sequences + 1)]
    assert [s.order for s in summaries] == list(range(1, fmt.sequences + 1))
    seq = store.read_sequence(project.id, "001")
    durations = [s.duration for s in seq.shots]
    assert sum(durations) == pytest.approx(fmt.seconds_per_sequence)
    assert max(durations) - min(durations) <= 0.001
    assert seq.duration == pytest.approx(fmt.seconds_per_sequence)
    summary = store.summarize_project(project.id)
    assert summary.counts.shots == 3 * fmt.sequences
    assert summary.counts.duration == pytest.approx(fmt.total_seconds)
    assert summary.format == format_id


def test_format_table_matches_the_spec() -> None:
    table = {f.id: (f.name, f.sequences, f.seconds_per_sequence) for f in FORMATS.values()}
    assert table == {
        "court-metrage": ("Court-métrage", 15, 60),
        "moyen-metrage": ("Moyen-métrage", 20, 120),
        "long-metrage-standard": ("Long-métrage standard", 30, 180),
        "long-metrage-premium": ("Long-métrage premium", 40, 180),
        "tres-long-metrage": ("Très long-métrage", 50, 180),
        "special-tv": ("Spécial TV", 25, 144),
        "episode-serie": ("Épisode de série", 11, 120),
    }


@pytest.mark.parametrize("shots", [1, 7, 100])
def test_shots_per_sequence_split_evenly(store: Store, shots: int) -> None:
    project = store.create_project(
        "Split", format_id="custom", sequences=1, seconds_per_sequence=100, shots_per_sequence=shots
    )
    seq = store.read_sequence(project.id, "001")
    assert len(seq.shots) == shots
    assert [s.position for s in seq.shots] == list(range(1, shots + 1))
    assert sum(s.duration for s in seq.shots) == pytest.approx(100)
    assert seq.duration == pytest.approx(100)
    assert len({s.id for s in seq.shots}) == shots


def test_default_is_one_shot_per_sequence(store: Store) -> None:
    project = store.create_project("One")
    seq = store.read_sequence(project.id, "001")
    assert len(seq.shots) == 1
    assert seq.shots[0].duration == 60


@pytest.mark.parametrize("shots", [0, 101, -1])
def test_shots_per_sequence_out_of_range_refused(store: Store, shots: int) -> None:
    with pytest.raises(InvalidDataError) as caught:
        store.create_project("Bad", shots_per_sequence=shots)
    assert "shots_per_sequence" in caught.value.by_field()
    assert "100" in str(caught.value)
    assert store.list_projects() == []
    assert [p for p in store.root.iterdir()] == [], "no half-built project left behind"


def test_custom_format(store: Store) -> None:
    project = store.create_project(
        "Mine", format_id="custom", sequences=2, seconds_per_sequence=30, shots_per_sequence=3
    )
    assert project.format == "custom"
    assert [s.counts.duration for s in store.list_sequences(project.id)] == [30, 30]
    with pytest.raises(InvalidDataError) as caught:
        store.create_project("Mine", format_id="custom", sequences=0, seconds_per_sequence=0)
    assert set(caught.value.by_field()) == {"sequences", "seconds_per_sequence"}
    with pytest.raises(InvalidDataError) as caught:
        store.create_project("Mine", format_id="imax")
    assert "format" in caught.value.by_field()


def test_slugs_are_unique(store: Store) -> None:
    first = store.create_project("Orage")
    second = store.create_project("Orage")
    third = store.create_project("L'Orage d'été")
    assert (first.id, second.id, third.id) == ("orage", "orage-2", "l-orage-d-ete")
    assert [p.id for p in store.list_projects()] == ["l-orage-d-ete", "orage", "orage-2"]
    assert on_disk(store.project_dir("orage-2") / "project.json")["id"] == "orage-2"


def test_empty_name_refused(store: Store) -> None:
    with pytest.raises(InvalidDataError) as caught:
        store.create_project("   ")
    assert "name" in caught.value.by_field()


# ----------------------------------------------------------------------------- list and read


def test_list_projects_summary(store: Store, project: Project) -> None:
    ids = shot_ids(store, project)
    store.update_shot(project.id, "001", ids[0], {"prompt": "storm", "status": "approved"})
    store.update_shot(project.id, "002", shot_ids(store, project, "002")[0], {"prompt": "rain"})
    store.add_shot(project.id, None, {"prompt": "loose", "duration": 2})
    [summary] = store.list_projects()
    assert summary.id == "orage"
    assert summary.name == "Orage"
    assert summary.sequences == 3
    assert summary.loose_shots == 1
    assert summary.counts.shots == 13
    assert summary.counts.with_prompt == 3
    assert summary.counts.duration == pytest.approx(182)
    assert summary.counts.status_counts["approved"] == 1
    assert summary.counts.status_counts["draft"] == 12
    latest = store.read_project(project.id).updated_at
    assert summary.updated_at == latest
    assert summary.error is None
    assert summary.broken_files == ()


def test_list_projects_on_missing_workspace(tmp_path: Path) -> None:
    assert Store(tmp_path / "nowhere").list_projects() == []


def test_list_sequences_summary(store: Store, project: Project) -> None:
    ids = shot_ids(store, project, "002")
    store.update_shot(project.id, "002", ids[0], {"prompt": "p", "status": "review"})
    s1, s2, s3 = store.list_sequences(project.id)
    assert (s1.id, s2.id, s3.id) == ("001", "002", "003")
    assert s2.counts.shots == 4
    assert s2.counts.with_prompt == 1
    assert s2.counts.status_counts == {"draft": 3, "review": 1, "approved": 0, "rejected": 0}
    assert s2.counts.duration == 60
    assert s2.revision == 1
    assert s1.revision == 0
    assert s2.updated_at is not None and s1.updated_at is not None
    assert s2.updated_at > s1.updated_at
    assert s2.file == "sequences/sequence_002.json"


def test_read_sequence(store: Store, project: Project) -> None:
    seq = store.read_sequence(project.id, "002")
    assert seq.id == "002"
    assert seq.name == "Sequence 2"
    assert len(seq.shots) == 4
    with pytest.raises(NotFoundError):
        store.read_sequence(project.id, "009")
    with pytest.raises(NotFoundError):
        store.read_sequence("nope", "001")
    with pytest.raises(NotFoundError):
        store.read_shot(project.id, "001", "shot-000000000000")


# ----------------------------------------------------------------------------- shots


def test_update_shot_goes_to_its_sequence_file(store: Store, project: Project) -> None:
    path = seq_file(store, project, "002")
    others = {n: seq_file(store, project, n).read_bytes() for n in ("001", "003")}
    meta_before = (store.project_dir(project.id) / "project.json").read_bytes()
    shot_id = shot_ids(store, project, "002")[1]
    before = on_disk(path)
    saved = store.update_shot(
        project.id, "002", shot_id, {"prompt": "rain", "generation": {"steps": 30}}
    )
    after = on_disk(path)
    assert saved.prompt == "rain"
    assert saved.generation.steps == 30
    assert saved.generation.cfg_scale == 7.0, "a partial generation patch keeps the other settings"
    assert after["shots"][1]["prompt"] == "rain"
    assert after["revision"] == before["revision"] + 1
    assert after["updated_at"] > before["updated_at"]
    assert after["shots"][1]["updated_at"] > before["shots"][1]["updated_at"]
    assert after["shots"][0] == before["shots"][0], "other shots are untouched"
    assert {n: seq_file(store, project, n).read_bytes() for n in others} == others
    assert (store.project_dir(project.id) / "project.json").read_bytes() == meta_before


def test_update_loose_shot_goes_to_project_json(store: Store, project: Project) -> None:
    loose = store.add_shot(project.id, None, {"title": "Loose"})
    sequences = {n: seq_file(store, project, n).read_bytes() for n in ("001", "002", "003")}
    store.update_shot(project.id, None, loose.id, {"prompt": "fog"})
    meta = on_disk(store.project_dir(project.id) / "project.json")
    assert [s["prompt"] for s in meta["shots"]] == ["fog"]
    assert {n: seq_file(store, project, n).read_bytes() for n in sequences} == sequences
    assert store.read_shot(project.id, None, loose.id).prompt == "fog"


def test_update_shots_is_all_or_nothing(store: Store, project: Project) -> None:
    a, b, *_ = shot_ids(store, project)
    path = seq_file(store, project)
    before = path.read_bytes()
    with pytest.raises(InvalidDataError):
        store.update_shots(
            project.id, "001", {a: {"prompt": "ok"}, b: {"generation": {"steps": 0}}}
        )
    assert path.read_bytes() == before
    saved = store.update_shots(project.id, "001", {a: {"prompt": "x"}, b: {"prompt": "y"}})
    assert [s.prompt for s in saved] == ["x", "y"]
    assert on_disk(path)["revision"] == 1


def test_add_shot(store: Store, project: Project) -> None:
    path = seq_file(store, project)
    before = shot_ids(store, project)
    shot = store.add_shot(project.id, "001", {"prompt": "new", "duration": 3}, position=2)
    assert shot_ids(store, project) == [before[0], shot.id, *before[1:]]
    assert shot.id not in before
    assert_in_sync(path)
    assert on_disk(path)["duration"] == 63
    assert on_disk(path)["revision"] == 1
    end = store.add_shot(project.id, "001")
    assert shot_ids(store, project)[-1] == end.id
    assert end.title == "Shot 6"
    assert on_disk(path)["revision"] == 2
    with pytest.raises(InvalidDataError):
        store.add_shot(project.id, "001", {"id": "mine"})
    with pytest.raises(InvalidDataError):
        store.add_shot(project.id, "001", {"steps": 3})
    assert on_disk(path)["revision"] == 2


def test_duplicate_shot(store: Store, project: Project) -> None:
    path = seq_file(store, project)
    ids = shot_ids(store, project)
    store.update_shot(project.id, "001", ids[1], {"prompt": "storm", "generation": {"seed": 7}})
    copy = store.duplicate_shot(project.id, "001", ids[1])
    assert shot_ids(store, project) == [ids[0], ids[1], copy.id, *ids[2:]]
    assert copy.prompt == "storm"
    assert copy.generation.seed == 7
    assert copy.title == "Shot 2 (copy)"
    assert copy.id != ids[1]
    assert_in_sync(path)
    assert on_disk(path)["duration"] == 75
    assert on_disk(path)["revision"] == 2


def test_delete_shot(store: Store, project: Project) -> None:
    path = seq_file(store, project)
    ids = shot_ids(store, project)
    store.delete_shot(project.id, "001", ids[1])
    assert shot_ids(store, project) == [ids[0], *ids[2:]]
    assert_in_sync(path)
    assert on_disk(path)["duration"] == 45
    assert on_disk(path)["revision"] == 1
    with pytest.raises(NotFoundError):
        store.delete_shot(project.id, "001", ids[1])
    assert on_disk(path)["revision"] == 1


@pytest.mark.parametrize(
    ("position", "expected"),
    [(1, [3, 0, 1, 2]), (2, [0, 3, 1, 2]), (0, [3, 0, 1, 2]), (99, [0, 1, 2, 3])],
)
def test_move_shot(store: Store, project: Project, position: int, expected: list[int]) -> None:
    path = seq_file(store, project)
    ids = shot_ids(store, project)
    store.move_shot(project.id, "001", ids[3], position)
    assert shot_ids(store, project) == [ids[i] for i in expected]
    assert_in_sync(path)
    assert on_disk(path)["revision"] == 1


def test_move_shot_to_another_sequence_and_loose(store: Store, project: Project) -> None:
    src, dst = seq_file(store, project, "001"), seq_file(store, project, "002")
    ids1, ids2 = shot_ids(store, project, "001"), shot_ids(store, project, "002")
    store.update_shot(project.id, "001", ids1[0], {"prompt": "travels"})
    moved = store.move_shot_to(project.id, "001", ids1[0], "002", position=2)
    assert moved.prompt == "travels"
    assert shot_ids(store, project, "001") == ids1[1:]
    assert shot_ids(store, project, "002") == [ids2[0], ids1[0], *ids2[1:]]
    for path in (src, dst):
        assert_in_sync(path)
    assert on_disk(src)["duration"] == 45
    assert on_disk(dst)["duration"] == 75
    store.move_shot_to(project.id, "002", ids1[0], None)
    assert shot_ids(store, project, None) == [ids1[0]]
    assert store.read_shot(project.id, None, ids1[0]).prompt == "travels"
    assert_in_sync(store.project_dir(project.id) / "project.json")
    store.move_shot_to(project.id, None, ids1[0], "003")
    assert shot_ids(store, project, None) == []
    assert shot_ids(store, project, "003")[-1] == ids1[0]
    assert store.validate(project.id) == []


# ----------------------------------------------------------------------------- sequences


def test_add_sequence(store: Store, project: Project) -> None:
    seq = store.add_sequence(project.id, "Finale", shots=3, seconds=30)
    assert seq.id == "004"
    assert seq.order == 4
    assert [s.duration for s in seq.shots] == [10, 10, 10]
    assert on_disk(seq_file(store, project, "004"))["name"] == "Finale"
    assert [s.id for s in store.list_sequences(project.id)][-1] == "004"
    empty = store.add_sequence(project.id, "Empty")
    assert empty.shots == []
    with pytest.raises(InvalidDataError) as caught:
        store.add_sequence(project.id, "")
    assert "name" in caught.value.by_field()
    assert not seq_file(store, project, "006").exists()


@pytest.mark.parametrize(
    ("shots", "seconds", "field"),
    [
        (2, -10.0, "seconds"),
        (1, 1e9, "seconds"),
        (2, float("nan"), "seconds"),
        (101, 60.0, "shots"),
    ],
)
def test_add_sequence_names_a_bad_number(
    store: Store, project: Project, shots: int, seconds: float, field: str
) -> None:
    """The caller's own argument is named, and nothing is written (not a pydantic error)."""
    with pytest.raises(InvalidDataError) as caught:
        store.add_sequence(project.id, "Bad", shots=shots, seconds=seconds)
    assert list(caught.value.by_field()) == [field]
    assert not seq_file(store, project, "004").exists()


def test_rename_sequence(store: Store, project: Project) -> None:
    path = seq_file(store, project, "002")
    renamed = store.rename_sequence(project.id, "002", "Tempête", description="night")
    assert renamed.name == "Tempête"
    data = on_disk(path)
    assert (data["name"], data["description"], data["revision"]) == ("Tempête", "night", 1)
    assert "Tempête" in path.read_text(encoding="utf-8"), "UTF-8, not \\u escapes"
    before = path.read_bytes()
    with pytest.raises(InvalidDataError):
        store.rename_sequence(project.id, "002", "")
    assert path.read_bytes() == before


def test_delete_sequence_closes_the_order_gap(store: Store, project: Project) -> None:
    store.delete_sequence(project.id, "002")
    summaries = store.list_sequences(project.id)
    assert [(s.id, s.order) for s in summaries] == [("001", 1), ("003", 2)]
    assert not seq_file(store, project, "002").exists()
    assert store.list_versions(project.id, "sequences/sequence_002.json"), "kept in history"
    with pytest.raises(NotFoundError):
        store.delete_sequence(project.id, "002")


def test_reorder_sequences(store: Store, project: Project) -> None:
    store.reorder_sequences(project.id, ["003", "001", "002"])
    assert [s.id for s in store.list_sequences(project.id)] == ["003", "001", "002"]
    assert on_disk(seq_file(store, project, "003"))["order"] == 1
    before = snapshot(store.project_dir(project.id) / "sequences")
    for bad in (["003", "001"], ["003", "001", "002", "002"], ["001", "002", "009"]):
        with pytest.raises(InvalidDataError):
            store.reorder_sequences(project.id, bad)
    assert snapshot(store.project_dir(project.id) / "sequences") == before


# ----------------------------------------------------------------------------- conflicts


def test_stale_base_is_a_conflict_with_both_versions(store: Store, project: Project) -> None:
    path = seq_file(store, project)
    shot = store.read_sequence(project.id, "001").shots[0]
    base = shot.updated_at
    store.update_shot(project.id, "001", shot.id, {"prompt": "theirs"}, base_updated_at=base)
    before = path.read_bytes()
    with pytest.raises(ConflictError) as caught:
        store.update_shot(project.id, "001", shot.id, {"prompt": "mine"}, base_updated_at=base)
    assert caught.value.mine["prompt"] == "mine"
    assert caught.value.theirs["prompt"] == "theirs"
    assert caught.value.shot_id == shot.id
    assert path.read_bytes() == before, "nothing written on a conflict"


def test_base_as_text_is_accepted(store: Store, project: Project) -> None:
    shot = store.read_sequence(project.id, "001").shots[0]
    text = on_disk(seq_file(store, project))["shots"][0]["updated_at"]
    assert text.endswith("Z")
    saved = store.update_shot(project.id, "001", shot.id, {"prompt": "a"}, base_updated_at=text)
    with pytest.raises(ConflictError):
        store.update_shot(project.id, "001", shot.id, {"prompt": "b"}, base_updated_at=text)
    store.update_shot(project.id, "001", shot.id, {"prompt": "c"}, base_updated_at=saved.updated_at)
    assert store.read_shot(project.id, "001", shot.id).prompt == "c"


def test_edit_of_another_shot_in_the_same_file_merges(store: Store, project: Project) -> None:
    first, second = store.read_sequence(project.id, "001").shots[:2]
    store.update_shot(
        project.id, "001", first.id, {"prompt": "one"}, base_updated_at=first.updated_at
    )
    store.update_shot(
        project.id, "001", second.id, {"prompt": "two"}, base_updated_at=second.updated_at
    )
    prompts = [s.prompt for s in store.read_sequence(project.id, "001").shots[:2]]
    assert prompts == ["one", "two"]


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("patch", "field", "allowed"),
    [
        ({"generation": {"steps": 0}}, "generation.steps", "from 1 to 150"),
        ({"generation": {"width": 1001}}, "generation.width", "multiple of 8"),
        ({"shot_type": "aerial"}, "shot_type", "aerial"),
        ({"generation": {"seed": "abc"}}, "generation.seed", "-1"),
        ({"generation": {"cfg_scale": 31}}, "generation.cfg_scale", "from 0 to 30"),
        ({"duration": -1}, "duration", "0"),
        ({"status": "done"}, "status", "done"),
    ],
)
def test_invalid_patch_names_the_field_and_writes_nothing(
    store: Store, project: Project, patch: dict[str, Any], field: str, allowed: str
) -> None:
    path = seq_file(store, project)
    before = path.read_bytes()
    shot_id = shot_ids(store, project)[0]
    with pytest.raises(InvalidDataError) as caught:
        store.update_shot(project.id, "001", shot_id, patch)
    messages = caught.value.by_field()
    assert field in messages, messages
    assert allowed in messages[field]
    assert path.read_bytes() == before


def test_several_bad_fields_are_all_named(store: Store, project: Project) -> None:
    path = seq_file(store, project)
    before = path.read_bytes()
    with pytest.raises(InvalidDataError) as caught:
        store.update_shot(
            project.id,
            "001",
            shot_ids(store, project)[0],
            {"shot_type": "aerial", "generation": {"steps": 0, "width": 1001, "seed": "abc"}},
        )
    assert set(caught.value.by_field()) == {
        "shot_type",
        "generation.steps",
        "generation.width",
        "generation.seed",
    }
    text = str(caught.value)
    assert "1 to 150" in text and "64 to 8192" in text and "2-1" not in text
    assert path.read_bytes() == before


@pytest.mark.parametrize("field", ["id", "position", "updated_at"])
def test_read_only_fields_refused(store: Store, project: Project, field: str) -> None:
    path = seq_file(store, project)
    before = path.read_bytes()
    with pytest.raises(InvalidDataError) as caught:
        store.update_shot(project.id, "001", shot_ids(store, project)[0], {field: "x"})
    assert field in caught.value.by_field()
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("patch", "field"),
    [({"colour": "red"}, "colour"), ({"generation": {"strength": 1}}, "generation.strength")],
)
def test_unknown_patch_field_refused(
    store: Store, project: Project, patch: dict[str, Any], field: str
) -> None:
    path = seq_file(store, project)
    before = path.read_bytes()
    with pytest.raises(InvalidDataError) as caught:
        store.update_shot(project.id, "001", shot_ids(store, project)[0], patch)
    assert field in caught.value.by_field()
    assert path.read_bytes() == before


def test_text_that_is_not_unicode_is_refused(store: Store, project: Project) -> None:
    """A lone surrogate (what Python makes of invalid UTF-8 on a command line) cannot be saved."""
    path = seq_file(store, project)
    before = path.read_bytes()
    with pytest.raises(InvalidDataError):
        store.update_shot(project.id, "001", shot_ids(store, project)[0], {"prompt": "a\udcff"})
    assert path.read_bytes() == before


# ----------------------------------------------------------------------------- broken files

BROKEN_JSON = '{\n  "id": "002",\n  "name": "x",,\n}\n'


def _break(path: Path, text: str) -> bytes:
    path.write_text(text, encoding="utf-8")
    return path.read_bytes()


def test_invalid_json_is_reported_with_line_and_column(store: Store, project: Project) -> None:
    path = seq_file(store, project, "002")
    _break(path, BROKEN_JSON)
    with pytest.raises(BrokenFileError) as caught:
        store.read_sequence(project.id, "002")
    err = caught.value
    assert err.path == path
    assert (err.line, err.column) == (3, 15)
    assert "sequence_002.json" in str(err)
    assert "line 3" in str(err) and "column 15" in str(err)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (BROKEN_JSON, "invalid JSON"),
        ('{"id": "002", "name": "x", "shots": [{"id": "a", "generation": {"steps": 0}}]}', "steps"),
        ('{"id": "002"}', "name"),
        ("[1, 2]", "sequence"),
        ('{"id": "007", "name": "x"}', "does not match the file name"),
        ("", "JSON"),
    ],
)
def test_broken_sequence_does_not_stop_the_project(
    store: Store, project: Project, text: str, reason: str
) -> None:
    path = seq_file(store, project, "002")
    raw = _break(path, text)
    # The project still lists and opens, the broken file is reported with its name and reason.
    [summary] = store.list_projects()
    assert summary.id == project.id
    assert summary.error is None
    assert summary.sequences == 3
    assert summary.counts.shots == 8
    [broken] = summary.broken_files
    assert "sequence_002.json" in broken
    sequences = store.list_sequences(project.id)
    assert [s.id for s in sequences] == ["001", "003", "002"], "broken files last"
    assert sequences[-1].error is not None
    assert reason.lower() in sequences[-1].error.lower()
    assert store.read_sequence(project.id, "001").id == "001"
    with pytest.raises(BrokenFileError):
        store.read_sequence(project.id, "002")
    findings = store.validate(project.id)
    assert [f.file for f in findings] == ["sequences/sequence_002.json"]
    # The app never writes over a file it could not read.
    some_id = "shot-000000000000"
    attempts: list[Callable[[], object]] = [
        lambda: store.update_shot(project.id, "002", some_id, {"prompt": "x"}),
        lambda: store.add_shot(project.id, "002"),
        lambda: store.delete_shot(project.id, "002", some_id),
        lambda: store.duplicate_shot(project.id, "002", some_id),
        lambda: store.move_shot(project.id, "002", some_id, 1),
        lambda: store.rename_sequence(project.id, "002", "New"),
        lambda: store.move_shot_to(project.id, "001", shot_ids(store, project)[0], "002"),
    ]
    for attempt in attempts:
        with pytest.raises(BrokenFileError):
            attempt()
        assert path.read_bytes() == raw
    assert len(shot_ids(store, project)) == 4, "a failed move leaves the source alone"
    # Other sequences are still editable, and reordering works around the broken file.
    store.update_shot(project.id, "003", shot_ids(store, project, "003")[0], {"prompt": "ok"})
    store.reorder_sequences(project.id, ["003", "001"])
    assert path.read_bytes() == raw


def test_broken_project_json_is_listed_with_its_reason(store: Store, project: Project) -> None:
    meta = store.project_dir(project.id) / "project.json"
    raw = _break(meta, '{"id": "orage", "name": ""}')
    [summary] = store.list_projects()
    assert summary.error is not None and "name" in summary.error
    with pytest.raises(BrokenFileError):
        store.read_project(project.id)
    with pytest.raises(BrokenFileError):
        store.add_shot(project.id, None)
    with pytest.raises(BrokenFileError):
        store.update_project(project.id, {"description": "x"})
    assert meta.read_bytes() == raw
    assert store.read_sequence(project.id, "001").id == "001"


def test_not_utf8_is_broken(store: Store, project: Project) -> None:
    path = seq_file(store, project)
    path.write_bytes(b'{"id": "001", "name": "\xff"}')
    with pytest.raises(BrokenFileError) as caught:
        store.read_sequence(project.id, "001")
    assert "UTF-8" in str(caught.value)


# ----------------------------------------------------------------------------- paths

UNSAFE_NAMES = ["..", "../x", "/etc", "/tmp/x", "a\x00b", "a/b", ".", ".hidden", "UPPER", ""]


@pytest.mark.parametrize("name", UNSAFE_NAMES)
def test_unsafe_project_names_refused(store: Store, project: Project, name: str) -> None:
    before = snapshot(store.root.parent)
    with pytest.raises(UnsafePathError):
        store.read_sequence(name, "001")
    with pytest.raises(UnsafePathError):
        store.add_shot(name, "001")
    with pytest.raises(UnsafePathError):
        store.list_sequences(name)
    assert snapshot(store.root.parent) == before


@pytest.mark.parametrize("seq_id", ["..", "../001", "/001", "0\x0001", "00/1", "1", "abc"])
def test_unsafe_sequence_ids_refused(store: Store, project: Project, seq_id: str) -> None:
    before = snapshot(store.root)
    with pytest.raises(UnsafePathError):
        store.read_sequence(project.id, seq_id)
    with pytest.raises(UnsafePathError):
        store.update_shot(project.id, seq_id, "s1", {"prompt": "x"})
    assert snapshot(store.root) == before


@pytest.mark.parametrize("shot_id", ["..", "../x", "a/b", "a\x00b", "/abs"])
def test_unsafe_shot_ids_refused(store: Store, project: Project, shot_id: str) -> None:
    path = seq_file(store, project)
    before = path.read_bytes()
    with pytest.raises(UnsafePathError):
        store.update_shot(project.id, "001", shot_id, {"prompt": "x"})
    with pytest.raises(UnsafePathError):
        store.delete_shot(project.id, "001", shot_id)
    assert path.read_bytes() == before


def _outside_copy(tmp_path: Path, source: Path, name: str) -> Path:
    import shutil

    outside = tmp_path / "outside" / name
    shutil.copytree(source, outside)
    return outside


def test_symlinked_project_folder_pointing_out_is_refused(
    tmp_path: Path, store: Store, project: Project
) -> None:
    outside = _outside_copy(tmp_path, store.project_dir(project.id), "evil")
    os.symlink(outside, store.root / "evil")
    before = snapshot(outside)
    with pytest.raises(UnsafePathError):
        store.read_sequence("evil", "001")
    with pytest.raises(UnsafePathError):
        store.add_shot("evil", "001")
    with pytest.raises(UnsafePathError):
        store.list_sequences("evil")
    assert [p.id for p in store.list_projects()] == [project.id]
    findings = store.validate()
    assert any(f.project == "evil" and "outside" in f.message for f in findings)
    assert snapshot(outside) == before
    assert not (outside / ".locks").exists()


def test_symlinked_sequences_folder_pointing_out_is_refused(
    tmp_path: Path, store: Store, project: Project
) -> None:
    folder = store.project_dir(project.id) / "sequences"
    outside = _outside_copy(tmp_path, folder, "seqs")
    import shutil

    shutil.rmtree(folder)
    os.symlink(outside, folder)
    # Make the outside files recognisable, so any read of them would show in a summary.
    before = snapshot(outside)
    with pytest.raises(UnsafePathError):
        store.read_sequence(project.id, "001")
    with pytest.raises(UnsafePathError):
        store.update_shot(project.id, "001", "s1", {"prompt": "x"})
    with pytest.raises(UnsafePathError):
        store.list_sequences(project.id)
    with pytest.raises(UnsafePathError):
        store.add_sequence(project.id, "New")
    assert all(p.id != project.id or p.counts.shots == 0 for p in store.list_projects())
    findings = store.validate(project.id)
    assert any("outside" in f.message for f in findings)
    assert snapshot(outside) == before


def test_symlinked_sequence_file_pointing_out_is_refused(
    tmp_path: Path, store: Store, project: Project
) -> None:
    path = seq_file(store, project)
    outside = tmp_path / "outside.json"
    outside.write_bytes(path.read_bytes())
    path.unlink()
    os.symlink(outside, path)
    before = outside.read_bytes()
    with pytest.raises(UnsafePathError):
        store.read_sequence(project.id, "001")
    with pytest.raises(UnsafePathError):
        store.update_shot(project.id, "001", "s1", {"prompt": "x"})
    assert outside.read_bytes() == before


def test_symlink_inside_the_workspace_is_fine(store: Store, project: Project) -> None:
    os.symlink(store.project_dir(project.id), store.root / "alias")
    assert store.read_sequence("alias", "001").id == "001"


# ----------------------------------------------------------------------------- history


def test_history_lists_versions_newest_first_and_restores(store: Store, project: Project) -> None:
    rel = "sequences/sequence_001.json"
    path = seq_file(store, project)
    shot_id = shot_ids(store, project)[0]
    original = on_disk(path)
    for text in ("one", "two", "three"):
        store.update_shot(project.id, "001", shot_id, {"prompt": text})
    versions = store.list_versions(project.id, rel)
    assert len(versions) == 3
    assert [v.id for v in versions] == sorted((v.id for v in versions), reverse=True)
    history = store.project_dir(project.id) / ".history" / rel
    prompts = [
        json.loads((history / f"{v.id}.json").read_text())["shots"][0]["prompt"] for v in versions
    ]
    assert prompts == ["two", "one", ""]
    assert all(v.file == rel and v.size > 0 and isinstance(v.saved_at, datetime) for v in versions)

    store.restore_version(project.id, rel, versions[-1].id)
    restored = on_disk(path)
    assert restored["shots"][0]["prompt"] == ""
    assert restored["shots"] == [
        {**s, "updated_at": restored["shots"][i]["updated_at"]}
        for i, s in enumerate(original["shots"])
    ]
    assert restored["revision"] == 4, "a restore is a normal write: revision goes on"
    # The replaced version ("three") is itself in history: the restore can be undone.
    newest = store.list_versions(project.id, rel)[0]
    assert len(store.list_versions(project.id, rel)) == 4
    store.restore_version(project.id, rel, newest.id)
    assert on_disk(path)["shots"][0]["prompt"] == "three"
    assert on_disk(path)["revision"] == 5


def test_restore_makes_open_editors_conflict(store: Store, project: Project) -> None:
    rel = "sequences/sequence_001.json"
    shot_id = shot_ids(store, project)[0]
    store.update_shot(project.id, "001", shot_id, {"prompt": "one"})
    editing = store.read_shot(project.id, "001", shot_id)
    store.restore_version(project.id, rel, store.list_versions(project.id, rel)[0].id)
    with pytest.raises(ConflictError):
        store.update_shot(
            project.id, "001", shot_id, {"prompt": "x"}, base_updated_at=editing.updated_at
        )


def test_restore_project_json(store: Store, project: Project) -> None:
    store.update_project(project.id, {"description": "changed"})
    [version] = store.list_versions(project.id, "project.json")
    store.restore_version(project.id, "project.json", version.id)
    assert store.read_project(project.id).description == ""


def test_restore_over_a_broken_file_repairs_it(store: Store, project: Project) -> None:
    rel = "sequences/sequence_001.json"
    store.update_shot(project.id, "001", shot_ids(store, project)[0], {"prompt": "good"})
    _break(seq_file(store, project), "{oops")
    store.restore_version(project.id, rel, store.list_versions(project.id, rel)[0].id)
    assert store.read_sequence(project.id, "001").shots[0].prompt == ""


@pytest.mark.parametrize("version_id", ["../x", "a/b", "a\x00b", "..", "nope"])
def test_restore_of_a_bad_version_id_refused(
    store: Store, project: Project, version_id: str
) -> None:
    path = seq_file(store, project)
    before = path.read_bytes()
    with pytest.raises((NotFoundError, UnsafePathError)):
        store.restore_version(project.id, "sequences/sequence_001.json", version_id)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "file", ["../project.json", "sequences/../project.json", "x.json", "project.json\x00", ""]
)
def test_history_of_other_files_refused(store: Store, project: Project, file: str) -> None:
    with pytest.raises(UnsafePathError):
        store.list_versions(project.id, file)
    with pytest.raises(UnsafePathError):
        store.restore_version(project.id, file, "x")


def test_history_is_capped(store: Store, project: Project) -> None:
    shot_id = shot_ids(store, project)[0]
    for n in range(55):
        store.update_shot(project.id, "001", shot_id, {"prompt": f"p{n}"})
    versions = store.list_versions(project.id, "sequences/sequence_001.json")
    assert len(versions) == 50
    history = store.project_dir(project.id) / ".history" / "sequences/sequence_001.json"
    newest = json.loads((history / f"{versions[0].id}.json").read_text())
    oldest = json.loads((history / f"{versions[-1].id}.json").read_text())
    assert (newest["revision"], oldest["revision"]) == (54, 5)


# ----------------------------------------------------------------------------- summary cache


def test_summary_cache_rereads_only_changed_files(store: Store) -> None:
    project = store.create_project(
        "Big", format_id="custom", sequences=20, seconds_per_sequence=60, shots_per_sequence=2
    )
    store.summarize_project(project.id)
    misses = store.caches.sequence_summaries.misses
    store.summarize_project(project.id)
    store.list_sequences(project.id)
    assert store.caches.sequence_summaries.misses == misses, "warm: nothing re-read"
    shot_id = shot_ids(store, project, "007")[0]
    store.update_shot(project.id, "007", shot_id, {"prompt": "changed"})
    summary = store.summarize_project(project.id)
    assert store.caches.sequence_summaries.misses == misses + 1
    assert summary.counts.with_prompt == 1
    # A person editing the file in place (same inode) is noticed through mtime and size.
    path = store.project_dir(project.id) / "sequences" / "sequence_012.json"
    data = on_disk(path)
    data["shots"][0]["prompt"] = "edited by hand"
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    summary = store.summarize_project(project.id)
    assert store.caches.sequence_summaries.misses == misses + 2
    assert summary.counts.with_prompt == 2
    # A broken edit is reported, then its repair is picked up again.
    raw = path.read_bytes()
    path.write_bytes(raw[:-5])
    assert len(store.summarize_project(project.id).broken_files) == 1
    path.write_bytes(raw)
    assert store.summarize_project(project.id).broken_files == ()


# ----------------------------------------------------------------------------- validate()


def _edit(path: Path, change: Any) -> None:
    data = on_disk(path)
    change(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def test_validate_clean_project(store: Store, project: Project) -> None:
    assert store.validate(project.id) == []
    assert store.validate() == []


def test_validate_findings(store: Store, project: Project) -> None:
    duplicate = shot_ids(store, project, "001")[0]
    _edit(seq_file(store, project, "002"), lambda d: d["shots"][0].update(id=duplicate))
    _edit(seq_file(store, project, "003"), lambda d: d["shots"][1].update(position=7))
    _edit(seq_file(store, project, "001"), lambda d: d.update(duration=1))
    store.create_project("Other")
    _break(store.project_dir("other") / "sequences" / "sequence_004.json", "{")
    findings = store.validate()
    by_file = {(f.project, f.file): f.message for f in findings}
    assert (
        "also used in sequences/sequence_001.json"
        in by_file[(project.id, "sequences/sequence_002.json")]
    )
    assert "positions" in by_file[(project.id, "sequences/sequence_003.json")]
    assert "duration" in by_file[(project.id, "sequences/sequence_001.json")]
    assert "invalid JSON" in by_file[("other", "sequences/sequence_004.json")]
    assert len(findings) == 4
    assert [f.project for f in store.validate("other")] == ["other"]
    assert str(findings[0]).startswith(f"{findings[0].project}/{findings[0].file}: ")


def test_validate_reports_a_folder_that_is_not_a_project_name(
    store: Store, project: Project
) -> None:
    odd = store.root / "My Project"
    odd.mkdir()
    (odd / "project.json").write_text("{}", encoding="utf-8")
    findings = store.validate()
    assert [f.project for f in findings] == ["My Project"]
    assert [p.id for p in store.list_projects()] == [project.id]
