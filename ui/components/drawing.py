"""Notes drawn on the frame: the drawing pad under a comment form, and a drawing shown in a thread.

The pad (``assets/drawing.js``, an ``st.components.v2`` component) returns the strokes as JSON in
frame coordinates; ``add_comment`` validates them (``storyboard_core.review.drawing``) with the comment. A
drawing is shown as a PNG rasterised over its take (``storyboard_core.review.drawing_image``): its label is
only ever pixels here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import streamlit as st

from storyboard_core import Comment, Shot, StoryboardError
from storyboard_core.media.frames import STAGE, FrameError, frame_uri
from storyboard_core.paths import image_in_project
from storyboard_core.review.comments import ReviewSummary, summary_markdown
from storyboard_core.review.drawing import COLOURS, LABEL_MAX_CHARS, MAX_POINTS, MAX_STROKES
from storyboard_core.review.drawing_image import WIDTH, annotated_png, comment_png, data_uri
from ui.frame.services import store
from ui.frame.text import md

_ASSETS = Path(__file__).parent / "assets"
_pad = st.components.v2.component(
    "storyboard_drawing",
    css=(_ASSETS / "drawing.css").read_text("utf-8"),
    js=(_ASSETS / "drawing.js").read_text("utf-8"),
    isolate_styles=True,
)


def _keys(key_prefix: str) -> tuple[str, str]:
    """The toggle's key and the pad's (a new pad after each comment sent)."""
    number = st.session_state.get(f"{key_prefix}:pad_n", 0)
    return f"{key_prefix}:draw", f"{key_prefix}:pad:{number}"


def drawing_pad(project: str, shot: Shot, take: str, *, key_prefix: str) -> None:
    """ "Draw on the frame" and, when on, the pad over ``take`` (the frame the comment is about)."""
    toggle_key, pad_key = _keys(key_prefix)
    if not st.toggle("✏️ Draw on the frame", key=toggle_key):
        return
    image = ""
    path = image_in_project(store().project_dir(project), take) if take else None
    if path is not None:
        try:
            image = frame_uri(store().project_dir(project), path, STAGE)
        except FrameError:
            image = ""  # drawn on a blank card: the marks still say something
    data = {
        "image": image,
        "colours": COLOURS,
        "maxStrokes": MAX_STROKES,
        "maxPoints": MAX_POINTS,
        "labelMax": LABEL_MAX_CHARS,
    }
    _pad(key=pad_key, data=data, default={"strokes": []}, on_strokes_change=lambda: None)
    st.caption("Drawn marks are sent with the comment.")


def drawn(key_prefix: str) -> dict[str, Any] | None:
    """The strokes on the pad (as JSON for ``add_comment``), or ``None`` when nothing is drawn."""
    toggle_key, pad_key = _keys(key_prefix)
    value = st.session_state.get(pad_key)
    if not st.session_state.get(toggle_key) or not isinstance(value, Mapping):
        return None
    strokes = value.get("strokes")
    return {"strokes": list(strokes)} if isinstance(strokes, list) and strokes else None


def forget_drawing(key_prefix: str) -> None:
    """A fresh, closed pad (the comment it was drawn for was sent)."""
    number = st.session_state.get(f"{key_prefix}:pad_n", 0)
    st.session_state[f"{key_prefix}:pad_n"] = number + 1
    st.session_state[f"{key_prefix}:draw"] = False


@st.cache_data(max_entries=128, show_spinner=False)
def _png(project_dir: str, comment_json: str, width: int = 480) -> bytes | None:
    return comment_png(Path(project_dir), Comment.model_validate_json(comment_json), width=width)


def show_drawing(project: str, comment: Comment) -> None:
    """The comment's drawing over its take, if it has one."""
    if comment.drawing is None:
        return
    try:
        png = _png(str(store().project_dir(project)), comment.model_dump_json())
    except (StoryboardError, OSError):
        png = annotated_png(comment.drawing, None, width=480)
    if png is not None:
        st.image(png, caption="Drawn on the frame", width=480)


def drawn_remarks(summary: ReviewSummary) -> None:
    """The review summary's drawn comments: each annotated frame with who drew it on which shot."""
    drawn = [r for r in summary.remarks if r.comment.drawing is not None]
    if not drawn:
        return
    st.subheader(f"Drawn on the frame ({len(drawn)})")
    for column, remark in zip(st.columns(3) * len(drawn), drawn, strict=False):
        with column:
            show_drawing(summary.project, remark.comment)
            st.caption(f"{md(remark.shot.label)} · {md(remark.comment.author)}")


def review_markdown(summary: ReviewSummary) -> str:
    """The summary's Markdown with each drawn comment's annotated frame inline (PNGs cached)."""
    project_dir = str(store().project_dir(summary.project))
    drawings: dict[str, str] = {}
    for remark in summary.remarks:
        if remark.comment.drawing is not None:
            png = _png(project_dir, remark.comment.model_dump_json(), WIDTH)
            if png is not None:
                drawings[remark.comment.id] = data_uri(png)
    return summary_markdown(summary, drawings)
