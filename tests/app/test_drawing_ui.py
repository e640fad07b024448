"""Drawings in the review thread: shown over the frame, sent with a comment, refused past a limit."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from storyboard_core import Project, Shot, Store, add_comment
from storyboard_core.review.drawing import MAX_STROKES
from ui.frame.registry import SHOT

from .conftest import OpenPage
from .test_comments import ok, prefix, say, sign_in

MARKS: dict[str, Any] = {
    "strokes": [
        {"tool": "rect", "colour": "red", "points": [[0.1, 0.1], [0.5, 0.5]]},
        {"tool": "text", "colour": "white", "points": [[0.1, 0.8]], "text": "<b>x</b>"},
    ]
}


@pytest.fixture
def shot(demo: Project, store: Store) -> Shot:
    return store.read_shots(demo.id, "001")[1]


def drawings(at: AppTest) -> list[Any]:
    return [i for i in at.get("image") if "Drawn on the frame" in str(i.proto)]


def test_a_drawn_comment_shows_its_frame_in_the_thread(
    demo: Project, shot: Shot, store: Store, open_page: OpenPage
) -> None:
    add_comment(store, demo.id, "001", shot.id, author="Ana", text="plain")
    add_comment(store, demo.id, "001", shot.id, author="Ana", text="here", drawing=MARKS)
    at = ok(open_page(SHOT, project=demo.id, seq="001", shot=shot.id))
    assert len(drawings(at)) == 1


def pad_with(at: AppTest, p: str, strokes: list[Any]) -> AppTest:
    at.toggle(key=f"{p}:draw").set_value(True)
    ok(at.run())
    at.session_state[f"{p}:pad:0"] = {"strokes": strokes}
    return at


def test_the_drawing_goes_with_the_comment_and_the_pad_closes(
    demo: Project, shot: Shot, store: Store, open_page: OpenPage
) -> None:
    p = prefix(demo, shot)
    at = sign_in(ok(open_page(SHOT, project=demo.id, seq="001", shot=shot.id)), p)
    at = say(pad_with(at, p, MARKS["strokes"]), p, "see the box")
    (comment,) = store.read_shot(demo.id, "001", shot.id).comments
    assert comment.text == "see the box" and comment.drawing is not None
    assert [s.tool for s in comment.drawing.strokes] == ["rect", "text"]
    assert at.toggle(key=f"{p}:draw").value is False
    assert len(drawings(at)) == 1


def test_a_drawing_past_its_limit_is_refused_and_named(
    demo: Project, shot: Shot, store: Store, open_page: OpenPage
) -> None:
    p = prefix(demo, shot)
    at = sign_in(ok(open_page(SHOT, project=demo.id, seq="001", shot=shot.id)), p)
    too_many = [MARKS["strokes"][0]] * (MAX_STROKES + 1)
    at = say(pad_with(at, p, too_many), p, "many")
    assert store.read_shot(demo.id, "001", shot.id).comments == []
    assert any("drawing" in e.value and "Not saved" in e.value for e in at.error)
