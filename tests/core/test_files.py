"""files: atomic writes, history (hard links, pruned to 50), the on-disk JSON form, locks."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from storyboard_core import (
    BrokenFileError,
    InvalidDataError,
    LockTimeoutError,
    NotFoundError,
    Project,
    Store,
    WriteError,
    files,
)
from storyboard_core.files import HISTORY_KEEP, FileArea, dumps, read_json, write_atomic


def test_write_atomic_replaces_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    write_atomic(target, b"one\n")
    old_inode = target.stat().st_ino
    write_atomic(target, b"two\n")
    assert target.read_bytes() == b"two\n"
    assert target.stat().st_ino != old_inode, "a new file is renamed over the old one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]


def test_write_atomic_keeps_the_file_mode(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    write_atomic(target, b"{}\n")
    assert target.stat().st_mode & 0o777 == 0o644
    target.chmod(0o600)
    write_atomic(target, b"[]\n")
    assert target.stat().st_mode & 0o777 == 0o600


def test_failed_write_leaves_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.json"
    target.write_bytes(b"old\n")

    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(WriteError, match=r"a\.json could not be saved: disk full"):
        write_atomic(target, b"new\n")
    assert target.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]


def test_store_writes_leave_no_temp_files(store: Store, project: Project) -> None:
    seq = store.read_sequence(project.id, "001")
    for n in range(5):
        store.update_shot(project.id, "001", seq.shots[0].id, {"prompt": f"p{n}"})
    store.add_shot(project.id, None)
    leftovers = [p for p in store.root.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_history_is_a_hard_link_of_the_replaced_file(store: Store, project: Project) -> None:
    root = store.project_dir(project.id)
    path = root / "sequences" / "sequence_001.json"
    before = path.read_bytes()
    inode = path.stat().st_ino
    shot_id = store.read_sequence(project.id, "001").shots[0].id
    store.update_shot(project.id, "001", shot_id, {"prompt": "x"})
    [kept] = (root / ".history" / "sequences" / "sequence_001.json").iterdir()
    assert kept.read_bytes() == before
    assert kept.stat().st_ino == inode, "the old inode got a second name, no copy"


def test_history_falls_back_to_a_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    area = FileArea(tmp_path)
    (tmp_path / "project.json").write_bytes(b"{}\n")

    def no_links(src: Any, dst: Any) -> None:
        raise OSError("links not supported")

    monkeypatch.setattr(os, "link", no_links)
    area.replace("project.json", b'{"a": 1}\n')
    [kept] = area.versions("project.json")
    assert kept.read_bytes() == b"{}\n"
    assert (tmp_path / "project.json").read_bytes() == b'{"a": 1}\n'


def test_history_pruned_to_the_last_50(tmp_path: Path) -> None:
    area = FileArea(tmp_path)
    for n in range(HISTORY_KEEP + 7):
        area.replace("f.json", f"{n}\n".encode())
    versions = area.versions("f.json")
    assert HISTORY_KEEP == 50
    assert len(versions) == 50
    # Newest first: the version replaced last is n-1 of the last write.
    assert [int(v.read_text()) for v in versions] == list(range(HISTORY_KEEP + 5, 5, -1))


def test_versions_of_a_file_never_replaced(tmp_path: Path) -> None:
    assert FileArea(tmp_path).versions("never.json") == []


def test_remove_keeps_the_last_version(tmp_path: Path) -> None:
    area = FileArea(tmp_path)
    (tmp_path / "x.json").write_bytes(b"last\n")
    area.remove("x.json")
    assert not (tmp_path / "x.json").exists()
    assert [v.read_bytes() for v in area.versions("x.json")] == [b"last\n"]


def test_update_json_never_writes_over_a_broken_file(tmp_path: Path) -> None:
    area = FileArea(tmp_path)
    (tmp_path / "x.json").write_bytes(b"{broken")
    with pytest.raises(BrokenFileError):
        area.update_json("x.json", lambda data: data)
    assert (tmp_path / "x.json").read_bytes() == b"{broken"
    assert area.versions("x.json") == []


def test_update_json_aborts_when_the_change_raises(tmp_path: Path) -> None:
    area = FileArea(tmp_path)
    (tmp_path / "x.json").write_bytes(b'{"a": 1}\n')

    def change(data: Any) -> Any:
        raise InvalidDataError([])

    with pytest.raises(InvalidDataError):
        area.update_json("x.json", change)
    assert (tmp_path / "x.json").read_bytes() == b'{"a": 1}\n'
    assert area.update_json("x.json", lambda d: {**d, "b": 2}) == {"a": 1, "b": 2}
    assert read_json(tmp_path / "x.json") == {"a": 1, "b": 2}


def test_read_json_errors(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        read_json(tmp_path / "missing.json")
    (tmp_path / "dir.json").mkdir()
    with pytest.raises(BrokenFileError):
        read_json(tmp_path / "dir.json")


def test_a_held_lock_times_out_with_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "LOCK_TIMEOUT_SECONDS", 0.05)
    area = FileArea(tmp_path)
    # A lock held through another open file description, as another process would hold it.
    other = FileArea(tmp_path).lock("sequences/sequence_001.json")
    other_fd = os.open(other.lock_file, os.O_RDWR | os.O_CREAT)
    import fcntl

    fcntl.flock(other_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        with (
            pytest.raises(LockTimeoutError, match=r"sequence_001\.json"),
            area.locked("sequences/sequence_001.json"),
        ):
            pass  # pragma: no cover - never reached
    finally:
        os.close(other_fd)
    with area.locked("sequences/sequence_001.json"):
        pass


# ----------------------------------------------------------------------------- dumps


def test_dumps_format() -> None:
    raw = dumps({"name": "Tempête ⚡", "b": [1, {"c": None}], "a": 1.5})
    text = raw.decode("utf-8")
    assert "Tempête ⚡" in text, "UTF-8, not \\u escapes"
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text.splitlines()[1] == '  "name": "Tempête ⚡",'
    assert list(json.loads(text)) == ["name", "b", "a"], "keys in the given order, not sorted"
    assert dumps(json.loads(raw)) == raw


def test_dumps_refuses_text_that_is_not_unicode() -> None:
    with pytest.raises(InvalidDataError, match="not valid Unicode"):
        dumps({"prompt": "a\udcff"})


def _without_stamps(data: Any) -> Any:
    if isinstance(data, dict):
        return {
            k: _without_stamps(v) for k, v in data.items() if k not in {"updated_at", "revision"}
        }
    if isinstance(data, list):
        return [_without_stamps(v) for v in data]
    return data


def test_saving_without_change_gives_the_same_bytes(store: Store, project: Project) -> None:
    path = store.project_dir(project.id) / "sequences" / "sequence_001.json"
    shot_id = store.read_sequence(project.id, "001").shots[0].id
    store.update_shot(project.id, "001", shot_id, {"prompt": "same"})
    first = path.read_bytes()
    store.update_shot(project.id, "001", shot_id, {"prompt": "same"})
    second = path.read_bytes()
    assert first != second, "revision and updated_at move on"
    assert _without_stamps(json.loads(first)) == _without_stamps(json.loads(second))
    # Line by line, only the stamps and the revision differ: one edit is a small diff.
    changed = [
        (a, b)
        for a, b in zip(first.decode().splitlines(), second.decode().splitlines(), strict=True)
        if a != b
    ]
    assert changed
    assert all('"updated_at"' in a or '"revision"' in a for a, _ in changed), changed
    # And an edit of one field changes that line and the stamps only.
    store.update_shot(project.id, "001", shot_id, {"notes": "one line"})
    third = path.read_bytes().decode().splitlines()
    diff = [b for a, b in zip(second.decode().splitlines(), third, strict=True) if a != b]
    assert [line for line in diff if '"updated_at"' not in line and '"revision"' not in line] == [
        '      "notes": "one line",'
    ]


def test_store_files_are_in_the_on_disk_form(store: Store, project: Project) -> None:
    root = store.project_dir(project.id)
    for path in [root / "project.json", *sorted((root / "sequences").iterdir())]:
        raw = path.read_bytes()
        assert raw == dumps(json.loads(raw)), path.name
    assert (root / ".gitignore").read_text() == ".locks/\n.history/\n.renders/\n"


def test_replace_sweeps_temporary_files_left_by_a_killed_writer(tmp_path: Path) -> None:
    area = FileArea(tmp_path)
    target = tmp_path / "sequences" / "sequence_001.json"
    target.parent.mkdir()
    target.write_bytes(b"{}\n")
    leftover = target.parent / ".sequence_001.json.abc123.tmp"
    leftover.write_bytes(b'{"half": ')
    other = target.parent / ".sequence_002.json.abc123.tmp"  # another file's writer may be live
    other.write_bytes(b"{")
    with area.locked("sequences/sequence_001.json"):
        area.replace("sequences/sequence_001.json", b'{"a": 1}\n')
    assert not leftover.exists()
    assert other.exists()
    assert target.read_bytes() == b'{"a": 1}\n'
