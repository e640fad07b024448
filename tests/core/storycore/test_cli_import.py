"""``storyboard import-storycore FOLDER [--name NAME] [--json]``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyboard_core import Store
from storyboard_core.cli import main

from ..test_cli import Run, assert_one_line_error
from .conftest import Copy


@pytest.fixture
def cli(workspace: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    return Run(workspace, capsys)


def test_import_prints_the_report(cli: Run, source: Copy, store: Store) -> None:
    folder = source("legacy")
    assert cli("import-storycore", str(folder)) == 0
    lines = cli.out.splitlines()
    assert lines[0] == (
        f"imported {folder} (P2) as project 'le-village-englouti' (Le Village englouti): "
        "4 shots in 3 sequences, 0 loose"
    )
    assert "sequence 002 Prologue: 2 shots (StoryCore seq-b, sequences/sequence_001.json)" in lines
    assert "shot e-1 La mer calme: 003, from project.json" in lines
    assert lines[-1] == "dropped: nothing"
    # The broken file is in the report and, for a person watching, on stderr.
    assert cli.err == (
        "storyboard: not read: sequences/sequence_004.json: invalid JSON: Expecting ',' "
        "delimiter (line 6, column 5)\n"
    )
    assert [p.id for p in store.list_projects()] == ["le-village-englouti"]


@pytest.mark.parametrize("where", ["before", "after"])
def test_json_and_name(cli: Run, source: Copy, store: Store, where: str) -> None:
    folder = str(source("engine"))
    args = ["import-storycore", folder, "--name", "La Fenêtre"]
    data = cli.json(*args) if where == "before" else _json_after(cli, args)
    assert (data["project_id"], data["project_name"], data["shot_count"]) == (
        "la-fenetre",
        "La Fenêtre",
        2,
    )
    assert [s["file"] for s in data["shots"]] == ["storyboard.json", "storyboard.json"]
    assert store.read_project("la-fenetre").name == "La Fenêtre"


def _json_after(cli: Run, args: list[str]) -> dict[str, object]:
    assert cli(*args, "--json") == 0, cli.err
    result: dict[str, object] = json.loads(cli.out)
    return result


def test_errors_are_one_line_and_exit_1(cli: Run, tmp_path: Path, store: Store) -> None:
    assert cli("import-storycore", str(tmp_path / "absent")) == 1
    assert_one_line_error(cli, "absent is not a folder")
    (tmp_path / "vide").mkdir()
    assert cli("import-storycore", str(tmp_path / "vide")) == 1
    assert_one_line_error(cli, "is not a StoryCore project", "no project.json")
    assert store.list_projects() == []


def test_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["import-storycore", "--help"])
    assert "example: storyboard import-storycore" in capsys.readouterr().out
