"""The session cookie in the browser: written by a tiny component, read from ``st.context.cookies``.

Streamlit cannot send ``Set-Cookie``, so the cookie is set from JavaScript (hence not HttpOnly):
``SameSite=Strict``, ``Path`` the app's own path, ``Max-Age`` its expiry. What it holds, and how it
is checked on every run, is ``storyboard_core/access/session.py``.
"""

from __future__ import annotations

import streamlit as st

from storyboard_core.access import COOKIE

from .state import COOKIE_PENDING

_JS = """
export default function ({ data, setStateValue }) {
  const parts = [
    data.name + "=" + data.value,
    "Path=" + data.path,
    "SameSite=Strict",
    "Max-Age=" + data.max_age,
  ];
  document.cookie = parts.join("; ");
  // After Sign out, a fresh page: nothing of the signed-in page (its sidebar) stays on screen.
  if (data.reload) window.location.reload();
  else setStateValue("written", data.round);
}
"""
_writer = st.components.v2.component("storyboard_session_cookie", js=_JS)


def browser_cookie() -> str:
    """The session cookie the browser sent when this session connected ("" when none)."""
    try:
        value = st.context.cookies.get(COOKIE)
    except RuntimeError:  # no browser behind this run (a test without a request)
        return ""
    return value if isinstance(value, str) else ""


def set_cookie(value: str, max_age: int, *, reload: bool = False) -> None:
    """Have the browser keep ``value`` as the session cookie (``""`` and 0 remove it).

    ``reload``: then load the page afresh (a new session, which meets the gate).
    """
    rounds = st.session_state.get(COOKIE_PENDING, (0, "", 0, False))[0] + 1
    st.session_state[COOKIE_PENDING] = (rounds, value, max_age, reload)


def _written() -> None:
    st.session_state.pop(COOKIE_PENDING, None)


def write_cookie() -> None:
    """Mount the writer while a cookie waits to reach the browser (it reports back, then leaves)."""
    pending = st.session_state.get(COOKIE_PENDING)
    if pending is None:
        return
    rounds, value, max_age, reload = pending
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    data = {
        "name": COOKIE,
        "value": value,
        "max_age": max_age,
        "path": f"/{base}",
        "round": rounds,
        "reload": reload,
    }
    _writer(key="gate_cookie", data=data, on_written_change=_written)
