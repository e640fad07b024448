"""The bible in ``project.json``: entries, rename with rewritten mentions, delete, references, and
find and replace across the project — each as one locked write per file, unknown keys kept."""

from __future__ import annotations

import json

import pytest

from storyboard_core import InvalidDataError, NotFoundError, Project, Store
from storyboard_core.bible.entries import (
    add_entry,
    add_reference,
    delete_entry,
    mentioned_in,
    remove_reference,
    rename_entry,
    rename_preview,
    update_entry,
)
from storyboard_core.bible.rewrite import apply_changes, preview_changes, replacer
from storyboard_core.bible.style import update_style
from storyboard_core.media.images import MAX_IMAGE_BYTES

from ..conftest import snapshot
from ..helpers import png_bytes


def project_json(store: Store, project: Project) -> dict[str, object]:
    data: dict[str, object] = json.loads(
        (store.project_dir(project.id) / "project.json").read_text()
    )
    return data


def first_shot_id(store: Store, project: Project, seq: str = "001") -> str:
    return store.read_sequence(project.id, seq).shots[0].id


def test_entries_are_saved_in_project_json_by_kind(store: Store, project: Project) -> None:
    add_entry(store, project.id, "characters", "Léa", "a woman of 30", negative="long hair")
    add_entry(store, project.id, "places", "Café de Flore", "a Paris café")
    bible = project_json(store, project)["bible"]
    assert bible == {
        "characters": [
            {
                "name": "Léa",
                "description": "a woman of 30",
                "negative": "long hair",
                "references": [],
            }
        ],
        "places": [
            {
                "name": "Café de Flore",
                "description": "a Paris café",
                "negative": "",
                "references": [],
            }
        ],
        "props": [],
        "styles": [],
    }


def test_a_project_without_a_bible_writes_none(store: Store, project: Project) -> None:
    assert "bible" not in project_json(store, project)
    assert "style" not in project_json(store, project)


@pytest.mark.parametrize(
    ("kind", "name", "field"),
    [
        ("characters", "", "name"),
        ("characters", "Léa@home", "name"),
        ("characters", "a]b", "name"),
        ("characters", "two\nlines", "name"),
        ("monsters", "Léa", "kind"),
    ],
)
def test_bad_names_and_kinds_are_refused_naming_the_field(
    store: Store, project: Project, kind: str, name: str, field: str
) -> None:
    before = snapshot(store.project_dir(project.id))
    with pytest.raises(InvalidDataError) as caught:
        add_entry(store, project.id, kind, name)
    assert [p.field for p in caught.value.problems] == [field]
    if field == "name":
        assert "without @, [ or ]" in caught.value.problems[0].message
    assert snapshot(store.project_dir(project.id)) == before


def test_names_are_unique_across_kinds_whatever_the_case(store: Store, project: Project) -> None:
    add_entry(store, project.id, "characters", "Léa")
    with pytest.raises(InvalidDataError, match="@Léa is already in the characters"):
        add_entry(store, project.id, "props", "LÉA")


def test_unknown_keys_of_the_bible_survive_every_change(store: Store, project: Project) -> None:
    add_entry(store, project.id, "characters", "Léa")
    path = store.project_dir(project.id) / "project.json"
    data = json.loads(path.read_text())
    data["bible"]["x_future"] = {"k": 1}
    data["bible"]["characters"][0]["x_age"] = 30
    path.write_text(json.dumps(data))
    update_entry(store, project.id, "Léa", description="changed")
    rename_entry(store, project.id, "Léa", "Léa Martin")
    data = json.loads(path.read_text())
    assert data["bible"]["x_future"] == {"k": 1}
    assert data["bible"]["characters"][0]["x_age"] == 30
    assert data["bible"]["characters"][0]["description"] == "changed"


def test_update_moves_an_entry_to_another_kind(store: Store, project: Project) -> None:
    add_entry(store, project.id, "props", "Noir", "high contrast")
    update_entry(store, project.id, "noir", kind="styles")
    bible = store.read_project(project.id).bible
    assert [e.name for e in bible.styles] == ["Noir"] and bible.props == []
    with pytest.raises(InvalidDataError):
        update_entry(store, project.id, "Noir", **{"references": ["../x.png"]})
    with pytest.raises(NotFoundError, match="@Bob"):
        update_entry(store, project.id, "Bob", description="x")


