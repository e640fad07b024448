"""The process-wide store, and the workspace it opens."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from storyboard_core import Store, default_workspace

APP_DIR = Path(__file__).resolve().parent.parent


def workspace_path() -> Path:
    """The workspace: ``$STORYBOARD_WORKSPACE``, else ``workspace/`` beside ``app.py``."""
    return default_workspace(base=APP_DIR)


@st.cache_resource(show_spinner=False)
def _store(root: str) -> Store:
    return Store(root)


def store() -> Store:
    """One ``Store`` per workspace per server process: its summary cache is shared by all sessions."""
    return _store(str(workspace_path()))
