"""Small widgets the pages share: errors shown plainly, messages with a way back, durations, cards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import streamlit as st
from PIL import UnidentifiedImageError

from storyboard_core import (
    BrokenFileError,
    NotFoundError,
    Shot,
    ShotContext,
    StoryboardError,
    UnsafePathError,
    WriteError,
    image_in_project,
    is_stale,
)
from storyboard_core.types import LOOSE

from .comments_view import comment_thread
from .data import store
from .registry import DASHBOARD, SHOT, PageSpec
from .state import Selection, link
from .text import html, md

STATUS_ICONS = {"draft": "📝", "review": "👀", "approved": "✅", "rejected": "⛔"}
STATUS_COLORS = {
    "draft": "#94a3b8",
    "review": "#f59e0b",
    "approved": "#16a34a",
    "rejected": "#dc2626",
}


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


def frame_image(path: Path) -> None:
    """Show a frame file; one that is damaged or not an image is said, instead of stopping the page."""
    try:
        st.image(str(path), width="stretch")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        # Pillow raises all of these for truncated or mislabelled files; one bad file must not hide
        # the rest of a storyboard.
        st.warning(md(f"{path.name} cannot be shown: the file is damaged or not an image."))


def shot_card(
    shot: Shot,
    *,
    project: str,
    seq: str,
    project_dir: Path,
    context: ShotContext,
    unsaved: bool,
    job_state: str = "",
) -> None:
    """One storyboard card: the frame (or a clean placeholder), the shot's title and a link to edit it."""
    with st.container(border=True):
        image = image_in_project(project_dir, shot.render.image) if shot.render else None
        if image is not None:
            frame_image(image)
        else:
            prompt = shot.prompt.strip() or "No prompt yet"
            st.markdown(
                f"<div style='aspect-ratio:16/9;background:#f1f5f9;border-radius:6px;"
                f"padding:0.6rem;overflow:hidden;font-size:0.8rem;color:#475569'>"
                f"<b>{html(shot.title or 'Untitled')}</b><br><i>{html(prompt[:220])}</i></div>",
                unsafe_allow_html=True,
            )
        flag = f" · 💬 {len(shot.comments)}" if shot.comments else ""
        flag += " · ● unsaved" if unsaved else ""
        if is_stale(shot, context):
            flag += " · ⚠️ stale"
        if job_state:
            flag += f" · {md(job_state)}"
        st.caption(
            f"#{shot.position} · {md(shot.shot_type)} · {shot.duration:g} s · "
            f"{STATUS_ICONS.get(shot.status, '')} {md(shot.status)}{flag}"
        )
        link(SHOT, shot.title or shot.id, icon="✏️", project=project, seq=seq, shot=shot.id)
        # The thread runs only while its popover is open: a page of cards stays light. The label
        # never changes (a new label would be a new popover, closed under the reviewer's hand).
        thread = st.popover(
            "💬 Comments",
            key=f"card_comments:{shot.id}",
            on_change="rerun",
            help="Comments, approve or retake",
        )
        if thread.open:
            with thread:
                comment_thread(Selection(project, seq), shot, key_prefix=f"card:{shot.id}")
