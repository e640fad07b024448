"""A shot's or a sequence's render jobs on the page: progress, message and Cancel, redrawn while they run.

Renders run in the renderer's threads (``frame.services.renderer``), not in a browser rerun: a page
shows each shot's job state whenever it is drawn. Fragments poll the renderer (in memory, no network)
while a job is active.
"""

from __future__ import annotations

import streamlit as st

from storyboard_core.comfyui.render import RenderJob
from ui.frame.services import renderer
from ui.frame.text import md

STATE_ICONS = {"queued": "⏳", "rendering": "🎨", "done": "✅", "failed": "❌", "cancelled": "⏹️"}
JOB_REFRESH_SECONDS = 1.0


def sequence_jobs(project: str, seq_id: str | None) -> list[RenderJob]:
    """The render jobs of one sequence's shots (``None``: the loose shots), oldest first."""
    # The renderer reads ``seq_id=None`` as "every sequence": keep only this container's jobs.
    return [j for j in renderer().jobs(project, seq_id) if j.seq_id == seq_id]


def job_line(job: RenderJob) -> str:
    """``"🎨 rendering · 40% · KSampler step 8/20"``."""
    parts = [f"{STATE_ICONS.get(job.state, '')} {job.state}"]
    if job.state == "rendering":
        parts.append(f"{job.progress:.0%}")
    if job.message:
        parts.append(job.message)
    return " · ".join(parts)


def job_panel(job: RenderJob, *, key: str) -> None:
    """A job's progress bar and message, with Cancel while it is queued or rendering."""
    if job.active:
        st.progress(min(max(job.progress, 0.0), 1.0), text=md(job_line(job)))
        if st.button("Cancel", key=f"cancel:{key}:{job.id}"):
            renderer().cancel(job.id)
            st.rerun(scope="app")
    elif job.state == "failed":
        st.error(f"Render failed: {md(job.message)}", icon="❌")
    elif job.state == "cancelled":
        st.info("Render cancelled.", icon="⏹️")


def live_job(project: str, seq_id: str | None, shot_id: str) -> None:
    """One shot's latest render job, redrawn while it runs; the page redraws when it finishes."""
    first = renderer().latest(project, seq_id, shot_id)
    watching = first is not None and first.active

    @st.fragment(run_every=JOB_REFRESH_SECONDS if watching else None)
    def panel() -> None:
        job = renderer().latest(project, seq_id, shot_id)
        if job is None:
            return
        job_panel(job, key=shot_id)
        if watching and not job.active:
            st.rerun(scope="app")  # show the new frame (or the failure) on the whole page

    panel()


def live_jobs(project: str, seq_id: str | None) -> None:
    """A sequence's active render jobs, redrawn while any runs; the page redraws when they end."""
    watching = any(j.active for j in sequence_jobs(project, seq_id))

    @st.fragment(run_every=JOB_REFRESH_SECONDS if watching else None)
    def panel() -> None:
        jobs = [j for j in sequence_jobs(project, seq_id) if j.active]
        for job in jobs:
            st.caption(f"Shot {md(job.shot_id)}")
            job_panel(job, key="seq")
        if watching and not jobs:
            st.rerun(scope="app")

    panel()
