"""Every cached service of the app, in one place: what ``st.cache_resource`` and ``st.cache_data`` keep.

Process-wide objects (``st.cache_resource``), one per workspace per server process: the store, the
gate, the parsed settings, the ComfyUI status monitor, the background renderer and the model catalog.
Cached reads (``st.cache_data``), keyed so that a save makes a new entry: the workflow files, the shot
list as CSV and an import's plan, the review summary and the present page's slides.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from storyboard_core import PermissionDeniedError, Store, StoryboardError
from storyboard_core.access import Access, Gate, GuardedStore, Throttle, guarded
from storyboard_core.bible.style import ShotContext
from storyboard_core.comfyui.catalog import Catalog, ServerCatalog
from storyboard_core.comfyui.queue import Renderer
from storyboard_core.comfyui.routing import Router
from storyboard_core.comfyui.status import StatusMonitor
from storyboard_core.comfyui.workflows import WorkflowInfo, list_workflows, workflows_dir
from storyboard_core.player.document import sequence_slides, slides_stamp
from storyboard_core.review.comments import ReviewSummary, review_summary
from storyboard_core.settings import (
    POLL_SECONDS_DEFAULT,
    ServerConfig,
    Settings,
    active_server,
    configured_servers,
    load_settings,
    settings_path,
)
from storyboard_core.shotlist import ImportPlan, plan_import, project_csv
from storyboard_core.summaries import StatCache
from storyboard_core.workspace import default_workspace

from .state import ACCESS

if TYPE_CHECKING:
    from storyboard_core.player.sound import PlayerMix  # PyAV: imported when there is sound

APP_DIR = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- workspace, store, gate
def workspace_path() -> Path:
    """The workspace: ``$STORYBOARD_WORKSPACE``, else ``workspace/`` beside ``app.py``."""
    return default_workspace(base=APP_DIR)


@st.cache_resource(show_spinner=False)
def _store(root: str) -> Store:
    return Store(root)


def access() -> Access:
    """What this session may do, as the gate let it through (``app.py`` runs the gate first).

    Fails closed: a session the gate has not let through gets nothing.
    """
    granted = st.session_state.get(ACCESS)
    if not isinstance(granted, Access):
        raise PermissionDeniedError("this session has not passed the gate")
    return granted


def store() -> Store | GuardedStore:
    """The store this session may use: the process-wide one for an editor, a guard on it for a reviewer.

    One ``Store`` per workspace per server process: its caches are shared by all sessions. A
    reviewer's guard reads within the link and writes only comments (``change_shot``); what only an
    editor may write asks for ``editor_store()``.
    """
    return guarded(workspace_store(), access())


def workspace_store() -> Store:
    """The process-wide store itself, for process-wide services (the renderer), never for a session."""
    return _store(str(workspace_path()))


def editor_store() -> Store:
    """The process-wide store, for what only an editor may do (``PermissionDeniedError`` for a reviewer)."""
    access().require_editor("use an editor's tool")
    return workspace_store()


def shot_context(project: str, seq_id: str | None) -> ShotContext:
    """The bible and styles around the shots of ``seq_id`` (``None``: the loose shots)."""
    return ShotContext.read(store(), project, seq_id)


@st.cache_resource(show_spinner=False)
def _gate(root: str) -> Gate:
    # One throttle per server process: wrong tries count across every session of an address.
    return Gate(Path(root), Throttle())


def gate() -> Gate:
    """The process-wide gate of the workspace in use."""
    return _gate(str(workspace_path()))


# --------------------------------------------------------------------------- settings and ComfyUI
def _configure_logging() -> None:
    # State changes are logged once at INFO; httpx would log every poll's request at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    core = logging.getLogger("storyboard_core")
    core.setLevel(logging.INFO)
    if not core.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        core.addHandler(handler)


@st.cache_resource(show_spinner=False)
def _settings_cache(workspace: str) -> StatCache[Settings | StoryboardError]:
    return StatCache()


def _load(path: Path) -> Settings | StoryboardError:
    try:
        return load_settings(path.parent)
    except StoryboardError as exc:
        return exc


def settings() -> Settings:
    """The workspace's ``settings.json``, parsed once per change of the file (not on every rerun).

    Raises ``StoryboardError`` when the file cannot be used, as ``load_settings`` does.
    """
    ws = workspace_path()
    loaded = _settings_cache(str(ws)).get(settings_path(ws), _load)
    if isinstance(loaded, StoryboardError):
        raise loaded
    return loaded


def _poll_seconds(workspace: Path) -> float:
    try:
        return float(load_settings(workspace).comfyui.poll_seconds)
    except StoryboardError:
        return float(POLL_SECONDS_DEFAULT)


@st.cache_resource(show_spinner=False)
def _monitor(workspace: str) -> StatusMonitor:
    _configure_logging()
    root = Path(workspace)
    monitor = StatusMonitor(
        lambda: configured_servers(load_settings(root)),
        lambda: _poll_seconds(root),
        on_change=_catalog(workspace).refresh,  # capabilities read again when a server changes
    )
    monitor.start()
    return monitor


def monitor() -> StatusMonitor:
    """The process-wide monitor for this workspace's servers (started on first use)."""
    return _monitor(str(workspace_path()))


