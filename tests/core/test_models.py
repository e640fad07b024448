"""Models: defaults and ranges from the spec, unknown keys kept at every level, UTC "Z" timestamps."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from storyboard_core import (
    CAMERA_MOVEMENTS,
    SHOT_STATUSES,
    SHOT_TYPES,
    Generation,
    InvalidDataError,
    Project,
    Render,
    Sequence,
    Shot,
    Store,
)
from storyboard_core.models import SEED_MAX, later_than, to_json_dict
from storyboard_core.validation import validate

Z_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def test_generation_defaults() -> None:
    gen = Generation()
    assert gen.steps == 20
    assert gen.cfg_scale == 7.0
    assert gen.sampler == "euler"
    assert gen.scheduler == "normal"
    assert gen.seed == -1
    assert (gen.width, gen.height) == (1024, 576)
    assert gen.denoise == 1.0
    assert gen.checkpoint == ""


def test_shot_defaults() -> None:
    shot = Shot(id="shot-1")
    assert shot.position == 1
    assert shot.shot_type == "medium"
    assert shot.camera_movement == "static"
    assert shot.status == "draft"
    assert shot.render is None
    assert shot.generation == Generation()
    assert shot.updated_at.tzinfo is not None


def test_enums_match_the_spec() -> None:
    assert SHOT_TYPES == (
        "extreme-wide",
        "wide",
        "medium",
        "close-up",
        "extreme-close-up",
        "over-the-shoulder",
        "pov",
    )
    assert CAMERA_MOVEMENTS == (
        "static",
        "pan",
        "tilt",
        "dolly",
        "tracking",
        "crane",
        "handheld",
        "zoom",
    )
    assert SHOT_STATUSES == ("draft", "review", "approved", "rejected")


@pytest.mark.parametrize(
    ("field", "good", "bad"),
    [
        ("steps", [1, 20, 150], [0, 151, -1]),
        ("cfg_scale", [0, 7.5, 30], [-0.1, 30.01]),
        ("seed", [-1, 0, 42, SEED_MAX], [-2, SEED_MAX + 1]),
        ("width", [64, 1024, 8192, 1000], [56, 8200, 1001, 0]),
        ("height", [64, 576, 8192], [63, 8193, 577]),
        ("denoise", [0, 0.5, 1], [-0.01, 1.01]),
    ],
)
def test_generation_ranges(field: str, good: list[Any], bad: list[Any]) -> None:
    for value in good:
        assert getattr(validate(Generation, {field: value}), field) == value
    for value in bad:
        with pytest.raises(InvalidDataError) as caught:
            validate(Generation, {field: value})
        assert list(caught.value.by_field()) == [field], value


def test_range_messages_say_what_is_allowed() -> None:
    with pytest.raises(InvalidDataError) as caught:
        validate(Generation, {"steps": 0, "width": 1001, "cfg_scale": 31, "denoise": 2})
    messages = caught.value.by_field()
    assert "from 1 to 150" in messages["steps"]
    assert "multiple of 8" in messages["width"]
    assert "from 64 to 8192" in messages["width"]
    assert "from 0 to 30" in messages["cfg_scale"]
    assert "from 0 to 1" in messages["denoise"]


@pytest.mark.parametrize(
    ("field", "allowed"),
    [("shot_type", SHOT_TYPES), ("camera_movement", CAMERA_MOVEMENTS), ("status", SHOT_STATUSES)],
)
def test_shot_enums(field: str, allowed: tuple[str, ...]) -> None:
    for value in allowed:
        assert getattr(validate(Shot, {"id": "s1", field: value}), field) == value
    with pytest.raises(InvalidDataError) as caught:
        validate(Shot, {"id": "s1", field: "sideways"})
    assert "sideways" in caught.value.by_field()[field]


@pytest.mark.parametrize("bad_id", ["", "-x", "a/b", "a b", "x" * 65, "é"])
def test_shot_id_shape(bad_id: str) -> None:
    with pytest.raises(InvalidDataError):
        validate(Shot, {"id": bad_id})


@pytest.mark.parametrize("bad_id", ["1", "01", "abc", "0012345", "../1"])
def test_sequence_id_shape(bad_id: str) -> None:
    with pytest.raises(InvalidDataError):
        validate(Sequence, {"id": bad_id, "name": "S"})


def test_timestamps_are_written_as_utc_z() -> None:
    paris = timezone(timedelta(hours=1))
    shot = Shot(id="s1", updated_at=datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=paris))
    data = to_json_dict(shot)
    assert data["updated_at"] == "2026-01-02T02:04:05.000006Z"
    naive = Shot(id="s1", updated_at=datetime(2026, 1, 2, 3, 4, 5))
    assert to_json_dict(naive)["updated_at"] == "2026-01-02T03:04:05.000000Z"
    seq = Sequence(id="001", name="S", shots=[shot])
    dumped = to_json_dict(seq)
    for key in ("created_at", "updated_at"):
        assert Z_STAMP.match(dumped[key]), dumped[key]
    rendered = Render(image="a.png", rendered_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert to_json_dict(rendered)["rendered_at"] == "2026-01-01T00:00:00.000000Z"


def test_later_than_never_repeats_a_stamp() -> None:
    future = datetime.now(UTC) + timedelta(hours=1)
    assert later_than(future) == future + timedelta(microseconds=1)
    assert later_than(None) <= datetime.now(UTC)


def test_key_order_on_disk_is_the_declared_order() -> None:
    data = to_json_dict(Shot(id="s1"))
    # Left out while empty: a review thread nobody started, settings left to the style, no
    # reference image, no camera move, dialogue or sound.
    unset = {"comments", "own_settings", "reference", "camera_move", "dialogue", "speaker", "sound"}
    assert list(data) == [f for f in Shot.model_fields if f not in unset]
    full = Shot.model_validate(
        {
            "id": "s1",
            "comments": [{"id": "c1", "author": "A", "text": "t"}],
            "own_settings": ["steps"],
            "reference": "references/a.png",
            "camera_move": {"end": {"zoom": 2}},
            "dialogue": "Hello",
            "speaker": "Léa",
            "sound": {"file": "audio/a.wav", "duration": 1},
        }
    )
    assert list(to_json_dict(full)) == list(Shot.model_fields)
    assert list(data["generation"]) == list(Generation.model_fields)


# --- unknown keys survive a load/save round trip through the store, at every level --------------

EXTRA: dict[str, Any] = {"x_app_future": {"nested": [1, 2.5, None, True, "é"]}}


def _add_extras(path: Any, edit: Any) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def test_unknown_keys_survive_store_writes(store: Store, project: Project) -> None:
    root = store.project_dir(project.id)
    seq_path = root / "sequences" / "sequence_001.json"
    shot_id = store.read_sequence(project.id, "001").shots[0].id

    def edit_sequence(data: dict[str, Any]) -> None:
        data["seq_extra"] = EXTRA
        shot = data["shots"][0]
        shot["shot_extra"] = EXTRA
        shot["generation"]["gen_extra"] = EXTRA
        shot["render"] = {"image": "frames/a.png", "render_extra": EXTRA}

    def edit_project(data: dict[str, Any]) -> None:
        data["project_extra"] = EXTRA
        data["shots"] = [{"id": "loose-1", "loose_extra": EXTRA, "generation": {"g_x": 1}}]

    _add_extras(seq_path, edit_sequence)
    _add_extras(root / "project.json", edit_project)

    # Writes of other fields, and of other shots of the same file, keep every unknown key.
    store.update_shot(project.id, "001", shot_id, {"prompt": "storm", "generation": {"steps": 30}})
    other = store.read_sequence(project.id, "001").shots[1].id
    store.update_shot(project.id, "001", other, {"title": "other"})
    store.update_shot(project.id, None, "loose-1", {"prompt": "loose"})
    store.update_project(project.id, {"description": "d"})

    seq = json.loads(seq_path.read_text(encoding="utf-8"))
    assert seq["seq_extra"] == EXTRA
    shot = seq["shots"][0]
    assert shot["shot_extra"] == EXTRA
    assert shot["generation"]["gen_extra"] == EXTRA
    assert shot["generation"]["steps"] == 30
    assert shot["render"]["render_extra"] == EXTRA
    meta = json.loads((root / "project.json").read_text(encoding="utf-8"))
    assert meta["project_extra"] == EXTRA
    assert meta["description"] == "d"
    assert meta["shots"][0]["loose_extra"] == EXTRA
    assert meta["shots"][0]["generation"]["g_x"] == 1
    assert meta["shots"][0]["prompt"] == "loose"


def test_patch_may_set_an_unknown_key_the_shot_already_has(store: Store, project: Project) -> None:
    path = store.project_dir(project.id) / "sequences" / "sequence_001.json"
    _add_extras(path, lambda d: d["shots"][0].update({"x_tag": "a"}))
    shot_id = store.read_sequence(project.id, "001").shots[0].id
    store.update_shot(project.id, "001", shot_id, {"x_tag": "b"})
    assert json.loads(path.read_text(encoding="utf-8"))["shots"][0]["x_tag"] == "b"


def test_project_model_round_trip_keeps_unknown_keys() -> None:
    raw = {
        "schema_version": 1,
        "id": "orage",
        "name": "Orage",
        "later": {"a": [1]},
        "shots": [{"id": "s1", "unknown": 1}],
    }
    meta = Project.model_validate(raw)
    dumped = to_json_dict(meta)
    assert dumped["later"] == {"a": [1]}
    assert dumped["shots"][0]["unknown"] == 1
    assert list(dumped)[-1] == "later", "unknown keys go after the known ones"
