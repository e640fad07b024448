"""Bad input: each refused with a message naming the file, and nothing half-imported."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from storyboard_core import ImportRefusedError, NotFoundError, Store
from storyboard_core.errors import WriteError
from storyboard_core.storycore import MAX_FILE_BYTES, import_storycore

from ..conftest import snapshot
from .conftest import Copy


def write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def workspace_entries(workspace: Path) -> list[str]:
    """Everything in the workspace, hidden folders included (a leftover build folder would show)."""
    return sorted(p.name for p in workspace.iterdir()) if workspace.exists() else []


def refused(store: Store, folder: Path, *words: str) -> str:
    """Import ``folder``, expect ``ImportRefusedError`` with ``words``, and nothing written."""
    before = workspace_entries(store.root)
    with pytest.raises(ImportRefusedError) as caught:
        import_storycore(store, folder)
    message = str(caught.value)
    for word in words:
        assert word in message, (word, message)
    assert "nothing was imported" in message
    assert workspace_entries(store.root) == before
    return message


def test_a_folder_that_does_not_exist(store: Store, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="is not a folder"):
        import_storycore(store, tmp_path / "nulle-part")


def test_a_folder_without_project_json(store: Store, tmp_path: Path) -> None:
    (tmp_path / "vacances").mkdir()
    write(tmp_path / "vacances" / "photos.json", {"photos": []})
    refused(store, tmp_path / "vacances", "is not a StoryCore project", "no project.json")


def test_a_project_json_that_is_not_storycores(store: Store, tmp_path: Path) -> None:
    write(tmp_path / "autre" / "project.json", {"version": 3, "title": "Autre logiciel"})
    refused(store, tmp_path / "autre", "project.json is not a StoryCore project file")
    write(tmp_path / "liste" / "project.json", [1, 2, 3])
    refused(store, tmp_path / "liste", "project.json is not a StoryCore project file")


def test_one_of_our_own_projects_is_not_imported(store: Store, tmp_path: Path) -> None:
    other = Store(tmp_path / "other")
    project = other.create_project("Déjà nôtre")
    refused(store, other.project_dir(project.id), "already a Storyboard Studio project")


def test_broken_project_json_names_line_and_column(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "cassé"
    folder.mkdir()
    (folder / "project.json").write_text('{\n  "project_name": "Cassé",\n  "shots": [,]\n}')
    refused(store, folder, "project.json", "invalid JSON", "line 3, column 13")


def test_project_json_not_utf8(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "latin1"
    folder.mkdir()
    (folder / "project.json").write_bytes('{"project_name": "Été"}'.encode("latin-1"))
    refused(store, folder, "project.json", "not UTF-8")


def test_a_project_with_no_shots(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "vide"
    write(folder / "project.json", {"project_name": "Vide", "shots": [], "metadata": {}})
    write(folder / "sequences" / "sequence_001.json", {"id": "s1", "name": "Une", "shot_ids": []})
    refused(store, folder, "no shots")


def test_no_shots_because_the_only_file_is_broken_says_which(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "presque"
    write(folder / "project.json", {"project_name": "Presque"})
    (folder / "sequences").mkdir()
    (folder / "sequences" / "sequence_001.json").write_text('{"id": "s1", "shots": [}')
    refused(store, folder, "no shots", "sequences/sequence_001.json", "line 1, column 24")


def test_a_name_that_is_taken_gets_its_own_folder_and_a_note(
    store: Store, source: Copy, workspace: Path
) -> None:
    folder = source("contract")
    first = import_storycore(store, folder)
    before = snapshot(workspace / first.project_id)
    again = import_storycore(store, folder)
    assert (first.project_id, again.project_id) == ("contrat-de-donnees", "contrat-de-donnees-2")
    (note,) = [n for n in again.notes if "already has a project named" in n]
    assert "'contrat-de-donnees-2'" in note and "contrat-de-donnees" in note
    assert snapshot(workspace / first.project_id) == before  # the first one is untouched
    assert [p.id for p in store.list_projects()] == ["contrat-de-donnees", "contrat-de-donnees-2"]


def test_symlinks_out_of_the_folder_are_not_followed(
    store: Store, source: Copy, tmp_path: Path
) -> None:
    folder = source("contract")
    secret = write(
        tmp_path / "ailleurs" / "secret.json",
        {"id": "plan-x", "name": "Secret", "shots": [{"id": "secret-1", "title": "secret"}]},
    )
    (folder / "sequences" / "sequence_002.json").symlink_to(secret)
    (folder / "shots").symlink_to(secret.parent, target_is_directory=True)
    # A symlink that stays inside the folder is read like any file.
    inner = folder / "sequences" / "sequence_003.json"
    inner.symlink_to(folder / "sequences" / "sequence_001.json")
    report = import_storycore(store, folder)
    issues = {i.file: i.message for i in report.unreadable}
    assert "symlink pointing outside" in issues["sequences/sequence_002.json"]
    assert "symlink pointing outside" in issues["shots"]
    assert "secret-1" not in {s.shot for s in report.shots}
    assert "sequences/sequence_003.json" not in issues
    (train,) = report.sequences
    assert train.files == ("sequences/sequence_001.json", "sequences/sequence_003.json")


def test_a_project_json_symlinked_out_is_refused(store: Store, tmp_path: Path) -> None:
    real = write(
        tmp_path / "ailleurs" / "project.json", {"project_name": "X", "shots": [{"id": "a"}]}
    )
    (tmp_path / "lien").mkdir()
    (tmp_path / "lien" / "project.json").symlink_to(real)
    refused(store, tmp_path / "lien", "project.json", "symlink pointing outside")


def big_file(path: Path, size: int = 50 * 1000 * 1000) -> None:
    """A sparse file of ``size`` bytes (costs no disk space)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        f.truncate(size)


