"""The settings page's parts: ComfyUI servers, their test and the poll interval."""

from __future__ import annotations

import os

import streamlit as st

from storyboard_core import StoryboardError
from storyboard_core.comfyui.status import test_connection
from storyboard_core.settings import (
    ENV_URL,
    POLL_SECONDS_MAX,
    POLL_SECONDS_MIN,
    ServerConfig,
    add_server,
    configured_servers,
    remove_server,
    set_active_server,
    set_poll_seconds,
    update_server,
)
from ui.components.messages import reported
from ui.frame.services import monitor, settings, workspace_path
from ui.frame.state import ADD_SERVER_ROUND, flash
from ui.frame.text import md

from .server_capabilities import capabilities_report


def gib(n: int) -> str:
    """Bytes as GiB with one decimal."""
    return f"{n / 2**30:.1f} GiB"


def connection_report(server: ServerConfig) -> None:
    """Check one server now and say what it is, or exactly why it cannot be reached."""
    status = test_connection(server)
    info = status.info
    if status.online and info is not None:
        st.success(
            f"Connected to {md(server.url)}: ComfyUI {md(info.version)} on {md(info.device)}, "
            f"VRAM {gib(info.vram_free)} free of {gib(info.vram_total)}, "
            f"queue {info.queue_running} running / {info.queue_pending} pending",
            icon="✅",
        )
    else:
        st.error(f"Cannot use {md(server.url)}: {status.state} — {md(status.detail)}", icon="⛔")


def server_editor(server: ServerConfig, effective: ServerConfig) -> None:
    """Edit, activate, remove or test one configured server."""
    ws = workspace_path()
    title = f"{'⭐ ' if server.active else ''}{md(server.name)} — {md(server.url)}"
    with st.expander(title, expanded=False):
        with st.form(f"edit_server_{server.name}"):
            name = st.text_input("Name", value=server.name)
            url = st.text_input("URL", value=server.url)
            token = st.text_input(
                "Token",
                type="password",
                placeholder=f"unchanged ({server.masked_token})" if server.token else "none",
                help="Sent as 'Authorization: Bearer …' to a server behind a proxy. "
                "Leave empty to keep the current token.",
            )
            clear = st.checkbox("Remove the token", value=False) if server.token else False
            if st.form_submit_button("Save server"):
                with reported():
                    update_server(
                        ws,
                        server.name,
                        new_name=name,
                        url=url,
                        token="" if clear else (token or None),
                    )
                    flash(f"Saved server {name}")
                    st.rerun()
        c1, c2, c3 = st.columns(3)
        # Another tab may have removed or renamed the server meanwhile: say so, no traceback.
        with reported():
            if c1.button("Make active", key=f"activate_{server.name}", disabled=server.active):
                set_active_server(ws, server.name)
                flash(f"{server.name} is now the active server")
                st.rerun()
        if c2.button("Test connection", key=f"test_{server.name}"):
            connection_report(effective)
        capabilities_report(effective)
        with reported():
            if c3.button("Remove", key=f"remove_{server.name}"):
                remove_server(ws, server.name)
                flash(f"Removed server {server.name}")
                st.rerun()


def add_server_form() -> None:
    """Add a server by name and URL (and an optional token); a refused entry stays as typed."""
    # A new form key after each success empties the form; on an error the typed values stay.
    round_ = st.session_state.setdefault(ADD_SERVER_ROUND, 0)
    with st.form(f"add_server_{round_}"):
        st.markdown("**Add a server**")
        c1, c2 = st.columns(2)
        name = c1.text_input("Server name", placeholder="studio-gpu")
        url = c2.text_input("Server URL", placeholder="http://127.0.0.1:8188")
        token = st.text_input("Token (optional)", type="password")
        active = st.checkbox("Make it the active server", value=True)
        if st.form_submit_button("Add server"):
            with reported():
                add_server(workspace_path(), name, url, token=token, make_active=active)
                st.session_state[ADD_SERVER_ROUND] = round_ + 1
                flash(f"Added server {name}")
                st.rerun()


def comfyui_section() -> None:
    """The ComfyUI servers, their live status and the poll interval."""
    st.subheader("ComfyUI servers")
    ws = workspace_path()
    try:
        current = settings()
    except StoryboardError as exc:
        st.error(f"settings.json cannot be used: {md(str(exc))}. Fix or delete the file.")
        return
    try:
        servers = configured_servers(current)  # with the env override and the default applied
    except StoryboardError as exc:  # a bad $STORYBOARD_COMFYUI_URL
        st.error(f"{md(str(exc))}. Fix or unset the variable and restart the app.")
        return
    if os.environ.get(ENV_URL):
        st.info(f"`{ENV_URL}` is set: it overrides the active server's URL.")
    configured = current.comfyui.servers
    if not configured:
        st.caption("No server configured: the app uses the default below until you add one.")
    statuses = {s.url: s for s in monitor().statuses()}
    st.table(  # st.table parses Markdown in its cells
        [
            {
                "Name": md(s.name),
                "URL": md(s.url),
                "Token": md(s.masked_token) or "—",
                "Active": "⭐" if s.active else "",
                "Status": md(statuses[s.url].label) if s.url in statuses else "ComfyUI: checking",
            }
            for s in servers
        ]
    )
    if configured:
        by_name = {s.name: s for s in servers}
        for server in configured:
            # Test what the app really uses: the env override may replace the active URL.
            server_editor(server, by_name.get(server.name, server))
    else:
        if st.button("Test connection", key="test_default"):
            connection_report(servers[0])
        capabilities_report(servers[0])
    add_server_form()
    with st.form("poll"):
        seconds = st.number_input(
            "Poll interval (seconds)",
            min_value=POLL_SECONDS_MIN,
            max_value=POLL_SECONDS_MAX,
            value=int(current.comfyui.poll_seconds),
            step=1,
        )
        if st.form_submit_button("Save interval"):
            with reported():
                set_poll_seconds(ws, int(seconds))
                flash("Saved the poll interval")
                st.rerun()
