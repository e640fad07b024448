"""The background render service: one queue per ComfyUI server, jobs in memory and on disk.

``Renderer`` runs ``render_shot`` (``render.py``, one render's protocol) in background threads, one
queue per server so that each server renders one shot of ours at a time, and keeps every job so that
a closed browser tab loses nothing. Active jobs are also written to each project's render journal
(``journal.py``), so that ``resume()`` after a restart of the app picks them up again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..errors import (
    ComfyUIUnavailableError,
    InvalidDataError,
    NotFoundError,
    StoryboardError,
)
from ..settings import ServerConfig, redact_url, server_for_url
from ..store import Store
from .capabilities import Requirements, choose_server
from .client import ClientFactory, default_client_factory
from .journal import RenderJournal
from .load import queue_length, queue_lengths
from .render import (
    DEFAULT_TIMEOUT_S,
    RenderJob,
    WsConnect,
    default_ws_connect,
    new_job,
    render_shot,
)
from .routing import (
    BatchRoutes,
    Router,
    RoutingBook,
    batch_routes,
    check_named,
    hand_over_plan,
    loaded,
    shot_requirements,
)

logger = logging.getLogger("storyboard_core.comfyui.queue")

# A submit made while a resume reads the journals waits this long for it (so a shot being resumed is
# not queued a second time); reading them is local disk work, done in well under a second.
RESUME_WAIT_S = 10.0
# A resumed job whose server does not answer waits this long for it (after a reboot, ComfyUI may
# start later than the app), asking every RESUME_POLL_S, before it is tried (and fails) anyway.
RESUME_SERVER_WAIT_S = 120.0
RESUME_POLL_S = 1.0


class Renderer:
    """Renders shots in background threads and keeps every job in memory, safe across threads.

    ``servers_provider`` gives the configured servers (called on each submit, so settings changes
    apply). With a ``router`` (``routing.py``), a shot is sent only to a server that can run its
    graph: the least busy capable one unless a server is named, refused before anything is sent
    when none can, and handed to another capable server when its own goes down before sending it.
    Each server has its own queue and ``workers_per_server`` threads (default 1: one shot of
    ours at a time per server, so "Render missing" spreads over servers instead of piling up on one).
    The app keeps one instance for the life of the process (``st.cache_resource``) and calls
    ``resume()`` once to take up the renders a previous run left; call ``shutdown()`` to stop it.
    """

    def __init__(
        self,
        store: Store,
        workspace: Path,
        servers_provider: Callable[[], list[ServerConfig]],
        *,
        workers_per_server: int = 1,
        client_factory: ClientFactory = default_client_factory,
        ws_connect: WsConnect = default_ws_connect,
        timeout_s: float | None = DEFAULT_TIMEOUT_S,
        keep_finished: int = 500,
        router: Router | None = None,
    ) -> None:
        if workers_per_server < 1:
            raise ValueError("workers_per_server must be at least 1")
        self.store = store
        self.workspace = Path(workspace)
        self._provider = servers_provider
        self._workers_per_server = workers_per_server
        self._client_factory = client_factory
        self._ws_connect = ws_connect
        self._timeout_s = timeout_s
        self._keep_finished = keep_finished
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # a job changed, or a queue got work
        self._jobs: dict[str, RenderJob] = {}  # in submission order
        self._configs: dict[str, ServerConfig] = {}  # job id -> server (with its token)
        self._queues: dict[str, deque[str]] = {}  # server url -> job ids not yet picked up
        self._threads: dict[str, list[threading.Thread]] = {}
        self._cancels: dict[str, threading.Event] = {}  # job id -> event, while it renders
        self._closed = False
        self._journal = RenderJournal(store)
        self._submitting = threading.Lock()  # one submit at a time: check, journal, enqueue
        self._resumed = threading.Event()
        self._resumed.set()  # no resume under way
        self._from_journal: set[str] = set()  # resumed jobs not yet picked up by a worker
        # Routing by capabilities (when a router is given): what each job needs, the jobs whose
        # server was chosen by hand, and the model each server last loaded for us.
        self._book = RoutingBook(router) if router is not None else None

    # -- choosing servers ------------------------------------------------------------------------

    def _servers(self) -> list[ServerConfig]:
        servers = list(self._provider())
        if not servers:
            raise ComfyUIUnavailableError("no ComfyUI server is configured; add one in Settings")
        return servers

    def _server(self, server_url: str | None) -> ServerConfig:
        servers = self._servers()
        if server_url is None:
            return next((s for s in servers if s.active), servers[0])
        return server_for_url(server_url, servers)

    def _answers(self, server: ServerConfig) -> bool:
        return isinstance(queue_length(server, self._client_factory), int)

    # -- submitting ------------------------------------------------------------------------------

    def _active_for(self, project: str, seq_id: str | None, shot_id: str) -> RenderJob | None:
        for job in reversed(self._jobs.values()):
            if job.active and (job.project, job.seq_id, job.shot_id) == (project, seq_id, shot_id):
                return job
        return None

    def _enqueue(self, job: RenderJob, server: ServerConfig) -> None:
        """Queue ``job`` for ``server``, starting its workers if needed. Caller holds the lock."""
        self._jobs[job.id] = job
        self._configs[job.id] = server
        self._queues.setdefault(server.url, deque()).append(job.id)
        threads = self._threads.setdefault(server.url, [])
        threads[:] = [t for t in threads if t.is_alive()]
        while len(threads) < self._workers_per_server:
            thread = threading.Thread(
                target=self._work,
                args=(server.url,),
                name=f"render-{redact_url(server.url)}",
                daemon=True,
            )
            threads.append(thread)
            thread.start()
        self._changed.notify_all()

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the renderer was shut down")

    def submit(
        self,
        project: str,
        seq_id: str | None,
        shot_id: str,
        *,
        workflow: str | None = None,
        server_url: str | None = None,
    ) -> RenderJob:
        """Queue a render of one shot on ``server_url`` (default: the active server); return the job.

        A shot that is already queued or rendering is not queued twice: its job is returned.
        Raises ``NotFoundError`` for an unknown shot and ``ComfyUIUnavailableError`` when no server
        is configured; with a router, ``NoCapableServerError`` (naming what is missing where) when
        no online server can run the shot's graph, before anything is sent.
        """
        self._check_open()
        server = self._server(server_url)
        self.store.read_shot(project, seq_id, shot_id)  # an unknown shot fails here, not later
        needs = None
        if self._book is not None:
            where = (self.store, self.workspace, project, seq_id, shot_id, workflow)
            needs = shot_requirements(*where)
            server = self._route(needs, server if server_url else None, f"shot {shot_id}")
        self._resumed.wait(RESUME_WAIT_S)
        with self._submitting:
            with self._lock:
                self._check_open()
                existing = self._active_for(project, seq_id, shot_id)
            if existing is not None:
                return existing
            job = new_job(project, seq_id, shot_id, server_url=server.url, workflow=workflow)
            if self._book is not None:
                with self._lock:
                    self._book.note(job.id, needs, pinned=server_url is not None)
            self._enqueue_all([(job, server)])
        return job

    def submit_missing(
        self, project: str, seq_id: str | None, shot_ids: list[str]
    ) -> list[RenderJob]:
        """Queue renders of ``shot_ids`` spread over the online servers, shortest queue first.

        Each server's ``/queue`` is asked at once (in parallel, with short timeouts); servers that
        do not answer are skipped. A server's load is its queue plus our jobs not yet sent to it.
        Raises ``ComfyUIUnavailableError`` (listing why) when no server is online, and
        ``NotFoundError`` for an unknown shot (then nothing is queued).
        """
        self._check_open()
        known = {s.id for s in self.store.read_shots(project, seq_id)}
        unknown = [s for s in shot_ids if s not in known]
        if unknown:
            where = f"sequence {seq_id}" if seq_id else "the loose shots"
            raise NotFoundError(f"no shot {', '.join(unknown)} in {where} of {project!r}")
        servers = self._servers()
        lengths = queue_lengths(servers, self._client_factory)
        online = [(s, n) for s, n in zip(servers, lengths, strict=True) if isinstance(n, int)]
        if not online:
            reasons = "; ".join(str(n) for n in lengths)
            raise ComfyUIUnavailableError(f"no ComfyUI server is online ({reasons})")
        routes = None
        if self._book is not None:
            ids = (self.store, self.workspace, project, seq_id, shot_ids)
            routes = batch_routes(self._book.router, *ids, servers)
        self._resumed.wait(RESUME_WAIT_S)
        with self._submitting:
            return self._spread(project, seq_id, shot_ids, online, routes)

    def _spread(
        self,
        project: str,
        seq_id: str | None,
        shot_ids: list[str],
        online: list[tuple[ServerConfig, int]],
        routes: BatchRoutes | None = None,
    ) -> list[RenderJob]:
        """Queue ``shot_ids`` on the least loaded of ``online`` (of those that can run each shot,
        with ``routes``: a shot none can run gets a failed job saying why). Caller holds
        ``_submitting``."""
        jobs: list[RenderJob] = []
        new: list[tuple[RenderJob, ServerConfig]] = []
        with self._lock:
            self._check_open()
            unsent = self._unsent_load()
            load = {s.url: n + unsent.get(s.url, 0) for s, n in online}
            order = {s.url: i for i, (s, _) in enumerate(online)}
            for shot_id in shot_ids:
                existing = self._active_for(project, seq_id, shot_id)
                if existing is not None:
                    jobs.append(existing)
                    continue
                if routes is None:
                    server = min((s for s, _ in online), key=lambda s: (load[s.url], order[s.url]))
                else:
                    assert self._book is not None  # routes are made only with a router
                    chosen = routes.choose(shot_id, load, self._book.last_model)
                    if isinstance(chosen, str):  # no server can run it: said on its job
                        refused = replace(
                            new_job(project, seq_id, shot_id, server_url=""),
                            state="failed",
                            message=chosen,
                            finished_at=time.time(),
                        )
                        self._jobs[refused.id] = refused
                        jobs.append(refused)
                        continue
                    server = chosen
                load[server.url] = load.get(server.url, 0) + 1
                job = new_job(project, seq_id, shot_id, server_url=server.url)
                if routes is not None and self._book is not None:
                    self._book.note(job.id, routes.needs.get(shot_id), pinned=False)
                new.append((job, server))
                jobs.append(job)
        self._enqueue_all(new)
        return jobs

    # -- routing by capabilities -------------------------------------------------------------------

    def _unsent_load(self) -> dict[str, int]:
        """Our active jobs not yet sent, by server URL. Caller holds the lock."""
        load: dict[str, int] = {}
        for job_id, job in self._jobs.items():
            if job.active and job.prompt_id is None and job_id in self._configs:
                url = self._configs[job_id].url
                load[url] = load.get(url, 0) + 1
        return load

    def _route(self, needs: Requirements, named: ServerConfig | None, what: str) -> ServerConfig:
        """The server for a graph with ``needs``: ``named`` if it can run it, else the best one."""
        assert self._book is not None
        servers = [named] if named is not None else self._servers()
        base = [self._book.router.candidate(s) for s in servers]
        if named is not None:
            check_named(needs, base[0], what)
            return named
        with self._lock:
            load, last = self._unsent_load(), dict(self._book.last_model)
        return choose_server(needs, loaded(base, load, last), what=what)

    def _hand_over(self, url: str, job: RenderJob) -> bool:
        """Move ``job`` and the jobs waiting behind it on the server at ``url``, which went down, to
        other servers that can run them; True when ``job`` itself moved."""
        book = self._book
        assert book is not None
        base = [book.router.candidate(s) for s in self._servers() if s.url != url]
        moved: list[RenderJob] = []
        with self._lock:
            queue = self._queues.get(url) or deque()
            unsent = [j for j in (job.id, *queue) if not self._jobs[j].prompt_id]
            waiting = book.movable(unsent)
            plan = hand_over_plan(base, waiting, self._unsent_load(), book.last_model)
            for job_id, target in plan:
                if job_id in queue:
                    queue.remove(job_id)
                note = f"{redact_url(url)} is offline; handed over to {target.name}"
                handed = replace(
                    self._jobs[job_id], server_url=redact_url(target.url), message=note
                )
                self._enqueue(handed, target)
                moved.append(handed)
        if moved:
            try:
                self._journal.record(moved)
            except StoryboardError as exc:
                logger.warning("could not record handed-over renders: %s", exc)
        return any(m.id == job.id for m in moved)

    def _enqueue_all(self, jobs: list[tuple[RenderJob, ServerConfig]]) -> None:
        """Write new jobs to the journal, then queue them. Caller holds ``_submitting``.

        The journal comes first, so that a worker's later writes (the prompt id) are never
        overwritten by this one; if it cannot be written, nothing is queued.
        """
        if not jobs:
            return
        self._journal.record(job for job, _ in jobs)
        with self._lock:
            closed = self._closed
            if not closed:
                for job, server in jobs:
                    self._enqueue(job, server)
        if closed:
            self._journal.record(replace(job, state="cancelled") for job, _ in jobs)
            raise RuntimeError("the renderer was shut down")

    def _persist(self, job: RenderJob) -> None:
        """Write ``job`` to the journal if what it keeps of it changed (never raises: logs)."""
        try:
            self._journal.update(job)
        except StoryboardError as exc:
            # The render itself goes on; only surviving a restart of the app is at risk.
            logger.warning("render %s: could not update the render queue file: %s", job.id, exc)

    # -- working ---------------------------------------------------------------------------------

    def _work(self, url: str) -> None:
        while True:
            with self._lock:
                queue = self._queues[url]
                while not queue and not self._closed:
                    self._changed.wait()
                if self._closed:
                    return
                job_id = queue.popleft()
                job = self._jobs[job_id]
                server = self._configs[job_id]
                cancel = threading.Event()
                self._cancels[job_id] = cancel
                resumed = job_id in self._from_journal
                self._from_journal.discard(job_id)
            if (
                self._book is not None
                and not resumed
                and not self._answers(server)
                and self._hand_over(url, job)
            ):
                with self._lock:
                    self._cancels.pop(job_id, None)
                continue
            try:
                if resumed:
                    self._await_server(job, server, cancel)
                with self._client_factory(server) as client:
                    final = render_shot(
                        self.store,
                        self.workspace,
                        job.project,
                        job.seq_id,
                        job.shot_id,
                        server=server,
                        # The workflow asked for ("" = the shot's own choice), as queued.
                        workflow=job.workflow or None,
                        client=client,
                        on_update=self._update,
                        cancel_event=cancel,
                        ws_connect=self._ws_connect,
                        timeout_s=self._timeout_s,
                        job=job,
                    )
            except Exception as exc:
                # A bug must not kill the server's worker: the job fails, the next one runs.
                logger.exception("render %s failed unexpectedly", job_id)
                final = replace(
                    self._jobs.get(job_id, job),
                    state="failed",
                    message=f"internal error: {type(exc).__name__}: {exc}",
                    finished_at=time.time(),
                )
            self._persist(final)
            with self._lock:
                self._note_warm(final)
                self._jobs[job_id] = final
                self._cancels.pop(job_id, None)
                self._prune()
                self._changed.notify_all()

    def _await_server(self, job: RenderJob, server: ServerConfig, cancel: threading.Event) -> None:
        """Wait, up to ``RESUME_SERVER_WAIT_S``, for the server of a resumed job to answer."""
        deadline = time.monotonic() + RESUME_SERVER_WAIT_S
        while not cancel.is_set() and time.monotonic() < deadline:
            if self._answers(server):
                return
            self._update(replace(job, message=f"waiting for {job.server_url} to come back"))
            cancel.wait(RESUME_POLL_S)

    def _update(self, job: RenderJob) -> None:
        # Written before the render goes on: the prompt id is on disk before the POST is sent.
        self._persist(job)
        with self._lock:
            if job.id in self._jobs:
                self._note_warm(job)  # before a waiter sees it done
                self._jobs[job.id] = job
                self._changed.notify_all()

    def _note_warm(self, job: RenderJob) -> None:
        """A done job's server now has its model loaded. Caller holds the lock."""
        if self._book is not None and job.state == "done" and job.id in self._configs:
            self._book.done(job.id, self._configs[job.id].url)

    def _prune(self) -> None:
        """Forget the oldest finished jobs beyond ``keep_finished``. Caller holds the lock."""
        finished = [job_id for job_id, job in self._jobs.items() if not job.active]
        for job_id in finished[: max(0, len(finished) - self._keep_finished)]:
            del self._jobs[job_id]
            self._configs.pop(job_id, None)
            if self._book is not None:
                self._book.forget(job_id)
            self._journal.forget(job_id)
            self._from_journal.discard(job_id)

    # -- cancelling ------------------------------------------------------------------------------

    def cancel(self, job_id: str, *, wait_s: float = 3.0) -> RenderJob:
        """Cancel a job: drop it if not yet sent, else take it back from ComfyUI; return the job.

        A job ComfyUI has queued is deleted from its queue; a running one is interrupted (ComfyUI
        stops at the next node boundary or sampler step). Waits up to ``wait_s`` for the job to
        end, so the returned job is usually "cancelled". ``NotFoundError`` for an unknown id.
        """
        deadline = time.monotonic() + wait_s
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                raise NotFoundError(f"no render job {job_id!r}")
            if not job.active:
                return job
            queue = self._queues.get(self._configs[job_id].url) or deque()
            dropped = job_id in queue
            if dropped:
                queue.remove(job_id)
                job = replace(job, state="cancelled", message="cancelled", finished_at=time.time())
                self._jobs[job_id] = job
                self._changed.notify_all()
        if dropped:
            self._persist(job)
            return job
        with self._lock:
            event = self._cancels.get(job_id)
            if event is not None:
                event.set()
            while self._jobs[job_id].active:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            return self._jobs[job_id]

    # -- reading ---------------------------------------------------------------------------------

    def jobs(self, project: str | None = None, seq_id: str | None = None) -> list[RenderJob]:
        """Known jobs, oldest first; of one project, and of one sequence when ``seq_id`` is given."""
        with self._lock:
            jobs = list(self._jobs.values())
        return [
            j
            for j in jobs
            if (project is None or j.project == project) and (seq_id is None or j.seq_id == seq_id)
        ]

    def job(self, job_id: str) -> RenderJob | None:
        """The job with this id, or ``None`` (unknown, or forgotten long after it finished)."""
        with self._lock:
            return self._jobs.get(job_id)

    def latest(self, project: str, seq_id: str | None, shot_id: str) -> RenderJob | None:
        """The most recent job of one shot, or ``None``."""
        with self._lock:
            for job in reversed(self._jobs.values()):
                if (job.project, job.seq_id, job.shot_id) == (project, seq_id, shot_id):
                    return job
        return None

    def wait(self, job_id: str, timeout: float) -> RenderJob:
        """Wait up to ``timeout`` s for a job to finish; return it as it is then."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                job = self._jobs.get(job_id)
                if job is None:
                    raise NotFoundError(f"no render job {job_id!r}")
                left = deadline - time.monotonic()
                if not job.active or left <= 0:
                    return job
                self._changed.wait(left)

    # -- lifetime --------------------------------------------------------------------------------

    def resume(self) -> threading.Thread:
        """Take up, in a background thread, the renders that a previous run of the app left.

        Every project's journal is read; its entries whose renderer is gone are claimed and queued
        again on their server: a job never sent is sent, one that was sent is first looked for on
        the server (``render_shot`` takes a finished result as is and follows a running one). A
        submit made meanwhile waits for this, so a shot is not queued twice. Returns the thread.
        """
        self._resumed.clear()
        thread = threading.Thread(target=self._resume, name="render-resume", daemon=True)
        thread.start()
        return thread

    def _resume(self) -> None:
        try:
            for project in self._journal.projects():
                try:
                    jobs = self._journal.claim(project)
                except StoryboardError as exc:
                    logger.warning("could not resume the renders of %s: %s", project, exc)
                    continue
                try:
                    known = self._provider()
                except StoryboardError:
                    known = []  # a broken settings file: the journal's URLs still say where
                ended = []
                with self._lock:
                    if self._closed:
                        return
                    for job in jobs:
                        if self._active_for(job.project, job.seq_id, job.shot_id) is not None:
                            ended.append(replace(job, state="cancelled", message="queued twice"))
                            continue
                        try:
                            server = server_for_url(job.server_url, known, shown=True)
                        except InvalidDataError as exc:  # a journal edited by hand
                            failed = replace(job, state="failed", message=str(exc))
                            self._jobs[job.id] = failed
                            ended.append(failed)
                            continue
                        self._from_journal.add(job.id)
                        self._enqueue(job, server)
                for job in ended:
                    self._persist(job)
                logger.info("resumed %d render(s) of %s", len(jobs) - len(ended), project)
        finally:
            self._resumed.set()

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop: cancel queued jobs, take running ones back from ComfyUI, end the threads.

        Waits up to ``timeout`` s in all for the workers; ``submit`` raises ``RuntimeError`` after.
        """
        with self._lock:
            self._closed = True
            stamp = time.time()
            dropped = []
            for queue in self._queues.values():
                for job_id in queue:
                    self._jobs[job_id] = replace(
                        self._jobs[job_id],
                        state="cancelled",
                        message="cancelled: the app stopped",
                        finished_at=stamp,
                    )
                    dropped.append(self._jobs[job_id])
                queue.clear()
            for event in self._cancels.values():
                event.set()
            self._changed.notify_all()
            threads = [t for ts in self._threads.values() for t in ts]
        for job in dropped:
            self._persist(job)
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._journal.close()


__all__ = ["Renderer"]
