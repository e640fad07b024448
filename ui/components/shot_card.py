"""A shot at a glance: its status icon and colour, its frame (damaged files said, not raised), its card."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from storyboard_core import Shot
from storyboard_core.bible.style import ShotContext
from storyboard_core.paths import image_in_project
from storyboard_core.takes import is_stale
from ui.frame.registry import SHOT
from ui.frame.state import Selection, link
from ui.frame.text import html, md

from .comments import comment_thread

STATUS_ICONS = {"draft": "📝", "review": "👀", "approved": "✅", "rejected": "⛔"}
STATUS_COLORS = {
    "draft": "#94a3b8",
    "review": "#f59e0b",
    "approved": "#16a34a",
    "rejected": "#dc2626",
}


def frame_image(path: Path) -> None:
    """Show a frame file; one that is damaged or not an image is said, instead of stopping the page."""
    # Imported here: the dashboard imports this module for its colours alone.
    from PIL import UnidentifiedImageError

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
        # A video take shows its poster; the ▶ says a clip plays in the editor and on Present.
        clip = "▶ clip · " if image is not None and shot.render and shot.render.video else ""
        st.caption(
            f"{clip}#{shot.position} · {md(shot.shot_type)} · {shot.duration:g} s · "
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
