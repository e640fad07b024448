"""The process-wide store, and the workspace it opens."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from storyboard_core import (
    Access,
    PermissionDeniedError,
    ShotContext,
    Store,
    default_workspace,
    guarded,
)

from .state import ACCESS

APP_DIR = Path(__file__).resolve().parent.parent


def workspace_path() -> Path:
    """The workspace: ``$STORYBOARD_WORKSPACE``, else ``workspace/`` beside ``app.py``."""
    return default_workspace(base=APP_DIR)


@st.cache_resource(show_spinner=False)
def _store(root: str) -> Store:
    return Store(root)


def shot_context(project: str, seq_id: str | None) -> ShotContext:
    """The bible and styles around the shots of ``seq_id`` (``None``: the loose shots)."""
    return ShotContext.read(store(), project, seq_id)


def access() -> Access:
    """What this session may do, as the gate let it through (``app.py`` runs the gate first).

    Fails closed: a session the gate has not let through gets nothing.
    """
    granted = st.session_state.get(ACCESS)
    if not isinstance(granted, Access):
        raise PermissionDeniedError("this session has not passed the gate")
    return granted


def store() -> Store:
    """The store this session may use: the process-wide one for an editor, a guard on it for a reviewer.

    One ``Store`` per workspace per server process: its summary cache is shared by all sessions.
    """
    return guarded(_store(str(workspace_path())), access())
