"""The review summary page's parts: where a review stands, what to retake, who said what, as Markdown."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from storyboard_core import SHOT_STATUSES
from storyboard_core.review.comments import ReviewSummary
from storyboard_core.types import LOOSE
from ui.components.comments import VERDICT_LABELS, comment_line, comment_markdown
from ui.components.drawing import drawn_remarks, review_markdown
from ui.components.messages import dead_end, readable
from ui.components.shot_card import STATUS_ICONS
from ui.frame.registry import DASHBOARD, REVIEW, SEQUENCE, SHOT
from ui.frame.services import cached_review_summary, store
from ui.frame.state import Selection, go, link
from ui.frame.text import md
from ui.views.feedback import feedback_import

WHOLE_PROJECT = ""


def load(sel: Selection) -> ReviewSummary:
    """The summary of the project (or sequence) in the URL; a dead end when it does not exist."""
    if not sel.project:
        dead_end("Choose a project on the dashboard first.")
    seq = sel.seq_id
    with readable(
        "This review cannot be drawn: a file cannot be read",
        back=DASHBOARD,
        label="Back to the project",
        project=sel.project,
    ):
        return cached_review_summary(sel.project, seq)


def scope_picker(sel: Selection, summary: ReviewSummary) -> None:
    """Narrow the review to one sequence, or widen it to the whole project (the URL follows)."""
    assert sel.project is not None
    sequences = [s for s in store().list_sequences(sel.project) if not s.error]
    names = {s.id: s.name for s in sequences}
    options = [WHOLE_PROJECT, *names]
    current = summary.seq_id or WHOLE_PROJECT
    chosen = st.selectbox(
        "Review of",
        options,
        index=options.index(current) if current in options else 0,
        format_func=lambda i: "The whole project" if i == WHOLE_PROJECT else md(names[i]),
        key=f"review_scope:{sel.project}:{current}",
    )
    if chosen != current:
        go(REVIEW, project=sel.project, seq=chosen or None)


def status_metrics(summary: ReviewSummary) -> None:
    """Shots by status, and the open comments."""
    columns = st.columns(len(SHOT_STATUSES) + 1)
    for column, status in zip(columns, SHOT_STATUSES, strict=False):
        column.metric(f"{STATUS_ICONS[status]} {status}", summary.counts[status])
    columns[-1].metric("💬 open comments", summary.open_comments)


def retakes(summary: ReviewSummary) -> None:
    """The shots to retake, each with a link to its editor and its open comments."""
    st.subheader(f"To retake ({len(summary.retakes)})")
    if not summary.retakes:
        st.caption("No shot to retake.")
    shots = {
        s.id: s
        for seq in {r.shot.seq_id for r in summary.retakes}
        for s in store().read_shots(summary.project, seq)
    }
    for item in summary.retakes:
        with st.container(border=True):
            link(
                SHOT,
                item.shot.label,
                icon="⛔",
                project=summary.project,
                seq=item.shot.seq_id or LOOSE,
                shot=item.shot.shot_id,
            )
            shot = shots.get(item.shot.shot_id)
            if not item.open_comments or shot is None:
                st.caption("No open comment.")
                continue
            for comment in item.open_comments:
                st.caption(comment_line(shot, comment))
                st.markdown(comment_markdown(comment.text))


def remarks_table(summary: ReviewSummary) -> None:
    """Who said what and when, newest first (a table shows text as text, never as Markdown)."""
    st.subheader(f"Comments ({len(summary.remarks)})")
    if not summary.remarks:
        st.caption("No comments yet.")
        return
    rows = [
        {
            "When (UTC)": r.comment.created_at.strftime("%Y-%m-%d %H:%M"),
            "Who": r.comment.author,
            "Shot": r.shot.label,
            "Verdict": VERDICT_LABELS.get(r.comment.verdict or "", ""),
            "Comment": r.comment.text,
            "Resolved": f"by {r.comment.resolved_by}" if r.comment.resolved else "",
        }
        for r in reversed(summary.remarks)
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="review_remarks")


def review_page(sel: Selection) -> None:
    """The whole page for the project or sequence in the URL."""
    summary = load(sel)
    if summary.seq_id is None:
        link(DASHBOARD, "Back to the project", icon="⬅️", project=summary.project)
    else:
        link(
            SEQUENCE, "Back to the sequence", icon="⬅️", project=summary.project, seq=summary.seq_id
        )
    st.title(f"📝 Review · {md(summary.scope)}")
    st.caption(f"{summary.shots} shots · generated {summary.generated_at:%Y-%m-%d %H:%M} UTC")
    top = st.columns([3, 1], vertical_alignment="bottom")
    with top[0]:
        scope_picker(sel, summary)
    name = f"review-{summary.project}" + (f"-{summary.seq_id}" if summary.seq_id else "")
    top[1].download_button(
        "Download Markdown",
        review_markdown(summary),
        file_name=f"{name}.md",
        mime="text/markdown",
        icon="⬇️",
        key="review_download",
    )
    for problem in summary.broken:
        st.error(f"Left out, cannot be read: {md(problem)}", icon="🧯")
    feedback_import(summary.project)
    status_metrics(summary)
    retakes(summary)
    remarks_table(summary)
    drawn_remarks(summary)
