"""The shot editor's parts: field specs, widgets that remember drafts, conflicts, frame, save."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import streamlit as st

from storyboard_core import (
    CAMERA_MOVEMENTS,
    SHOT_STATUSES,
    SHOT_TYPES,
    ConflictError,
    InvalidDataError,
    NotFoundError,
    Shot,
    StoryboardError,
    WriteError,
)
from storyboard_core.comfyui.catalog import Catalog
from storyboard_core.comfyui.workflows import BUILTIN
from storyboard_core.paths import check_shot_id
from storyboard_core.types import LOOSE
from ui.components.messages import dead_end, not_saved, readable, reported
from ui.components.render_jobs import live_job
from ui.frame import drafts
from ui.frame.errors import guarded
from ui.frame.registry import DASHBOARD, SEQUENCE
from ui.frame.services import editor_store, renderer, shot_context, store
from ui.frame.state import SAVED_AT, Selection, flash, go
from ui.frame.text import md

from . import looks, takes


@dataclass(frozen=True)
class FieldSpec:
    """One editable field: its dotted name, label and kind of widget."""

    name: str
    label: str
    kind: str  # "text", "area", "int", "float", "seed", "choice" or "workflow"
    options: tuple[str, ...] = ()


STORY_FIELDS = (
    FieldSpec("title", "Title", "text"),
    FieldSpec("description", "Description", "area"),
    FieldSpec("prompt", "Prompt", "area"),
    FieldSpec("negative_prompt", "Negative prompt", "area"),
    FieldSpec("notes", "Notes", "area"),
)
SHOT_FIELDS = (
    FieldSpec("duration", "Duration (s)", "float"),
    FieldSpec("shot_type", "Shot type", "choice", SHOT_TYPES),
    FieldSpec("camera_movement", "Camera movement", "choice", CAMERA_MOVEMENTS),
    FieldSpec("status", "Status", "choice", SHOT_STATUSES),
)
# Drawn by the sound part of the editor (``sound.py``), saved with the other fields.
DIALOGUE_FIELDS = (
    FieldSpec("dialogue", "Dialogue (captions)", "area"),
    FieldSpec("speaker", "Speaker", "text"),
)
# In pairs, as the editor draws them side by side.
GENERATION_FIELDS = (
    FieldSpec("generation.checkpoint", "Checkpoint", "text"),
    FieldSpec("generation.workflow", "Workflow", "workflow"),
    FieldSpec("generation.steps", "Steps", "int"),
    FieldSpec("generation.cfg_scale", "CFG scale", "float"),
    FieldSpec("generation.sampler", "Sampler", "text"),
    FieldSpec("generation.scheduler", "Scheduler", "text"),
    FieldSpec("generation.width", "Width", "int"),
    FieldSpec("generation.height", "Height", "int"),
    FieldSpec("generation.seed", "Seed", "seed"),
    FieldSpec("generation.denoise", "Denoise", "float"),
)
SAVE_FIRST = "Save your edits first: a render uses the saved shot."
ALL_FIELDS = STORY_FIELDS + SHOT_FIELDS + DIALOGUE_FIELDS + GENERATION_FIELDS
#: Fields whose choices come from the active ComfyUI server, when it is online.
CATALOG_FIELDS = {
    "generation.checkpoint": "checkpoints",
    "generation.sampler": "samplers",
    "generation.scheduler": "schedulers",
}


def generation_fields(
    shot: Shot, catalog: Catalog | None, workflows: tuple[str, ...]
) -> list[FieldSpec]:
    """The generation fields, offering the server's checkpoints, samplers and schedulers when known."""
    fields = []
    for spec in GENERATION_FIELDS:
        if spec.name in CATALOG_FIELDS and catalog is not None and catalog.ok:
            offered = tuple(getattr(catalog, CATALOG_FIELDS[spec.name]))
            current = drafts.get_dotted(shot.model_dump(mode="json"), spec.name)
            if offered:
                # Keep the shot's own value selectable even if this server lacks it.
                extra = (current,) if current and current not in offered else ()
                spec = FieldSpec(spec.name, spec.label, "choice", (*extra, *offered))
        elif spec.kind == "workflow":
            spec = FieldSpec(spec.name, spec.label, "workflow", (BUILTIN, *workflows))
        fields.append(spec)
    return fields


def widget_key(prefix: str, spec: FieldSpec) -> str:
    """A widget's key; a field drawn as a server-offered choice gets its own (another widget type)."""
    if spec.name in CATALOG_FIELDS and spec.kind == "choice":
        return f"{prefix}{spec.name}:choice"
    return prefix + spec.name


def to_widget(spec: FieldSpec, value: Any) -> Any:
    """A shot value as its widget holds it (a seed is typed as text: it can exceed 2^53)."""
    if spec.kind == "seed":
        return str(value)
    if spec.kind == "workflow":
        return value or BUILTIN
    if spec.kind == "choice" and value not in spec.options:
        return spec.options[0] if spec.options else None
    return value