# --------------------------------------------------------------------------- rendering
@st.cache_resource(show_spinner=False)
def _renderer(workspace: str) -> Renderer:
    root = Path(workspace)
    made = Renderer(
        workspace_store(),
        root,
        lambda: configured_servers(load_settings(root)),
        router=Router(_catalog(workspace), _monitor(workspace)),
    )
    # The renders a previous run left (killed, restarted) go on, read in the background.
    made.resume()
    return made


def renderer() -> Renderer:
    """The process-wide renderer for this workspace (made, and resumed, on the first call).

    Renders run in the renderer's threads, not in a browser rerun: closing the tab loses nothing.
    """
    return _renderer(str(workspace_path()))


@st.cache_resource(show_spinner=False)
def _catalog(workspace: str) -> ServerCatalog:
    return ServerCatalog()


def active_catalog() -> tuple[str, Catalog | None]:
    """The active server's URL and what it offered when last read (``None`` until then).

    Never waits: the catalog is fetched in the background. It is kept while the server is offline:
    a poll that times out on a busy machine would otherwise turn the editor's generation choices
    into free text and back, and the fields seeded again could count as an edit.
    """
    try:
        server = active_server(settings())
    except StoryboardError:  # a broken settings file (or env URL) is reported on the Settings page
        return "", None
    return server.url, _catalog(str(workspace_path())).get(server)


def server_catalog(server: ServerConfig) -> Catalog | None:
    """What ``server`` offered when last read (``None`` until the first read arrives); never waits."""
    return _catalog(str(workspace_path())).get(server)


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


# --------------------------------------------------------------------------- cached reads of a project
def _project_version(project: str) -> str:
    summary = store().summarize_project(project)  # cached: one stat per file
    return f"{summary.updated_at}:{summary.counts.shots}:{summary.sequences}"


@st.cache_data(max_entries=32, show_spinner=False)
def _csv(project: str, seqs: tuple[str, ...] | None, version: str) -> bytes:
    # ``version`` changes with every write to the project, so a download is never stale.
    return project_csv(store(), project, list(seqs) if seqs is not None else None)


def shot_list_csv(project: str, seqs: tuple[str, ...] | None) -> bytes:
    """The shot list of ``seqs`` (``None``: the whole project) as CSV, made again after any write."""
    return _csv(project, seqs, _project_version(project))


@st.cache_data(max_entries=8, show_spinner=False)
def _plan(project: str, digest: str, _raw: bytes, version: str) -> ImportPlan:
    # Keyed by the file's digest and the project's version: a rerun does not re-read the project.
    return plan_import(editor_store(), project, _raw)


