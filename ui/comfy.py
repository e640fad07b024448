"""ComfyUI in the app: one status monitor per server process, and the badge every page shows."""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from storyboard_core import StoryboardError
from storyboard_core.comfyui.status import ServerStatus, StatusMonitor
from storyboard_core.settings import (
    ENV_URL,
    POLL_SECONDS_DEFAULT,
    Settings,
    configured_servers,
    load_settings,
    settings_path,
)
from storyboard_core.summaries import StatCache

from .data import workspace_path
from .text import html

DOT_COLORS = {
    "online": "#16a34a",
    "offline": "#dc2626",
    "timeout": "#f59e0b",
    "error": "#dc2626",
    "checking": "#94a3b8",
}


def _configure_logging() -> None:
    # State changes are logged once at INFO; httpx would log every poll's request at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    core = logging.getLogger("storyboard_core")
    core.setLevel(logging.INFO)
    if not core.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        core.addHandler(handler)


@st.cache_resource(show_spinner=False)
def _settings_cache(workspace: str) -> StatCache[Settings | StoryboardError]:
    return StatCache()


def _load(path: Path) -> Settings | StoryboardError:
    try:
        return load_settings(path.parent)
    except StoryboardError as exc:
        return exc


def settings() -> Settings:
    """The workspace's ``settings.json``, parsed once per change of the file (not on every rerun).

    Raises ``StoryboardError`` when the file cannot be used, as ``load_settings`` does.
    """
    ws = workspace_path()
    loaded = _settings_cache(str(ws)).get(settings_path(ws), _load)
    if isinstance(loaded, StoryboardError):
        raise loaded
    return loaded


def _poll_seconds(workspace: Path) -> float:
    try:
        return float(load_settings(workspace).comfyui.poll_seconds)
    except StoryboardError:
        return float(POLL_SECONDS_DEFAULT)


@st.cache_resource(show_spinner=False)
def _monitor(workspace: str) -> StatusMonitor:
    _configure_logging()
    root = Path(workspace)
    monitor = StatusMonitor(
        lambda: configured_servers(load_settings(root)), lambda: _poll_seconds(root)
    )
    monitor.start()
    return monitor


def monitor() -> StatusMonitor:
    """The process-wide monitor for this workspace's servers (started on first use)."""
    return _monitor(str(workspace_path()))


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
