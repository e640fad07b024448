"""Sound files in the app: a form to upload one with its start and gain, and a sound as a line of text.

The core checks every file by decoding it (``storyboard_core.audio``); a refusal (not audio,
damaged, over 200 MB, placed past the end) is shown as the core words it, and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

import streamlit as st

from storyboard_core.audio import MAX_AUDIO_BYTES
from storyboard_core.models import Sound
from ui.components.messages import reported
from ui.frame.state import flash
from ui.frame.text import md

#: What the uploader offers; the core decides by decoding, whatever the name says.
SOUND_TYPES = ["wav", "mp3", "ogg", "opus", "flac", "m4a", "aac"]

#: ``save(file, name, start, gain_db)`` records the sound and returns what to tell the person.
SaveSound = Callable[[BinaryIO, str, float, float], str]


def sound_form(key: str, *, label: str, start_help: str, save: SaveSound) -> None:
    """An upload form for one sound: the file, where it starts, its gain; ``save`` records it."""
    with st.form(key, clear_on_submit=True, border=False):
        upload = st.file_uploader(
            label,
            type=SOUND_TYPES,
            key=f"{key}_file",
            help=f"WAV, MP3, OGG/Opus, FLAC or M4A, up to {MAX_AUDIO_BYTES // 2**20} MB.",
        )
        left, right = st.columns(2)
        start = left.number_input(
            "Starts at (s)", min_value=0.0, step=0.5, key=f"{key}_start", help=start_help
        )
        gain = right.number_input(
            "Gain (dB)", min_value=-60.0, max_value=24.0, step=1.0, key=f"{key}_gain"
        )
        if st.form_submit_button("Add the sound") and upload is not None:
            with reported():
                flash(save(upload, upload.name, float(start), float(gain)))
                st.rerun()


def sound_line(sound: Sound) -> str:
    """A sound as the app lists it (Markdown-safe): its file, length, start and gain."""
    gain = f" · {sound.gain_db:+g} dB" if sound.gain_db else ""
    return f"🔊 {md(sound.file)} · {sound.duration:.1f} s · from {sound.start:g} s{gain}"
