"""Store reads (``store/view.py``): listing and reading, broken files, unsafe paths and symlinks, and the
shared caches."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from storyboard_core import (
    BrokenFileError,
    NotFoundError,
    Project,
    Store,
    UnsafePathError,
)
from storyboard_core.store import StoreView

from .conftest import snapshot
from .store_files import break_file, on_disk, seq_file, shot_ids

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


# ----------------------------------------------------------------------------- broken files

BROKEN_JSON = '{\n  "id": "002",\n  "name": "x",,\n}\n'


def test_invalid_json_is_reported_with_line_and_column(store: Store, project: Project) -> None:
    path = seq_file(store, project, "002")
    break_file(path, BROKEN_JSON)
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
    raw = break_file(path, text)
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
    raw = break_file(meta, '{"id": "orage", "name": ""}')
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


def test_clear_caches_forgets_every_cache(store: Store, project: Project) -> None:
    caches = store.caches
    store.summarize_project(project.id)
    store.read_sequence_style(project.id, "001")
    before = (
        caches.sequence_summaries.misses,
        caches.projects.misses,
        caches.sequence_styles.misses,
    )
    store.clear_caches()
    store.summarize_project(project.id)
    store.read_sequence_style(project.id, "001")
    after = (
        caches.sequence_summaries.misses,
        caches.projects.misses,
        caches.sequence_styles.misses,
    )
    assert after == (before[0] + 3, before[1] + 1, before[2] + 1), "each cache read its files again"


def test_a_view_over_shared_caches_reads_nothing_again(store: Store, project: Project) -> None:
    store.summarize_project(project.id)
    store.read_sequence_style(project.id, "002")
    view = StoreView(store.root, caches=store.caches)
    misses = (store.caches.sequence_summaries.misses, store.caches.sequence_styles.misses)
    view.summarize_project(project.id)
    view.read_sequence_style(project.id, "002")
    assert (store.caches.sequence_summaries.misses, store.caches.sequence_styles.misses) == misses
    assert StoreView(store.root).caches is not store.caches, "by default a store has its own"
