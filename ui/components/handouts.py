"""The hand-outs section of the dashboard and the sequence page: choose a format, build it, download it.

A hand-out is built only when its button is pressed (a PDF or a video takes seconds), with a progress
bar fed by the core's progress callback; the built file waits in the session for its download button
until the choice changes.
"""

from __future__ import annotations

import warnings
from typing import Any

import streamlit as st

from storyboard_core import Shot, StoryboardError
from storyboard_core.exports import (
    EXPORT_FORMATS,
    LAYOUTS,
    ORIENTATIONS,
    PAPERS,
    TEXT_FIELDS,
    ExportOptions,
    ExportWarning,
    export_bytes,
)
from storyboard_core.exports.player_file import size_warning
from ui.frame.services import store
from ui.frame.state import HANDOUT
from ui.frame.text import md

FIELD_LABELS = {
    "title": "Number and title",
    "prompt": "Prompt",
    "notes": "Notes",
    "dialogue": "Dialogue",
    "duration": "Duration",
    "status": "Status",
    "comments": "Open comments",
}
DEFAULTS = ExportOptions()


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{max(1, round(n / 1e3))} kB"


def _options(fmt_options: tuple[str, ...], key: str) -> dict[str, Any]:
    """The widgets of the options this format reads, and their values."""
    values: dict[str, Any] = {}
    if "layout" in fmt_options:
        c = st.columns(3)
        values["layout"] = c[0].selectbox(
            "Frames per page",
            LAYOUTS,
            index=LAYOUTS.index(DEFAULTS.layout),
            format_func=lambda v: (
                "1 per page, all its text" if v == "1x1" else v.replace("x", " × ")
            ),
            key=f"{key}_layout",
        )
        values["paper"] = c[1].selectbox("Paper", PAPERS, format_func=str.upper, key=f"{key}_paper")
        values["orientation"] = c[2].selectbox(
            "Orientation", ORIENTATIONS, format_func=str.capitalize, key=f"{key}_orientation"
        )
    if "fields" in fmt_options:
        values["fields"] = st.multiselect(
            "Text under each frame",
            TEXT_FIELDS,
            default=list(DEFAULTS.fields),
            format_func=FIELD_LABELS.__getitem__,
            key=f"{key}_fields",
        )
    if "fps" in fmt_options:
        left, right = st.columns(2)
        values["fps"] = int(
            left.number_input(
                "Frames per second",
                min_value=1,
                max_value=120,
                value=DEFAULTS.fps,
                key=f"{key}_fps",
            )
        )
        if "burn_in" in fmt_options:
            values["burn_in"] = right.checkbox(
                "Burn in shot number, title and timecode",
                value=DEFAULTS.burn_in,
                key=f"{key}_burn_in",
            )
        if "burn_captions" in fmt_options:
            values["burn_captions"] = right.checkbox(
                "Burn in the dialogue (it is a subtitle track anyway)",
                value=DEFAULTS.burn_captions,
                key=f"{key}_burn_captions",
            )
    return values


def handouts(
    project: str,
    *,
    name: str,
    key: str,
    sequences: dict[str, str] | None = None,
    sequence: str | None = None,
    shots: list[Shot] | None = None,
) -> None:
    """The section: format, its options, a Build button, then the Download button of what was built.

    On the dashboard ``sequences`` (id -> label) lets the person pick sequences (none: the whole
    project); on the sequence page ``sequence`` is the one exported and ``shots`` its shots, of which
    some may be picked. ``name`` is the file's name without its suffix.
    """
    section = st.expander(
        "📤 Hand-outs: PDF storyboard, animatic, editor's timeline",
        key=f"{key}_open",
        on_change="rerun",  # built only while open: a closed expander still runs its body
    )
    if not section.open:
        return
    with section:
        format_id = st.selectbox(
            "Format",
            list(EXPORT_FORMATS),
            format_func=lambda f: EXPORT_FORMATS[f].label,
            key=f"{key}_format",
        )
        fmt = EXPORT_FORMATS[format_id]
        values = _options(fmt.options, key)
        chosen_sequences = [sequence] if sequence else []
        if sequences:
            chosen_sequences = st.multiselect(
                "Only these sequences (none chosen: the whole project)",
                list(sequences),
                format_func=sequences.__getitem__,  # options show text literally
                key=f"{key}_sequences",
            )
        chosen: list[str] = []
        if shots:
            labels = {s.id: f"{s.position}. {s.title or s.id}" for s in shots}
            chosen = st.multiselect(
                "Only these shots (none chosen: all of them)",
                list(labels),
                format_func=labels.__getitem__,
                key=f"{key}_shots",
            )
        wish = (
            project,
            tuple(chosen_sequences),
            format_id,
            tuple(chosen),
            repr(sorted(values.items())),
        )
        if st.button(f"Build the {fmt.label}", key=f"{key}_build"):
            bar = st.progress(0.0, text="Gathering the shots…")

            def progress(fraction: float, message: str) -> None:
                bar.progress(min(1.0, fraction), text=md(message))

            try:
                with warnings.catch_warnings(record=True) as left_out:
                    warnings.simplefilter("always", ExportWarning)
                    data = export_bytes(
                        store(),
                        project,
                        format_id,
                        sequences=chosen_sequences,
                        shots=chosen,
                        options=ExportOptions.parse(**values),
                        progress=progress,
                    )
                for warning in left_out:  # made without it (a sound file deleted by hand…)
                    st.warning(md(str(warning.message)))
            except StoryboardError as exc:
                st.error(md(str(exc)))  # the message quotes names and texts from files
            else:
                st.session_state[HANDOUT] = {key: (wish, data)}
            bar.empty()
        built = st.session_state.get(HANDOUT, {}).get(key)
        if built is not None and built[0] == wish:
            st.download_button(
                f"⬇️ Download {fmt.suffix[1:].upper()} ({_size(len(built[1]))})",
                built[1],
                file_name=f"{name}{fmt.suffix}",
                mime=fmt.mime,
                key=f"{key}_download",
                on_click="ignore",
            )
            if too_big := size_warning(len(built[1])):
                st.warning(too_big)
