"""The Bible page's parts: entries by kind (add, edit, rename with a preview, delete, references),
the project style and a sequence's override, and find and replace across the project."""

from __future__ import annotations

from typing import Any, NoReturn

import pandas as pd
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from storyboard_core import (
    BIBLE_KINDS,
    STYLE_SETTINGS,
    BibleEntry,
    InvalidDataError,
    Project,
    StoryboardError,
    Style,
)
from storyboard_core.bible.entries import (
    add_entry,
    add_reference,
    delete_entry,
    mentioned_in,
    remove_reference,
    rename_entry,
    rename_preview,
    update_entry,
)
from storyboard_core.bible.mentions import mention_of
from storyboard_core.bible.rewrite import TextChange, apply_changes, preview_changes, replacer
from storyboard_core.bible.style import update_style
from storyboard_core.media.images import MAX_IMAGE_BYTES
from ui.components.messages import reported
from ui.frame.services import editor_store, store
from ui.frame.state import BIBLE_CONFIRM_DELETE, BIBLE_RENAME, BIBLE_REPLACE, BIBLE_ROUND, flash
from ui.frame.text import md

KIND_LABELS = {"characters": "Characters", "places": "Places", "props": "Props", "styles": "Styles"}
SETTING_LABELS = {
    "checkpoint": "Checkpoint",
    "steps": "Steps",
    "cfg_scale": "CFG scale",
    "sampler": "Sampler",
    "scheduler": "Scheduler",
    "width": "Width",
    "height": "Height",
    "seed": "Seed lock",
}
NUMBER_SETTINGS = {"steps": 1, "cfg_scale": 0.5, "width": 8, "height": 8}


def changes_table(changes: list[TextChange]) -> pd.DataFrame:
    """A preview of text changes, one row per text (a table does not parse Markdown)."""
    return pd.DataFrame(
        [
            {
                "File": c.file,
                "Where": c.where,
                "Field": c.field,
                "Before": c.before,
                "After": c.after,
            }
            for c in changes
        ],
        columns=["File", "Where", "Field", "Before", "After"],
    )


def _round() -> int:
    return int(st.session_state.get(BIBLE_ROUND, 0))


def _done(message: str | None = None) -> NoReturn:
    """After a change: fresh widgets (keyed by the round, they show the file again), a toast
    (``message`` is plain text), a rerun."""
    st.session_state[BIBLE_ROUND] = _round() + 1
    if message:
        flash(message)
    st.rerun()


# -- entries -----------------------------------------------------------------------------------------


def add_form(project: str) -> None:
    """A form that adds an entry of any kind."""
    with st.expander("➕ Add an entry"), st.form(f"bible_add:{_round()}"):
        kind = st.selectbox("Kind", BIBLE_KINDS, format_func=lambda k: KIND_LABELS[k])
        name = st.text_input("Name", help="Prompts mention it as @Name, or @[Two Words]")
        description = st.text_area("Description", help="What @Name becomes in a prompt")
        negative = st.text_input("Negative additions", help="Added to the negative prompt")
        if st.form_submit_button("Add"):
            try:
                entry = add_entry(editor_store(), project, kind, name, description, negative)
            except StoryboardError as exc:
                st.error(md(str(exc)), icon="⛔")
            else:
                _done(f"Added {mention_of(entry.name)}")


def entries_section(project: str, meta: Project) -> None:
    """The entries, a tab per kind."""
    tabs = st.tabs([f"{KIND_LABELS[k]} ({len(getattr(meta.bible, k))})" for k in BIBLE_KINDS])
    for kind, tab in zip(BIBLE_KINDS, tabs, strict=True):
        with tab:
            entries: list[BibleEntry] = getattr(meta.bible, kind)
            if not entries:
                st.caption("None yet.")
            for n, entry in enumerate(entries):
                with st.expander(md(f"{mention_of(entry.name)}: {entry.description[:80]}")):
                    entry_panel(project, kind, n, entry)


def entry_panel(project: str, kind: str, n: int, entry: BibleEntry) -> None:
    """One entry: edit its texts and kind, its references, rename it, delete it."""
    key = f"bible:{kind}:{n}:{_round()}"
    project_dir = store().project_dir(project)
    with st.form(f"{key}:edit"):
        description = st.text_area("Description", entry.description)
        negative = st.text_input("Negative additions", entry.negative)
        new_kind = st.selectbox(
            "Kind",
            BIBLE_KINDS,
            index=BIBLE_KINDS.index(kind),
            format_func=lambda k: KIND_LABELS[k],
        )
        if st.form_submit_button("Save"):
            with reported():
                update_entry(
                    editor_store(),
                    project,
                    entry.name,
                    description=description,
                    negative=negative,
                    kind=new_kind,
                )
                _done(f"Saved {mention_of(entry.name)}")
    references(project, entry, key, project_dir)
    rename_box(project, entry, key)
    delete_box(project, entry, key)


