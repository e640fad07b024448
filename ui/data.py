"""The process-wide store, and the workspace it opens."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from storyboard_core import (
    Access,
    GuardedStore,
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


def store() -> Store | GuardedStore:
    """The store this session may use: the process-wide one for an editor, a guard on it for a reviewer.

    One ``Store`` per workspace per server process: its caches are shared by all sessions. A
    reviewer's guard reads within the link and writes only comments (``change_shot``); what only an
    editor may write asks for ``editor_store()``.
    """
    return guarded(workspace_store(), access())


def workspace_store() -> Store:
    """The process-wide store itself, for process-wide services (the renderer), never for a session."""
    return _store(str(workspace_path()))


def editor_store() -> Store:
    """The process-wide store, for what only an editor may do (``PermissionDeniedError`` for a reviewer)."""
    access().require_editor("use an editor's tool")
    return workspace_store()
