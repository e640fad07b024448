"""``storyboard review``: the review summary of a project or a sequence, as text, JSON or Markdown."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyboard_core import Project, Store
from storyboard_core.review.comments import add_comment

from .test_cli import Run, assert_one_line_error


@pytest.fixture
def cli(workspace: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    return Run(workspace, capsys)


@pytest.fixture
def reviewed(store: Store, project: Project) -> Project:
    """The project with a retake on sequence 1 and an approval on sequence 2."""
    one = store.read_sequence(project.id, "001").shots[0]
    two = store.read_sequence(project.id, "002").shots[1]
    add_comment(
        store, project.id, "001", one.id, author="Ana", text="sky\ntoo dark", verdict="retake"
    )
    add_comment(
        store,
        project.id,
        "002",
        two.id,
        author="Bob",
        text="[great](https://x.invalid)",
        verdict="approve",
    )
    return project


def test_review_text(cli: Run, reviewed: Project) -> None:
    assert cli("review", reviewed.id) == 0
    lines = cli.out.splitlines()
    assert lines[0] == "Orage: 12 shots, open comments: 2"
    assert lines[1] == "draft 10  review 0  approved 1  rejected 1"
    assert lines[2].split("\t") == ["retake", "Sequence 1 · #1 Shot 1", "open comments: 1"]
    ana = lines[3].split("\t")
    assert ana[1:] == ["Ana", "Sequence 1 · #1 Shot 1", "retake", "open", "sky too dark"]
    assert lines[4].split("\t")[1] == "Bob"


def test_review_of_one_sequence_as_json(cli: Run, reviewed: Project) -> None:
    data = cli.json("review", reviewed.id, "002")
    assert (data["scope"], data["shots"], data["counts"]["approved"]) == ("Sequence 2", 4, 1)
    assert data["retakes"] == []
    assert [c["author"] for c in data["comments"]] == ["Bob"]
    assert data["comments"][0]["shot"]["position"] == 2


def test_review_markdown_is_escaped(cli: Run, reviewed: Project) -> None:
    assert cli("review", reviewed.id, "--markdown") == 0
    assert cli.out.startswith("# Review: Orage\n")
    assert "\\[great\\]\\(https\\:\\/\\/x\\.invalid\\)" in cli.out
    assert "](https" not in cli.out


@pytest.mark.parametrize(
    ("args", "words"),
    [(["nope"], ["no project 'nope'"]), (["orage", "009"], ["no sequence 009"])],
)
def test_review_of_something_missing_is_exit_1(
    cli: Run, reviewed: Project, args: list[str], words: list[str]
) -> None:
    assert cli("review", *args) == 1
    assert_one_line_error(cli, *words)
