"""Store writes (``store/writes.py``): editing, adding, moving and deleting shots and sequences."""

from __future__ import annotations

import pytest

from storyboard_core import (
    InvalidDataError,
    NotFoundError,
    Project,
    Store,
)

from .conftest import snapshot
from .store_files import assert_in_sync, on_disk, seq_file, shot_ids

# ----------------------------------------------------------------------------- shots


def test_update_shot_goes_to_its_sequence_file(store: Store, project: Project) -> None:
    path = seq_file(store, project, "002")
    others = {n: seq_file(store, project, n).read_bytes() for n in ("001", "003")}
    meta_before = (store.project_dir(project.id) / "project.json").read_bytes()
    shot_id = shot_ids(store, project, "002")[1]
    before = on_disk(path)
    saved = store.update_shot(
        project.id, "002", shot_id, {"prompt": "rain", "generation": {"steps": 30}}
    )
    after = on_disk(path)
    assert saved.prompt == "rain"
    assert saved.generation.steps == 30
    assert saved.generation.cfg_scale == 7.0, "a partial generation patch keeps the other settings"
    assert after["shots"][1]["prompt"] == "rain"
    assert after["revision"] == before["revision"] + 1
    assert after["updated_at"] > before["updated_at"]
    assert after["shots"][1]["updated_at"] > before["shots"][1]["updated_at"]
    assert after["shots"][0] == before["shots"][0], "other shots are untouched"
    assert {n: seq_file(store, project, n).read_bytes() for n in others} == others
    assert (store.project_dir(project.id) / "project.json").read_bytes() == meta_before


def test_update_loose_shot_goes_to_project_json(store: Store, project: Project) -> None:
    loose = store.add_shot(project.id, None, {"title": "Loose"})
    sequences = {n: seq_file(store, project, n).read_bytes() for n in ("001", "002", "003")}
    store.update_shot(project.id, None, loose.id, {"prompt": "fog"})
    meta = on_disk(store.project_dir(project.id) / "project.json")
    assert [s["prompt"] for s in meta["shots"]] == ["fog"]
    assert {n: seq_file(store, project, n).read_bytes() for n in sequences} == sequences
    assert store.read_shot(project.id, None, loose.id).prompt == "fog"


def test_update_shots_is_all_or_nothing(store: Store, project: Project) -> None:
    a, b, *_ = shot_ids(store, project)
    path = seq_file(store, project)
    before = path.read_bytes()
    with pytest.raises(InvalidDataError):
        store.update_shots(
            project.id, "001", {a: {"prompt": "ok"}, b: {"generation": {"steps": 0}}}
        )
    assert path.read_bytes() == before
    saved = store.update_shots(project.id, "001", {a: {"prompt": "x"}, b: {"prompt": "y"}})
    assert [s.prompt for s in saved] == ["x", "y"]
    assert on_disk(path)["revision"] == 1


def test_add_shot(store: Store, project: Project) -> None:
    path = seq_file(store, project)
    before = shot_ids(store, project)
    shot = store.add_shot(project.id, "001", {"prompt": "new", "duration": 3}, position=2)
    assert shot_ids(store, project) == [before[0], shot.id, *before[1:]]
    assert shot.id not in before
    assert_in_sync(path)
    assert on_disk(path)["duration"] == 63
    assert on_disk(path)["revision"] == 1
    end = store.add_shot(project.id, "001")
    assert shot_ids(store, project)[-1] == end.id
    assert end.title == "Shot 6"
    assert on_disk(path)["revision"] == 2
    with pytest.raises(InvalidDataError):
        store.add_shot(project.id, "001", {"id": "mine"})
    with pytest.raises(InvalidDataError):
        store.add_shot(project.id, "001", {"steps": 3})
    assert on_disk(path)["revision"] == 2


def test_duplicate_shot(store: Store, project: Project) -> None:
    path = seq_file(store, project)
    ids = shot_ids(store, project)
    store.update_shot(project.id, "001", ids[1], {"prompt": "storm", "generation": {"seed": 7}})
    copy = store.duplicate_shot(project.id, "001", ids[1])
    assert shot_ids(store, project) == [ids[0], ids[1], copy.id, *ids[2:]]
    assert copy.prompt == "storm"
    assert copy.generation.seed == 7
    assert copy.title == "Shot 2 (copy)"
    assert copy.id != ids[1]
    assert_in_sync(path)
    assert on_disk(path)["duration"] == 75
    assert on_disk(path)["revision"] == 2


def test_delete_shot(store: Store, project: Project) -> None:
    path = seq_file(store, project)
    ids = shot_ids(store, project)
    store.delete_shot(project.id, "001", ids[1])
    assert shot_ids(store, project) == [ids[0], *ids[2:]]
    assert_in_sync(path)
    assert on_disk(path)["duration"] == 45
    assert on_disk(path)["revision"] == 1
    with pytest.raises(NotFoundError):
        store.delete_shot(project.id, "001", ids[1])
    assert on_disk(path)["revision"] == 1


