"""Unsaved shot edits: kept in the session, so they survive moving between pages, until saved or reverted.

A draft remembers the shot as it was when editing began (``base``) and the values the user typed. The
widgets are keyed by the draft's round (bumped on save, revert, and when the page takes up the file's
new version), so after a save they show the file, and a widget of an ended round changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from storyboard_core import Shot

from .state import DRAFTS, EDIT_ROUND, FIELDS_SEEN, SHOT_ERRORS, SHOT_SHOWN


@dataclass
class Draft:
    """The shot as it was when editing began, and the fields the user changed (dotted names)."""

    base: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)

    def changed(self) -> dict[str, Any]:
        """The fields whose typed value differs from the base."""
        return {k: v for k, v in self.values.items() if get_dotted(self.base, k) != v}

    def patch(self) -> dict[str, Any]:
        """The changes as a store patch (``generation.steps`` -> ``{"generation": {"steps": …}}``)."""
        patch: dict[str, Any] = {}
        for name, value in self.changed().items():
            target = patch
            *parents, leaf = name.split(".")
            for part in parents:
                target = target.setdefault(part, {})
            target[leaf] = value
        return patch


def get_dotted(data: dict[str, Any], name: str) -> Any:
    """``data["generation"]["steps"]`` for ``"generation.steps"``."""
    value: Any = data
    for part in name.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def draft_key(project: str, seq: str, shot_id: str) -> str:
    """The session key of one shot's draft."""
    return f"{project}/{seq}/{shot_id}"


def drafts() -> dict[str, Draft]:
    """All drafts of this browser session."""
    found: dict[str, Draft] = st.session_state.setdefault(DRAFTS, {})
    return found


def get(key: str) -> Draft | None:
    """The draft of one shot, or None."""
    return drafts().get(key)


def unsaved(key: str) -> bool:
    """Whether a shot has edits that are not saved."""
    draft = drafts().get(key)
    return bool(draft and draft.changed())


def remember(key: str, shot: Shot, name: str, value: Any) -> None:
    """Record a typed value, starting a draft based on ``shot`` if there is none."""
    draft = drafts().setdefault(key, Draft(base=shot.model_dump(mode="json")))
    draft.values[name] = value


def discard(key: str) -> None:
    """Forget a shot's draft and errors, and make its widgets re-read the file."""
    drafts().pop(key, None)
    st.session_state.setdefault(SHOT_ERRORS, {}).pop(key, None)
    _next_round(key)


Seen = dict[str, tuple[Any, Callable[[], None]]]


def _seen(key: str) -> Seen:
    """The shot's field widgets, by widget key: the value last taken in and its change handler."""
    found: dict[str, Seen] = st.session_state.setdefault(FIELDS_SEEN, {})
    return found.setdefault(key, {})


def _take_in(key: str, widget: str) -> None:
    """Run the change handler of ``widget`` if its value moved since it was last noted.

    A field's ``on_change`` can be lost: when a blur's rerun and a click arrive together on a
    busy server, Streamlit 1.67 can fail the first run before its callbacks ("dictionary changed
    size during iteration", two script runners touching the session's state), and by the next run
    the field's new value already counts as old. The value on screen is still what the person
    typed, so it is taken in here rather than lost.
    """
    noted = _seen(key).get(widget)
    if noted is not None and widget in st.session_state and st.session_state[widget] != noted[0]:
        noted[1]()


def _note(key: str, widget: str, changed: Callable[[], None]) -> None:
    """Note the value ``widget`` holds once drawn, and its change handler. (After drawing: a value
    Streamlit itself resets, say when a choice's options change, is no edit of the person's.)"""
    _seen(key)[widget] = (st.session_state.get(widget), changed)


