"""Rendering in the app: one background renderer and catalog per server process, and their widgets.

Renders run in the renderer's threads, not in a browser rerun: closing the tab loses nothing, and a
page shows each shot's job state whenever it is drawn. Fragments poll the renderer (in memory, no
network) while a job is active.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from storyboard_core import (
    Catalog,
    Renderer,
    RenderJob,
    ServerCatalog,
    StoryboardError,
    WorkflowInfo,
    list_workflows,
)
from storyboard_core.comfyui.workflows import workflows_dir
from storyboard_core.settings import active_server, configured_servers, load_settings

from .comfy import monitor, settings
from .data import workspace_path, workspace_store
from .text import md

STATE_ICONS = {"queued": "⏳", "rendering": "🎨", "done": "✅", "failed": "❌", "cancelled": "⏹️"}
JOB_REFRESH_SECONDS = 1.0


@st.cache_resource(show_spinner=False)
def _renderer(workspace: str) -> Renderer:
    root = Path(workspace)
    made = Renderer(workspace_store(), root, lambda: configured_servers(load_settings(root)))
    # The renders a previous run left (killed, restarted) go on, read in the background.
    made.resume()
    return made


def renderer() -> Renderer:
    """The process-wide renderer for this workspace (made, and resumed, on the first call)."""
    return _renderer(str(workspace_path()))


@st.cache_resource(show_spinner=False)
def _catalog(workspace: str) -> ServerCatalog:
    return ServerCatalog()


def active_catalog() -> tuple[str, Catalog | None]:
    """The active server's URL and what it offers, when it is online and already known.

    Never waits: the catalog is fetched in the background and is None until it arrives.
    """
    try:
        server = active_server(settings())
    except StoryboardError:  # a broken settings file (or env URL) is reported on the Settings page
        return "", None
    if not monitor().status(server.url).online:
        return server.url, None
    return server.url, _catalog(str(workspace_path())).get(server)


@st.cache_data(max_entries=8, show_spinner=False)
def _workflows(workspace: str, stamp: tuple[tuple[str, int, int, int], ...]) -> list[WorkflowInfo]:
    return list_workflows(Path(workspace))


def _stamp(entry: os.DirEntry[str]) -> tuple[str, int, int, int]:
    try:
        st_ = entry.stat()
    except OSError:  # a dangling link: list_workflows skips it too
        return entry.name, 0, 0, 0
    return entry.name, st_.st_ino, st_.st_mtime_ns, st_.st_size


def workflows() -> list[WorkflowInfo]:
    """The user's workflow files (see ``list_workflows``), parsed again only when the folder changes."""
    workspace = workspace_path()
    try:
        with os.scandir(workflows_dir(workspace)) as entries:
            stamp = tuple(sorted(_stamp(e) for e in entries))
    except OSError:  # no workflows folder
        stamp = ()
    return _workflows(str(workspace), stamp)


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
