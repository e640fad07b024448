"""The shot editor's takes: the current frame (and whether it is stale), an image of one's own
uploaded as a take, every take to choose from, and two takes compared side by side with the diff
of what made them."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import streamlit as st

from storyboard_core import Shot
from storyboard_core.bible.style import ShotContext
from storyboard_core.media.images import MAX_IMAGE_BYTES, MAX_IMAGE_SIDE
from storyboard_core.paths import image_in_project
from storyboard_core.take_diff import InputChange, changes_since_take, diff_takes, show, take_values
from storyboard_core.takes import (
    Take,
    current_take,
    is_stale,
    takes,
    upload_take,
    use_render_version,
)
from ui.components.clip_player import play_clips
from ui.components.messages import reported
from ui.components.shot_card import frame_image
from ui.frame.services import editor_store
from ui.frame.state import UPLOAD_ERROR, UPLOAD_ROUND, Selection, flash
from ui.frame.text import html, md

from .clip import clip_on_page, take_clip
from .uploads import image_uploader

STRIP_SIZE = 6  # takes shown as thumbnails; the compare view reaches every take
_ADDED = "background:#dcfce7;color:#166534;text-decoration:none;padding:0 2px;border-radius:3px"
_REMOVED = "background:#fee2e2;color:#991b1b;padding:0 2px;border-radius:3px"


def take_label(number: int, take: Take) -> str:
    """``"Take 2 · render · 1 Dec 2026 at 10h15 · seed 123"`` (raw text: escape it to show it).

    Only the app's own words: selectbox options show it as it is, captions escape it. An upload's
    file name is in its caption instead.
    """
    parts = [f"Take {number}", take.source]
    if take.rendered_at is not None:
        parts.append(f"{take.rendered_at:%d %b %Y at %Hh%M}".lstrip("0"))
    if take.source == "render" and take.seed is not None:
        parts.append(f"seed {take.seed}")
    return " · ".join(p for p in parts if p)


def take_caption(take: Take) -> str:
    """Where a take came from, escaped for a caption."""
    if take.source == "upload":
        return md(f"Uploaded · {take.original_name or 'image'}")
    seed = "?" if take.seed is None else str(take.seed)
    return md(f"Seed {seed} · {take.workflow or 'built-in'} · {take.server or 'unknown server'}")


def current_frame(project_dir: Path, shot: Shot, context: ShotContext) -> None:
    """The shot's frame with where it came from, and a warning when its inputs changed since."""
    take = current_take(shot)
    frame = image_in_project(project_dir, shot.render.image) if shot.render else None
    if take is None or frame is None:
        st.caption("No frame rendered yet.")
        return
    if not take_clip(project_dir, shot, take):
        frame_image(frame)
    st.caption(take_caption(take))
    if is_stale(shot, context):
        changes = changes_since_take(shot, context)
        what = " · ".join(str(c) for c in changes) or "the settings"
        st.warning(
            md(f"Stale: changed since this frame was made: {what}. Render again to update it."),
            icon="⚠️",
        )


def upload_box(sel: Selection, shot: Shot) -> None:
    """Add an image of one's own (a drawn board, a photo) as a take; the core checks the file."""
    assert sel.project
    project, seq_id, shot_id = sel.project, sel.seq_id, shot.id

    def save(data: bytes, name: str) -> str:
        upload_take(editor_store(), project, seq_id, shot_id, data, name)
        return f"Added {name} as a take"

    image_uploader(
        "Upload an image as a take",
        key="upload",
        slot=shot_id,
        rounds_key=UPLOAD_ROUND,
        errors_key=UPLOAD_ERROR,
        save=save,
        help=(
            f"A drawn board, a photo, a frame from elsewhere: PNG, JPEG or WebP, up to "
            f"{MAX_IMAGE_BYTES // 2**20} MB and {MAX_IMAGE_SIDE} pixels a side."
        ),
    )


def _use_button(sel: Selection, shot: Shot, take: Take, *, key: str) -> None:
    assert sel.project
    current = shot.render is not None and shot.render.image == take.image
    if st.button("Use as frame", key=key, disabled=current):
        with reported():
            use_render_version(editor_store(), sel.project, sel.seq_id, shot.id, take.image)
            flash("Frame changed")
            st.rerun()


def _thumbnail(project_dir: Path, take: Take) -> None:
    path = image_in_project(project_dir, take.image)
    if path is not None:
        frame_image(path)
    else:
        st.caption(md(f"missing file: {take.image}"))


def takes_strip(sel: Selection, shot: Shot, project_dir: Path, all_takes: list[Take]) -> None:
    """The latest takes as thumbnails, newest first, each with "Use as frame"."""
    st.caption(f"Takes ({len(all_takes)})")
    latest = list(enumerate(all_takes, start=1))[-STRIP_SIZE:][::-1]
    for col, (number, take) in zip(st.columns(STRIP_SIZE), latest, strict=False):
        with col:
            _thumbnail(project_dir, take)
            st.caption(md(take_label(number, take)))
            _use_button(sel, shot, take, key=f"use:{take.image}")


def _html_line(text: str) -> str:
    # Line breaks shown as such (html() would make them spaces).
    return "<br>".join(html(line) for line in re.split(r"\r\n|\r|\n", text))


def _run_html(op: str, text: str) -> str:
    if op == "+":
        return f"<ins style='{_ADDED}'>{_html_line(text)}</ins>"
    if op == "-":
        return f"<del style='{_REMOVED}'>{_html_line(text)}</del>"
    return _html_line(text)


def diff_html(changes: list[InputChange]) -> str:
    """The changes as one HTML block: texts word by word (added green, removed red), values old → new."""
    lines = []
    for change in changes:
        label = f"<b>{html(change.label)}</b>"
        if change.words is not None:
            runs = "".join(_run_html(op, text) for op, text in change.words)
            lines.append(f"<div>{label}: {runs}</div>")
        else:
            old, new = show(change.old), show(change.new)
            lines.append(f"<div>{label} {_run_html('-', old)} → {_run_html('+', new)}</div>")
    # One line, no blank line: Markdown reads it all as one HTML block and parses none of it.
    return "<div style='line-height:1.8'>" + "".join(lines) + "</div>"


def inputs_table(a: Take, b: Take) -> pd.DataFrame:
    """Every recorded input of two takes side by side (a table shows its cells as plain text)."""
    va, vb = take_values(a), take_values(b)
    fields = list(dict.fromkeys([*va, *vb]))
    return pd.DataFrame(
        {
            "input": fields,
            "A": [show(va[f]) if f in va else "not recorded" for f in fields],
            "B": [show(vb[f]) if f in vb else "not recorded" for f in fields],
        }
    )


def compare(sel: Selection, shot: Shot, project_dir: Path, all_takes: list[Take]) -> None:
    """Two takes side by side, the diff of their inputs, and either one as the frame."""
    by_image = {t.image: (n, t) for n, t in enumerate(all_takes, start=1)}
    images = list(by_image)
    current = shot.render.image if shot.render and shot.render.image in by_image else images[-1]
    before = images[max(images.index(current) - 1, 0)]
    if before == current:
        before = images[1] if current == images[0] else images[0]
    st.markdown("**Compare two takes**")
    pick_a, pick_b = st.columns(2)

    def label(image: str) -> str:  # selectbox options are shown literally: no escapes
        return take_label(*by_image[image])

    # Keyed by the number of takes: a new take is compared with the one before it, afresh.
    round_ = f"{shot.id}:{len(all_takes)}"

    a = pick_a.selectbox(
        "Take A", images, index=images.index(before), format_func=label, key=f"cmp_a:{round_}"
    )
    b = pick_b.selectbox(
        "Take B", images, index=images.index(current), format_func=label, key=f"cmp_b:{round_}"
    )
    take_a, take_b = by_image[a][1], by_image[b][1]
    # Two clips play side by side on one clock (labels reach the player as text only).
    clips = [clip_on_page(project_dir, shot, by_image[i][1], label(i)) for i in (a, b)]
    synced = [c for c in clips if c is not None]
    playing = a != b and len(synced) == 2
    for col, take, side in ((pick_a, take_a, "a"), (pick_b, take_b, "b")):
        with col:
            if not playing:
                _thumbnail(project_dir, take)
            st.caption(take_caption(take))
            _use_button(sel, shot, take, key=f"cmp_use_{side}:{shot.id}")
    if playing:
        play_clips(synced, key=f"cmp_clips:{shot.id}", sync=True)
    changes = diff_takes(take_a, take_b)
    if a == b:
        st.caption("The same take on both sides.")
    elif not changes:
        st.caption("No recorded input differs between these takes.")
    else:
        st.caption(md(" · ".join(str(c) for c in changes)))
        if any(c.words is not None for c in changes):  # a text changed: show it in context
            st.markdown(diff_html(changes), unsafe_allow_html=True)
    with st.expander("All inputs of both takes"):
        st.dataframe(inputs_table(take_a, take_b), hide_index=True, width="stretch")


def takes_section(sel: Selection, shot: Shot, project_dir: Path) -> None:
    """The shot's takes, when it has more than one: the strip to choose from and the compare view."""
    all_takes = takes(shot)
    if len(all_takes) < 2:
        return
    takes_strip(sel, shot, project_dir, all_takes)
    compare(sel, shot, project_dir, all_takes)
