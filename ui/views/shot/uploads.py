"""One image uploader for the shot editor (takes, references): the core checks the file, a refusal is
shown under the uploader, and after an upload a fresh, empty uploader replaces the used one."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from storyboard_core import StoryboardError
from storyboard_core.media.images import MAX_IMAGE_BYTES
from ui.frame.state import flash
from ui.frame.text import md

_KEPT_UPLOADS = "kept_upload_ids"  # the uploaded files already saved in this browser session


def image_uploader(
    label: str,
    *,
    key: str,
    slot: str,
    rounds_key: str,
    errors_key: str,
    save: Callable[[bytes, str], str],
    help: str,
) -> None:
    """An uploader keyed ``<key>:<slot>:<round>``; ``save(data, file name)`` returns the toast
    (plain text).

    ``slot`` is what the upload is for (a shot id); ``rounds_key`` and ``errors_key`` are the
    session-state maps of its uploader round and last refusal, by slot.
    """
    rounds: dict[str, int] = st.session_state.setdefault(rounds_key, {})
    widget = f"{key}:{slot}:{rounds.get(slot, 0)}"

    def add() -> None:
        uploaded = st.session_state.get(widget)
        if not isinstance(uploaded, UploadedFile):  # the file was removed from the uploader
            return
        # Streamlit calls a callback again when the run it started is cut short by another run
        # (a busy machine, a timed fragment): the same file must not become a second take.
        kept: set[str] = st.session_state.setdefault(_KEPT_UPLOADS, set())
        if uploaded.file_id in kept:
            return
        kept.add(uploaded.file_id)
        errors: dict[str, str] = st.session_state.setdefault(errors_key, {})
        try:
            message = save(uploaded.getvalue(), uploaded.name)
        except StoryboardError as exc:
            errors[slot] = str(exc)
        else:
            errors.pop(slot, None)
            rounds[slot] = rounds.get(slot, 0) + 1  # a fresh, empty uploader
            flash(message)

    st.file_uploader(
        label,
        key=widget,
        on_change=add,
        # The browser refuses a bigger file before sending it; the core checks again regardless.
        max_upload_size=MAX_IMAGE_BYTES // 2**20,
        help=help,
    )
    error = st.session_state.get(errors_key, {}).get(slot)
    if error:
        st.error(md(error), icon="⛔")
