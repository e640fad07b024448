"""Settings: the workspace in use (ComfyUI servers arrive with the status monitor)."""

from __future__ import annotations

import streamlit as st

from ui.data import store, workspace_path

st.title("⚙️ Settings")
st.subheader("Workspace")
st.code(str(workspace_path().resolve()), language=None)
st.caption(
    "Set `STORYBOARD_WORKSPACE` before `make run` to open another folder. "
    f"{len(store().list_projects())} project(s) here."
)
