"""Sequence page: the shots of one sequence as an editable grid and as storyboard cards."""

from __future__ import annotations

import streamlit as st

from storyboard_core.types import clock
from ui.components.handouts import handouts
from ui.components.history import sequence_history
from ui.frame.registry import DASHBOARD, PRESENT, REVIEW, SEQUENCE
from ui.frame.services import access
from ui.frame.state import link, require_frame, selection
from ui.frame.text import md
from ui.views.sequence import (
    load,
    neighbours,
    render_controls,
    shot_actions,
    shot_grid,
    storyboard,
    storyboard_panel,
)

require_frame()


VIEWS = ("Shot list", "Storyboard")


def main() -> None:
    """Draw the page for the sequence in the URL."""
    sel = selection()
    title, shots, seq = load(sel)
    assert sel.project is not None and sel.seq is not None
    top = st.columns([2, 1, 1, 1])
    with top[0]:
        link(DASHBOARD, "Back to the project", icon="⬅️", project=sel.project)
    if seq is not None:
        with top[3]:
            link(REVIEW, "Review summary", icon="📝", project=sel.project, seq=seq.id)
        prev_id, next_id = neighbours(sel.project, seq.id)
        with top[1]:
            if prev_id:
                link(SEQUENCE, "Previous sequence", icon="◀️", project=sel.project, seq=prev_id)
        with top[2]:
            if next_id:
                link(SEQUENCE, "Next sequence", icon="⏭️", project=sel.project, seq=next_id)
    if shots:
        chosen = sel.shot if any(s.id == sel.shot for s in shots) else shots[0].id
        with top[3]:
            link(PRESENT, "Present", icon="▶️", project=sel.project, seq=sel.seq, shot=chosen)
    st.title(md(title))
    if seq is not None:
        st.caption(
            f"Sequence {md(seq.id)} · {len(shots)} shots · {clock(seq.duration)} · "
            f"revision {seq.revision}" + (f" · {md(seq.description)}" if seq.description else "")
        )
    if not access().is_editor:  # a reviewer: the storyboard only, no grid, arrange or render
        storyboard(sel, shots)
        return
    # Not st.tabs: a tab's body is built on every run, shown or not. Only the chosen view is built.
    view = st.segmented_control(
        "View", VIEWS, default=VIEWS[0], key="seq_view", label_visibility="collapsed"
    )
    if view == VIEWS[1]:
        storyboard_panel(sel)
    else:  # also when the chosen view is clicked again (which unselects it)
        shot_grid(sel, shots)
    render_controls(sel, shots)
    if shots:
        handouts(
            sel.project,
            name=f"{sel.project}-{seq.id if seq else 'loose'}",
            key="seq_handout",
            sequence=sel.seq,
            shots=shots,
        )
    shot_actions(sel, shots)
    st.subheader("History")
    sequence_history(sel)


main()