@contextmanager
def watched(key: str, widget: str, changed: Callable[[], None]) -> Iterator[Callable[[], None]]:
    """Around drawing one of the shot's field widgets: after, note the value drawn (a change whose
    ``on_change`` was lost is taken in from it by ``take_in_everywhere``, first in the next run).
    Yields the ``on_change`` to give the widget: ``changed``, run only while the widget's round
    lasts.

    A widget of a round that ended (saved, reverted, rebased, or the file followed) is gone from the page, but the browser
    may still name it: every run it asks for carries all its widgets' values, and a fragment's timed
    run (the status badge's) asked for before it drew a Save's fresh widgets names the old ones, with
    the values just saved. Streamlit takes those as changes and calls their handlers, whose shot is
    the one from before the Save: that made a draft on the old version, and the next Save met a
    conflict with itself. Nothing a person typed is lost by ignoring them: once the round ended, the
    page no longer shows that widget, and what it held was saved or deliberately discarded.
    """
    drawn = edit_round(key)

    def on_change() -> None:
        if edit_round(key) != drawn:
            return
        _note(key, widget, on_change)
        changed()

    yield on_change
    _note(key, widget, on_change)


def take_in_all(key: str) -> None:
    """Take in every field of the shot whose change went unseen (before a Save writes the draft)."""
    for widget in list(_seen(key)):
        _take_in(key, widget)


def take_in_everywhere() -> None:
    """Take in, for every shot edited in this session, a field change whose ``on_change`` was lost;
    called first in each run, whatever the page.

    The run that lost it may be one that leaves the shot editor (a page link clicked while a field
    had the focus: the blur's change and the click arrive together), where no field is drawn to take
    it in, and at the end of that run Streamlit drops the field's value as stale: the edit would be
    gone from the sidebar's count and from the editor on the way back.
    """
    for key in list(st.session_state.get(FIELDS_SEEN, {})):
        take_in_all(key)


def _rounds() -> dict[str, int]:
    rounds: dict[str, int] = st.session_state.setdefault(EDIT_ROUND, {})
    return rounds


def _next_round(key: str) -> None:
    _rounds()[key] = edit_round(key) + 1
    # The widgets noted so far belong to the round that ended (their keys hold it).
    st.session_state.get(FIELDS_SEEN, {}).pop(key, None)


def edit_round(key: str) -> int:
    """How many times this shot's edit was saved or reverted in this session (part of widget keys)."""
    return _rounds().get(key, 0)


def errors(key: str) -> dict[str, str]:
    """Validation messages of the last failed save, by field."""
    found: dict[str, str] = st.session_state.setdefault(SHOT_ERRORS, {}).get(key, {})
    return found


def set_errors(key: str, by_field: dict[str, str]) -> None:
    """Keep the validation messages of a failed save to show next to their fields."""
    st.session_state.setdefault(SHOT_ERRORS, {})[key] = by_field


def clashes(draft: Draft, theirs: dict[str, Any]) -> list[str]:
    """The fields the user changed that were also changed on disk (to something else) meanwhile."""
    return [
        name
        for name, mine in draft.changed().items()
        if get_dotted(theirs, name) != get_dotted(draft.base, name)
        and get_dotted(theirs, name) != mine
    ]


def rebase(key: str, draft: Draft, theirs: dict[str, Any]) -> None:
    """Base the draft on the version on disk now (when nothing clashes) and redraw its widgets."""
    draft.base = theirs
    _next_round(key)


def follow(key: str, theirs: dict[str, Any]) -> None:
    """Show the shot as it is on disk now when there is no edit to keep (replaced by hand, say).

    The widgets keep their values between runs, so a shot that changed on disk since they were
    filled, in this same round, gets fresh ones (the next round); a draft with no real change goes.
    """
    shown: dict[str, tuple[int, dict[str, Any]]] = st.session_state.setdefault(SHOT_SHOWN, {})
    before = shown.get(key)
    if before is not None and before[0] == edit_round(key) and before[1] != theirs:
        drafts().pop(key, None)
        _next_round(key)
    shown[key] = (edit_round(key), theirs)
