"""A shot's review thread: its comments, and a form to comment, approve or ask for a retake.

``comment_thread`` is drawn by the shot editor, the storyboard cards (in a popover that only runs when
open) and the present page. A reviewer's name is the one the gate asked; an editor's is asked once and
remembered in the workspace's settings (``storyboard_core/review/editor_name.py``).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import streamlit as st

from storyboard_core import (
    AUTHOR_MAX_CHARS,
    COMMENT_MAX_CHARS,
    Comment,
    InvalidDataError,
    Shot,
    StoryboardError,
)
from storyboard_core.review.comments import add_comment, clean_author, resolve_comment, takes_of
from storyboard_core.review.editor_name import editor_name, remember_editor_name
from ui.components.drawing import drawing_pad, drawn, forget_drawing, show_drawing
from ui.frame import drafts
from ui.frame.services import access, store, workspace_path
from ui.frame.state import REVIEW_AUTHOR, REVIEW_AUTHOR_EDIT, REVIEW_ERRORS, Selection, flash
from ui.frame.text import md

VERDICT_LABELS = {"approve": "✅ Approved", "retake": "⛔ Retake"}
#: The buttons of the form: what each one adds, and the toast that says it was done.
ACTIONS = (
    ("approve", "Approve", "✅", "Approved"),
    ("retake", "Retake", "⛔", "Retake asked"),
    (None, "Comment", "💬", "Comment added"),
)


def author() -> str | None:
    """The name of the person using this browser session, once they gave it (an editor: ever)."""
    name: str | None = st.session_state.get(REVIEW_AUTHOR)
    if name is None and access().is_editor:
        name = editor_name(workspace_path()) or None
        st.session_state[REVIEW_AUTHOR] = name
    return name


def _errors() -> dict[str, str]:
    found: dict[str, str] = st.session_state.setdefault(REVIEW_ERRORS, {})
    return found


def _forget_error(key_prefix: str) -> None:
    _errors().pop(key_prefix, None)


def _problems(exc: StoryboardError) -> str:
    if isinstance(exc, InvalidDataError):
        return "; ".join(str(p) for p in exc.problems)
    return str(exc)


def author_box(*, key_prefix: str) -> str | None:
    """ "You are …" with a change link, or the question "Your name" until it is answered."""
    name = author()
    if name and not access().is_editor:  # a reviewer's name is the one the gate recorded
        st.caption(f"You are **{md(name)}**")
        return name
    if name and not st.session_state.get(REVIEW_AUTHOR_EDIT):
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.caption(f"You are **{md(name)}**")
        right.button(
            "change",
            key=f"{key_prefix}:author_change",
            type="tertiary",
            on_click=lambda: st.session_state.update({REVIEW_AUTHOR_EDIT: True}),
        )
        return name
    name_key = f"{key_prefix}:author_name"
    st.session_state.setdefault(name_key, name or "")

    def remember() -> None:
        try:
            given = st.session_state[name_key]
            st.session_state[REVIEW_AUTHOR] = (
                remember_editor_name(workspace_path(), given)
                if access().is_editor
                else clean_author(given)
            )
        except StoryboardError as exc:
            _errors()[name_key] = _problems(exc)
        else:
            _errors().pop(name_key, None)
            st.session_state[REVIEW_AUTHOR_EDIT] = False

    left, right = st.columns([4, 1], vertical_alignment="bottom")
    left.text_input(
        "Your name",
        key=name_key,
        max_chars=AUTHOR_MAX_CHARS,
        placeholder="shown with your comments",
    )
    right.button("Continue", key=f"{key_prefix}:author_ok", on_click=remember)
    if name_key in _errors():
        st.error(md(_errors()[name_key]), icon="⛔")
    return None


def _take_words(shot: Shot, take: str) -> str:
    current = shot.render is not None and shot.render.image == take
    return f"{PurePosixPath(take).name} ({'current frame' if current else 'earlier take'})"


_LINE_BREAK = re.compile(r"(?<!\n)\n(?!\n)")


def comment_markdown(text: str) -> str:
    """A comment's text, escaped, keeping its lines: a line break is a hard break, a blank line a
    new paragraph (no line of spaces, which Streamlit would strip)."""
    return _LINE_BREAK.sub("  \n", md(text))


def comment_line(shot: Shot, comment: Comment) -> str:
    """Who, when, the verdict and the take of one comment, as escaped Markdown for a caption."""
    parts = [f"**{md(comment.author)}**", f"{comment.created_at:%Y-%m-%d %H:%M} UTC"]
    if comment.verdict:
        parts.append(VERDICT_LABELS[comment.verdict])
    if comment.take:
        parts.append("on " + md(_take_words(shot, comment.take)))
    return " · ".join(parts)


def show_comment(sel: Selection, shot: Shot, comment: Comment, *, key_prefix: str) -> None:
    """One comment: who said it and when, its text as written, and Resolve or who resolved it."""
    assert sel.project is not None
    project, seq_id = sel.project, sel.seq_id
    with st.container(border=True):
        st.caption(comment_line(shot, comment))
        # Hard line breaks: the text keeps the lines it was written in.
        st.markdown(comment_markdown(comment.text))
        show_drawing(project, comment)
        if comment.resolved:
            when = f" at {comment.resolved_at:%Y-%m-%d %H:%M} UTC" if comment.resolved_at else ""
            st.caption(f"✔️ Resolved by {md(comment.resolved_by or 'someone')}{when}")
            return
        name = author()

        def resolve() -> None:
            try:
                assert name is not None
                resolve_comment(store(), project, seq_id, shot.id, comment.id, resolved_by=name)
            except StoryboardError as exc:
                _errors()[key_prefix] = _problems(exc)
            else:
                flash("Comment resolved")

        st.button(
            "Resolve",
            key=f"{key_prefix}:resolve:{comment.id}",
            on_click=resolve,
            disabled=name is None,
            # Always a help: the same element whether or not it is disabled.
            help="Say who you are first (below)"
            if name is None
            else "Mark the comment as dealt with",
        )


def comment_form(sel: Selection, shot: Shot, *, key_prefix: str) -> None:
    """The text, the take it is about (when there are several), and Approve / Retake / Comment."""
    assert sel.project is not None and sel.seq is not None
    name = author_box(key_prefix=key_prefix)
    if name is None:
        return
    project, seq, seq_id = sel.project, sel.seq, sel.seq_id
    text_key, take_key = f"{key_prefix}:text", f"{key_prefix}:take"
    st.text_area(
        "Your comment",
        key=text_key,
        height=90,
        on_change=_forget_error,  # a refusal was about the text as it was
        args=(key_prefix,),
        placeholder=f"What works, what to change (at most {COMMENT_MAX_CHARS:,} characters)",
    )
    takes = takes_of(shot)
    if len(takes) > 1:
        current = shot.render.image if shot.render else takes[-1]
        st.selectbox(
            "About the take",
            takes[::-1],  # newest first, like the frame's earlier renders
            index=takes[::-1].index(current) if current in takes else 0,
            key=take_key,
            format_func=lambda t: md(_take_words(shot, t)),
        )
    current = shot.render.image if shot.render else ""
    drawing_pad(project, shot, st.session_state.get(take_key, current), key_prefix=key_prefix)

    def submit(verdict: str | None, done: str) -> None:
        try:
            add_comment(
                store(),
                project,
                seq_id,
                shot.id,
                author=name,
                text=st.session_state.get(text_key, ""),
                verdict=verdict,
                take=st.session_state.get(take_key) if len(takes) > 1 else None,
                drawing=drawn(key_prefix),
            )
        except StoryboardError as exc:
            _errors()[key_prefix] = _problems(exc)  # the text stays in the box to be fixed
            return
        _errors().pop(key_prefix, None)
        st.session_state[text_key] = ""
        forget_drawing(key_prefix)
        if verdict is not None:
            # The status changed: an editor of this shot with nothing unsaved shows the new one; one
            # with unsaved edits rebases, or shows both versions if it changed the status too.
            dkey = drafts.draft_key(project, seq, shot.id)
            if not drafts.unsaved(dkey):
                drafts.discard(dkey)
        flash(done)

    for column, (verdict, label, icon, done) in zip(st.columns(len(ACTIONS)), ACTIONS, strict=True):
        column.button(
            label,
            key=f"{key_prefix}:{label.lower()}",
            icon=icon,
            on_click=submit,
            args=(verdict, done),
            type="primary" if verdict == "approve" else "secondary",
            width="stretch",
        )


def comment_thread(sel: Selection, shot: Shot, *, key_prefix: str) -> None:
    """A shot's comments, oldest first, and the form to add one (``sel`` gives project and sequence).

    ``key_prefix`` keeps the widgets of two threads on one page apart (a card's, the editor's).
    """
    if not shot.comments:
        st.caption("No comments yet.")
    for comment in shot.comments:
        show_comment(sel, shot, comment, key_prefix=key_prefix)
    if key_prefix in _errors():
        st.error("Not saved: " + md(_errors()[key_prefix]), icon="⛔")
    comment_form(sel, shot, key_prefix=key_prefix)
