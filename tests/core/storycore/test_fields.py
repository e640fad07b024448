"""One StoryCore shot mapped to ours: each field variant, unit and value, and what is kept."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyboard_core import Shot
from storyboard_core.models import SEED_MAX
from storyboard_core.storycore.fields import STATUS_MAP, get_path, map_shot


def mapped(
    raw: dict[str, Any], fps: float = 24.0
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    m = map_shot({"id": "s", **raw}, shot_id="s", fps=fps)
    return m.fields, m.extra, [f"{c.field}: {c.reason}" for c in m.changes]


@pytest.mark.parametrize(
    ("raw", "field", "value"),
    [
        ({"title": "Titre"}, "title", "Titre"),
        ({"name": "Nom"}, "title", "Nom"),
        ({"title": "Titre", "name": "Nom"}, "title", "Titre"),
        ({"shot_type": "wide"}, "shot_type", "wide"),
        ({"type": "pov"}, "shot_type", "pov"),
        ({"metadata": {"shot_type": "over-the-shoulder"}}, "shot_type", "over-the-shoulder"),
        ({"type": "production", "metadata": {"shot_type": "wide"}}, "shot_type", "wide"),
        ({"camera_movement": "zoom"}, "camera_movement", "zoom"),
        ({"metadata": {"camera_movement": "crane"}}, "camera_movement", "crane"),
        ({"camera": {"movement": {"type": "tilt-up"}}}, "camera_movement", "tilt"),
        ({"prompt": "a"}, "prompt", "a"),
        ({"generation": {"prompt": "b"}}, "prompt", "b"),
        ({"metadata": {"imagePrompt": "c"}}, "prompt", "c"),
        ({"generation": {"negativePrompt": "n"}}, "negative_prompt", "n"),
        ({"metadata": {"negativePrompt": "m"}}, "negative_prompt", "m"),
        ({"generation": {"model": "x.safetensors"}}, "generation.checkpoint", "x.safetensors"),
        ({"generation": {"parameters": {"cfgScale": 5}}}, "generation.cfg_scale", 5.0),
        ({"generation": {"parameters": {"denoisingStrength": 0.4}}}, "generation.denoise", 0.4),
        ({"prompt_modules": {"technical": {"cfg_scale": 8}}}, "generation.cfg_scale", 8.0),
    ],
)
def test_every_place_a_field_may_be(raw: dict[str, Any], field: str, value: Any) -> None:
    fields, _, _ = mapped(raw)
    assert fields[field] == value


@pytest.mark.parametrize(("theirs", "ours"), sorted(STATUS_MAP.items()))
def test_statuses(theirs: str, ours: str) -> None:
    fields, extra, changes = mapped({"status": theirs})
    assert fields["status"] == ours
    assert (extra.get("status") == theirs) == (
        theirs != ours
    )  # a converted value keeps its original
    assert bool(changes) == (theirs != ours)


@pytest.mark.parametrize(
    "position_key", ["position", "order", "orderIndex", "number", "shot_number"]
)
def test_position_variants_order_the_shots(position_key: str) -> None:
    m = map_shot({"id": "s", position_key: 3}, shot_id="s")
    assert m.sort_key == 3
    assert position_key not in m.extra


def test_frames_use_the_plans_fps_or_the_shots_own() -> None:
    assert mapped({"timing": {"duration": 60}}, fps=30)[0]["duration"] == 2.0
    assert mapped({"timing": {"duration": 60}})[0]["duration"] == 2.5
    assert mapped({"timing": {"duration": 60, "fps": 12}})[0]["duration"] == 5.0
    # seconds win over frames when a shot has both
    fields, extra, _ = mapped({"duration": 4, "timing": {"duration": 60}})
    assert fields["duration"] == 4 and extra["timing"] == {"duration": 60}


def test_a_seed_beyond_a_float_stays_exact() -> None:
    big = 2**63 + 1
    assert mapped({"generation": {"parameters": {"seed": big}}})[0]["generation.seed"] == big
    fields, _, changes = mapped({"generation": {"parameters": {"seed": 2**70}}})
    assert fields["generation.seed"] == SEED_MAX
    assert "clamped" in changes[0]


def test_a_position_beyond_a_float_stays_exact() -> None:
    # Found by the property test below: a float would have made 2**53 + 1 into 2**53.
    m = map_shot({"id": "s", "number": 2**53 + 1}, shot_id="s")
    assert m.sort_key == 2**53 + 1 and isinstance(m.sort_key, int)


def test_values_of_the_wrong_kind_are_kept_not_forced() -> None:
    fields, extra, changes = mapped({"title": ["a", "b"], "duration": "longue", "notes": 12})
    assert "title" not in fields and extra["title"] == ["a", "b"]
    assert "duration" not in fields and extra["duration"] == "longue"
    assert fields["notes"] == "12"
    assert changes == [
        "title: title is list, not text: our default is used, the value is kept under storycore",
        "duration: duration 'longue' is not a number: our default is used, the value is kept under storycore",
        "notes: notes: a number, imported as text",
    ]


def test_a_negative_duration_is_clamped_with_a_finding() -> None:
    fields, extra, changes = mapped({"duration": -2})
    assert fields["duration"] == 0
    assert changes == ["duration: duration: -2 is out of our range 0 to 86400, clamped to 0"]
    assert extra["duration"] == -2


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=True)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
# Every key a StoryCore writer uses for a shot, at the places it uses them, with any value at all.
KEYS = [
    "title",
    "name",
    "description",
    "duration",
    "duration_seconds",
    "position",
    "order",
    "orderIndex",
    "number",
    "shot_type",
    "type",
    "camera_movement",
    "status",
    "prompt",
    "negative_prompt",
    "notes",
    "sequence_id",
    "sequencePlanId",
]
NESTED = {
    "timing": ["duration", "fps"],
    "metadata": ["shot_type", "camera_movement", "imagePrompt", "negativePrompt", "sequence_id"],
    "camera": ["movement"],
    "generation": ["prompt", "negativePrompt", "model", "parameters"],
    "prompt_modules": ["subject", "camera", "style", "technical"],
}
shot_dicts = st.fixed_dictionaries(
    {},
    optional={
        **{k: json_values for k in KEYS},
        **{
            k: st.fixed_dictionaries({}, optional={sub: json_values for sub in subs})
            for k, subs in NESTED.items()
        },
    },
)


@settings(max_examples=300, deadline=None)
@given(raw=shot_dicts)
def test_any_shot_maps_to_a_valid_shot_and_loses_nothing(raw: dict[str, Any]) -> None:
    m = map_shot({"id": "s", **raw}, shot_id="s")
    fields: dict[str, Any] = {"generation": {}}
    for name, value in m.fields.items():
        if name.startswith("generation."):
            fields["generation"][name.split(".", 1)[1]] = value
        else:
            fields[name] = value
    shot = Shot.model_validate({"id": "s", **fields, "storycore": m.extra})
    assert shot.id == "s"
    # Every value of the file is still kept where it was, or was taken into a field as it was.
    taken = [*m.fields.values(), m.sort_key]  # a position orders the shots
    for path, value in leaves(raw):
        assert get_path(m.extra, path) == value or value in taken, (path, value)


def leaves(data: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every (path, value) below ``data``, a non-empty object being a branch."""
    out = []
    for key, value in data.items():
        if isinstance(value, dict) and value:
            out += leaves(value, (*prefix, key))
        else:
            out.append(((*prefix, key), value))
    return out
