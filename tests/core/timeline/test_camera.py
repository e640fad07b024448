"""Camera moves: presets, eased views that stay in the frame and move monotonically and smoothly,
crop boxes for the MP4 and CSS transforms for the player that make the same picture."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyboard_core.models import EASINGS, ZOOM_MAX, CameraMove, Framing
from storyboard_core.timeline.camera import (
    CAMERA_PRESETS,
    WHOLE,
    View,
    crop,
    css_transform,
    ease,
    fitted,
    framing_at,
    player_camera,
    preset,
    view_at,
    view_of,
)

framings = st.builds(
    Framing,
    zoom=st.floats(min_value=1, max_value=ZOOM_MAX),
    x=st.floats(min_value=0, max_value=1),
    y=st.floats(min_value=0, max_value=1),
)
moves = st.builds(CameraMove, start=framings, end=framings, easing=st.sampled_from(EASINGS))


def _edges(view: View) -> tuple[float, float, float, float]:
    return (view.left, view.top, view.left + view.size, view.top + view.size)


@pytest.mark.parametrize("easing", EASINGS)
def test_easings_run_from_0_to_1_and_only_forwards(easing: str) -> None:
    values = [ease(easing, i / 100) for i in range(101)]  # type: ignore[arg-type]
    assert values[0] == 0 and values[-1] == 1
    assert values == sorted(values)
    assert ease(easing, -1) == 0 and ease(easing, 2) == 1  # type: ignore[arg-type]


def test_ease_in_out_is_symmetric_and_slow_at_both_ends() -> None:
    assert ease("ease-in-out", 0.5) == 0.5
    assert ease("ease-in-out", 0.1) < ease("linear", 0.1) < ease("ease-out", 0.1)
    assert ease("ease-in", 0.5) == 0.25 and ease("ease-out", 0.5) == 0.75


def test_a_framing_s_view_is_moved_into_the_frame() -> None:
    assert view_of(Framing()) == WHOLE
    assert view_of(Framing(zoom=2, x=0.5, y=0.5)) == View(0.25, 0.25, 0.5)
    assert view_of(Framing(zoom=2, x=0.0, y=1.0)) == View(0.0, 0.5, 0.5)  # the corner, no further
    assert view_of(Framing(zoom=1, x=0.9, y=0.1)) == WHOLE


@pytest.mark.parametrize("name", CAMERA_PRESETS)
def test_presets_stay_inside_the_frame_and_move(name: str) -> None:
    move = preset(name)  # type: ignore[arg-type]
    a, b = view_at(move, 0), view_at(move, 1)
    assert a != b
    for view in (a, b):
        assert view.left >= 0 and view.left + view.size <= 1 + 1e-9
        assert view.top >= 0 and view.top + view.size <= 1 + 1e-9


def test_presets_go_the_way_they_are_named() -> None:
    def centre(name: str, progress: float) -> Framing:
        return framing_at(preset(name), progress)  # type: ignore[arg-type]

    assert centre("push-in", 0).zoom == 1
    assert centre("push-in", 1).zoom == pytest.approx(1.25)
    assert centre("pull-out", 1).zoom == 1
    assert centre("pan-left", 1).x < centre("pan-left", 0).x
    assert centre("pan-right", 1).x > centre("pan-right", 0).x
    assert centre("tilt-up", 1).y < centre("tilt-up", 0).y
    assert centre("tilt-down", 1).y > centre("tilt-down", 0).y
    assert view_at(preset("pan-left"), 1).left == pytest.approx(0)
    assert view_at(preset("pan-left"), 0).left + 0.8 == pytest.approx(1)


def test_no_move_shows_the_whole_frame() -> None:
    assert view_at(None, 0.3) == WHOLE
    assert player_camera(None) is None


@given(moves, st.floats(min_value=0, max_value=1))
def test_every_view_stays_inside_the_frame(move: CameraMove, progress: float) -> None:
    view = view_at(move, progress)
    assert 0 < view.size <= 1
    assert 0 <= view.left <= 1 - view.size
    assert 0 <= view.top <= 1 - view.size
    framing = framing_at(move, progress)  # a valid Framing: the zoom never drops below 1
    assert 1 <= framing.zoom <= ZOOM_MAX + 1e-9


@given(moves)
def test_every_edge_moves_one_way_and_smoothly(move: CameraMove) -> None:
    frames = 48  # a two-second shot at 24 fps
    views = [view_at(move, n / (frames - 1)) for n in range(frames)]
    for side in range(4):
        edge = [_edges(v)[side] for v in views]
        steps = [b - a for a, b in pairwise(edge)]
        # One way only (to the rounding of a sum, 1e-12 of the frame: nothing a pixel shows)…
        assert all(d >= -1e-12 for d in steps) or all(d <= 1e-12 for d in steps)
        # …and no jump: an eased edge moves at most twice its average speed (ease-in-out: 1.5×).
        travel = abs(edge[-1] - edge[0])
        assert max(abs(d) for d in steps) <= 2 * travel / (frames - 1) + 1e-12


@given(
    moves,
    st.floats(min_value=0, max_value=1),
    st.sampled_from([(1024, 576), (768, 1024), (640, 480)]),
)
def test_the_css_transform_shows_what_the_crop_shows(
    move: CameraMove, progress: float, frame: tuple[int, int]
) -> None:
    output = (1280, 720)
    view = view_at(move, progress)
    cut = crop(view, frame, output)
    (fw, fh), (ox, oy) = cut.size, cut.offset
    css = css_transform(view)
    x0, y0, x1, y1 = cut.box
    # A point of the frame (as fractions) lands at the same place of the picture in both.
    for u, v in [(x0 / frame[0], y0 / frame[1]), (x1 / frame[0], y1 / frame[1]), (0.5, 0.5)]:
        mp4 = (ox + (u * frame[0] - x0) * fw / (x1 - x0), oy + (v * frame[1] - y0) * fh / (y1 - y0))
        browser = (
            ox + css.scale * (u + css.x / 100) * fw,
            oy + css.scale * (v + css.y / 100) * fh,
        )
        assert mp4 == pytest.approx(browser, abs=1e-6)
    assert 0 <= x0 < x1 <= frame[0] + 1e-6 and 0 <= y0 < y1 <= frame[1] + 1e-6


def test_a_crop_box_is_not_rounded_so_a_slow_move_glides() -> None:
    move = CameraMove(start=Framing(), end=Framing(zoom=1.01), easing="linear")
    boxes = [crop(view_at(move, n / 47), (1024, 576), (1280, 720)).box for n in range(48)]
    assert (
        len({b[0] for b in boxes}) == 48
    )  # a new position every frame, fractions of a pixel apart
    assert boxes[1][0] - boxes[0][0] < 0.2


def test_the_frame_is_fitted_whole_in_the_picture() -> None:
    assert fitted((1024, 576), (1280, 720)) == ((1280, 720), (0, 0))
    assert fitted((768, 1024), (1280, 720)) == ((540, 720), (370, 0))
    assert crop(WHOLE, (1024, 576), (1280, 720)).box == (0, 0, 1024, 576)


def test_the_css_value_and_the_player_s_description() -> None:
    assert css_transform(View(0.1, 0.2, 0.5)).css == "scale(2) translate(-10%, -20%)"
    described = player_camera(preset("push-in", zoom=2, easing="linear"))
    assert described == {"from": [0.0, 0.0, 1.0], "to": [0.25, 0.25, 0.5], "easing": "linear"}
