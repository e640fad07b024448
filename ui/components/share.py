"""Review links in the app: "Share for review" on a project (editors), the list with Revoke (Settings)."""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from storyboard_core import StoryboardError
from storyboard_core.access import DEFAULT_DAYS, LinkRecord, create_link, list_links, revoke_link
from storyboard_core.access.links import MAX_FOR
from ui.frame.services import store, workspace_path
from ui.frame.text import md

from .messages import reported

SHARE_LINK = "share_link"  # (project, URL) of the link just made, shown until another is made


def review_url(token: str) -> str:
    """The address to send a reviewer: this app's address with ``?review=<token>``."""
    parts = urlsplit(st.context.url or "")
    base = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    return f"{base}/?review={token}"


def share_section(project: str) -> None:
    """Make a review link for the whole project or some of its sequences."""
    with st.expander("Share for review"):
        sequences = [s for s in store().list_sequences(project) if not s.error]
        names = {s.id: f"{s.id} · {s.name}" for s in sequences}
        chosen = st.multiselect(
            "Sequences (none chosen: the whole project)",
            list(names),
            format_func=lambda i: md(names[i]),
            key="share_sequences",
        )
        made_for = st.text_input(
            "For whom",
            placeholder="e.g. Ana (client), the sound team",
            max_chars=MAX_FOR,
            key="share_for",
            help="Shown with the link in Settings, to tell links apart",
        )
        days = st.number_input("Valid for (days)", 1, 90, DEFAULT_DAYS, key="share_days")
        if st.button("Make a review link", key="share_make"):
            if not made_for.strip():
                st.error("Say who the link is for: Settings lists it under that name.")
            else:
                with reported():
                    _, token = create_link(
                        store(), project, chosen or None, days=float(days), made_for=made_for
                    )
                    st.session_state[SHARE_LINK] = (project, review_url(token))
        made = st.session_state.get(SHARE_LINK)
        if made and made[0] == project:
            st.caption(
                "Send this address to the reviewers (it is shown only now). They see this scope "
                "read-only, and can comment and give verdicts. Revoke it in Settings."
            )
            st.code(made[1], language=None)


def links_section() -> None:
    """Every review link issued, with its scope and expiry, and Revoke."""
    st.subheader("Review links")
    try:
        links = list_links(workspace_path())
    except StoryboardError:  # the ComfyUI section above already names the broken file
        st.caption("The review links cannot be listed until settings.json is fixed.")
        return
    if not links:
        st.caption("No review link yet: make one with Share for review on a project's page.")
        return
    for record in links:
        state = "revoked" if record.revoked else f"until {record.expires:%Y-%m-%d %H:%M} UTC"
        left, right = st.columns([4, 1], vertical_alignment="center")
        made_for = f"for {record.made_for}" if record.made_for else "for (not said)"
        left.markdown(
            f"**{md(_project_title(record))}** · {md(made_for)}  \n"
            f"{md(_scope(record))} · made {record.created:%Y-%m-%d %H:%M} UTC · {state}"
        )
        if not record.revoked and right.button("Revoke", key=f"revoke_{record.id}"):
            with reported():
                revoke_link(workspace_path(), record.id)
                st.rerun()


def _project_title(record: LinkRecord) -> str:
    """The project's title (its folder name when it cannot be read, or was deleted)."""
    try:
        return store().read_project(record.project).name
    except StoryboardError:
        return record.project


def _scope(record: LinkRecord) -> str:
    """ "The whole project", or the linked sequences with their names."""
    if record.sequences is None:
        return "the whole project"
    try:
        names = {s.id: s.name for s in store().list_sequences(record.project)}
    except StoryboardError:
        names = {}
    shown = [f"{i} {names[i]}" if i in names else i for i in record.sequences]
    return "sequences " + ", ".join(shown)
