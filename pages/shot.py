"""Shot editor: every field of one shot, with Save, Revert, conflict handling and unsaved-edit memory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from storyboard_core import Shot
from storyboard_core.types import LOOSE
from ui.components.comments import comment_thread
from ui.components.history import shot_history
from ui.frame import drafts
from ui.frame.registry import DASHBOARD, PRESENT, SEQUENCE
from ui.frame.services import access, active_catalog, shot_context, workflows
from ui.frame.sidebar import unsaved_note
from ui.frame.state import Selection, link, move, require_frame, selection, show_flash
from ui.frame.text import md
from ui.views.shot.editor import (
    SHOT_FIELDS,
    STORY_FIELDS,
    FieldSpec,
    conflict_panel,
    field_widget,
    frame_section,
    generation_fields,
    load,
    revert,
    save,
    saved_line,
    widget_key,
)
from ui.views.shot.looks import claim, draft_effective, expanded_prompt, own_widget, source_caption
from ui.views.shot.readonly import shot_readonly
from ui.views.shot.sound import sound_section

require_frame()


def main() -> None:
    """Draw the editor for the shot in the URL (a reviewer: the shot, read-only).

    The frame panel is a fragment: a render or a pick reruns only it. The form writes its Save/Revert, heading and notices into places this run made for them.
    """
    sel = selection()
    shot, shots = load(sel)
    if not access().is_editor:
        shot_readonly(sel, shot, shots)
        return
    assert sel.project and sel.seq and sel.shot
    dkey = drafts.draft_key(sel.project, sel.seq, sel.shot)
    index = shots.index(shot)

    # Save and Revert stay at the top, in reach whatever the length of the form.
    top = st.columns([2, 1, 1, 1.4, 1.2, 1.1], vertical_alignment="center")
    with top[0]:
        if sel.seq == LOOSE:
            link(DASHBOARD, "Back to the project", icon="⬅️", project=sel.project)
        else:
            link(SEQUENCE, "Back to the sequence", icon="⬅️", project=sel.project, seq=sel.seq)
    # Known before the run: a callback moves the URL, and the click's own run draws that shot.
    for column, label, key, step in (
        (top[3], "Previous shot", "prev_shot", -1),
        (top[4], "Next shot", "next_shot", 1),
    ):
        there = index + step
        column.button(
            label,
            key=key,
            disabled=not 0 <= there < len(shots),
            on_click=move,
            kwargs={"project": sel.project, "seq": sel.seq, "shot": shots[there % len(shots)].id},
        )
    with top[5]:
        link(PRESENT, "Present", icon="▶️", project=sel.project, seq=sel.seq, shot=sel.shot)
    places = FormPlaces(save=top[1], revert=top[2], head=st.container(), notices=st.container())
    frame_panel(sel, dkey)
    comments_panel(sel, dkey)
    shot_form(sel, dkey, places)
    st.subheader("History")
    shot_history(sel, shot, unsaved=drafts.unsaved(dkey))


@dataclass(frozen=True)
class FormPlaces:
    """Where the form's fragment draws outside its own body (made by the full run)."""

    save: Any
    revert: Any
    head: Any
    notices: Any


@st.fragment
def frame_panel(sel: Selection, dkey: str) -> None:
    """The frame, its render job and takes: a render or a pick reruns only this."""
    show_flash()
    shot, _ = load(sel)
    frame_section(sel, shot, unsaved=drafts.unsaved(dkey))


def comments_panel(sel: Selection, dkey: str) -> None:
    """The comment thread. Not a fragment: an Approve or a Retake changes the shot's status, which
    the form shows (tests/e2e/test_review.py)."""
    shot, _ = load(sel)
    with st.expander(f"💬 Comments ({len(shot.comments)})", expanded=True):
        comment_thread(sel, shot, key_prefix=f"editor:{dkey}")