def references(project: str, entry: BibleEntry, key: str, project_dir: Any) -> None:
    """The entry's reference images, a way to take one off, and an upload of a new one."""
    if entry.references:
        columns = st.columns(min(4, len(entry.references)))
        for i, ref in enumerate(entry.references):
            with columns[i % len(columns)]:
                path = project_dir / ref
                if path.is_file():
                    st.image(str(path), width="stretch")
                else:
                    st.caption(md(f"missing file {ref}"))
                if st.button("Remove", key=f"{key}:ref:{i}"):
                    with reported():
                        remove_reference(editor_store(), project, entry.name, ref)
                        _done()
    uploaded = st.file_uploader(
        "Add a reference image",
        type=["png", "jpg", "jpeg", "webp"],
        key=f"{key}:upload",
        max_upload_size=MAX_IMAGE_BYTES // 2**20,
        help="PNG, JPEG or WebP; used by workflows with a {{reference_image}} placeholder",
    )
    if isinstance(uploaded, UploadedFile) and st.button("Upload", key=f"{key}:upload_go"):
        with reported():
            add_reference(editor_store(), project, entry.name, uploaded.getvalue(), uploaded.name)
            _done(f"Added a reference to {mention_of(entry.name)}")


def rename_box(project: str, entry: BibleEntry, key: str) -> None:
    """Rename: a preview of every mention it rewrites, then one write per file."""
    new = st.text_input("Rename to", key=f"{key}:rename").strip()
    pending: dict[str, Any] | None = st.session_state.get(BIBLE_RENAME)
    if st.button("Preview rename", key=f"{key}:rename_preview", disabled=not new):
        try:
            changes = rename_preview(store(), project, entry.name, new)
        except StoryboardError as exc:
            st.error(md(str(exc)), icon="⛔")
        else:
            pending = {"old": entry.name, "new": new, "changes": changes}
            st.session_state[BIBLE_RENAME] = pending
    if pending is None or pending["old"] != entry.name:
        return
    changes = pending["changes"]
    label = f"Rename {mention_of(entry.name)} to {mention_of(pending['new'])}"
    if changes:
        st.caption(md(f"{label} rewrites {len(changes)} text(s):"))
        st.dataframe(changes_table(changes), hide_index=True)
    else:
        st.caption(md(f"{label}: nothing mentions it."))
    if st.button("Rename", key=f"{key}:rename_go", type="primary"):
        with reported():
            made = rename_entry(editor_store(), project, entry.name, pending["new"])
            st.session_state.pop(BIBLE_RENAME, None)
            _done(f"Renamed to {mention_of(pending['new'])}; {len(made)} text(s) rewritten")


def delete_box(project: str, entry: BibleEntry, key: str) -> None:
    """Delete; an entry still mentioned says where first and asks again."""
    confirming = st.session_state.get(BIBLE_CONFIRM_DELETE) == entry.name
    if not confirming:
        if st.button("Delete", key=f"{key}:delete"):
            try:
                delete_entry(editor_store(), project, entry.name)
            except InvalidDataError:
                st.session_state[BIBLE_CONFIRM_DELETE] = entry.name
                st.rerun()
            except StoryboardError as exc:
                st.error(md(str(exc)), icon="⛔")
            else:
                _done(f"Deleted {mention_of(entry.name)}")
        return
    places = mentioned_in(store(), project, entry.name)
    st.warning(
        md(
            f"{mention_of(entry.name)} is mentioned in {len(places)} text(s); deleting it makes "
            "those mentions unknown, and their shots will not render until fixed:"
        ),
        icon="⚠️",
    )
    st.dataframe(
        pd.DataFrame([{"File": p.file, "Where": p.where, "Field": p.field} for p in places]),
        hide_index=True,
    )
    c1, c2 = st.columns(2)
    if c1.button("Delete anyway", key=f"{key}:delete_force", type="primary"):
        with reported():
            delete_entry(editor_store(), project, entry.name, force=True)
            st.session_state.pop(BIBLE_CONFIRM_DELETE, None)
            _done(f"Deleted {mention_of(entry.name)}")
    if c2.button("Keep it", key=f"{key}:delete_cancel"):
        st.session_state.pop(BIBLE_CONFIRM_DELETE, None)
        st.rerun()


