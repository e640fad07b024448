"""Earlier versions of a file (``store/versions.py``): listed newest first, restored, capped."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from storyboard_core import (
    ConflictError,
    NotFoundError,
    Project,
    Store,
    UnsafePathError,
)

from .store_files import break_file, on_disk, seq_file, shot_ids

# ----------------------------------------------------------------------------- history


def test_history_lists_versions_newest_first_and_restores(store: Store, project: Project) -> None:
    rel = "sequences/sequence_001.json"
    path = seq_file(store, project)
    shot_id = shot_ids(store, project)[0]
    original = on_disk(path)
    for text in ("one", "two", "three"):
        store.update_shot(project.id, "001", shot_id, {"prompt": text})
    versions = store.list_versions(project.id, rel)
    assert len(versions) == 3
    assert [v.id for v in versions] == sorted((v.id for v in versions), reverse=True)
    history = store.project_dir(project.id) / ".history" / rel
    prompts = [
        json.loads((history / f"{v.id}.json").read_text())["shots"][0]["prompt"] for v in versions
    ]
    assert prompts == ["two", "one", ""]
    assert all(v.file == rel and v.size > 0 and isinstance(v.saved_at, datetime) for v in versions)

    store.restore_version(project.id, rel, versions[-1].id)
    restored = on_disk(path)
    assert restored["shots"][0]["prompt"] == ""
    assert restored["shots"] == [
        {**s, "updated_at": restored["shots"][i]["updated_at"]}
        for i, s in enumerate(original["shots"])
    ]
    assert restored["revision"] == 4, "a restore is a normal write: revision goes on"
    # The replaced version ("three") is itself in history: the restore can be undone.
    newest = store.list_versions(project.id, rel)[0]
    assert len(store.list_versions(project.id, rel)) == 4
    store.restore_version(project.id, rel, newest.id)
    assert on_disk(path)["shots"][0]["prompt"] == "three"
    assert on_disk(path)["revision"] == 5


def test_restore_makes_open_editors_conflict(store: Store, project: Project) -> None:
    rel = "sequences/sequence_001.json"
    shot_id = shot_ids(store, project)[0]
    store.update_shot(project.id, "001", shot_id, {"prompt": "one"})
    editing = store.read_shot(project.id, "001", shot_id)
    store.restore_version(project.id, rel, store.list_versions(project.id, rel)[0].id)
    with pytest.raises(ConflictError):
        store.update_shot(
            project.id, "001", shot_id, {"prompt": "x"}, base_updated_at=editing.updated_at
        )


def test_restore_project_json(store: Store, project: Project) -> None:
    store.update_project(project.id, {"description": "changed"})
    [version] = store.list_versions(project.id, "project.json")
    store.restore_version(project.id, "project.json", version.id)
    assert store.read_project(project.id).description == ""


def test_restore_over_a_broken_file_repairs_it(store: Store, project: Project) -> None:
    rel = "sequences/sequence_001.json"
    store.update_shot(project.id, "001", shot_ids(store, project)[0], {"prompt": "good"})
    break_file(seq_file(store, project), "{oops")
    store.restore_version(project.id, rel, store.list_versions(project.id, rel)[0].id)
    assert store.read_sequence(project.id, "001").shots[0].prompt == ""


@pytest.mark.parametrize("version_id", ["../x", "a/b", "a\x00b", "..", "nope"])
def test_restore_of_a_bad_version_id_refused(
    store: Store, project: Project, version_id: str
) -> None:
    path = seq_file(store, project)
    before = path.read_bytes()
    with pytest.raises((NotFoundError, UnsafePathError)):
        store.restore_version(project.id, "sequences/sequence_001.json", version_id)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "file", ["../project.json", "sequences/../project.json", "x.json", "project.json\x00", ""]
)
def test_history_of_other_files_refused(store: Store, project: Project, file: str) -> None:
    with pytest.raises(UnsafePathError):
        store.list_versions(project.id, file)
    with pytest.raises(UnsafePathError):
        store.restore_version(project.id, file, "x")


def test_history_is_capped(store: Store, project: Project) -> None:
    shot_id = shot_ids(store, project)[0]
    for n in range(55):
        store.update_shot(project.id, "001", shot_id, {"prompt": f"p{n}"})
    versions = store.list_versions(project.id, "sequences/sequence_001.json")
    assert len(versions) == 50
    history = store.project_dir(project.id) / ".history" / "sequences/sequence_001.json"
    newest = json.loads((history / f"{versions[0].id}.json").read_text())
    oldest = json.loads((history / f"{versions[-1].id}.json").read_text())
    assert (newest["revision"], oldest["revision"]) == (54, 5)