def shot_form(sel: Selection, dkey: str, places: FormPlaces) -> None:
    """Save, Revert, the heading, the notices and every field.

    Not a fragment (yet): as one, a field committed on blur by a click on "Back to the sequence"
    lost its edit (the fragment's rerun and the page change race; tests/e2e/test_app.py
    ``test_unsaved_edits_survive_moving_between_pages``). It already draws into places the full
    run made, so that it can become a fragment again once that race is handled.
    """
    show_flash()
    shot, _ = load(sel)  # a Save changed the file: read it again
    draft = drafts.get(dkey)
    errors = drafts.errors(dkey)
    places.save.button(
        "Save",
        # One look whatever the draft: a button drawn in another type is a new element, and a
        # click whose press blurred an edited field (whose run redraws the page) would be lost
        # between its press on the old button and its release on the new one.
        type="primary",
        on_click=save,
        args=(sel, dkey),
        key="shot_save",
    )
    places.revert.button(
        "Revert", on_click=revert, args=(dkey,), key="shot_revert", disabled=draft is None
    )
    with places.head:
        st.title(f"#{shot.position} {md(shot.title or shot.id)}")
        st.caption(f"Shot {md(shot.id)} · last saved {shot.updated_at:%Y-%m-%d %H:%M:%S} UTC")
    with places.notices.container():  # a write on every run, even with nothing to say
        notices(sel, dkey, draft, shot, errors)
    unsaved_note()  # the sidebar's count, drawn after the form's callbacks have run

    prefix = f"shot:{dkey}:{drafts.edit_round(dkey)}:"
    made = draft_effective(shot, dkey, shot_context(sel.project, sel.seq_id))

    def draw(spec: FieldSpec, *, setting: bool = False) -> None:
        field_widget(
            spec,
            key=widget_key(prefix, spec),
            dkey=dkey,
            shot=shot,
            error=errors.get(spec.name),
            then=(lambda: claim(shot, dkey, prefix, spec.name)) if setting else None,
        )

    left, right = st.columns([3, 2])
    with left:
        for spec in STORY_FIELDS:
            draw(spec)
            if spec.name == "prompt":
                expanded_prompt(made)
    with right:
        for spec in SHOT_FIELDS:
            draw(spec)
        sound_section(sel, shot, draw)
        with st.expander("Generation settings", expanded=True):
            generation_settings(shot, dkey, prefix, made, draw)


def notices(
    sel: Selection, dkey: str, draft: drafts.Draft | None, shot: Shot, errors: dict[str, str]
) -> None:
    """The conflict panel, or what the draft's state is, and why the last Save failed."""
    theirs = shot.model_dump(mode="json")
    # Any difference counts, not only a new stamp: a file replaced by hand may keep the old one.
    if draft is not None and draft.base != theirs and draft.changed():
        if drafts.clashes(draft, theirs):
            conflict_panel(sel, dkey, draft, shot)
        else:
            # Changed elsewhere, but only in fields this edit leaves alone (a finished render, a
            # teammate's notes): keep the edit on top of that version, nothing is overwritten.
            drafts.rebase(dkey, draft, theirs)
            st.info(
                "This shot was also changed elsewhere, in fields you did not edit: the page shows "
                "that version with your unsaved edits on top.",
                icon="🔄",
            )
    elif drafts.unsaved(dkey):
        st.info("● Unsaved changes. Save writes them to the file; Revert discards them.", icon="✏️")
    else:
        drafts.follow(dkey, theirs)
        saved_line(dkey)
    if "" in errors:
        st.error(md(errors[""]), icon="⛔")
    elif errors:
        st.error("Nothing was saved: fix the fields marked below.", icon="⛔")


def generation_settings(
    shot: Shot, dkey: str, prefix: str, made: Any, draw: Callable[..., None]
) -> None:
    """The generation fields, offering what the active ComfyUI server has."""
    server_url, catalog = active_catalog()
    if catalog is not None and catalog.ok and not catalog.checkpoints:
        st.warning(f"The ComfyUI server at {md(server_url)} has no checkpoints installed.")
    found = workflows()
    for info in found:
        if info.error:
            st.caption(f"⚠️ Workflow file {md(info.path.name)} cannot be used: {md(info.error)}")
    names = tuple(w.name for w in found if w.ok)
    own_widget(shot, dkey, prefix)
    # Two columns: the settings pair up (steps/CFG, sampler/scheduler, width/height).
    columns = st.columns(2)
    for i, spec in enumerate(generation_fields(shot, catalog, names)):
        with columns[i % 2]:
            draw(spec, setting=True)
            source_caption(made, spec.name)


main()
