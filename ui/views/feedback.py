"""The Review page's "Import feedback": a reviewer's answers from the offline player, previewed, then added.

The uploaded file is kept in the session (``FEEDBACK_FILE``, by project) by the uploader's callback, so
the preview is drawn from what the session holds: the same on every rerun, and reachable by tests.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from storyboard_core import StoryboardError
from storyboard_core.review.feedback import FeedbackPlan, apply_feedback, plan_feedback
from ui.frame.services import access, editor_store, store
from ui.frame.state import flash
from ui.frame.text import md

FEEDBACK_FILE = "review_feedback_file"  # {project: (file name, bytes)} of the uploaded feedback
FEEDBACK_ROUND = (
    "review_feedback_round"  # {project: n}: bumped after an import, to empty the uploader
)
_STATES = {"new": "add", "already": "already there", "problem": "refused"}


def _keep_upload(project: str, key: str) -> None:
    upload = st.session_state.get(key)
    files: dict[str, tuple[str, bytes]] = st.session_state.setdefault(FEEDBACK_FILE, {})
    if upload is None:
        files.pop(project, None)
    else:
        files[project] = (upload.name, upload.getvalue())


def feedback_import(project: str) -> None:
    """For an editor: upload a feedback file, see it shot by shot, import it whole (or nothing)."""
    if not access().is_editor:
        return
    rounds: dict[str, int] = st.session_state.setdefault(FEEDBACK_ROUND, {})
    files: dict[str, tuple[str, bytes]] = st.session_state.setdefault(FEEDBACK_FILE, {})
    with st.expander("Import feedback from the offline player", expanded=project in files):
        key = f"feedback_upload:{project}:{rounds.get(project, 0)}"
        st.file_uploader(
            "Feedback file (.json, from the one-file player's Export feedback)",
            type=["json"],
            key=key,
            on_change=_keep_upload,
            args=(project, key),
        )
        if project not in files:
            st.caption("Nothing is written until you press Import: you see every answer first.")
            return
        name, raw = files[project]
        try:
            plan = plan_feedback(store(), project, raw)
        except StoryboardError as exc:
            st.error(f"{md(name)} cannot be imported: {md(str(exc))}", icon="⛔")
            return
        _preview(plan)
        label = f"Import {len(plan.to_add)} comment(s)" if plan.to_add else "Nothing to import"
        if st.button(
            label, type="primary", disabled=not plan.ok or not plan.to_add, key="feedback_apply"
        ):
            try:
                done = apply_feedback(editor_store(), project, raw)
            except StoryboardError as exc:
                st.error(f"Nothing was imported: {md(str(exc))}", icon="⛔")
                return
            files.pop(project, None)
            rounds[project] = rounds.get(project, 0) + 1
            flash(f"Imported {len(done.to_add)} comment(s) from {done.reviewer}")
            st.rerun()


def _preview(plan: FeedbackPlan) -> None:
    """Who answered, what each answer would add, and every problem, shot by shot."""
    st.markdown(
        f"Feedback from **{md(plan.reviewer)}** (hand-out `{md(plan.export)}`): "
        f"{len(plan.to_add)} to add, {len(plan.shots) - len(plan.to_add)} not."
    )
    for problem in plan.problems:
        st.error(md(problem), icon="⛔")
    if not plan.ok:
        st.warning("Nothing can be imported: a feedback file is imported whole or not at all.")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "shot": s.label,
                    "verdict": s.verdict or "",
                    "comment": s.text,
                    "import": _STATES[s.state],
                    "why not": s.problem,
                }
                for s in plan.shots
            ],
            columns=["shot", "verdict", "comment", "import", "why not"],
        ),
        hide_index=True,
        width="stretch",
        key="feedback_preview",
    )
