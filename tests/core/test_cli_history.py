"""``storyboard history`` and ``storyboard restore``: the undo list and undo from a terminal."""

from __future__ import annotations

import json

import pytest

from storyboard_core import Project, Store

from .helpers import Run, assert_one_line_error

REL = "sequences/sequence_001.json"


@pytest.fixture
def edited(store: Store, project: Project) -> str:
    """Two saves of the first shot of sequence 001; returns that shot's id."""
    shot = store.read_sequence(project.id, "001").shots[0]
    store.update_shot(project.id, "001", shot.id, {"prompt": "storm", "generation": {"steps": 30}})
    store.update_shot(project.id, "001", shot.id, {"title": "The bay"})
    return shot.id


def test_history_lists_each_version_with_its_time_and_summary(
    cli: Run, project: Project, store: Store, edited: str
) -> None:
    assert cli("history", project.id, "001") == 0
    rows = [line.split("\t") for line in cli.out.splitlines()]
    versions = store.list_versions(project.id, REL)
    assert [r[0] for r in rows] == ["current", *(v.id for v in versions)]
    assert [r[1] for r in rows] == ["revision 2", "revision 1", "revision 0"]
    assert all(r[2].endswith(" UTC") for r in rows)
    assert [r[3] for r in rows] == [
        "shot #1 “The bay”: title “Shot 1” → “The bay”",
        "shot #1 “Shot 1”: prompt “” → “storm”, generation.steps 20 → 30",
        "the oldest version kept",
    ]


def test_history_json_and_one_shot(cli: Run, project: Project, store: Store, edited: str) -> None:
    other = store.read_sequence(project.id, "001").shots[1].id
    store.update_shot(project.id, "001", other, {"notes": "not mine"})
    data = cli.json("history", project.id, "001", "--shot", edited)
    assert data["file"] == REL and data["revision"] == 3
    assert [v["summary"] for v in data["versions"]] == [
        "shot #1 “The bay”: title “Shot 1” → “The bay”",
        "shot #1 “Shot 1”: prompt “” → “storm”, generation.steps 20 → 30",
        "the oldest version kept",
    ]
    change = data["versions"][0]["changes"][0]
    assert change == {
        "kind": "changed",
        "shot_id": edited,
        "shot_title": "The bay",
        "position": 1,
        "field": "title",
        "old": "Shot 1",
        "new": "The bay",
        "text": "shot #1 “The bay”: title “Shot 1” → “The bay”",
    }


def test_restore_with_the_revision_seen_and_undo_it(
    cli: Run, project: Project, store: Store, edited: str
) -> None:
    path = store.project_dir(project.id) / REL
    oldest = store.list_versions(project.id, REL)[-1]
    original = json.loads(
        (store.project_dir(project.id) / ".history" / REL / f"{oldest.id}.json").read_text()
    )
    assert cli("restore", project.id, "001", oldest.id, "--revision", "2") == 0
    restored = json.loads(path.read_text())
    assert [{**s, "updated_at": None} for s in restored["shots"]] == [
        {**s, "updated_at": None} for s in original["shots"]
    ]
    assert restored["revision"] == 3
    first, undo_line = cli.out.splitlines()
    assert first == f"restored {REL} to version {oldest.id} (now revision 3)"
    undo = store.list_versions(project.id, REL)[0].id
    assert undo_line == f"undo: storyboard restore {project.id} 001 {undo} --revision 3"

    assert cli("restore", project.id, "001", undo, "--revision", "3") == 0  # the undo, as printed
    assert store.read_shot(project.id, "001", edited).title == "The bay"


def test_restore_refuses_when_the_file_changed_since_unless_forced(
    cli: Run, project: Project, store: Store, edited: str
) -> None:
    path = store.project_dir(project.id) / REL
    oldest = store.list_versions(project.id, REL)[-1]
    before = path.read_bytes()
    assert cli("restore", project.id, "001", oldest.id, "--revision", "1") == 1
    assert_one_line_error(
        cli, f"{REL} changed since you looked at it (revision 1; now revision 2", "--force"
    )
    assert path.read_bytes() == before

    assert cli("restore", project.id, "001", oldest.id, "--force") == 0
    assert store.read_shot(project.id, "001", edited).title == "Shot 1"


def test_restore_needs_a_revision_or_force(cli: Run, project: Project, edited: str) -> None:
    with pytest.raises(SystemExit) as exc:
        cli("restore", project.id, "001", "x")
    assert exc.value.code == 2


def test_restore_of_an_unknown_version(cli: Run, project: Project, edited: str) -> None:
    assert cli("restore", project.id, "001", "20000101T000000000000Z", "--force") == 1
    assert_one_line_error(cli, "no version '20000101T000000000000Z'")


def test_loose_shots_history_and_forced_restore(cli: Run, project: Project, store: Store) -> None:
    shot = store.add_shot(project.id, None, {"title": "Loose"})
    store.update_shot(project.id, None, shot.id, {"prompt": "p"})
    assert cli("history", project.id, "-") == 0
    assert "shot #1 “Loose”: prompt “” → “p”" in cli.out
    version = store.list_versions(project.id, "project.json")[0].id
    assert cli("restore", project.id, "-", version, "--revision", "1") == 2
    assert "project.json has no revision: use --force" in cli.err
    assert cli("restore", project.id, "-", version, "--force") == 0
    assert store.read_shot(project.id, None, shot.id).prompt == ""
