"""Saving when the disk refuses: full (ENOSPC), read-only (EROFS), no permission (EACCES).

Each fault is injected at one step of an atomic write (the temporary file's write, its fsync, the
rename over the old name). The store raises ``WriteError`` naming the file and the cause in plain
words; the file on disk, and its history, are unchanged; no temporary file is left behind.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from storyboard_core import Project, Store, StoryboardError, WriteError, files

from .conftest import snapshot as snapshot_all
from .helpers import Run, assert_one_line_error


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` but the lock files (taking a lock may create one)."""
    return {k: v for k, v in snapshot_all(folder).items() if "/.locks/" not in k}


CAUSES = {
    errno.ENOSPC: "the disk is full",
    errno.EROFS: "the disk is read-only",
    errno.EACCES: "permission denied",
}


def _fail(code: int) -> Callable[..., Any]:
    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError(code, os.strerror(code))

    return refuse


class _RefusingFile:
    """A file object whose ``write`` fails, as it does on a full disk."""

    def __init__(self, real: Any, code: int) -> None:
        self._real = real
        self._code = code

    def __enter__(self) -> _RefusingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._real.close()

    def write(self, _data: bytes) -> int:
        raise OSError(self._code, os.strerror(self._code))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def inject(monkeypatch: pytest.MonkeyPatch, step: str, code: int) -> None:
    """Make one step of ``files.write_atomic`` fail with ``code``."""
    if step == "write":
        real_fdopen = os.fdopen
        monkeypatch.setattr(
            files.os, "fdopen", lambda fd, *a, **k: _RefusingFile(real_fdopen(fd, *a, **k), code)
        )
    elif step == "fsync":
        monkeypatch.setattr(files.os, "fsync", _fail(code))
    else:
        monkeypatch.setattr(files.os, "replace", _fail(code))


@pytest.mark.parametrize("code", list(CAUSES))
@pytest.mark.parametrize("step", ["write", "fsync", "rename"])
def test_a_refused_save_changes_nothing_and_says_why(
    store: Store,
    project: Project,
    workspace: Path,
    monkeypatch: pytest.MonkeyPatch,
    step: str,
    code: int,
) -> None:
    shot = store.read_sequence(project.id, "001").shots[0]
    before = snapshot(workspace)
    inject(monkeypatch, step, code)
    with pytest.raises(WriteError) as caught:
        store.update_shot(project.id, "001", shot.id, {"prompt": "lost?"})
    assert caught.value.path == workspace / project.id / "sequences" / "sequence_001.json"
    assert CAUSES[code] in caught.value.cause
    assert "sequence_001.json could not be saved" in str(caught.value)
    assert CAUSES[code] in str(caught.value)
    assert isinstance(caught.value, StoryboardError)
    monkeypatch.undo()
    # The file, its history and the folder are exactly as before: no temporary file, no new version.
    assert snapshot(workspace) == before
    assert not list(workspace.rglob("*.tmp"))
    assert store.list_versions(project.id, "sequences/sequence_001.json") == []


def test_the_next_save_works_once_the_disk_has_room(
    store: Store, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    shot = store.read_sequence(project.id, "001").shots[0]
    inject(monkeypatch, "write", errno.ENOSPC)
    with pytest.raises(WriteError):
        store.update_shot(project.id, "001", shot.id, {"prompt": "first try"})
    monkeypatch.undo()
    store.update_shot(project.id, "001", shot.id, {"prompt": "second try"})
    assert store.read_shot(project.id, "001", shot.id).prompt == "second try"
    assert len(store.list_versions(project.id, "sequences/sequence_001.json")) == 1


def test_a_read_only_history_folder_refuses_before_anything_is_written(
    store: Store, project: Project, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a read-only disk even keeping the old version fails: reported the same way."""
    before = snapshot(workspace)
    monkeypatch.setattr(files.os, "link", _fail(errno.EROFS))
    monkeypatch.setattr(files.shutil, "copy2", _fail(errno.EROFS))
    with pytest.raises(WriteError, match="read-only"):
        store.rename_sequence(project.id, "001", "New name")
    monkeypatch.undo()
    assert snapshot(workspace) == before


def test_a_project_cannot_be_created_on_a_full_disk(
    store: Store, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Path, "write_bytes", _fail(errno.ENOSPC))
    with pytest.raises(WriteError, match="orage could not be saved: the disk is full"):
        store.create_project("Orage", shots_per_sequence=2)
    monkeypatch.undo()
    assert list(workspace.iterdir()) == [], "no half-built project is left"
    assert store.list_projects() == []


def test_the_cli_says_why_in_one_line(
    cli: Run, store: Store, project: Project, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shot = store.read_sequence(project.id, "001").shots[0]
    before = snapshot(workspace)
    inject(monkeypatch, "fsync", errno.EROFS)
    assert cli("set", project.id, "001", shot.id, "prompt=x") == 1
    assert_one_line_error(cli, "sequence_001.json could not be saved: the disk is read-only")
    monkeypatch.undo()
    assert snapshot(workspace) == before
