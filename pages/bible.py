"""Bible page: the project's characters, places, props and styles, its style, and find and replace."""

from __future__ import annotations

import streamlit as st

from storyboard_core import StoryboardError
from ui.components.messages import dead_end
from ui.frame.registry import DASHBOARD
from ui.frame.services import store
from ui.frame.state import link, require_frame, selection
from ui.frame.text import md
from ui.views.bible import add_form, entries_section, replace_section, style_section

require_frame()


def main() -> None:
    """Draw the bible of the project in the URL."""
    sel = selection()
    if not sel.project:
        dead_end("Choose a project first.")
    try:
        meta = store().read_project(sel.project)
    except StoryboardError as exc:
        dead_end(f"Project {sel.project!r} cannot be opened: {exc}")
    link(DASHBOARD, "Back to the project", icon="⬅️", project=sel.project)
    st.title(md(f"📖 Bible · {meta.name}"))
    st.caption(
        "Write @Name in a prompt (or @[Two Words]) and it becomes the entry's description when "
        "the shot renders; @@ is a plain @. Change a description here and every shot that "
        "mentions it follows (its takes show as stale)."
    )
    add_form(sel.project)
    entries_section(sel.project, meta)
    style_section(sel.project, meta)
    replace_section(sel.project)


main()
