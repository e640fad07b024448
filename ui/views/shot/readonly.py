"""A shot as a reviewer sees it: its frame and every field, as text, with no control that changes it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from storyboard_core import Shot
from storyboard_core.types import LOOSE
from ui.components.comments import comment_thread
from ui.frame.registry import DASHBOARD, SEQUENCE, SHOT
from ui.frame.services import shot_context, store
from ui.frame.state import Selection, link
from ui.frame.text import md

from . import takes


def shot_texts(shot: Shot) -> list[tuple[str, str]]:
    """The shot's long texts, by label: shown whole and wrapped, not cut in a table cell."""
    return [
        ("Description", shot.description),
        ("Prompt", shot.prompt),
        ("Negative prompt", shot.negative_prompt),
        ("Notes", shot.notes),
    ]


def wrapped_text(label: str, text: str) -> None:
    """A label and its text, whole: ``st.text`` keeps line breaks, wraps long lines, parses nothing."""
    st.caption(md(label))
    st.text(text if text.strip() else "(empty)", width="stretch")


def shot_fields(shot: Shot) -> pd.DataFrame:
    """The shot's short fields and values, one row each (a table shows text as text)."""
    g = shot.generation
    rows = [
        ("Title", shot.title),
        ("Shot type", shot.shot_type),
        ("Camera movement", shot.camera_movement),
        ("Duration (s)", f"{shot.duration:g}"),
        ("Status", shot.status),
        ("Size", f"{g.width} × {g.height}"),
        ("Steps · CFG · seed", f"{g.steps} · {g.cfg_scale:g} · {g.seed}"),
    ]
    return pd.DataFrame(rows, columns=["Field", "Value"])


def shot_readonly(sel: Selection, shot: Shot, shots: list[Shot]) -> None:
    """The shot in the URL for a reviewer: way back, neighbours, frame and fields."""
    assert sel.project and sel.seq
    top = st.columns([3, 1, 1])
    with top[0]:
        if sel.seq == LOOSE:
            link(DASHBOARD, "Back to the project", icon="⬅️", project=sel.project)
        else:
            link(SEQUENCE, "Back to the storyboard", icon="⬅️", project=sel.project, seq=sel.seq)
    index = shots.index(shot)
    if index > 0:
        with top[1]:
            link(SHOT, "Previous shot", project=sel.project, seq=sel.seq, shot=shots[index - 1].id)
    if index + 1 < len(shots):
        with top[2]:
            link(SHOT, "Next shot", project=sel.project, seq=sel.seq, shot=shots[index + 1].id)
    st.title(md(f"#{shot.position} {shot.title or shot.id}"))
    image, fields = st.columns([3, 2])
    with image:
        takes.current_frame(
            store().project_dir(sel.project), shot, shot_context(sel.project, sel.seq_id)
        )
    with fields:
        for label, text in shot_texts(shot):
            wrapped_text(label, text)
        st.dataframe(shot_fields(shot), hide_index=True, width="stretch")
    st.subheader("Comments")
    comment_thread(sel, shot, key_prefix=f"review:{sel.project}/{sel.seq}/{shot.id}")
