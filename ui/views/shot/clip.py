"""A video take in the shot editor and on the read-only shot page: its clip plays, with its facts.

The clip is served by URL (never inlined), its poster shown until it plays, muted unless the shot's
sound is the clip itself (``storyboard_core.media.clips.clip_audible``).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from storyboard_core import Shot
from storyboard_core.media.clips import clip_audible, playable_clip
from storyboard_core.paths import image_in_project
from storyboard_core.takes import Take
from ui.components.clip_player import ClipOnPage, clip_facts, play_clips
from ui.frame.text import md


def clip_on_page(project_dir: Path, shot: Shot, take: Take, label: str) -> ClipOnPage | None:
    """``take``'s clip as a page plays it, or ``None`` for a still or a clip a browser cannot play."""
    playable = playable_clip(project_dir, take.video)
    if playable is None or take.video is None:
        return None
    return ClipOnPage(
        file=playable[0],
        poster=image_in_project(project_dir, take.image),
        facts=take.video,
        label=label,
        muted=not clip_audible(shot, take.video),
    )


def take_clip(project_dir: Path, shot: Shot, take: Take) -> bool:
    """Play ``take``'s clip with its facts; ``False`` (nothing shown) when it has no playable clip."""
    clip = clip_on_page(project_dir, shot, take, "")
    if clip is None:
        return False
    play_clips([clip], key=f"clip:{shot.id}")
    sound = "muted" if clip.muted else "with its sound"
    st.caption(md(f"▶ Clip · {clip_facts(clip.facts)} · {sound}"))
    return True
