"""Settings: the workspace in use and the ComfyUI servers to render with."""

from __future__ import annotations

import streamlit as st

from ui.components.share import links_section
from ui.frame.services import store, workspace_path
from ui.frame.state import require_frame
from ui.views.settings import comfyui_section

require_frame()

st.title("⚙️ Settings")
st.subheader("Workspace")
st.code(str(workspace_path().resolve()), language=None)
st.caption(
    "Set `STORYBOARD_WORKSPACE` before `make run` to open another folder. "
    f"{len(store().list_projects())} project(s) here."
)
comfyui_section()
links_section()
