"""The shot editor's view of the bible and styles: the prompt as it will render (from the draft, live),
unknown mentions flagged, the settings the shot sets itself and where every other value comes from,
and the shot's own reference image."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from storyboard_core import STYLE_SETTINGS, Shot
from storyboard_core.bible.references import clear_shot_reference, set_shot_reference
from storyboard_core.bible.style import Effective, ShotContext, effective, own_settings
from ui.components.messages import reported
from ui.frame import drafts
from ui.frame.services import editor_store
from ui.frame.state import REFERENCE_ERROR, REFERENCE_ROUND, Selection
from ui.frame.text import md

from .uploads import image_uploader

SOURCE_LABELS = {
    "shot": "this shot's own value",
    "sequence": "from the sequence style",
    "project": "from the project style",
    "default": "the default",
}
OWN_FIELD = "own_settings"


def draft_effective(shot: Shot, dkey: str, context: ShotContext) -> Effective:
    """What the shot renders with if its draft is saved (texts and own settings as typed)."""
    draft = drafts.get(dkey)
    typed = draft.values if draft else {}
    changes: dict[str, Any] = {
        name: typed[name]
        for name in ("prompt", "negative_prompt", OWN_FIELD)
        if isinstance(typed.get(name), str | list)
    }
    return effective(shot.model_copy(update=changes), context)


def expanded_prompt(made: Effective) -> None:
    """The final prompt and negative prompt under the prompt, and what cannot be expanded."""
    if not made.ok:
        st.warning(md(f"Will not render: {made.problem_message()}."), icon="⚠️")
    st.caption("Renders as")
    st.code(made.prompt or " ", language=None, wrap_lines=True)
    if made.negative_prompt:
        st.caption("Negative prompt as rendered")
        st.code(made.negative_prompt, language=None, wrap_lines=True)


def own_key(prefix: str) -> str:
    """The key of the "settings this shot sets itself" widget."""
    return f"{prefix}{OWN_FIELD}"


def current_own(shot: Shot, dkey: str) -> list[str]:
    """The settings the shot sets itself, as drafted (or as saved)."""
    draft = drafts.get(dkey)
    if draft and isinstance(draft.values.get(OWN_FIELD), list):
        return list(draft.values[OWN_FIELD])
    return [s for s in STYLE_SETTINGS if s in own_settings(shot)]


def own_widget(shot: Shot, dkey: str, prefix: str) -> None:
    """Which settings the shot sets itself; the others come from the styles."""
    key = own_key(prefix)
    if key not in st.session_state:
        st.session_state[key] = current_own(shot, dkey)

    def changed() -> None:
        chosen = [s for s in STYLE_SETTINGS if s in st.session_state[key]]
        if chosen == current_own(shot, dkey):
            # A redraw can report a widget as changed to the value it had (as the fields do, see
            # editor.field_widget): no edit, so no draft (which would disable Render as unsaved).
            return
        drafts.remember(dkey, shot, OWN_FIELD, chosen)

    with drafts.watched(dkey, key, changed) as on_change:  # like the fields (editor.field_widget)
        st.multiselect(
            "Settings this shot sets itself",
            STYLE_SETTINGS,
            default=st.session_state[key],  # on every run, as the fields do (editor._draw)
            key=key,
            on_change=on_change,
            help="The others come from the sequence style, then the project style, then the "
            "defaults. Changing a value below makes it the shot's own.",
        )


def claim(shot: Shot, dkey: str, prefix: str, field: str) -> None:
    """Make ``generation.<field>`` the shot's own (its value was just changed in the editor)."""
    leaf = field.removeprefix("generation.")
    if leaf not in STYLE_SETTINGS:
        return
    own = current_own(shot, dkey)
    if leaf not in own:
        own = [s for s in STYLE_SETTINGS if s in {*own, leaf}]
        drafts.remember(dkey, shot, OWN_FIELD, own)
        st.session_state[own_key(prefix)] = own


def source_caption(made: Effective, field: str) -> None:
    """Under a setting's widget: the value it renders with and where that comes from."""
    leaf = field.removeprefix("generation.")
    source = made.sources.get(leaf)
    if source is None:
        return
    if source == "shot":
        st.caption(SOURCE_LABELS["shot"])
    else:
        value = made.generation.get(leaf)
        shown = "random" if leaf == "seed" and value == -1 else value
        st.caption(md(f"↳ renders with {shown}, {SOURCE_LABELS[source]}"))


def shot_reference(sel: Selection, shot: Shot, project_dir: Path) -> None:
    """The shot's own reference image (for workflows with ``{{reference_image}}``): show, add, remove."""
    assert sel.project
    project, seq_id, shot_id = sel.project, sel.seq_id, shot.id
    if shot.reference:
        path = project_dir / shot.reference
        if path.is_file():
            st.image(str(path), width=160, caption="Reference image of this shot")
        else:
            st.caption(md(f"missing file {shot.reference}"))
        if st.button("Remove the reference", key=f"reference_remove:{shot_id}"):
            with reported():
                clear_shot_reference(editor_store(), project, seq_id, shot_id)
                st.rerun()

    def save(data: bytes, name: str) -> str:
        set_shot_reference(editor_store(), project, seq_id, shot_id, data, name)
        return f"{name} is the shot's reference image"

    image_uploader(
        "Reference image of this shot",
        key="reference",
        slot=shot_id,
        rounds_key=REFERENCE_ROUND,
        errors_key=REFERENCE_ERROR,
        save=save,
        help="For workflows with {{reference_image}} when no entry the prompt mentions has one.",
    )
