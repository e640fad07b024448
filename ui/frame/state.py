"""Where the user is: the selection lives in the URL (``?project=&seq=&shot=``), so reload and Back work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, NoReturn

import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.scriptrunner import get_script_run_ctx

from storyboard_core.types import LOOSE

from .registry import PAGES, PageSpec
from .text import md

#: In the URL, ``seq=-`` selects the loose shots kept in ``project.json``.

# Session-state keys, one place for all of them.
FLASH = "flash"  # a message to toast on the next run (set by callbacks before a rerun)
DRAFTS = "shot_drafts"  # unsaved shot edits, by draft key
EDIT_ROUND = "shot_edit_round"  # bumped on save/revert so widgets re-read the file
SHOT_ERRORS = "shot_errors"  # validation messages of the last failed save, by draft key
SHOT_SHOWN = "shot_shown"  # the shot as the editor's widgets were last filled from, by draft key
FIELDS_SEEN = "shot_fields_seen"  # by draft key: each field widget's last value we took in
CONFIRM_DELETE = "seq_confirm_delete"  # the shot id awaiting delete confirmation
GRID_BASE = "seq_grid_base"  # updated_at of each shot when grid editing began, by sequence
GRID_ERROR = "seq_grid_error"  # why the last grid Save was refused, by grid key (shown once)
GRID_ROUND = "seq_grid_round"  # bumped on save/reload so the grid shows the file again
HISTORY_NOTICE = "history_notice"  # a refused restore's message (and question), by history view
UNEXPECTED = "unexpected_reference"  # the reference of an unexpected error in a callback
UNSAVED_SLOT = (
    "sidebar_unsaved_slot"  # the sidebar's st.empty for the unsaved count (fragments refill it)
)
SAVED_AT = "shot_saved_at"  # by draft key: (count, hh:mm:ss) of the last Save, shown in the form
PLACE = "url_place"  # the page and selection of the last run, to keep the URL up to date
ADD_SERVER_ROUND = "settings_add_round"  # bumped after a server is added, to empty the form
UPLOAD_ROUND = "shot_upload_round"  # by shot id: bumped after an upload, to empty the uploader
UPLOAD_ERROR = "shot_upload_error"  # by shot id: why the last upload was refused
HANDOUT = "handout_built"  # the last hand-out built, kept for its download button: {section: (choice, bytes)}
PRESENT_PLACE = "present_place"  # (project, seq, shot) the player is known to show
PRESENT_VISIT = "present_visit"  # (number, shot id) of the last arrival on the present page
REVIEW_AUTHOR = "review_author"  # the reviewer's name, asked once per browser session
REVIEW_AUTHOR_EDIT = "review_author_edit"  # True while the reviewer is changing their name
REVIEW_ERRORS = "review_errors"  # why the last comment or name was refused, by thread key
REFERENCE_ROUND = "shot_reference_round"  # by shot id: bumped after a reference upload
REFERENCE_ERROR = "shot_reference_error"  # by shot id: why the last reference upload was refused
BIBLE_ROUND = "bible_round"  # bumped after a bible or style change so its widgets re-read the file
BIBLE_RENAME = "bible_rename"  # the rename being previewed: old and new name, the changes
BIBLE_REPLACE = "bible_replace"  # the find and replace being previewed: its words and changes
BIBLE_CONFIRM_DELETE = "bible_confirm_delete"  # the entry whose delete awaits confirmation
ACCESS = "gate_access"  # the Access this session passed the gate with (see ui/frame/gate.py)
PASSED_BY = "gate_passed_by"  # "open" (no gate), "passcode" or "link"
REVIEW_TOKEN = "gate_review_token"  # a reviewer's link token, re-checked on every run
LAST_SEEN = "gate_last_seen"  # time.time() of the session's last run, for the idle timeout
GATE_MESSAGE = "gate_message"  # why the session was sent back to the gate
SESSION_TOKEN = (
    "gate_session"  # the signed session token (the cookie's value), re-checked every run
)
COOKIE_PENDING = (
    "gate_cookie_pending"  # (round, value, max-age) of a cookie to write in the browser
)
COOKIE_REFUSED = "gate_cookie_refused"  # the browser's cookie, once refused or signed out of


@dataclass(frozen=True)
class Selection:
    """What the URL selects. ``seq`` is ``"-"`` for loose shots; ``seq_id`` is what the store takes."""

    project: str | None = None
    seq: str | None = None
    shot: str | None = None

    @property
    def seq_id(self) -> str | None:
        """The sequence id for the store: ``None`` for loose shots."""
        return None if self.seq in (None, LOOSE) else self.seq

    def params(self) -> dict[str, str]:
        """The selection as query parameters."""
        return _given({"project": self.project, "seq": self.seq, "shot": self.shot})


def selection() -> Selection:
    """The selection in the current URL, written back to the browser's address bar.

    Streamlit leaves the address bar alone when a ``st.page_link`` leads to the page already shown
    (another project on the dashboard, the next sequence): sending the selection back puts it in
    the URL, so reload and Back keep the place. It is sent only then: on a move to another page
    Streamlit updates the URL itself, and a second update would add a stray history entry.
    """
    qp = st.query_params
    sel = Selection(qp.get("project") or None, qp.get("seq") or None, qp.get("shot") or None)
    ctx = get_script_run_ctx()
    here = (ctx.page_script_hash if ctx else "", sel.params())
    before = st.session_state.get(PLACE)
    if before is not None and before[0] == here[0] and before[1] != here[1]:
        qp.from_dict(sel.params())  # the same page at another place: show it in the URL
    st.session_state[PLACE] = here
    return sel


def _given(params: dict[str, str | None]) -> dict[str, str]:
    return {k: v for k, v in params.items() if v}


def go(page: PageSpec, **params: str | None) -> NoReturn:
    """Switch to ``page`` with the given selection in its URL (stops this run)."""
    st.switch_page(page.path, query_params=_given(params))


def move(**params: str | None) -> None:
    """Move to another place on the page being shown (a callback: Previous/Next shot).

    The click's own run then draws the new place: one script run, not two as with ``go``. The URL
    is updated once (a new history entry, so Back returns), and ``selection`` is told it already is.
    """
    given = _given(params)
    st.query_params.from_dict(given)
    ctx = get_script_run_ctx()
    st.session_state[PLACE] = (ctx.page_script_hash if ctx else "", given)


def link(page: PageSpec, label: str, *, icon: str | None = None, **params: str | None) -> None:
    """A link to ``page`` with the given selection; it keeps the browser session (and unsaved edits).

    ``label`` is plain text (a shot's title, a project's name): it is shown as it is.
    """
    st.page_link(page.path, label=md(label), icon=icon, query_params=_given(params))


def navigation(
    *,
    position: Literal["sidebar", "hidden"] = "sidebar",
    reviewer: bool = False,
    outside: Callable[[PageSpec], Callable[[], None]] | None = None,
) -> StreamlitPage:
    """``st.navigation`` over the registered pages (a reviewer's session: only theirs).

    For a reviewer, a page that is not theirs runs ``outside(page)`` instead (a page saying so), or
    with no ``outside`` is left out: its script cannot run for that session, whatever its URL. The
    shot page, read-only for a reviewer, is not listed as "Shot editor" (it opens from the cards).
    """
    pages = []
    for p in PAGES:
        if reviewer and not p.reviewers:
            if outside is not None:
                pages.append(
                    st.Page(outside(p), title=p.title, url_path=p.url_path, visibility="hidden")
                )
            continue
        hidden = reviewer and p.key == "shot"
        pages.append(
            st.Page(
                p.path,
                title=p.title,
                icon=p.icon,
                url_path=p.url_path or None,
                default=p.default,
                visibility="hidden" if hidden else "visible",
            )
        )
    return st.navigation(pages, position=position)


def require_frame() -> None:
    """Make sure the page runs inside ``app.py``'s frame; call it first in every page file.

    Until some session has called ``st.navigation``, Streamlit treats ``pages/`` as its old
    pages directory: the first visitor of a deep link (``/shot?…``) after a server start, or a
    tab reconnecting after a restart, would run the page file alone, without the page config,
    sidebar and our navigation. Then register the app's pages and run again through ``app.py``.
    """
    try:  # Streamlit's flag for that mode; if it moves in a later version, nothing to fix here
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        navigation(position="hidden")
        st.rerun()


def flash(message: str) -> None:
    """Show ``message`` (plain text) as a toast on the next run (callbacks run before a rerun redraws
    the page)."""
    st.session_state[FLASH] = message


def show_flash() -> None:
    """Toast the pending flash message, once."""
    message = st.session_state.pop(FLASH, None)
    if message:
        st.toast(md(message), icon="✅")
