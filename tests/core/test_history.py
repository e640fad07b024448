"""history: what each kept version changed, in words; restores refused when the file changed meanwhile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyboard_core import ChangedMeanwhileError, NotFoundError, Project, Store
from storyboard_core.history import (
    _changes,
    diff_versions,
    file_history,
    restore_shot_version,
    summarize,
)

REL = "sequences/sequence_001.json"


def on_disk(store: Store, project: Project) -> dict[str, object]:
    data: dict[str, object] = json.loads((store.project_dir(project.id) / REL).read_text("utf-8"))
    return data


def test_each_version_says_what_its_save_changed(store: Store, project: Project) -> None:
    first, second, *_ = store.read_sequence(project.id, "001").shots
    store.update_shot(project.id, "001", first.id, {"prompt": "storm over the bay"})
    store.update_shot(project.id, "001", second.id, {"title": "Quay", "generation": {"steps": 30}})
    added = store.add_shot(project.id, "001", {"title": "Gulls"})
    store.move_shot(project.id, "001", first.id, 3)
    store.delete_shot(project.id, "001", second.id)
    store.rename_sequence(project.id, "001", "The storm")

    history = file_history(store, project.id, "001")
    current = store.read_sequence(project.id, "001")
    assert (history.revision, history.updated_at) == (current.revision, current.updated_at)
    summaries = [e.summary() for e in history.entries]
    assert summaries == [
        "name “Sequence 1” → “The storm”",
        "removed shot #1 “Quay”",
        "moved shot “Shot 1” from #1 to #3",
        "added shot #5 “Gulls”",
        "shot #2 “Quay”: title “Shot 2” → “Quay”, generation.steps 20 → 30",
        "shot #1 “Shot 1”: prompt “” → “storm over the bay”",
        "the oldest version kept",
    ]
    assert history.entries[0].version is None  # the current file comes first
    versions = store.list_versions(project.id, REL)
    assert [e.version for e in history.entries[1:]] == versions
    assert [e.revision for e in history.entries] == list(range(current.revision, -1, -1))
    assert added.id in history.entries[0].shot_ids
    assert history.entries[-1].oldest and not history.entries[0].oldest


def test_a_move_names_only_the_shot_that_moved(store: Store, project: Project) -> None:
    old = store.read_sequence(project.id, "001")
    store.move_shot(project.id, "001", old.shots[3].id, 1)
    new = store.read_sequence(project.id, "001")
    changes = diff_versions(old, new)
    assert [(c.kind, c.shot_id, c.old, c.new) for c in changes] == [
        ("moved", old.shots[3].id, 4, 1)
    ]


def test_long_text_is_shortened_and_values_read_plainly(store: Store, project: Project) -> None:
    shot = store.read_sequence(project.id, "001").shots[0]
    old = store.read_sequence(project.id, "001")
    store.update_shot(
        project.id, "001", shot.id, {"prompt": "word " * 40, "generation": {"seed": 7}}
    )
    (line,) = summarize(diff_versions(old, store.read_sequence(project.id, "001")))
    assert line.startswith("shot #1 “Shot 1”: prompt “” → “word word")
    assert "…”, generation.seed -1 → 7" in line
    assert len(line) < 140


def test_for_shot_keeps_only_that_shots_saves(store: Store, project: Project) -> None:
    first, second, *_ = store.read_sequence(project.id, "001").shots
    store.update_shot(project.id, "001", first.id, {"prompt": "a"})
    store.update_shot(project.id, "001", second.id, {"prompt": "b"})
    store.update_shot(project.id, "001", first.id, {"notes": "c"})
    entries = file_history(store, project.id, "001").for_shot(first.id)
    assert [e.summary() for e in entries] == [
        "shot #1 “Shot 1”: notes “” → “c”",
        "shot #1 “Shot 1”: prompt “” → “a”",
        "the oldest version kept",
    ]


def test_comparisons_of_kept_versions_are_computed_once(
    store: Store, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    shot = store.read_sequence(project.id, "001").shots[0]
    for text in ("a", "b", "c"):
        store.update_shot(project.id, "001", shot.id, {"prompt": text})
    _changes.cache_clear()
    file_history(store, project.id, "001")
    first = _changes.cache_info()
    file_history(store, project.id, "001")
    again = _changes.cache_info()
    assert (first.misses, again.misses, again.hits - first.hits) == (3, 3, 3)
    store.update_shot(project.id, "001", shot.id, {"prompt": "d"})
    file_history(store, project.id, "001")
    # One new version: only the comparison with the new current file is new (the old current
    # file is the newest kept version now, under the same identity).
    assert _changes.cache_info().misses == 4


def test_a_broken_kept_version_is_listed_with_its_reason(store: Store, project: Project) -> None:
    shot = store.read_sequence(project.id, "001").shots[0]
    store.update_shot(project.id, "001", shot.id, {"prompt": "a"})
    store.update_shot(project.id, "001", shot.id, {"prompt": "b"})
    oldest = store.list_versions(project.id, REL)[-1]
    path = store.project_dir(project.id) / ".history" / REL / f"{oldest.id}.json"
    path.unlink()  # a hard link to nothing else now: safe to rewrite
    path.write_text("{oops", "utf-8")
    entries = file_history(store, project.id, "001").entries
    assert "invalid JSON" in entries[-1].error
    assert entries[-1].summary().startswith("cannot be read")
    assert entries[-2].changes == ()  # nothing to compare with a broken file


def test_restore_refused_when_the_file_changed_since_it_was_looked_at(
    store: Store, project: Project
) -> None:
    shot = store.read_sequence(project.id, "001").shots[0]
    store.update_shot(project.id, "001", shot.id, {"prompt": "mine"})
    seen = file_history(store, project.id, "001")
    store.update_shot(project.id, "001", shot.id, {"prompt": "a teammate's"})  # meanwhile
    before = on_disk(store, project)
    version = seen.entries[-1].version
    assert version is not None
    with pytest.raises(ChangedMeanwhileError, match=r"changed since you looked at it") as caught:
        store.restore_version(project.id, REL, version.id, expected_updated_at=seen.updated_at)
    assert "revision 2" in caught.value.current
    with pytest.raises(ChangedMeanwhileError):
        store.restore_version(project.id, REL, version.id, expected_revision=seen.revision)
    assert on_disk(store, project) == before

    # Confirmed (the current version seen), it goes through and is itself undoable.
    now = file_history(store, project.id, "001")
    store.restore_version(
        project.id,
        REL,
        version.id,
        expected_updated_at=now.updated_at,
        expected_revision=now.revision,
    )
    assert store.read_shot(project.id, "001", shot.id).prompt == ""
    assert file_history(store, project.id, "001").entries[0].summary() == (
        "shot #1 “Shot 1”: prompt “a teammate's” → “”"
    )


def test_restore_one_shot_keeps_the_others_and_its_frames(
    store: Store, project: Project, workspace: Path
) -> None:
    first, second, *_ = store.read_sequence(project.id, "001").shots
    store.update_shot(project.id, "001", first.id, {"prompt": "old", "title": "Old title"})
    store.update_shot(project.id, "001", first.id, {"prompt": "new", "title": "New title"})
    store.update_shot(project.id, "001", second.id, {"prompt": "other shot's edit"})
    entries = file_history(store, project.id, "001").for_shot(first.id)
    wanted = entries[1].version  # the save that wrote "old"
    assert wanted is not None
    current = store.read_shot(project.id, "001", first.id)

    restored = restore_shot_version(
        store, project.id, "001", first.id, wanted.id, expected_updated_at=current.updated_at
    )
    assert (restored.prompt, restored.title) == ("old", "Old title")
    assert store.read_shot(project.id, "001", second.id).prompt == "other shot's edit"
    assert store.read_shot(project.id, "001", first.id).position == 1
    # Undoable: the version it replaced is kept.
    assert (
        file_history(store, project.id, "001")
        .entries[0]
        .summary()
        .startswith("shot #1 “Old title”: title “New title” → “Old title”")
    )

    with pytest.raises(ChangedMeanwhileError):  # the stamp seen before the restore is stale now
        restore_shot_version(
            store, project.id, "001", first.id, wanted.id, expected_updated_at=current.updated_at
        )
    with pytest.raises(NotFoundError):
        restore_shot_version(
            store, project.id, "001", first.id, "../../x", expected_updated_at=None
        )
