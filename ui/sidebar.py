"""The sidebar every page shares, below the navigation."""

from __future__ import annotations

import streamlit as st

from .data import workspace_path


def sidebar(*, unsaved: int) -> None:
    """Workspace name and a reminder of unsaved edits."""
    with st.sidebar:
        st.caption(f"Workspace: `{workspace_path().name}`")
        if unsaved:
            st.warning(f"{unsaved} shot(s) with unsaved edits", icon="✏️")
