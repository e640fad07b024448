"""The sequence page's sound: the project's and the sequence's soundtracks (add, move, set the gain,
remove) and the waveform of what plays under the sequence, with its cuts.

Every change goes through the core (``storyboard_core.audio``), which checks the file by decoding
it and refuses a start past the end naming the field; the message is shown and nothing changes.
The waveform's levels are computed once per version of the files they come from.
"""

from __future__ import annotations

from typing import BinaryIO

import streamlit as st

from storyboard_core.audio import add_soundtrack, remove_soundtrack, update_soundtrack
from storyboard_core.models import Shot, Sound
from ui.components.messages import reported
from ui.components.sound_files import sound_form, sound_line
from ui.components.waveform import BUCKETS, waveform
from ui.frame.services import access, editor_store, sequence_peaks, store
from ui.frame.state import Selection, flash


def soundtracks_section(sel: Selection, shots: list[Shot]) -> None:
    """The waveform under the storyboard, then the soundtracks of the project and the sequence."""
    assert sel.project is not None and sel.seq is not None
    project, seq_id = sel.project, sel.seq_id
    heard = sequence_peaks(project, sel.seq, BUCKETS)
    if heard is not None:
        levels, cuts, duration = heard
        waveform(levels, cuts, duration)
    if not access().is_editor:
        return  # a reviewer hears and sees the sound; only an editor places it
    meta = store().read_project(project)
    own = store().read_sequence(project, seq_id).soundtracks if seq_id is not None else []
    count = len(meta.soundtracks) + len(own)
    with st.expander(f"🎵 Soundtracks ({count})", expanded=False):
        st.markdown("**Under the whole project** (placed on the sequences end to end)")
        _soundtracks(project, None, meta.soundtracks)
        if seq_id is not None:
            st.markdown("**Under this sequence only**")
            _soundtracks(project, seq_id, own)


def _soundtracks(project: str, seq_id: str | None, sounds: list[Sound]) -> None:
    where = seq_id or "project"
    for i, sound in enumerate(sounds):
        key = f"soundtrack:{where}:{i}:{sound.file}"
        line, start, gain, remove = st.columns([4, 2, 2, 1], vertical_alignment="bottom")
        line.markdown(sound_line(sound))
        new_start = start.number_input(
            "Start (s)", min_value=0.0, value=float(sound.start), step=0.5, key=f"{key}:start"
        )
        new_gain = gain.number_input(
            "Gain (dB)", -60.0, 24.0, float(sound.gain_db), 1.0, key=f"{key}:gain"
        )
        if (new_start, new_gain) != (sound.start, sound.gain_db):
            with reported():
                update_soundtrack(
                    editor_store(), project, i, seq_id=seq_id, start=new_start, gain_db=new_gain
                )
                st.rerun()
        if remove.button("Remove", key=f"{key}:remove"):
            with reported():
                remove_soundtrack(editor_store(), project, i, seq_id=seq_id)
                flash(f"Soundtrack {i + 1} removed (its file stays in audio/)")
                st.rerun()

    def save(file: BinaryIO, name: str, start: float, gain: float) -> str:
        add_soundtrack(
            editor_store(), project, file, name=name, seq_id=seq_id, start=start, gain_db=gain
        )
        return f"Soundtrack {name} added"

    sound_form(
        f"soundtrack_add:{where}",
        label="Add a soundtrack",
        start_help=(
            "Seconds on the project's timeline (its sequences end to end)"
            if seq_id is None
            else "Seconds after the sequence starts"
        ),
        save=save,
    )
