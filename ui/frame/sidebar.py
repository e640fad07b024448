"""The sidebar every page shares, below the navigation: the ComfyUI status badge, the workspace, who is in."""

from __future__ import annotations

import streamlit as st

from storyboard_core import StoryboardError
from storyboard_core.access import Access
from storyboard_core.comfyui.status import ServerStatus
from storyboard_core.settings import ENV_URL, POLL_SECONDS_DEFAULT, configured_servers

from .drafts import drafts
from .gate import sign_out
from .services import monitor, settings, workspace_path
from .state import PASSED_BY, UNSAVED_SLOT
from .text import html, md

DOT_COLORS = {
    "online": "#16a34a",
    "offline": "#dc2626",
    "timeout": "#f59e0b",
    "error": "#dc2626",
    "checking": "#94a3b8",
}


def sidebar(access: Access) -> None:
    """ComfyUI status, workspace name and a reminder of unsaved edits; who is signed in."""
    with st.sidebar:
        if access.is_editor:
            status_badge()
            st.caption(f"Workspace: {md(workspace_path().name)}")
        else:
            st.caption(f"Reviewing as **{md(access.name)}**")
        if st.session_state.get(PASSED_BY) != "open":
            st.button("Sign out", key="gate_sign_out", on_click=sign_out)
        st.session_state[UNSAVED_SLOT] = st.empty()
    unsaved_note()


def unsaved_note() -> None:
    """The sidebar's count of shots with unsaved edits, (re)drawn in its place.

    A fragment that changes a draft (the shot editor's form) calls it so the count follows without
    a full run: the place is an ``st.empty`` the full run made, which a fragment may write into.
    """
    slot = st.session_state.get(UNSAVED_SLOT)
    if slot is None:
        return
    unsaved = sum(1 for d in drafts().values() if d.changed())
    if unsaved:
        slot.warning(f"{unsaved} shot(s) with unsaved edits", icon="✏️")
    else:
        slot.container()  # a write even when there is nothing to say: a fragment may fill it later


def settings_problem() -> str | None:
    """Why no server can be watched (the monitor then knows none), or None. Reads no network."""
    try:
        current = settings()
    except StoryboardError:
        return "settings.json cannot be used (see Settings)"
    try:
        configured_servers(current)
    except StoryboardError:
        return f"{ENV_URL} is not a valid URL (see Settings)"
    return None


def badge_html(status: ServerStatus, *, label: str | None = None) -> str:
    """A coloured dot and the status label, e.g. "ComfyUI: online · 0.3.64 · cuda:0 · queue 2"."""
    color = DOT_COLORS.get(status.state, "#94a3b8")
    text = html(label or status.label)
    return (
        f"<div data-testid='comfyui-status' data-state='{status.state}' style='font-size:0.85rem'>"
        f"<span style='color:{color};font-size:1.1rem'>●</span> {text}</div>"
    )


def status_badge() -> None:
    """The sidebar badge: redrawn by a fragment every poll interval, never waiting for the network."""
    try:
        interval = float(settings().comfyui.poll_seconds)
    except StoryboardError:
        interval = float(POLL_SECONDS_DEFAULT)

    @st.fragment(run_every=interval)
    def badge() -> None:
        problem = settings_problem()
        if problem:  # else the badge would say "checking" for ever
            error = ServerStatus(state="error", url="", name="", detail=problem)
            st.markdown(
                badge_html(error, label=f"ComfyUI: error · {problem}"), unsafe_allow_html=True
            )
            return
        st.markdown(badge_html(monitor().status()), unsafe_allow_html=True)

    badge()