def test_a_50_mb_shot_file_is_not_read(store: Store, source: Copy) -> None:
    folder = source("current")
    big_file(folder / "shots" / "shot_enorme.json")
    report = import_storycore(store, folder)
    (issue,) = report.unreadable
    assert issue.file == "shots/shot_enorme.json"
    assert issue.message == (
        f"is 50.0 MB, more than the {MAX_FILE_BYTES / 1e6:.0f} MB a StoryCore file may have; not read"
    )
    assert report.shot_count == 6  # everything else imported


def test_a_50_mb_project_json_is_refused(store: Store, tmp_path: Path) -> None:
    big_file(tmp_path / "gros" / "project.json")
    refused(store, tmp_path / "gros", "project.json", "is 50.0 MB")


def test_an_unreadable_file_is_reported(
    store: Store, source: Copy, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = source("current")
    locked = folder / "shots" / "shot_shot-nuit-2.json"
    real_open = Path.open

    def deny(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == locked:  # chmod 000 does not stop root, who runs these tests in CI
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", deny)
    report = import_storycore(store, folder)
    (issue,) = report.unreadable
    assert (issue.file, issue.message) == (
        "shots/shot_shot-nuit-2.json",
        "cannot be read: Permission denied",
    )
    # The S-B lists the shot, which is in no file that could be read: the report says so.
    assert any("lists shot shot-nuit-2" in n for n in report.notes)


def test_a_failure_while_writing_leaves_nothing(
    store: Store, source: Copy, monkeypatch: pytest.MonkeyPatch, workspace: Path
) -> None:
    def no_space(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "rename", no_space)
    with pytest.raises(WriteError, match="the disk is full"):
        import_storycore(store, source("current"))
    assert workspace_entries(workspace) == []  # no project, no hidden build folder


def test_entries_that_are_not_shots_are_dropped_and_said(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "bizarre"
    write(
        folder / "project.json",
        {
            "project_name": "Bizarre",
            "shots": [
                "un texte",
                {"title": "Sans id", "duration": "3.5"},
                {"id": "à é", "title": "Accents"},
            ],
        },
    )
    write(folder / "shots" / "shot_liste.json", [1, 2])
    report = import_storycore(store, folder)
    assert report.dropped == [
        "project.json: shots[0] is str, not a shot",
        "shots/shot_liste.json: is a JSON list, not a shot",
    ]
    ids = {c.field: c for c in report.changes if c.field == "id" and c.before == "à é"}
    assert ids["id"].reason == "not an id we accept (letters, digits, _ and -)"
    assert [c.reason for c in report.changes if c.field == "id" and c.before is None] == [
        "no id in project.json: a new one"
    ]
    loose = Store(store.root).read_project(report.project_id).shots
    assert [s.title for s in loose] == ["Sans id", "Accents"]
    assert loose[0].duration == 3.5
    assert loose[1].model_extra["storycore"]["id"] == "à é"  # type: ignore[index]
    assert "duration: text read as a number" in [
        f"{c.field}: {c.reason.split(': ', 1)[1]}" for c in report.changes if c.field == "duration"
    ]


def test_a_folder_where_a_file_should_be(store: Store, source: Copy) -> None:
    folder = source("current")
    (folder / "shots" / "shot_dossier.json").mkdir()
    os.mkfifo(folder / "sequences" / "sequence_fifo.json")  # reading it would block forever
    report = import_storycore(store, folder)
    assert {(i.file, i.message) for i in report.unreadable} == {
        ("shots/shot_dossier.json", "is not a file"),
        ("sequences/sequence_fifo.json", "is not a file"),
    }
    assert report.shot_count == 6