def from_widget(spec: FieldSpec, value: Any) -> Any:
    """A widget's value as the shot field takes it; text that is not a number is kept for validation."""
    if spec.kind == "seed":
        text = str(value).strip()
        try:
            return int(text)
        except ValueError:
            return text
    if spec.kind == "workflow":
        return "" if value == BUILTIN else value
    return value


def load(sel: Selection) -> tuple[Shot, list[Shot]]:
    """The shot in the URL and its neighbours; a dead end with a way back when it does not exist."""
    if sel.project and sel.seq and not sel.shot:
        # A sequence but no shot: show that sequence to choose from. (This is also where a click on
        # "Back to the sequence" lands when it races a text field committing its value on blur:
        # Streamlit then reruns this page with the link's URL.)
        if sel.seq == LOOSE:
            go(DASHBOARD, project=sel.project)
        go(SEQUENCE, project=sel.project, seq=sel.seq)
    if not (sel.project and sel.seq and sel.shot):
        dead_end("Choose a shot from a sequence first.")
    with readable(
        "This shot's file cannot be read, so it cannot be edited until fixed",
        back=SEQUENCE,
        label="Back to the sequence",
        project=sel.project,
        seq=sel.seq,
    ):
        check_shot_id(sel.shot)
        shots = store().read_shots(sel.project, sel.seq_id)  # one parse of the file per rerun
        shot = next((s for s in shots if s.id == sel.shot), None)
        if shot is None:
            raise NotFoundError(f"no shot {sel.shot} in {sel.project}/{sel.seq}")
    return shot, shots


def field_widget(
    spec: FieldSpec,
    *,
    key: str,
    dkey: str,
    shot: Shot,
    error: str | None,
    then: Callable[[], None] | None = None,
) -> None:
    """One field's widget, seeded from the draft (or the file) and remembered on every change.

    ``then`` runs after a change is remembered (a generation setting becoming the shot's own).
    """
    if key not in st.session_state:
        draft = drafts.get(dkey)
        current = drafts.get_dotted(shot.model_dump(mode="json"), spec.name)
        value = draft.values.get(spec.name, current) if draft else current
        st.session_state[key] = to_widget(spec, value)

    def changed() -> None:
        value = from_widget(spec, st.session_state[key])
        draft = drafts.get(dkey)
        before = drafts.get_dotted(shot.model_dump(mode="json"), spec.name)
        if value == (draft.values.get(spec.name, before) if draft else before):
            # A redraw (after a render, a save, or a choice that changed another field's options)
            # can report a widget as changed to the value it already had: that is no edit, and
            # must neither start a draft nor claim the setting as the shot's own.
            return
        drafts.remember(dkey, shot, spec.name, value)
        if then is not None:
            then()

    with drafts.watched(dkey, key, changed) as on_change:
        _draw(spec, st.session_state[key], {"key": key, "on_change": on_change})
    if error:
        st.error(md(error), icon="⛔")


def _draw(spec: FieldSpec, value: Any, common: dict[str, Any]) -> None:
    """The widget for one field's kind (``common``: its key and change handler).

    ``value`` is what the field holds, given as the widget's default on every run, not only in the
    run that seeds it: a browser that draws the widget anew (the seeding run was cut short by the
    next request before its element went out) draws the default, and reports it as a change. An
    empty default there was saved over the shot's own settings on a busy machine.
    """
    if spec.kind == "area":
        height = 120 if "prompt" in spec.name else 80
        st.text_area(spec.label, value=value, height=height, **common)
    elif spec.kind in ("text", "seed"):
        help_text = "-1 picks a random seed at render time" if spec.kind == "seed" else None
        st.text_input(spec.label, value=value, help=help_text, **common)
    elif spec.kind == "int":
        step = 8 if spec.name.endswith(("width", "height")) else 1
        st.number_input(spec.label, value=_number(value, int), step=step, **common)
    elif spec.kind == "float":
        st.number_input(spec.label, value=_number(value, float), step=0.1, format="%.2f", **common)
    else:
        index = spec.options.index(value) if value in spec.options else None
        st.selectbox(spec.label, spec.options, index=index, **common)


