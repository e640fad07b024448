"""What a page shows when something outside it breaks: no traceback ever reaches the browser.

``error_boundary`` is the one boundary around what a run draws (the sidebar and ``page.run()``): an
unexpected exception becomes a short message with a reference number, and its traceback goes under
that number to the workspace's rotating log, ``<workspace>/.logs/app.log``. Widget callbacks that
write run before the page, outside it: ``guarded`` gives them the same treatment, the message showing
on the page that follows. A workspace folder that is not there (a drive unplugged, a share
disconnected) gets a page of its own saying so, and the app carries on as soon as the folder is
back. Streamlit's own control flow (``st.rerun``, ``st.stop``, ``st.switch_page``) raises
``BaseException`` subclasses, which pass through untouched.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import secrets
import threading
from collections.abc import Callable, Iterator
from functools import cache
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import ParamSpec

import streamlit as st

from .services import workspace_path
from .state import UNEXPECTED
from .text import md

P = ParamSpec("P")

LOG_DIR = ".logs"
LOG_FILE = "app.log"
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 5

_seen_lock = threading.Lock()
_seen: set[Path] = set()  # workspaces this process has opened (a later absence is a fault)


@contextlib.contextmanager
def error_boundary() -> Iterator[None]:
    """Around everything a run draws: an unexpected exception becomes a message with a reference.

    A missing workspace explains an exception raised while it vanished, so it is said instead.
    """
    reference = st.session_state.pop(UNEXPECTED, None)  # left by a guarded callback
    if reference:
        unexpected_error(reference)
    try:
        yield
    except Exception as exc:  # the boundary: everything a page did not expect
        if workspace_ready():
            unexpected_error(log_exception(exc))


def guarded(callback: Callable[P, None]) -> Callable[P, None]:
    """A widget callback whose unexpected exception is logged and explained like a page's."""

    @functools.wraps(callback)
    def guarded_callback(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            callback(*args, **kwargs)
        except Exception as exc:  # the boundary, for code that runs before the page
            st.session_state[UNEXPECTED] = log_exception(exc)

    return guarded_callback


def workspace_ready() -> bool:
    """Whether the workspace folder is there; if not, say so plainly (and return False).

    The first time this process sees a workspace that does not exist yet, it is created (the
    default ``./workspace`` is made on first use), but only inside a folder that exists: a workspace
    on a drive that is not mounted is never created on the mount point. Once seen, a workspace that
    disappears is reported, never re-created.
    """
    root = workspace_path()
    with _seen_lock:
        if root not in _seen and not root.is_dir():
            with contextlib.suppress(OSError):  # reported below
                root.mkdir()
        if root.is_dir():
            _seen.add(root)
            return True
    st.title("The workspace is not available")
    st.error(
        md(
            f"The workspace folder {root} cannot be found. Was a drive unplugged or a network "
            "share disconnected? Nothing was written, and nothing will be until it is back; "
            "unsaved edits stay in this browser tab."
        ),
        icon="🔌",
    )
    st.caption(
        "Plug the drive back in (or set STORYBOARD_WORKSPACE to the right folder), then try again."
    )
    st.button("Try again", type="primary", key="workspace_retry")  # a click reruns the page
    return False


def log_exception(exc: BaseException) -> str:
    """Write ``exc`` and its traceback to the workspace's log under a new reference; return it."""
    reference = secrets.token_hex(4).upper()
    logger = _logger(workspace_path())
    logger.error("reference %s: %s: %s", reference, type(exc).__name__, exc, exc_info=exc)
    return reference


def unexpected_error(reference: str) -> None:
    """The short message shown in place of a traceback."""
    st.error(
        "Something went wrong on this page, so it stopped here. Your unsaved edits are kept. "
        "Reload the page to try again; if it happens again, give this reference to whoever looks "
        f"after the app: **{reference}** (the details are in the workspace's "
        f"`{LOG_DIR}/{LOG_FILE}`).",
        icon="🧯",
    )


@cache
def _logger(root: Path) -> logging.Logger:
    """One logger and rotating file per workspace, set up once per process."""
    logger = logging.getLogger("storyboard.app." + hashlib.sha1(bytes(root)).hexdigest()[:12])
    logger.propagate = False
    logger.setLevel(logging.INFO)
    handler = _WorkspaceLogHandler(root / LOG_DIR / LOG_FILE)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    return logger


class _WorkspaceLogHandler(RotatingFileHandler):
    """A rotating log in ``<workspace>/.logs/``, made when first needed; stderr when it cannot be."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8", delay=True
        )
        self._folder = path.parent

    def emit(self, record: logging.LogRecord) -> None:
        """Write the record, making ``.logs/`` first (never the workspace itself)."""
        try:
            self._folder.mkdir(exist_ok=True)
        except OSError:
            logging.getLogger("storyboard.app").handle(record)  # stderr, via logging's last resort
            return
        super().emit(record)