def test_rename_previews_then_rewrites_every_mention_one_write_per_file(
    store: Store, project: Project
) -> None:
    add_entry(store, project.id, "characters", "Léa", "a woman")
    add_entry(store, project.id, "props", "Coat", "@léa's red coat")
    shot1 = first_shot_id(store, project, "001")
    shot3 = first_shot_id(store, project, "003")
    store.update_shot(project.id, "001", shot1, {"prompt": "@Léa runs", "notes": "ask @[Léa]"})
    store.update_shot(project.id, "003", shot3, {"negative_prompt": "no @LÉA"})
    update_style(store, project.id, "002", {"prompt_suffix": "with @Léa"})

    preview = rename_preview(store, project.id, "Léa", "Léa Martin")
    assert [(c.file, c.field, c.after) for c in preview] == [
        ("project.json", "description", "@[Léa Martin]'s red coat"),
        ("sequences/sequence_001.json", "prompt", "@[Léa Martin] runs"),
        ("sequences/sequence_001.json", "notes", "ask @[Léa Martin]"),
        ("sequences/sequence_002.json", "prompt_suffix", "with @[Léa Martin]"),
        ("sequences/sequence_003.json", "negative_prompt", "no @[Léa Martin]"),
    ]
    history = store.project_dir(project.id) / ".history"
    before = {p.name: len(list(p.iterdir())) for p in history.rglob("*") if p.is_dir()}

    made = rename_entry(store, project.id, "Léa", "Léa Martin")
    assert [(c.file, c.after) for c in made] == [(c.file, c.after) for c in preview]
    assert store.read_project(project.id).bible.characters[0].name == "Léa Martin"
    assert store.read_shot(project.id, "001", shot1).prompt == "@[Léa Martin] runs"
    after = {p.name: len(list(p.iterdir())) for p in history.rglob("*") if p.is_dir()}
    grown = {k for k in after if after[k] != before.get(k, 0)}
    # One new version per file written: project.json and the three sequences.
    assert len(grown) == 4


def test_rename_to_a_taken_name_writes_nothing(store: Store, project: Project) -> None:
    add_entry(store, project.id, "characters", "Léa")
    add_entry(store, project.id, "characters", "Bob")
    store.update_shot(project.id, "001", first_shot_id(store, project), {"prompt": "@Léa"})
    before = snapshot(store.project_dir(project.id))
    with pytest.raises(InvalidDataError, match="already"):
        rename_preview(store, project.id, "Léa", "bob")
    with pytest.raises(InvalidDataError, match="already"):
        rename_entry(store, project.id, "Léa", "bob")
    assert snapshot(store.project_dir(project.id)) == before


def test_deleting_a_mentioned_entry_says_where(store: Store, project: Project) -> None:
    add_entry(store, project.id, "characters", "Léa")
    shot = first_shot_id(store, project, "002")
    store.update_shot(project.id, "002", shot, {"title": "Dock", "prompt": "@Léa waits"})
    places = mentioned_in(store, project.id, "léa")
    assert [str(p) for p in places] == ["sequence 002, shot 1 (Dock) (prompt)"]
    with pytest.raises(
        InvalidDataError, match=r"@Léa is mentioned in sequence 002, shot 1 \(Dock\)"
    ):
        delete_entry(store, project.id, "Léa")
    assert store.read_project(project.id).bible.characters
    delete_entry(store, project.id, "Léa", force=True)
    assert not store.read_project(project.id).bible.characters


def test_an_unmentioned_entry_is_deleted(store: Store, project: Project) -> None:
    add_entry(store, project.id, "places", "Dock")
    delete_entry(store, project.id, "Dock")
    assert store.read_project(project.id).bible.places == []


def test_references_are_decoded_saved_and_listed(store: Store, project: Project) -> None:
    add_entry(store, project.id, "characters", "Léa")
    entry = add_reference(store, project.id, "Léa", png_bytes(), "../../face.png")
    assert len(entry.references) == 1
    ref = entry.references[0]
    assert ref.startswith("references/lea-") and ref.endswith(".png")
    assert (store.project_dir(project.id) / ref).read_bytes() == png_bytes()
    kept = remove_reference(store, project.id, "Léa", ref)
    assert kept.references == []
    assert (store.project_dir(project.id) / ref).is_file(), "the file stays for history"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a not really", "face.png: not an image"),
        (b"", "face.png: an empty file"),
        (b"\x00" * (MAX_IMAGE_BYTES + 1), "face.png: 20.0 MB"),
        (
            png_bytes(size=(64, 64))[: len(png_bytes(size=(64, 64))) // 2],
            "face.png: a damaged image",
        ),
    ],
)
def test_bad_references_are_refused_naming_the_file(
    store: Store, project: Project, data: bytes, message: str
) -> None:
    add_entry(store, project.id, "characters", "Léa")
    before = snapshot(store.project_dir(project.id))
    with pytest.raises(InvalidDataError, match=message):
        add_reference(store, project.id, "Léa", data, "face.png")
    assert snapshot(store.project_dir(project.id)) == before


def test_a_reference_for_an_unknown_entry_leaves_no_file(store: Store, project: Project) -> None:
    with pytest.raises(NotFoundError, match="@Nobody"):
        add_reference(store, project.id, "Nobody", png_bytes(), "a.png")
    assert not (store.project_dir(project.id) / "references").exists() or not list(
        (store.project_dir(project.id) / "references").iterdir()
    )


def test_find_and_replace_previews_every_change_then_writes_each_file_once(
    store: Store, project: Project
) -> None:
    add_entry(store, project.id, "places", "Harbour", "a stormy harbour")
    shot = first_shot_id(store, project)
    store.update_shot(
        project.id,
        "001",
        shot,
        {"prompt": "Storm at the harbour", "negative_prompt": "storm", "notes": "STORM!"},
    )
    change = replacer("storm", "gale", match_case=False)
    preview = preview_changes(store, project.id, change)
    assert [(c.file, c.field, c.before, c.after) for c in preview] == [
        ("project.json", "description", "a stormy harbour", "a galey harbour"),
        ("sequences/sequence_001.json", "prompt", "Storm at the harbour", "gale at the harbour"),
        ("sequences/sequence_001.json", "negative_prompt", "storm", "gale"),
        ("sequences/sequence_001.json", "notes", "STORM!", "gale!"),
    ]
    untouched = (store.project_dir(project.id) / "sequences/sequence_002.json").read_bytes()
    assert apply_changes(store, project.id, change) == preview
    assert store.read_shot(project.id, "001", shot).notes == "gale!"
    assert (store.project_dir(project.id) / "sequences/sequence_002.json").read_bytes() == untouched
    # Undo: the version before the replace is in the history of the file.
    versions = store.list_versions(project.id, "sequences/sequence_001.json")
    store.restore_version(project.id, "sequences/sequence_001.json", versions[0].id)
    assert store.read_shot(project.id, "001", shot).notes == "STORM!"


def test_replace_text_that_is_not_a_pattern(store: Store, project: Project) -> None:
    shot = first_shot_id(store, project)
    store.update_shot(project.id, "001", shot, {"prompt": "a (b) \\1 c"})
    apply_changes(store, project.id, replacer("(b) \\1", "$0 \\g<0>"))
    assert store.read_shot(project.id, "001", shot).prompt == "a $0 \\g<0> c"
    with pytest.raises(ValueError, match="nothing to find"):
        replacer("", "x")


def test_a_replace_that_finds_nothing_writes_nothing(store: Store, project: Project) -> None:
    add_entry(store, project.id, "characters", "Léa")

    def files() -> dict[str, bytes]:
        kept = snapshot(store.project_dir(project.id)).items()
        return {k: v for k, v in kept if not k.startswith(".locks/")}

    before = files()
    assert apply_changes(store, project.id, replacer("zzz", "y")) == []
    assert files() == before
