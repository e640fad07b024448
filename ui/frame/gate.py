"""The gate: before any page, a session shows the editor passcode or a review link, or sees nothing.

``app.py`` calls ``passed()`` before ``st.navigation``. A session that has not passed gets a
navigation of one page (the passcode form) whatever its URL, so no page script runs for it: no
project name, no image, no sidebar. When the app listens on loopback only and no passcode is set,
the gate is off and every session is an editor (``make run``).

Passing the gate (the passcode, or a review link and a name) also sets a signed session cookie
(``cookie.py``, ``storyboard_core/access/session.py``): a reload, a second tab or full screen opens
a new Streamlit session, which resumes from the cookie instead of meeting the gate again. The
token is checked on every run, so Sign out and Revoke take effect at the next click.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import NoReturn

import streamlit as st

from storyboard_core import AUTHOR_MAX_CHARS, StoryboardError
from storyboard_core.access import (
    EDITOR,
    IDLE_TIMEOUT,
    Access,
    Gate,
    check_session,
    check_token,
    end_session,
    issue_session,
    passcode_is_set,
    session_max_age,
)
from storyboard_core.review.comments import clean_author

from .cookie import browser_cookie, set_cookie, write_cookie
from .registry import DASHBOARD, PAGES, PageSpec
from .services import gate, store
from .state import (
    ACCESS,
    COOKIE_REFUSED,
    GATE_MESSAGE,
    LAST_SEEN,
    PASSED_BY,
    REVIEW_AUTHOR,
    REVIEW_TOKEN,
    SESSION_TOKEN,
)
from .text import md


def client_address() -> str | None:
    """The browser's IP address (``None`` for a browser on this machine, or when none is known)."""
    address = st.context.ip_address
    return address if isinstance(address, str) else None


def _grant(access: Access, how: str) -> None:
    st.session_state.pop(GATE_MESSAGE, None)
    st.session_state[ACCESS] = access
    st.session_state[PASSED_BY] = how
    st.session_state[LAST_SEEN] = time.time()


def _start_session(access: Access) -> None:
    """Issue this session's signed token and have the browser keep it as a cookie."""
    token, expires = issue_session(gate().workspace, access, client_address())
    st.session_state[SESSION_TOKEN] = token
    set_cookie(token, session_max_age(expires))


def sign_out(message: str = "") -> None:
    """Forget what this session passed the gate with (it meets the gate again), and end its cookie.

    The token is listed as ended in the workspace, so a copy of the cookie opens nothing either.
    """
    token = st.session_state.pop(SESSION_TOKEN, None)
    if token:
        # settings.json unwritable: the browser's cookie still goes.
        with contextlib.suppress(StoryboardError):
            end_session(gate().workspace, token)
        set_cookie("", 0, reload=not message)  # the Sign out button: a fresh page
    # The cookie this session connected with is not taken again (the browser sends it until reload).
    st.session_state[COOKIE_REFUSED] = browser_cookie()
    for key in (ACCESS, PASSED_BY, REVIEW_TOKEN, LAST_SEEN):
        st.session_state.pop(key, None)
    if message:
        st.session_state[GATE_MESSAGE] = message


def _resume_from_cookie(the_gate: Gate) -> None:
    """A new session (reload, second tab) with a valid session cookie passes as it did before."""
    token = browser_cookie()
    if not token or token == st.session_state.get(COOKIE_REFUSED):
        return
    try:
        access = check_session(the_gate.workspace, token, client_address())
    except StoryboardError as exc:  # expired, revoked, signed out, another address: the gate
        st.session_state[COOKIE_REFUSED] = token
        st.session_state[GATE_MESSAGE] = str(exc)
        set_cookie("", 0)
        return
    _grant(access, "passcode" if access.is_editor else "link")
    st.session_state[SESSION_TOKEN] = token


def _take_review_link(the_gate: Gate) -> None:
    """A ``?review=`` token in the URL: check it, keep it in the session, clean the URL."""
    token = st.query_params.get("review")
    if token is None:
        return
    del st.query_params["review"]
    try:
        access = the_gate.open_link(client_address(), token)
    except StoryboardError as exc:
        sign_out(str(exc))
        return
    _grant(access, "link")
    st.session_state[REVIEW_TOKEN] = token


