"""The sidebar every page shares, below the navigation."""

from __future__ import annotations

import streamlit as st

from storyboard_core import Access

from .comfy import status_badge
from .data import workspace_path
from .gate import sign_out
from .state import PASSED_BY
from .text import md


def sidebar(access: Access, *, unsaved: int) -> None:
    """ComfyUI status, workspace name and a reminder of unsaved edits; who is signed in."""
    with st.sidebar:
        if access.is_editor:
            status_badge()
            st.caption(f"Workspace: {md(workspace_path().name)}")
        else:
            st.caption(f"Reviewing as **{md(access.name)}**")
        if st.session_state.get(PASSED_BY) != "open":
            st.button("Sign out", key="gate_sign_out", on_click=sign_out)
        if unsaved:
            st.warning(f"{unsaved} shot(s) with unsaved edits", icon="✏️")