# -- styles ------------------------------------------------------------------------------------------


def style_form(project: str, seq_id: str | None, style: Style) -> None:
    """The style of the project (``seq_id=None``) or a sequence's override; empty = inherited."""
    below = "the default" if seq_id is None else "the project style"
    form = f"style:{seq_id or '-'}:{_round()}"
    with st.form(form):
        prefix = st.text_input(
            "Prompt suffix",
            style.prompt_suffix or "",
            key=f"{form}:prompt_suffix",
            help=f"Added to every prompt; empty: {below}. Mentions (@Name) work here too.",
        )
        negative = st.text_input(
            "Negative suffix",
            style.negative_suffix or "",
            help=f"Empty: {below}",
            key=f"{form}:negative_suffix",
        )
        columns = st.columns(4)
        values: dict[str, Any] = {}
        for i, name in enumerate(STYLE_SETTINGS):
            current = getattr(style.settings, name)
            with columns[i % 4]:
                label = SETTING_LABELS[name]
                if name in NUMBER_SETTINGS:
                    values[name] = st.number_input(
                        label,
                        value=current,
                        step=NUMBER_SETTINGS[name],
                        placeholder="inherited",
                        key=f"{form}:{name}",
                    )
                else:
                    text = st.text_input(
                        label,
                        "" if current is None else str(current),
                        placeholder="inherited",
                        key=f"{form}:{name}",
                        help="Every shot renders with this seed unless it sets its own"
                        if name == "seed"
                        else None,
                    )
                    values[name] = _seed(text) if name == "seed" else (text.strip() or None)
        if st.form_submit_button("Save style"):
            patch = {
                "prompt_suffix": _text_or_none(prefix),
                "negative_suffix": _text_or_none(negative),
                "settings": values,
            }
            try:
                update_style(editor_store(), project, seq_id, patch)
            except StoryboardError as exc:
                st.error(md(str(exc)), icon="⛔")
            else:
                _done("Style saved")


def _text_or_none(text: str) -> str | None:
    # An empty field inherits (at the project level: there is nothing below, so no suffix).
    return text if text.strip() else None


def _seed(text: str) -> int | str | None:
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return text  # refused by validation, naming the field


def style_section(project: str, meta: Project) -> None:
    """The project style, and one sequence's override of it."""
    st.subheader("🎨 Style")
    st.caption(
        "A shot's own settings win; then its sequence's style; then the project's; then the "
        "defaults. Leave a field empty to inherit it."
    )
    project_tab, sequence_tab = st.tabs(["Project style", "Sequence override"])
    with project_tab:
        style_form(project, None, meta.style)
    with sequence_tab:
        sequences = [s for s in store().list_sequences(project) if not s.error]
        if not sequences:
            st.caption("This project has no sequences.")
            return
        names = {s.id: s.name for s in sequences}
        seq_id = st.selectbox(
            "Sequence",
            list(names),
            format_func=lambda i: f"{i} · {names[i]}",  # options show text as it is
            key="bible_seq",
        )
        if seq_id is not None:
            style_form(project, seq_id, store().read_sequence(project, seq_id).style)


# -- find and replace ---------------------------------------------------------------------------------


def replace_section(project: str) -> None:
    """Find and replace across prompts, negative prompts, notes, the bible and the styles."""
    st.subheader("🔎 Find and replace")
    c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
    find = c1.text_input("Find", key="bible_find")
    replace = c2.text_input("Replace with", key="bible_replace_with")
    match_case = c3.checkbox("Match case", value=True, key="bible_match_case")
    asked = {"find": find, "replace": replace, "match_case": match_case}
    if st.button("Preview", key="bible_replace_preview", disabled=not find):
        changes = preview_changes(store(), project, replacer(find, replace, match_case=match_case))
        st.session_state[BIBLE_REPLACE] = {**asked, "changes": changes}
    pending: dict[str, Any] | None = st.session_state.get(BIBLE_REPLACE)
    if pending is None or {k: pending[k] for k in asked} != asked:
        return  # no preview, or one of other words
    changes = pending["changes"]
    if not changes:
        st.info("Nothing matches.")
        return
    st.caption(
        f"{len(changes)} text(s) change (each file is written once, its history keeps undo):"
    )
    st.dataframe(changes_table(changes), hide_index=True)
    if st.button("Replace all", key="bible_replace_go", type="primary"):
        with reported():
            made = apply_changes(
                editor_store(), project, replacer(find, replace, match_case=match_case)
            )
            st.session_state.pop(BIBLE_REPLACE, None)
            _done(f"Replaced in {len(made)} text(s)")