@pytest.mark.parametrize(
    ("position", "expected"),
    [(1, [3, 0, 1, 2]), (2, [0, 3, 1, 2]), (0, [3, 0, 1, 2]), (99, [0, 1, 2, 3])],
)
def test_move_shot(store: Store, project: Project, position: int, expected: list[int]) -> None:
    path = seq_file(store, project)
    ids = shot_ids(store, project)
    store.move_shot(project.id, "001", ids[3], position)
    assert shot_ids(store, project) == [ids[i] for i in expected]
    assert_in_sync(path)
    assert on_disk(path)["revision"] == 1


def test_move_shot_to_another_sequence_and_loose(store: Store, project: Project) -> None:
    src, dst = seq_file(store, project, "001"), seq_file(store, project, "002")
    ids1, ids2 = shot_ids(store, project, "001"), shot_ids(store, project, "002")
    store.update_shot(project.id, "001", ids1[0], {"prompt": "travels"})
    moved = store.move_shot_to(project.id, "001", ids1[0], "002", position=2)
    assert moved.prompt == "travels"
    assert shot_ids(store, project, "001") == ids1[1:]
    assert shot_ids(store, project, "002") == [ids2[0], ids1[0], *ids2[1:]]
    for path in (src, dst):
        assert_in_sync(path)
    assert on_disk(src)["duration"] == 45
    assert on_disk(dst)["duration"] == 75
    store.move_shot_to(project.id, "002", ids1[0], None)
    assert shot_ids(store, project, None) == [ids1[0]]
    assert store.read_shot(project.id, None, ids1[0]).prompt == "travels"
    assert_in_sync(store.project_dir(project.id) / "project.json")
    store.move_shot_to(project.id, None, ids1[0], "003")
    assert shot_ids(store, project, None) == []
    assert shot_ids(store, project, "003")[-1] == ids1[0]
    assert store.validate(project.id) == []


# ----------------------------------------------------------------------------- sequences


def test_add_sequence(store: Store, project: Project) -> None:
    seq = store.add_sequence(project.id, "Finale", shots=3, seconds=30)
    assert seq.id == "004"
    assert seq.order == 4
    assert [s.duration for s in seq.shots] == [10, 10, 10]
    assert on_disk(seq_file(store, project, "004"))["name"] == "Finale"
    assert [s.id for s in store.list_sequences(project.id)][-1] == "004"
    empty = store.add_sequence(project.id, "Empty")
    assert empty.shots == []
    with pytest.raises(InvalidDataError) as caught:
        store.add_sequence(project.id, "")
    assert "name" in caught.value.by_field()
    assert not seq_file(store, project, "006").exists()


@pytest.mark.parametrize(
    ("shots", "seconds", "field"),
    [
        (2, -10.0, "seconds"),
        (1, 1e9, "seconds"),
        (2, float("nan"), "seconds"),
        (101, 60.0, "shots"),
    ],
)
def test_add_sequence_names_a_bad_number(
    store: Store, project: Project, shots: int, seconds: float, field: str
) -> None:
    """The caller's own argument is named, and nothing is written (not a pydantic error)."""
    with pytest.raises(InvalidDataError) as caught:
        store.add_sequence(project.id, "Bad", shots=shots, seconds=seconds)
    assert list(caught.value.by_field()) == [field]
    assert not seq_file(store, project, "004").exists()


def test_rename_sequence(store: Store, project: Project) -> None:
    path = seq_file(store, project, "002")
    renamed = store.rename_sequence(project.id, "002", "Tempête", description="night")
    assert renamed.name == "Tempête"
    data = on_disk(path)
    assert (data["name"], data["description"], data["revision"]) == ("Tempête", "night", 1)
    assert "Tempête" in path.read_text(encoding="utf-8"), "UTF-8, not \\u escapes"
    before = path.read_bytes()
    with pytest.raises(InvalidDataError):
        store.rename_sequence(project.id, "002", "")
    assert path.read_bytes() == before


def test_delete_sequence_closes_the_order_gap(store: Store, project: Project) -> None:
    store.delete_sequence(project.id, "002")
    summaries = store.list_sequences(project.id)
    assert [(s.id, s.order) for s in summaries] == [("001", 1), ("003", 2)]
    assert not seq_file(store, project, "002").exists()
    assert store.list_versions(project.id, "sequences/sequence_002.json"), "kept in history"
    with pytest.raises(NotFoundError):
        store.delete_sequence(project.id, "002")


def test_reorder_sequences(store: Store, project: Project) -> None:
    store.reorder_sequences(project.id, ["003", "001", "002"])
    assert [s.id for s in store.list_sequences(project.id)] == ["003", "001", "002"]
    assert on_disk(seq_file(store, project, "003"))["order"] == 1
    before = snapshot(store.project_dir(project.id) / "sequences")
    for bad in (["003", "001"], ["003", "001", "002", "002"], ["001", "002", "009"]):
        with pytest.raises(InvalidDataError):
            store.reorder_sequences(project.id, bad)
    assert snapshot(store.project_dir(project.id) / "sequences") == before
