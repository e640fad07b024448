"""Property tests: load/save round trips are the identity, valid patches land, invalid ones write nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from storyboard_core import (
    CAMERA_MOVEMENTS,
    SHOT_STATUSES,
    SHOT_TYPES,
    Generation,
    InvalidDataError,
    Project,
    Sequence,
    Shot,
    Store,
)
from storyboard_core.files import dumps
from storyboard_core.models import SEED_MAX, to_json_dict
from storyboard_core.store import parse_model

SETTINGS = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Any Unicode text that UTF-8 can hold (no lone surrogates).
text = st.text(st.characters(codec="utf-8"), max_size=40)
finite = st.floats(allow_nan=False, allow_infinity=False)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | finite | text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=12,
)


def extras(known: set[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Unknown keys (never a known field name) with arbitrary JSON values."""
    return st.dictionaries(text.filter(lambda k: k not in known), json_values, max_size=3)


def multiple_of_8() -> st.SearchStrategy[int]:
    return st.integers(8, 1024).map(lambda n: n * 8)


generation = st.fixed_dictionaries(
    {},
    optional={
        "checkpoint": text,
        "steps": st.integers(1, 150),
        "cfg_scale": st.floats(0, 30),
        "sampler": text.filter(bool),
        "scheduler": text.filter(bool),
        "seed": st.integers(-1, SEED_MAX),
        "width": multiple_of_8(),
        "height": multiple_of_8(),
        "denoise": st.floats(0, 1),
    },
)

shot_id = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_-]{0,20}\Z")
render = st.fixed_dictionaries(
    {"image": text}, optional={"server": text, "seed": st.none() | st.integers(0, SEED_MAX)}
)


@st.composite
def shots(draw: st.DrawFn) -> dict[str, Any]:
    data: dict[str, Any] = draw(
        st.fixed_dictionaries(
            {"id": shot_id},
            optional={
                "title": text,
                "description": text,
                "duration": st.floats(0, 86400),
                "shot_type": st.sampled_from(SHOT_TYPES),
                "camera_movement": st.sampled_from(CAMERA_MOVEMENTS),
                "status": st.sampled_from(SHOT_STATUSES),
                "prompt": text,
                "negative_prompt": text,
                "notes": text,
                "render": st.none() | render,
            },
        )
    )
    gen = draw(generation)
    gen.update(draw(extras(set(Generation.model_fields))))
    data["generation"] = gen
    data.update(draw(extras(set(Shot.model_fields))))
    return data


@st.composite
def sequences(draw: st.DrawFn) -> dict[str, Any]:
    items = draw(st.lists(shots(), max_size=4, unique_by=lambda s: s["id"]))
    for i, item in enumerate(items, start=1):
        item["position"] = i
    data = {
        "id": draw(st.from_regex(r"\A[0-9]{3}\Z")),
        "name": draw(text.filter(lambda t: 1 <= len(t) <= 200)),
        "description": draw(text),
        "revision": draw(st.integers(0, 10**6)),
        "shots": items,
    }
    data.update(draw(extras(set(Sequence.model_fields))))
    return data


def save(model: Sequence | Project | Shot) -> bytes:
    return dumps(to_json_dict(model))


@SETTINGS
@given(shots())
def test_shot_round_trip_is_identity(data: dict[str, Any]) -> None:
    first = save(Shot.model_validate(data))
    again = save(Shot.model_validate_json(first))
    assert again == first
    loaded = json.loads(first)
    for key, value in data.items():
        if key not in {"generation", "render", "duration"}:
            assert loaded[key] == value, key


@SETTINGS
@given(sequences())
def test_sequence_file_round_trip_is_identity(data: dict[str, Any]) -> None:
    first = save(Sequence.model_validate(data))
    path = Path("sequences/sequence_001.json")
    again = save(parse_model(Sequence, first, path))
    assert again == first
    loaded = json.loads(first)
    unknown = {k: v for k, v in data.items() if k not in Sequence.model_fields}
    assert {k: loaded[k] for k in unknown} == unknown


# ----------------------------------------------------------------------------- patches through the store

valid_patch = st.fixed_dictionaries(
    {},
    optional={
        "title": text,
        "prompt": text,
        "notes": text,
        "duration": st.floats(0, 86400),
        "shot_type": st.sampled_from(SHOT_TYPES),
        "camera_movement": st.sampled_from(CAMERA_MOVEMENTS),
        "status": st.sampled_from(SHOT_STATUSES),
        "generation": generation,
    },
).filter(bool)


