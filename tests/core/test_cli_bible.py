"""``storyboard bible``: the bible's entries from a terminal, as the Bible page keeps them."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from storyboard_core import Project, Store, add_entry
from storyboard_core.cli import build_parser

from .conftest import snapshot
from .helpers import Run, assert_one_line_error, png_bytes

LEA = "a woman of 30, short black hair"


@pytest.fixture
def lea(store: Store, project: Project) -> str:
    """Léa in the characters, mentioned in the first shot's prompt of sequence 001."""
    add_entry(store, project.id, "characters", "Léa", LEA, "long hair")
    shot = store.read_sequence(project.id, "001").shots[0]
    store.update_shot(project.id, "001", shot.id, {"prompt": "@Léa at the window"})
    return project.id


def _entries(store: Store, project: str) -> list[tuple[str, str, str, str]]:
    bible = store.read_project(project).bible
    return [(k, e.name, e.description, e.negative) for k, e in bible.entries()]


def test_add_then_list(cli: Run, store: Store, project: Project) -> None:
    assert cli("bible", "add", "orage", "characters", "Léa", "--description", LEA) == 0
    assert cli.out == "added @Léa to the characters\n"
    assert cli("bible", "add", "orage", "places", "Café de Flore", "--negative", "crowd") == 0
    assert cli.out == "added @[Café de Flore] to the places\n"
    assert _entries(store, "orage") == [
        ("characters", "Léa", LEA, ""),
        ("places", "Café de Flore", "", "crowd"),
    ]
    assert cli("bible", "list", "orage") == 0
    assert cli.out.splitlines() == [
        f"characters\t@Léa\t0 reference(s)\t{LEA}",
        "places\t@[Café de Flore]\t0 reference(s)\t",
    ]
    assert cli("bible", "list", "orage", "--kind", "places") == 0
    assert cli.out.startswith("places\t@[Café de Flore]")
    assert cli("bible", "list", "orage", "--kind", "props") == 0
    assert cli.out == "no entries\n"


def test_add_and_list_as_json(cli: Run, project: Project) -> None:
    added = cli.json("bible", "add", "orage", "characters", "Léa", "--description", LEA)
    assert added == {
        "kind": "characters",
        "name": "Léa",
        "description": LEA,
        "negative": "",
        "references": [],
    }
    assert cli.json("bible", "list", "orage") == [added]
    # --json after the command too, as the synopsis writes it.
    assert cli("bible", "list", "orage", "--kind", "characters", "--json") == 0
    assert cli.out.startswith("[\n") and '"name": "Léa"' in cli.out
    assert cli.json("bible", "list", "orage", "--kind", "styles") == []


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["characters", "Léa"], ["name", "@Léa", "already in the characters"]),
        (["places", "LÉA"], ["name", "already"]),  # names are unique across kinds and case
        (["characters", "  "], ["name"]),
        (["villains", "Max"], ["kind", "characters, places, props, styles"]),
    ],
)
def test_add_refused_changes_nothing(
    cli: Run, workspace: Path, lea: str, args: list[str], words: list[str]
) -> None:
    before = snapshot(workspace)
    assert cli("bible", "add", lea, *args) == 1
    assert_one_line_error(cli, *words)
    assert snapshot(workspace) == before


def test_a_missing_project_is_named(cli: Run) -> None:
    assert cli("bible", "list", "nowhere") == 1
    assert_one_line_error(cli, "nowhere")


def test_set_changes_the_texts_and_moves_the_entry(cli: Run, store: Store, lea: str) -> None:
    assert cli("bible", "set", lea, "characters", "lÉa", "description=2049", "negative=") == 0
    assert cli.out == "saved @Léa\n"
    assert _entries(store, lea) == [("characters", "Léa", "2049", "")]  # text as typed
    moved = cli.json("bible", "set", lea, "characters", "Léa", "kind=styles")
    assert moved["kind"] == "styles" and moved["description"] == "2049"
    assert [k for k, *_ in _entries(store, lea)] == ["styles"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["characters", "Léa", "name=Lou"], ["name", "storyboard bible rename"]),
        (["characters", "Léa", "references=[]"], ["references", "storyboard bible reference"]),
        (["characters", "Léa", "colour=red"], ["colour", "cannot be changed"]),
        (["characters", "Léa", "kind=villains"], ["kind", "must be one of"]),
        (["places", "Léa"], ["@Léa", "is in the characters, not the places"]),
        (["characters", "Max"], ["no entry @Max"]),
        (["heroes", "Léa"], ["kind", "'heroes'"]),
    ],
)
def test_set_refused_changes_nothing(
    cli: Run, workspace: Path, lea: str, args: list[str], words: list[str]
) -> None:
    before = snapshot(workspace)
    argv = [*args, "description=new"] if len(args) == 2 else args
    assert cli("bible", "set", lea, *argv) == 1
    assert_one_line_error(cli, *words)
    assert snapshot(workspace) == before


