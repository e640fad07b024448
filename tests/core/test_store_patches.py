"""Shot patches (``store/patches.py``): stale edits are conflicts, other edits merge, bad fields are named."""

from __future__ import annotations

from typing import Any

import pytest

from storyboard_core import (
    ConflictError,
    InvalidDataError,
    Project,
    Store,
)

from .store_files import on_disk, seq_file, shot_ids

# ----------------------------------------------------------------------------- conflicts


def test_stale_base_is_a_conflict_with_both_versions(store: Store, project: Project) -> None:
    path = seq_file(store, project)
    shot = store.read_sequence(project.id, "001").shots[0]
    base = shot.updated_at
    store.update_shot(project.id, "001", shot.id, {"prompt": "theirs"}, base_updated_at=base)
    before = path.read_bytes()
    with pytest.raises(ConflictError) as caught:
        store.update_shot(project.id, "001", shot.id, {"prompt": "mine"}, base_updated_at=base)
    assert caught.value.mine["prompt"] == "mine"
    assert caught.value.theirs["prompt"] == "theirs"
    assert caught.value.shot_id == shot.id
    assert path.read_bytes() == before, "nothing written on a conflict"


def test_base_as_text_is_accepted(store: Store, project: Project) -> None:
    shot = store.read_sequence(project.id, "001").shots[0]
    text = on_disk(seq_file(store, project))["shots"][0]["updated_at"]
    assert text.endswith("Z")
    saved = store.update_shot(project.id, "001", shot.id, {"prompt": "a"}, base_updated_at=text)
    with pytest.raises(ConflictError):
        store.update_shot(project.id, "001", shot.id, {"prompt": "b"}, base_updated_at=text)
    store.update_shot(project.id, "001", shot.id, {"prompt": "c"}, base_updated_at=saved.updated_at)
    assert store.read_shot(project.id, "001", shot.id).prompt == "c"


def test_edit_of_another_shot_in_the_same_file_merges(store: Store, project: Project) -> None:
    first, second = store.read_sequence(project.id, "001").shots[:2]
    store.update_shot(
        project.id, "001", first.id, {"prompt": "one"}, base_updated_at=first.updated_at
    )
    store.update_shot(
        project.id, "001", second.id, {"prompt": "two"}, base_updated_at=second.updated_at
    )
    prompts = [s.prompt for s in store.read_sequence(project.id, "001").shots[:2]]
    assert prompts == ["one", "two"]


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("patch", "field", "allowed"),
    [
        ({"generation": {"steps": 0}}, "generation.steps", "from 1 to 150"),
        ({"generation": {"width": 1001}}, "generation.width", "multiple of 8"),
        ({"shot_type": "aerial"}, "shot_type", "aerial"),
        ({"generation": {"seed": "abc"}}, "generation.seed", "-1"),
        ({"generation": {"cfg_scale": 31}}, "generation.cfg_scale", "from 0 to 30"),
        ({"duration": -1}, "duration", "0"),
        ({"status": "done"}, "status", "done"),
    ],
)
def test_invalid_patch_names_the_field_and_writes_nothing(
    store: Store, project: Project, patch: dict[str, Any], field: str, allowed: str
) -> None:
    path = seq_file(store, project)
    before = path.read_bytes()
    shot_id = shot_ids(store, project)[0]
    with pytest.raises(InvalidDataError) as caught:
        store.update_shot(project.id, "001", shot_id, patch)
    messages = caught.value.by_field()
    assert field in messages, messages
    assert allowed in messages[field]
    assert path.read_bytes() == before


def test_several_bad_fields_are_all_named(store: Store, project: Project) -> None:
    path = seq_file(store, project)
    before = path.read_bytes()
    with pytest.raises(InvalidDataError) as caught:
        store.update_shot(
            project.id,
            "001",
            shot_ids(store, project)[0],
            {"shot_type": "aerial", "generation": {"steps": 0, "width": 1001, "seed": "abc"}},
        )
    assert set(caught.value.by_field()) == {
        "shot_type",
        "generation.steps",
        "generation.width",
        "generation.seed",
    }
    text = str(caught.value)
    assert "1 to 150" in text and "64 to 8192" in text and "2-1" not in text
    assert path.read_bytes() == before


@pytest.mark.parametrize("field", ["id", "position", "updated_at"])
def test_read_only_fields_refused(store: Store, project: Project, field: str) -> None:
    path = seq_file(store, project)
    before = path.read_bytes()
    with pytest.raises(InvalidDataError) as caught:
        store.update_shot(project.id, "001", shot_ids(store, project)[0], {field: "x"})
    assert field in caught.value.by_field()
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("patch", "field"),
    [({"colour": "red"}, "colour"), ({"generation": {"strength": 1}}, "generation.strength")],
)
def test_unknown_patch_field_refused(
    store: Store, project: Project, patch: dict[str, Any], field: str
) -> None:
    path = seq_file(store, project)
    before = path.read_bytes()
    with pytest.raises(InvalidDataError) as caught:
        store.update_shot(project.id, "001", shot_ids(store, project)[0], patch)
    assert field in caught.value.by_field()
    assert path.read_bytes() == before


def test_text_that_is_not_unicode_is_refused(store: Store, project: Project) -> None:
    """A lone surrogate (what Python makes of invalid UTF-8 on a command line) cannot be saved."""
    path = seq_file(store, project)
    before = path.read_bytes()
    with pytest.raises(InvalidDataError):
        store.update_shot(project.id, "001", shot_ids(store, project)[0], {"prompt": "a\udcff"})
    assert path.read_bytes() == before