def _not_a_seed(value: str) -> bool:
    # Text that pydantic reads as a whole number ("0", " 7 ") is a valid seed, as on the CLI.
    try:
        TypeAdapter(int).validate_python(value)
    except ValidationError:
        return True
    return False


invalid_value = st.one_of(
    st.fixed_dictionaries(
        {"generation": st.fixed_dictionaries({"steps": st.integers(151, 10**6)})}
    ),
    st.fixed_dictionaries({"generation": st.fixed_dictionaries({"steps": st.integers(-100, 0)})}),
    st.fixed_dictionaries(
        {
            "generation": st.fixed_dictionaries(
                {"width": st.integers(1, 9000).filter(lambda n: n % 8)}
            )
        }
    ),
    st.fixed_dictionaries(
        {"generation": st.fixed_dictionaries({"seed": text.filter(_not_a_seed)})}
    ),
    st.fixed_dictionaries(
        {"generation": st.fixed_dictionaries({"seed": st.integers(min_value=SEED_MAX + 1)})}
    ),
    st.fixed_dictionaries(
        {"generation": st.fixed_dictionaries({"denoise": st.floats(1.0, exclude_min=True)})}
    ),
    st.fixed_dictionaries({"shot_type": text.filter(lambda t: t not in SHOT_TYPES)}),
    st.fixed_dictionaries({"status": text.filter(lambda t: t not in SHOT_STATUSES)}),
    st.fixed_dictionaries({"duration": st.floats(max_value=0, exclude_max=True)}),
    st.fixed_dictionaries({"id": shot_id}),
    st.fixed_dictionaries({"position": st.integers()}),
    st.dictionaries(
        text.filter(lambda k: k not in Shot.model_fields), json_values, min_size=1, max_size=1
    ),
)


def _store_with_project(tmp_path: Path, name: str) -> tuple[Store, str, list[str]]:
    store = Store(tmp_path / name)
    project = store.create_project(
        "P", format_id="custom", sequences=1, seconds_per_sequence=10, shots_per_sequence=3
    )
    return store, project.id, [s.id for s in store.read_sequence(project.id, "001").shots]


def _expected(before: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    expected = dict(before)
    for key, value in patch.items():
        expected[key] = {**before[key], **value} if key == "generation" else value
    return expected


@SETTINGS
@given(index=st.integers(0, 2), patches=st.lists(valid_patch, min_size=1, max_size=3))
def test_valid_patches_read_back(
    tmp_path_factory: Any, index: int, patches: list[dict[str, Any]]
) -> None:
    store, project, ids = _store_with_project(tmp_path_factory.mktemp("valid"), "ws")
    expected = to_json_dict(store.read_shot(project, "001", ids[index]))
    others = [to_json_dict(s) for s in store.read_shots(project, "001") if s.id != ids[index]]
    for patch in patches:
        expected = _expected(expected, patch)
        store.update_shot(project, "001", ids[index], patch)
    got = to_json_dict(store.read_shot(project, "001", ids[index]))
    del got["updated_at"], expected["updated_at"]
    assert got == json.loads(json.dumps(expected))
    assert [
        to_json_dict(s) for s in store.read_shots(project, "001") if s.id != ids[index]
    ] == others
    assert store.read_sequence(project, "001").revision == len(patches)


@SETTINGS
@given(good=valid_patch, bad=invalid_value)
def test_invalid_patches_write_nothing(
    tmp_path_factory: Any, good: dict[str, Any], bad: dict[str, Any]
) -> None:
    store, project, ids = _store_with_project(tmp_path_factory.mktemp("invalid"), "ws")
    path = store.project_dir(project) / "sequences" / "sequence_001.json"
    before = path.read_bytes()
    patch = _merge(good, bad)
    try:
        store.update_shot(project, "001", ids[0], patch)
    except InvalidDataError as exc:
        assert exc.problems
        # Each problem names a key of the bad part: itself ("notes.x" as an unknown top-level key) or
        # its parent (generation.steps).
        named = [p.field for p in exc.problems]
        assert all(f in bad or f.split(".")[0] in bad for f in named), (named, bad)
    else:
        raise AssertionError(f"invalid patch {patch!r} was accepted")
    assert path.read_bytes() == before
    assert store.list_versions(project, "sequences/sequence_001.json") == []


def _merge(good: dict[str, Any], bad: dict[str, Any]) -> dict[str, Any]:
    merged = dict(good)
    for key, value in bad.items():
        if key == "generation" and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged
