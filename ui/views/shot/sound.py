"""The shot editor's sound part: dialogue and speaker, the camera move over the frame (with a live
preview), and the shot's own sound.

Dialogue and speaker are fields of the editor's draft (saved with Save, like the others). A camera
move and a sound are saved at once by their own buttons: they are whole things (two framings and an
easing; a file checked by decoding), and the draft keeps the other edits on top of the new version.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

import streamlit as st
from PIL import Image

from storyboard_core.audio import clear_shot_sound, set_shot_sound
from storyboard_core.media.frames import THUMB, FrameError, frame_uri
from storyboard_core.models import ZOOM_MAX, CameraMove, Easing, Framing, Shot
from storyboard_core.paths import image_in_project
from storyboard_core.timeline.camera import CAMERA_PRESETS, css_transform, preset, view_at
from ui.components.messages import reported
from ui.components.sound_files import sound_form, sound_line
from ui.frame.services import editor_store, store
from ui.frame.state import Selection, flash

from .editor import DIALOGUE_FIELDS, FieldSpec

EASINGS: tuple[Easing, ...] = ("linear", "ease-in", "ease-out", "ease-in-out")
_STILL = "still"
#: Keyframes of the preview: the move's views at this many steps, straight lines between them.
_STEPS = 24


def sound_section(sel: Selection, shot: Shot, draw: Callable[[FieldSpec], None]) -> None:
    """Dialogue (draft fields drawn by ``draw``), camera move and sound of the shot."""
    with st.expander("Sound, dialogue and camera move", expanded=False):
        for spec in DIALOGUE_FIELDS:
            draw(spec)
        st.divider()
        camera_move_editor(sel, shot)
        st.divider()
        shot_sound_editor(sel, shot)


def camera_move_editor(sel: Selection, shot: Shot) -> None:
    """A preset or a start and end framing with an easing, previewed on the frame, saved by Apply."""
    assert sel.project is not None
    key = f"camera:{sel.project}/{sel.seq}/{shot.id}:{shot.updated_at.timestamp()}"
    st.markdown("**Camera move on the frame**")
    choice = st.selectbox(
        "Preset",
        (_STILL, *CAMERA_PRESETS, "custom"),
        index=1 + len(CAMERA_PRESETS) if shot.camera_move else 0,
        format_func=lambda v: {"still": "No move (a still)", "custom": "Custom"}.get(
            v, v.replace("-", " ").capitalize()
        ),
        key=f"{key}:preset",
    )
    move: CameraMove | None = None
    if choice == "custom":
        current = shot.camera_move or CameraMove()
        start, end = st.columns(2)
        with start:
            first = _framing("Start", current.start, f"{key}:start")
        with end:
            last = _framing("End", current.end, f"{key}:end")
        easing = st.selectbox(
            "Easing", EASINGS, index=EASINGS.index(current.easing), key=f"{key}:easing"
        )
        move = CameraMove(start=first, end=last, easing=easing)
    elif choice != _STILL:
        move = preset(choice)  # type: ignore[arg-type]  # one of CAMERA_PRESETS
    _preview(sel, shot, move)
    if st.button("Apply the move", key=f"{key}:apply", disabled=move == shot.camera_move):
        value = None if move is None else move.model_dump(mode="json")
        with reported():
            editor_store().change_shot(
                sel.project, sel.seq_id, shot.id, lambda _: {"camera_move": value}
            )
            flash("Camera move saved" if move else "Camera move taken off")
            st.rerun()


def _framing(label: str, framing: Framing, key: str) -> Framing:
    zoom = st.number_input(
        f"{label} zoom", 1.0, ZOOM_MAX, float(framing.zoom), 0.05, key=f"{key}:zoom"
    )
    x = st.slider(f"{label} centre, across", 0.0, 1.0, float(framing.x), 0.01, key=f"{key}:x")
    y = st.slider(f"{label} centre, down", 0.0, 1.0, float(framing.y), 0.01, key=f"{key}:y")
    return Framing(zoom=zoom, x=x, y=y)


def _preview(sel: Selection, shot: Shot, move: CameraMove | None) -> None:
    """The frame playing the move over the shot's duration, again and again (a CSS animation of
    the same transforms as the player's, sampled at ``_STEPS`` points)."""
    assert sel.project is not None
    folder = store().project_dir(sel.project)
    source = image_in_project(folder, shot.render.image) if shot.render else None
    if source is None:
        st.caption("The preview plays on the shot's frame: render or upload one first.")
        return
    try:
        image = frame_uri(folder, source, THUMB)
        with Image.open(source) as opened:  # reads the header only
            ratio = f"{opened.width} / {opened.height}"
    except (FrameError, OSError) as exc:
        st.caption(f"No preview: {exc}"[:200])
        return
    frames = " ".join(
        f"{100 * i / _STEPS:.2f}% {{ transform: {css_transform(view_at(move, i / _STEPS)).css}; }}"
        for i in range(_STEPS + 1)
    )
    seconds = max(shot.duration, 0.5)
    # Only numbers and our own data: URI go into the markup; the frame is a background, so its box
    # keeps the frame's shape and the transform moves the picture as the player's does.
    st.html(
        "<style>@keyframes sb-move {"
        + frames
        + "} .sb-move-box { overflow: hidden; max-width: 320px; border-radius: 4px; }"
        + " .sb-move-pic { width: 100%; height: 100%; background-size: 100% 100%;"
        + f" transform-origin: 0 0; animation: sb-move {seconds}s linear infinite; }}</style>"
        + f'<div class="sb-move-box" data-testid="camera-preview" style="aspect-ratio: {ratio}">'
        + f'<div class="sb-move-pic" style="background-image: url({image})"></div></div>'
    )


def shot_sound_editor(sel: Selection, shot: Shot) -> None:
    """The shot's own sound: what it is, a remove button, or a form to add one."""
    assert sel.project is not None
    project, seq_id, shot_id = sel.project, sel.seq_id, shot.id
    st.markdown("**Sound of the shot** (a line, an effect)")
    if shot.sound is not None:
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.markdown(sound_line(shot.sound))
        if right.button("Remove", key=f"shot_sound_remove:{shot_id}"):
            with reported():
                clear_shot_sound(editor_store(), project, seq_id, shot_id)
                flash("Sound taken off the shot (its file stays in audio/)")
                st.rerun()

    def save(file: BinaryIO, name: str, start: float, gain: float) -> str:
        set_shot_sound(
            editor_store(), project, seq_id, shot_id, file, name=name, start=start, gain_db=gain
        )
        return f"Sound {name} added to the shot"

    sound_form(
        f"shot_sound:{shot_id}",
        label="Replace the sound" if shot.sound else "Upload a sound",
        start_help="Seconds after the shot starts; it stops at the cut.",
        save=save,
    )
