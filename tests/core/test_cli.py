"""The ``storyboard`` CLI: each command in-process, once through ``python -m``, exit codes and help."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from storyboard_core import Project, Store
from storyboard_core.cli import build_parser, main, parse_assignments

from .helpers import REPO, Run, assert_one_line_error, child_env


def test_new_prints_the_folder_name(cli: Run, store: Store) -> None:
    assert cli("new", "L'Orage", "--format", "episode-serie", "--shots-per-sequence", "3") == 0
    assert cli.out == "l-orage\n"
    assert cli("new", "L'Orage") == 0
    assert cli.out == "l-orage-2\n"
    assert len(store.list_sequences("l-orage")) == 11
    assert store.read_sequence("l-orage", "001").shots[2].duration == 40


def test_new_custom_and_json(cli: Run, store: Store) -> None:
    created = cli.json(
        "new", "Mine", "--format", "custom", "--sequences", "2", "--seconds-per-sequence", "30"
    )
    assert created["id"] == "mine"
    assert created["format"] == "custom"
    assert [s.counts.duration for s in store.list_sequences("mine")] == [30, 30]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--shots-per-sequence", "0"], ["shots_per_sequence"]),
        (["--shots-per-sequence", "101"], ["shots_per_sequence", "100"]),
        (["--format", "custom"], ["sequences", "seconds_per_sequence"]),
    ],
)
def test_new_invalid_is_exit_1(cli: Run, args: list[str], words: list[str]) -> None:
    assert cli("new", "Bad", *args) == 1
    assert_one_line_error(cli, *words)
    assert list(cli.workspace.iterdir()) == []


def test_projects(cli: Run, store: Store, project: Project) -> None:
    store.update_shot(
        project.id, "001", store.read_sequence(project.id, "001").shots[0].id, {"prompt": "p"}
    )
    assert cli("projects") == 0
    [row] = cli.out.splitlines()
    assert row.split("\t")[:6] == [
        "orage",
        "Orage",
        "custom",
        "3 sequences",
        "12 shots",
        "1/12 prompts",
    ]
    assert "3:00" in row
    [data] = cli.json("projects")
    assert data["id"] == "orage"
    assert data["counts"]["shots"] == 12
    assert data["counts"]["with_prompt"] == 1
    assert data["updated_at"].startswith("20")


def test_projects_lists_a_broken_project(cli: Run, store: Store, project: Project) -> None:
    (store.project_dir(project.id) / "project.json").write_text("{", encoding="utf-8")
    assert cli("projects") == 0
    assert cli.out.startswith("orage\tBROKEN: project.json: invalid JSON")


def test_sequences(cli: Run, store: Store, project: Project) -> None:
    assert cli("sequences", project.id) == 0
    rows = [line.split("\t") for line in cli.out.splitlines()]
    assert [r[0] for r in rows] == ["001", "002", "003"]
    assert rows[0][2:4] == ["Sequence 1", "4 shots"]
    data = cli.json("sequences", project.id)
    assert [d["id"] for d in data] == ["001", "002", "003"]
    assert data[0]["counts"]["duration"] == 60
    assert data[0]["error"] is None


def test_sequences_shows_a_broken_file(cli: Run, store: Store, project: Project) -> None:
    path = store.project_dir(project.id) / "sequences" / "sequence_002.json"
    path.write_text('{\n  "id": 2,,\n}', encoding="utf-8")
    assert cli("sequences", project.id) == 0
    assert cli.out.splitlines()[-1].startswith("002\tBROKEN: sequence_002.json: invalid JSON")
    assert "line 2" in cli.out
    # Listing all shots skips the broken file; asking for it is exit 1 with the reason.
    assert len(cli.json("shots", project.id)) == 8
    assert cli("shots", project.id, "002") == 1
    assert_one_line_error(cli, "sequence_002.json", "line 2", "column")
    assert cli("set", project.id, "002", "shot-000000000000", "prompt=x") == 1
    assert_one_line_error(cli, "sequence_002.json")
    assert path.read_text(encoding="utf-8") == '{\n  "id": 2,,\n}'


def test_shots(cli: Run, store: Store, project: Project) -> None:
    loose = store.add_shot(project.id, None, {"prompt": "fog"})
    shots = cli.json("shots", project.id, "002")
    assert [s["id"] for s in shots] == [s.id for s in store.read_shots(project.id, "002")]
    assert all(s["sequence"] == "002" and "generation" in s for s in shots)
    assert [s["id"] for s in cli.json("shots", project.id, "-")] == [loose.id]
    everything = cli.json("shots", project.id)
    assert len(everything) == 13
    assert everything[0]["id"] == loose.id and everything[0]["sequence"] is None
    assert cli("shots", project.id, "-") == 0
    assert cli.out.split("\t")[:3] == ["-", "1", loose.id]
    assert cli.out.rstrip("\n").endswith("fog")


def test_set(cli: Run, store: Store, project: Project) -> None:
    shot = store.read_sequence(project.id, "001").shots[0]
    code = cli(
        "set",
        project.id,
        "001",
        shot.id,
        "prompt=storm over the bay",
        "generation.steps=30",
        "generation.cfg_scale=7.5",
        "title=2049",
        "status=review",
    )
    assert code == 0, cli.err
    assert cli.out == f"saved {shot.id}\n"
    saved = store.read_shot(project.id, "001", shot.id)
    assert saved.prompt == "storm over the bay"
    assert saved.generation.steps == 30
    assert saved.generation.cfg_scale == 7.5
    assert saved.generation.width == 1024
    assert saved.title == "2049", "free-text fields keep the text as typed"
    assert saved.status == "review"
    data = cli.json("set", project.id, "001", shot.id, "generation.seed=42")
    assert data["id"] == shot.id
    assert data["generation"]["seed"] == 42


def test_set_loose_shot(cli: Run, store: Store, project: Project) -> None:
    loose = store.add_shot(project.id, None)
    assert cli("set", project.id, "-", loose.id, "notes=outside") == 0, cli.err
    assert store.read_shot(project.id, None, loose.id).notes == "outside"


@pytest.mark.parametrize(
    ("assignment", "words"),
    [
        ("generation.steps=0", ["generation.steps", "1 to 150"]),
        ("generation.width=1001", ["generation.width", "multiple of 8"]),
        ("generation.seed=abc", ["generation.seed", "abc"]),
        ("shot_type=aerial", ["shot_type", "aerial"]),
        ("colour=red", ["colour"]),
        ("id=other", ["id"]),
        ("prompt=bad \udcff byte", ["not valid Unicode"]),
    ],
)
def test_set_invalid_is_exit_1(
    cli: Run, store: Store, project: Project, assignment: str, words: list[str]
) -> None:
    path = store.project_dir(project.id) / "sequences" / "sequence_001.json"
    before = path.read_bytes()
    shot = store.read_sequence(project.id, "001").shots[0]
    assert cli("set", project.id, "001", shot.id, assignment) == 1
    assert_one_line_error(cli, *words)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "args",
    [
        ["sequences", "nope"],
        ["shots", "orage", "009"],
        ["set", "orage", "001", "shot-000000000000", "prompt=x"],
        ["set", "nope", "001", "shot-000000000000", "prompt=x"],
    ],
)
def test_not_found_is_exit_1(cli: Run, project: Project, args: list[str]) -> None:
    assert cli(*args) == 1
    assert_one_line_error(cli)


@pytest.mark.parametrize(
    "args", [["sequences", "../etc"], ["shots", "orage", "../../x"], ["sequences", "/abs"]]
)
def test_unsafe_paths_are_exit_1(cli: Run, project: Project, args: list[str]) -> None:
    assert cli(*args) == 1
    assert_one_line_error(cli)


def test_validate(cli: Run, store: Store, project: Project) -> None:
    assert cli("validate", project.id) == 0
    assert cli.out == "no problems found\n"
    assert cli("validate") == 0
    path = store.project_dir(project.id) / "sequences" / "sequence_003.json"
    path.write_text("[", encoding="utf-8")
    assert cli("validate", project.id) == 1
    assert cli.out.startswith("orage/sequences/sequence_003.json: ")
    assert cli("validate", json_out=True) == 1
    [finding] = json.loads(cli.out)
    assert finding["file"] == "sequences/sequence_003.json"
    assert finding["project"] == "orage"


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["new"],
        ["new", "X", "--format", "imax"],
        ["new", "X", "--shots-per-sequence", "many"],
        ["set", "orage", "001", "shot-1"],
        ["set", "orage", "001", "shot-1", "prompt"],
        ["set", "orage", "001", "shot-1", "=x"],
        ["sequences"],
        ["shots", "a", "b", "c"],
    ],
)
def test_usage_errors_exit_2(
    argv: list[str], workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--workspace", str(workspace), *argv])
    assert caught.value.code == 2
    assert "usage:" in capsys.readouterr().err
    assert list(workspace.iterdir()) == []


def test_workspace_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env_ws = tmp_path / "from-env"
    monkeypatch.setenv("STORYBOARD_WORKSPACE", str(env_ws))
    monkeypatch.chdir(tmp_path)
    assert main(["new", "Env"]) == 0
    assert (env_ws / "env" / "project.json").is_file()
    assert not (tmp_path / "workspace").exists()
    # --workspace wins over the environment.
    assert main(["--workspace", str(tmp_path / "flag"), "new", "Flag"]) == 0
    assert (tmp_path / "flag" / "flag" / "project.json").is_file()
    # Without either, ./workspace.
    monkeypatch.delenv("STORYBOARD_WORKSPACE")
    assert main(["new", "Here"]) == 0
    assert (tmp_path / "workspace" / "here" / "project.json").is_file()
    capsys.readouterr()


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    [action] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def test_every_command_has_an_example_in_its_help() -> None:
    commands = _subcommands()
    assert {"new", "projects", "sequences", "shots", "set", "validate", "render"} <= set(commands)
    top = build_parser().format_help()
    readme = (REPO / "README.md").read_text("utf-8")
    for name, sub in commands.items():
        assert name in top
        assert re.search(rf"^storyboard \[--workspace DIR\] .*\b{name}\b", readme, re.M), name
        text = sub.format_help()
        assert "example:" in text, name
        example = text.split("example:", 1)[1].split()
        assert example[0] == "storyboard" and name in example[1:3], (name, example)


def test_parse_assignments_nests_dotted_fields() -> None:
    patch = parse_assignments(
        ["generation.steps=30", "generation.seed=-1", "prompt=a=b", "render=null", "title=true"]
    )
    assert patch == {
        "generation": {"steps": 30, "seed": -1},
        "prompt": "a=b",
        "render": None,
        "title": "true",
    }


def test_python_dash_m_entry_point(workspace: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "storyboard_core", "--workspace", str(workspace), *args],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=child_env(),
            timeout=60,
        )

    created = run("new", "Module", "--shots-per-sequence", "2")
    assert (created.returncode, created.stdout, created.stderr) == (0, "module\n", "")
    shots = json.loads(run("--json", "shots", "module", "001").stdout)
    assert len(shots) == 2 and all("id" in s for s in shots)
    missing = run("shots", "nope")
    assert missing.returncode == 1
    assert missing.stderr.startswith("storyboard: ") and missing.stderr.count("\n") == 1
    usage = run("frobnicate")
    assert usage.returncode == 2


def test_replace_previews_then_applies(cli: Run, store: Store, project: Project) -> None:
    shot = store.read_sequence(project.id, "002").shots[0]
    store.update_shot(project.id, "002", shot.id, {"prompt": "Lea on the quay"})
    assert cli("replace", project.id, "lea", "Léa", "--ignore-case") == 0
    assert cli.out.splitlines() == [
        "sequences/sequence_002.json: sequence 002, shot 1 (Shot 1) (prompt): 'Lea on the quay' -> "
        "'Léa on the quay'",
        "nothing written: run again with --apply to make these changes",
    ]
    assert store.read_shot(project.id, "002", shot.id).prompt == "Lea on the quay"
    out = cli.json("replace", project.id, "Lea", "Léa", "--apply")
    assert out["applied"] and [c["after"] for c in out["changes"]] == ["Léa on the quay"]
    assert store.read_shot(project.id, "002", shot.id).prompt == "Léa on the quay"
    assert cli("replace", project.id, "zeppelin", "x") == 0
    assert cli.out == "nothing matches\n"
    assert cli("replace", project.id, "", "x") == 1
    assert_one_line_error(cli, "find")
