"""Messages the pages share: errors shown plainly, and dead ends that say what is missing with a way back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import streamlit as st

from storyboard_core import (
    BrokenFileError,
    NotFoundError,
    StoryboardError,
    UnsafePathError,
    WriteError,
)
from storyboard_core.types import LOOSE
from ui.frame.registry import DASHBOARD, PageSpec
from ui.frame.services import store
from ui.frame.state import link
from ui.frame.text import md


@contextmanager
def reported() -> Iterator[None]:
    """Show a ``StoryboardError`` raised in the block as an error message, not a traceback.

    The message may quote a file's content (a name, a field's value): it is shown as text.
    """
    try:
        yield
    except StoryboardError as exc:
        st.error(md(str(exc)))


def dead_end(
    message: str,
    *,
    back: PageSpec = DASHBOARD,
    label: str = "Back to the dashboard",
    **params: str | None,
) -> NoReturn:
    """Say plainly what is missing (``message`` is plain text) and offer a way back, then stop the page.

    The way back leads to the nearest place that exists: a link into a missing project goes to the
    dashboard, one into a missing sequence to its project.
    """
    st.error(md(message))
    back, label, params = _existing(back, label, params)
    link(back, label, icon="⬅️", **params)
    st.stop()


@contextmanager
def readable(
    broken: str, *, back: PageSpec, label: str, sequence: str | None = None, **params: str | None
) -> Iterator[None]:
    """A dead end, saying why and offering a way back, when the block's file is broken or missing.

    ``broken`` begins the message for a file that cannot be read (the error follows it); ``params``
    are the way back's selection. ``sequence`` is the sequence shown (default: the way back's), to
    say so when it no longer exists.
    """
    try:
        yield
    except BrokenFileError as exc:
        dead_end(f"{broken}: {exc}", back=back, label=label, **params)
    except NotFoundError as exc:
        message = gone(params.get("project"), sequence or params.get("seq"), exc)
        dead_end(message, back=back, label=label, **params)
    except UnsafePathError as exc:
        dead_end(f"Not found: {exc}", back=back, label=label, **params)


def not_saved(exc: WriteError, kept: str) -> str:
    """The message for a write the disk refused, saying that ``kept`` (the edits) are still here."""
    return (
        f"Not saved: {exc}. Your {kept} are still here, unsaved: Save again once the disk has "
        "room or the folder can be written."
    )


def gone(project: str | None, seq: str | None, exc: NotFoundError) -> str:
    """Why a place the URL names is not there: its project or its sequence was deleted by hand."""
    if project:
        try:
            store().project_dir(project)
        except StoryboardError:
            return (
                f"This project no longer exists: there is no project “{project}” in the "
                "workspace (deleted, moved or renamed outside the app, or a wrong link). Nothing "
                "has been re-created."
            )
        if seq and seq != LOOSE:
            try:
                store().sequence_path(project, seq)
            except StoryboardError:
                return (
                    f"This sequence no longer exists: there is no sequence {seq} in project "
                    f"“{project}” (its file was deleted or moved outside the app, or a wrong "
                    "link). Nothing has been re-created."
                )
    return f"Not found: {exc}"


def _existing(
    back: PageSpec, label: str, params: dict[str, str | None]
) -> tuple[PageSpec, str, dict[str, str | None]]:
    project, seq = params.get("project"), params.get("seq")
    if not project:
        return back, label, params
    try:
        store().project_dir(project)
    except StoryboardError:
        return DASHBOARD, "Back to the dashboard", {}
    if seq and seq != LOOSE:
        try:
            store().sequence_path(project, seq)
        except StoryboardError:
            return DASHBOARD, "Back to the project", {"project": project}
    return back, label, params
