"""The sidebar every page shares, below the navigation."""

from __future__ import annotations

import streamlit as st

from .comfy import status_badge
from .data import workspace_path
from .text import md


def sidebar(*, unsaved: int) -> None:
    """ComfyUI status, workspace name and a reminder of unsaved edits."""
    with st.sidebar:
        status_badge()
        st.caption(f"Workspace: {md(workspace_path().name)}")
        if unsaved:
            st.warning(f"{unsaved} shot(s) with unsaved edits", icon="✏️")