def _number(value: Any, kind: type[int] | type[float]) -> int | float | None:
    """A number widget's default: of the widget's own type (Streamlit refuses a mix), or none."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return kind(value)
    return None


def conflict_panel(sel: Selection, dkey: str, draft: drafts.Draft, theirs: Shot) -> None:
    """Both versions of a shot that changed on disk during the edit, and the choice between them."""
    assert sel.project and sel.shot
    theirs_data = theirs.model_dump(mode="json")
    st.warning(
        "This shot was changed elsewhere (another tab, another person or an editor) since you began "
        "editing it. Nothing has been overwritten: choose which version to keep.",
        icon="⚠️",
    )
    rows = []
    for spec in ALL_FIELDS:
        mine = draft.values.get(spec.name, drafts.get_dotted(draft.base, spec.name))
        other = drafts.get_dotted(theirs_data, spec.name)
        if mine != other:
            # st.table parses Markdown in its cells.
            rows.append(
                {"Field": spec.label, "Your version": md(str(mine)), "On disk now": md(str(other))}
            )
    if rows:
        st.table(rows)
    project, seq_id, shot_id = sel.project, sel.seq_id, sel.shot

    @guarded
    def keep_mine() -> None:
        try:
            editor_store().update_shot(
                project, seq_id, shot_id, draft.patch(), base_updated_at=theirs_data["updated_at"]
            )
        except StoryboardError as exc:
            drafts.set_errors(dkey, _errors_of(exc))
        else:
            drafts.discard(dkey)
            flash("Saved your version")

    def take_theirs() -> None:
        drafts.discard(dkey)
        flash("Took the version on disk")

    c1, c2, _ = st.columns([1, 1, 3])
    c1.button("Keep mine", on_click=keep_mine, type="primary", key="conflict_keep_mine")
    c2.button("Take theirs", on_click=take_theirs, key="conflict_take_theirs")


def frame_section(sel: Selection, shot: Shot, *, unsaved: bool) -> None:
    """The shot's frame, its render job, an upload of one's own, and its takes to compare and pick."""
    assert sel.project and sel.shot
    project, seq_id, shot_id = sel.project, sel.seq_id, sel.shot
    project_dir = store().project_dir(project)
    with st.expander("Frame", expanded=True):
        image, controls = st.columns([3, 2])
        with image:
            takes.current_frame(project_dir, shot, shot_context(project, seq_id))
        with controls:
            if st.button(
                "Render",
                key="shot_render",
                type="primary",
                disabled=unsaved,
                # Always a help (a button gains a wrapper with its first one): the same element
                # before and after a Save, so a click as it lands is not lost (see pages/shot.py).
                help=SAVE_FIRST if unsaved else "Render the saved shot on ComfyUI",
            ):
                if drafts.unsaved(drafts.draft_key(project, sel.seq or "", shot_id)):
                    # The form is a fragment of its own: an edit made since this panel was drawn
                    # did not redraw the button, so the rule is checked again at the click.
                    st.warning(SAVE_FIRST)
                else:
                    with reported():
                        renderer().submit(project, seq_id, shot_id)
            live_job(project, seq_id, shot_id)
            takes.upload_box(sel, shot)
            looks.shot_reference(sel, shot, project_dir)
        takes.takes_section(sel, shot, project_dir)


def _errors_of(exc: StoryboardError) -> dict[str, str]:
    if isinstance(exc, InvalidDataError):
        return exc.by_field()
    if isinstance(exc, WriteError):
        return {"": not_saved(exc, "edits")}
    return {"": str(exc)}


@guarded
def save(sel: Selection, dkey: str) -> None:
    """Save the draft (a Save click); a clash with a change made elsewhere shows both versions."""
    assert sel.project and sel.shot
    drafts.take_in_all(dkey)  # Save writes what the form shows, even a change whose event was lost
    current = drafts.get(dkey)
    if current is None or not current.changed():
        flash("Nothing to save")
        return
    project, seq_id, shot_id = sel.project, sel.seq_id, sel.shot
    try:
        try:
            editor_store().update_shot(
                project,
                seq_id,
                shot_id,
                current.patch(),
                base_updated_at=current.base["updated_at"],
            )
        except ConflictError as exc:
            if drafts.clashes(current, exc.theirs):
                raise
            # The other change touched only fields this edit leaves alone: save on top of it.
            editor_store().update_shot(
                project,
                seq_id,
                shot_id,
                current.patch(),
                base_updated_at=exc.theirs["updated_at"],
            )
    except ConflictError:
        drafts.set_errors(dkey, {})  # the conflict panel shows both versions on the rerun
    except StoryboardError as exc:
        drafts.set_errors(dkey, _errors_of(exc))
    else:
        drafts.discard(dkey)
        count = st.session_state.get(SAVED_AT, {}).get(dkey, (0, ""))[0] + 1
        when = f"{datetime.now():%H:%M:%S}"
        st.session_state.setdefault(SAVED_AT, {})[dkey] = (count, when)
        # Each Save's toast says something new: the browser drops a toast identical to one still
        # on screen at the same place (Streamlit's Toast compares body, icon and timeout), so a
        # second plain "Saved" within 4 s of the first showed nothing (issue 18).
        flash(f"Saved at {when} (save {count})")


def saved_line(dkey: str) -> None:
    """An inline "Saved at hh:mm:ss" under the heading after a Save, beside the toast.

    It stays until the next edit, and numbers the saves: unlike a toast, it cannot be missed.
    """
    count, when = st.session_state.get(SAVED_AT, {}).get(dkey, (0, ""))
    if count:
        st.caption(f"✅ Saved at {when} (save {count} of this shot in this session)")


def revert(dkey: str) -> None:
    """Forget the draft (a Revert click)."""
    drafts.discard(dkey)
    flash("Reverted to the saved version")