def import_plan(project: str, digest: str, raw: bytes) -> ImportPlan:
    """What importing the CSV ``raw`` (whose digest is ``digest``) would change, planned once per version."""
    return _plan(project, digest, raw, _project_version(project))


@st.cache_data(max_entries=16, show_spinner=False)
def _summary(root: str, project: str, seq: str | None, version: str) -> ReviewSummary:
    """The summary, computed once per version of the project's files (``version`` is their stamps)."""
    return review_summary(store(), project, seq)


def cached_review_summary(project: str, seq: str | None) -> ReviewSummary:
    """The review summary of a project (or one sequence), computed again only after a write."""
    # Every write stamps its file's updated_at and a sequence's revision: a new version.
    summary = store().summarize_project(project)
    sequences = store().list_sequences(project)
    version = repr(
        (summary.updated_at, [(s.id, s.revision, s.updated_at, s.error) for s in sequences])
    )
    return _summary(str(store().root), project, seq, version)


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_slides(
    root: str, project: str, seq_id: str | None, stamp: tuple[int, int]
) -> list[dict[str, Any]]:
    # ``stamp`` (the file's mtime and size) is only the cache key: a save makes a new entry.
    # Frames by name, not inlined: the present page serves them by URL (``clip_media.serve_frames``).
    slides = sequence_slides(store(), project, seq_id, inline_frames=False)
    return [s.model_dump() for s in slides]


def player_slides(project: str, seq_id: str | None) -> list[dict[str, Any]]:
    """The player's slides of one sequence (``None``: the loose shots), built once per version."""
    stamp = slides_stamp(store(), project, seq_id)
    return _cached_slides(str(workspace_path()), project, seq_id, stamp)


# A resource, not data: the same (immutable) mix object on every run, never a copy of its bytes.
@st.cache_resource(show_spinner=False, max_entries=4)
def _cached_mix(
    root: str, project: str, play: tuple[str, ...], stamp: tuple[tuple[str, int, int], ...]
) -> PlayerMix | None:
    # ``stamp`` (the files' mtimes and sizes, ``player_sound.sound_stamp``) is only the cache key.
    from storyboard_core.player.sound import player_audio  # PyAV: only when there is sound

    return player_audio(workspace_store(), project, play)


def player_mix(
    project: str, play: tuple[str, ...], stamp: tuple[tuple[str, int, int], ...]
) -> PlayerMix | None:
    """The player's mix of ``play`` of ``project``, mixed and encoded once per version."""
    return _cached_mix(str(workspace_path()), project, play, stamp)


Heard = tuple[Any, list[tuple[float, int]], float]


@st.cache_data(show_spinner=False, max_entries=16)
def _peaks(
    root: str, project: str, seq: str, buckets: int, stamp: tuple[tuple[str, int, int], ...]
) -> Heard:
    # ``stamp`` (``player_sound.sound_stamp``) is only the cache key: a changed file, a new entry.
    from storyboard_core.audio import mix, peaks
    from storyboard_core.timeline.running_order import read_running_order

    order = read_running_order(workspace_store(), project, [seq])
    made = mix(workspace_store().project_dir(project), order)
    cuts = [(placed.start, placed.shot.position) for placed in order.shots]
    return peaks(made.samples, buckets), cuts, order.duration


def sequence_peaks(project: str, seq: str, buckets: int) -> Heard | None:
    """The waveform of what plays under ``seq`` alone, in ``buckets`` slices (levels, each cut's
    time and shot number, seconds), or ``None`` when nothing plays there."""
    from storyboard_core.player.sound import sound_stamp
    from storyboard_core.timeline.running_order import read_running_order

    stamp = sound_stamp(
        workspace_store(), project, read_running_order(workspace_store(), project, [seq])
    )
    if stamp is None:
        return None
    return _peaks(str(workspace_path()), project, seq, buckets, stamp)