def test_set_needs_field_equals_value(cli: Run, lea: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli("bible", "set", lea, "characters", "Léa", "description")
    assert exit_.value.code == 2


def test_rename_previews_then_applies(cli: Run, store: Store, workspace: Path, lea: str) -> None:
    before = snapshot(workspace)
    assert cli("bible", "rename", lea, "characters", "Léa", "Lou") == 0
    assert cli.out.splitlines() == [
        "renaming @Léa to @Lou rewrites 1 text(s):",
        "sequences/sequence_001.json: sequence 001, shot 1 (Shot 1) (prompt): "
        "'@Léa at the window' -> '@Lou at the window'",
        "nothing written: run again with --apply to rename",
    ]
    assert snapshot(workspace) == before
    preview = cli.json("bible", "rename", lea, "characters", "Léa", "Lou")
    assert preview["applied"] is False and len(preview["changes"]) == 1
    applied = cli.json("bible", "rename", lea, "characters", "Léa", "Lou", "--apply")
    assert applied["applied"] is True
    assert applied["changes"] == preview["changes"]
    assert _entries(store, lea)[0][1] == "Lou"
    assert store.read_sequence(lea, "001").shots[0].prompt == "@Lou at the window"


def test_rename_of_an_unmentioned_entry(cli: Run, store: Store, lea: str) -> None:
    add_entry(store, lea, "props", "Lamp")
    assert cli("bible", "rename", lea, "props", "Lamp", "Lantern") == 0
    assert cli.out.splitlines()[0] == "renaming @Lamp to @Lantern: nothing mentions it"
    assert cli("bible", "rename", lea, "props", "Lamp", "Lantern", "--apply") == 0
    assert cli.out == "renamed @Lamp to @Lantern; 0 text(s) rewritten\n"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["characters", "Léa", "Max"], ["name", "@Max", "already in the props"]),
        (["characters", "Léa", "  "], ["name"]),
        (["characters", "Nobody", "Max"], ["no entry @Nobody"]),
        (["props", "Léa", "Lou"], ["is in the characters, not the props"]),
    ],
)
def test_rename_refused_changes_nothing(
    cli: Run, store: Store, workspace: Path, lea: str, args: list[str], words: list[str]
) -> None:
    add_entry(store, lea, "props", "Max")
    before = snapshot(workspace)
    for apply in ([], ["--apply"]):
        assert cli("bible", "rename", lea, *args, *apply) == 1
        assert_one_line_error(cli, *words)
    assert snapshot(workspace) == before


def test_remove_refused_while_mentioned(cli: Run, store: Store, workspace: Path, lea: str) -> None:
    before = snapshot(workspace)
    assert cli("bible", "remove", lea, "characters", "Léa") == 1
    assert cli.out == "sequences/sequence_001.json: sequence 001, shot 1 (Shot 1) (prompt)\n"
    assert cli.err.count("\n") == 1
    assert "@Léa is still mentioned in 1 text(s)" in cli.err and "--force" in cli.err
    assert snapshot(workspace) == before
    refused = cli("bible", "remove", lea, "characters", "Léa", json_out=True)
    assert refused == 1 and '"removed": false' in cli.out
    removed = cli.json("bible", "remove", lea, "characters", "Léa", "--force")
    assert removed["removed"] is True
    assert removed["mentioned_in"] == [
        {
            "file": "sequences/sequence_001.json",
            "where": "sequence 001, shot 1 (Shot 1)",
            "field": "prompt",
        }
    ]
    assert _entries(store, lea) == []


def test_remove_an_unmentioned_entry(cli: Run, store: Store, lea: str) -> None:
    add_entry(store, lea, "props", "Lamp")
    assert cli("bible", "remove", lea, "props", "lamp") == 0
    assert cli.out == "removed @Lamp from the props\n"
    assert [name for _, name, *_ in _entries(store, lea)] == ["Léa"]
    assert cli("bible", "remove", lea, "props", "Lamp") == 1
    assert_one_line_error(cli, "no entry @Lamp")


def test_reference_adds_a_checked_image(cli: Run, store: Store, tmp_path: Path, lea: str) -> None:
    image = tmp_path / "Léa portrait.png"
    image.write_bytes(png_bytes())
    assert cli("bible", "reference", lea, "characters", "Léa", str(image)) == 0
    [saved] = store.read_project(lea).bible.characters[0].references
    assert cli.out == f"added {saved} to @Léa\n"
    assert (store.project_dir(lea) / saved).read_bytes() == image.read_bytes()
    again = cli.json("bible", "reference", lea, "characters", "Léa", str(image))
    assert again["added"] == again["references"][1] != saved


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("missing.png", None, ["missing.png", "does not exist"]),
        ("notes.png", b"not an image", ["notes.png"]),
        ("empty.png", b"", ["empty.png", "empty"]),
    ],
)
def test_reference_refused_changes_nothing(
    cli: Run,
    workspace: Path,
    tmp_path: Path,
    lea: str,
    name: str,
    data: bytes | None,
    words: list[str],
) -> None:
    image = tmp_path / name
    if data is not None:
        image.write_bytes(data)
    before = snapshot(workspace)
    assert cli("bible", "reference", lea, "characters", "Léa", str(image)) == 1
    assert_one_line_error(cli, *words)
    assert snapshot(workspace) == before


def test_every_bible_command_has_an_example() -> None:
    [top] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    bible = top.choices["bible"]
    [inner] = [a for a in bible._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(inner.choices) == {"list", "add", "set", "rename", "remove", "reference"}
    for name, sub in inner.choices.items():
        example = sub.format_help().split("example:", 1)[1].split()
        assert example[:3] == ["storyboard", "bible", name], example