def _still_valid(the_gate: Gate, required: bool) -> bool:
    """Whether the session's earlier pass still holds (idle timeout, revoked link, gate turned on)."""
    how = st.session_state.get(PASSED_BY)
    if how is None:
        return False
    if how == "open" and required:
        sign_out()
        return False
    if time.time() - st.session_state.get(LAST_SEEN, 0.0) > IDLE_TIMEOUT.total_seconds():
        sign_out("your session was idle too long: sign in again")
        return False
    try:  # refused, or settings.json unreadable: fail closed
        if how == "link" and REVIEW_TOKEN in st.session_state:
            fresh = check_token(the_gate.workspace, st.session_state[REVIEW_TOKEN])
            st.session_state[ACCESS] = fresh.named(st.session_state[ACCESS].name)
        token = st.session_state.get(SESSION_TOKEN)
        if token:
            st.session_state[ACCESS] = check_session(the_gate.workspace, token, client_address())
    except StoryboardError as exc:
        sign_out(str(exc))
        return False
    st.session_state[LAST_SEEN] = time.time()
    return True


def passed() -> Access:
    """The session's access; draws the gate (and stops the run) until the session passes."""
    the_gate = gate()
    required = the_gate.required(st.get_option("server.address"))
    _take_review_link(the_gate)
    if not _still_valid(the_gate, required):
        if required:
            _resume_from_cookie(the_gate)
        else:
            _grant(EDITOR, "open")
    write_cookie()
    access = st.session_state.get(ACCESS)
    if not isinstance(access, Access):
        _only(_passcode_page, "Sign in", "🔒")
    if not access.is_editor and not access.name:
        _only(_name_page, "Your name", "💬")
    if not access.is_editor:  # the comment thread writes under the name the gate recorded
        st.session_state[REVIEW_AUTHOR] = access.name
    return access


def outside_scope(page: PageSpec) -> Callable[[], None]:
    """The page a reviewer meets at the URL of a page that is not theirs: it says so, and where to go."""

    def draw() -> None:
        access = st.session_state[ACCESS]
        st.title(f"{page.icon} {page.title}")
        st.warning(
            f"{page.title} is not part of your review: your link opens only "
            f"{md(_scope_words(access))}, to look and to comment."
        )
        st.page_link(DASHBOARD.path, label="Go to your review", icon="🎬")

    return draw


def outside_project(project: str) -> None:
    """Tell a reviewer that the project in the URL is not theirs (its name is not shown: only its id)."""
    st.warning(
        f"Your review link does not open project {md(project)}: here is your review, "
        f"{md(_scope_words(st.session_state[ACCESS]))}.",
        icon="🔒",
    )


def _scope_words(access: Access) -> str:
    project = access.project or ""
    try:
        title = store().read_project(project).name
    except StoryboardError:
        title = project
    if access.sequences is None:
        return f"the project {title}"
    return f"sequence(s) {', '.join(access.sequences)} of {title}"


def _only(draw: Callable[[], None], title: str, icon: str) -> NoReturn:
    """Run ``draw`` as the one page of this session, at every page's URL, and stop.

    Each registered URL path leads to ``draw`` (a deep link meets the gate, not "page not found",
    and opens its page once passed); no page script of the app runs.
    """
    pages = [
        st.Page(draw, title=title, icon=icon, url_path=p.url_path or None, default=p.default)
        for p in PAGES
    ]
    st.set_page_config(page_title="Storyboard Studio", page_icon="🎬", layout="centered")
    st.navigation(pages, position="hidden").run()
    st.stop()


def _passcode_page() -> None:
    st.title("🔒 Storyboard Studio")
    # Kept until the session passes: the rerun that writes the cookie draws this page again.
    message = st.session_state.get(GATE_MESSAGE)
    if message:
        st.warning(md(message))
    the_gate = gate()
    try:
        unset = not passcode_is_set(the_gate.workspace)
    except StoryboardError as exc:
        st.error(md(f"{exc}. Fix or delete the file on the machine serving the app."))
        return
    if unset:
        st.info(
            "This studio is served on the network but has no editor passcode yet: run "
            "`storyboard passcode set` on the machine serving it. A link sent to comment "
            "opens without it."
        )
    with st.form("gate_passcode", clear_on_submit=True):
        passcode = st.text_input("Editor passcode", type="password")
        submitted = st.form_submit_button("Sign in", type="primary")
    st.caption("Were you sent a link to comment? Open it as it came.")
    if submitted:
        try:
            access = the_gate.sign_in(client_address(), passcode)
        except StoryboardError as exc:
            st.error(md(str(exc)))
            return
        _grant(access, "passcode")
        _start_session(access)
        st.rerun()


def _name_page() -> None:
    st.title("💬 Review")
    st.write("Your name is shown with every comment and verdict you give.")
    with st.form("gate_name"):
        name = st.text_input("Your name", max_chars=AUTHOR_MAX_CHARS)
        submitted = st.form_submit_button("Start reviewing", type="primary")
    if submitted:
        try:
            clean = clean_author(name)
        except StoryboardError as exc:
            st.error(md(str(exc)))
            return
        st.session_state[ACCESS] = st.session_state[ACCESS].named(clean)
        _start_session(st.session_state[ACCESS])
        st.rerun()
