"""The History view of a sequence (on its page) and of one shot (in the editor): undo from the app.

Each kept version is listed with when it was saved and what that save changed; Restore brings it back
as a new, itself undoable, save. A restore carries the version of the file (or shot) the person was
looking at when they clicked: if it changed since, nothing is written and the page asks first.
The list is built only while the view is open (a toggle), and the core caches the comparisons.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from storyboard_core import ChangedMeanwhileError, Shot, StoryboardError
from storyboard_core.history import (
    HistoryEntry,
    file_history,
    history_file,
    restore_shot_version,
    summarize,
)
from ui.frame.errors import guarded
from ui.frame.services import editor_store
from ui.frame.state import HISTORY_NOTICE, Selection, flash
from ui.frame.text import md

SHOWN_AT_FIRST = 10  # versions listed before "Show all"


@dataclass(frozen=True)
class Target:
    """What a restore writes: a whole file, or one shot of it (``shot_id``)."""

    project: str
    seq_id: str | None
    shot_id: str | None = None

    @property
    def scope(self) -> str:
        """The key of this view's pending question in the session."""
        return f"{self.project}/{self.seq_id or '-'}/{self.shot_id or ''}"


def sequence_history(sel: Selection) -> None:
    """The versions of the sequence's file, each with what changed and a Restore button."""
    assert sel.project is not None
    if not st.toggle("Show the history of this sequence", key="seq_history_open"):
        return
    target = Target(sel.project, sel.seq_id)
    history = file_history(editor_store(), sel.project, sel.seq_id)
    seen = (history.updated_at.isoformat(), history.revision)
    _pending_question(target, seen)
    _entries(target, history.entries, seen, disabled=False)


def shot_history(sel: Selection, shot: Shot, *, unsaved: bool) -> None:
    """The saves that changed this shot; Restore brings back its edited fields (not its frames)."""
    assert sel.project is not None
    if not st.toggle("Show the history of this shot", key="shot_history_open"):
        return
    target = Target(sel.project, sel.seq_id, shot.id)
    entries = file_history(editor_store(), sel.project, sel.seq_id).for_shot(shot.id)
    seen = (shot.updated_at.isoformat(), None)
    st.caption(
        "Restore brings back the shot's text, settings and status as they were; its frames, "
        "takes and comments stay as they are now."
    )
    _pending_question(target, seen)
    _entries(target, entries, seen, disabled=unsaved)


def _entries(
    target: Target,
    entries: tuple[HistoryEntry, ...],
    seen: tuple[str, int | None],
    *,
    disabled: bool,
) -> None:
    show_all = len(entries) > SHOWN_AT_FIRST and st.checkbox(
        f"Show all {len(entries)} versions", key=f"history_all:{target.scope}"
    )
    for entry in entries if show_all else entries[:SHOWN_AT_FIRST]:
        with st.container(border=True):
            info, button = st.columns([5, 1], vertical_alignment="center")
            with info:
                when = f"{entry.saved_at:%Y-%m-%d %H:%M:%S} UTC"
                revision = f" · revision {entry.revision}" if entry.revision is not None else ""
                label = "Now" if entry.version is None else "Saved"
                st.markdown(f"**{label}** · {when}{revision}")
                lines = summarize(entry.changes) if entry.changes else [entry.summary()]
                st.markdown("\n".join(f"- {md(line)}" for line in lines))
            if entry.version is not None and not entry.error:
                button.button(
                    "Restore",
                    key=f"history_restore:{target.scope}:{entry.version.id}",
                    on_click=_restore,
                    args=(target, entry.version.id, when, seen),
                    # A shot restore needs the shot in that version (not the save that added it).
                    disabled=disabled
                    or (target.shot_id is not None and target.shot_id not in entry.shot_ids),
                    # Always a help: the same element whether or not it is disabled.
                    help="Save or revert your edits first"
                    if disabled
                    else "Make this version the current one (the current one stays in the history)",
                )


def _pending_question(target: Target, seen: tuple[str, int | None]) -> None:
    """What the last restore of this view left to say: an error, or the question of a restore
    refused because the file changed meanwhile (restore anyway, over what is there now, or not)."""
    notice = st.session_state.get(HISTORY_NOTICE, {}).get(target.scope)
    if notice is None:
        return
    version_id, when, message, ask = notice
    if not ask:
        st.error(md(message), icon="⛔")
        return
    st.warning(md(message), icon="⚠️")
    yes, no, _ = st.columns([2, 1, 2])
    yes.button(
        f"Restore the version saved {when} anyway",
        key=f"history_confirm:{target.scope}",
        type="primary",
        on_click=_restore,
        args=(target, version_id, when, seen),  # what is on disk now is what the person sees now
    )
    no.button("Cancel", key=f"history_cancel:{target.scope}", on_click=_forget, args=(target,))


def _forget(target: Target) -> None:
    st.session_state.setdefault(HISTORY_NOTICE, {}).pop(target.scope, None)


@guarded
def _restore(target: Target, version_id: str, when: str, seen: tuple[str, int | None]) -> None:
    """Restore a version (a click): refused, with a question, if the file changed since it was seen."""
    seen_updated_at, seen_revision = seen
    notices = st.session_state.setdefault(HISTORY_NOTICE, {})
    try:
        if target.shot_id is None:
            editor_store().restore_version(
                target.project,
                history_file(target.seq_id),
                version_id,
                expected_updated_at=seen_updated_at,
                expected_revision=seen_revision,
            )
        else:
            restore_shot_version(
                editor_store(),
                target.project,
                target.seq_id,
                target.shot_id,
                version_id,
                expected_updated_at=seen_updated_at,
            )
    except ChangedMeanwhileError as exc:
        message = (
            f"Not restored: {exc.file} changed since you looked at its history ({exc.seen}; now "
            f"{exc.current}). The list below shows it as it is now: restore anyway?"
        )
        notices[target.scope] = (version_id, when, message, True)
    except StoryboardError as exc:
        notices[target.scope] = (version_id, when, f"Not restored: {exc}", False)
    else:
        _forget(target)
        flash(f"Restored the version saved {when}. To undo, restore the newest version below.")
