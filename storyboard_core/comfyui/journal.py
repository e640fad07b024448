"""The render queue on disk, so that renders survive a restart of the app.

Each project with renders waiting keeps them in ``<project>/.renders/queue.json`` (git-ignored), written
like every other file (``storyboard_core.files``: locked, re-read, atomic), without history:

```json
{"jobs": [{"id": "…", "seq_id": "001", "shot_id": "shot-…", "server_url": "http://…",
           "workflow": "", "state": "rendering", "prompt_id": "…", "client_id": "…",
           "seed": 42, "created_at": 1767225600.0, "owner": "…"}]}
```

The ``Renderer`` adds a job when it is queued, records its ``prompt_id``/``client_id`` *before* it
posts it to ComfyUI (so a crash between the two still knows what the server may have), and removes
it once it is done, failed or cancelled. After a restart it claims the entries and resumes them.

Several processes may share a workspace (two app servers, the tests): each entry names its owner, a
renderer that holds an exclusive lock on ``<workspace>/.locks/renderer-<owner>.lock`` while it lives.
The kernel releases that lock when the process dies, even by SIGKILL; only entries whose owner's lock
is free are claimed, so the jobs of a renderer still running are never taken over.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from filelock import FileLock, Timeout
from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import BrokenFileError, NotFoundError, StoryboardError
from ..files import LOCK_DIR, FileArea, dumps, read_json
from ..paths import RENDER_QUEUE_DIR
from ..store import Store
from .render import RenderJob

logger = logging.getLogger("storyboard_core.comfyui.journal")

JOURNAL_DIR = RENDER_QUEUE_DIR
QUEUE_FILE = f"{JOURNAL_DIR}/queue.json"
# Inside JOURNAL_DIR, so that projects made before it existed keep it out of git as well.
SELF_IGNORE = "# The app's render queue: not part of the project.\n*\n"
_OWNER = re.compile(r"[0-9a-f]{16}")


class QueuedRender(BaseModel):
    """One render job as the journal keeps it (what is needed to resume it, nothing more)."""

    model_config = ConfigDict(extra="allow")

    id: str
    seq_id: str | None = None
    shot_id: str
    server_url: str
    workflow: str = ""
    state: Literal["queued", "rendering"] = "queued"
    prompt_id: str | None = None
    client_id: str | None = None
    seed: int | None = None
    created_at: float = 0.0
    owner: str = ""

    @classmethod
    def of(cls, job: RenderJob, owner: str) -> QueuedRender:
        """The entry of an active ``job`` owned by ``owner``."""
        return cls(
            id=job.id,
            seq_id=job.seq_id,
            shot_id=job.shot_id,
            server_url=job.server_url,
            workflow=job.workflow,
            state="rendering" if job.state == "rendering" else "queued",
            prompt_id=job.prompt_id,
            client_id=job.client_id,
            seed=job.seed,
            created_at=job.created_at,
            owner=owner,
        )

    def job(self, project: str) -> RenderJob:
        """The entry as a queued job of ``project``, with the ids it was sent with (if any)."""
        sent = "sent before the restart" if self.prompt_id else "queued before the restart"
        return RenderJob(
            id=self.id,
            project=project,
            seq_id=self.seq_id,
            shot_id=self.shot_id,
            server_url=self.server_url,
            workflow=self.workflow,
            message=f"resuming: {sent}",
            prompt_id=self.prompt_id,
            client_id=self.client_id,
            seed=self.seed,
            created_at=self.created_at,
        )


class QueueFile(BaseModel):
    """``<project>/.renders/queue.json``: the project's active render jobs, oldest first."""

    model_config = ConfigDict(extra="allow")

    jobs: list[QueuedRender] = []


_Kept = tuple[str, str | None, str | None]


def _kept(job: RenderJob) -> _Kept:
    """What the journal keeps of a job that can change: its state and the ids it was sent with."""
    return job.state, job.prompt_id, job.client_id


class RenderJournal:
    """The persisted render queues of one workspace's projects, written on behalf of one owner.

    Thread-safe. The owner's liveness lock is taken on the first write and released by ``close()``.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.owner = uuid.uuid4().hex[:16]
        self._owner_lock: FileLock | None = None
        self._guard = threading.Lock()
        self._written: dict[str, _Kept] = {}  # job id -> what was last written of it

    # -- owners ------------------------------------------------------------------------------------

    def _owner_path(self, owner: str) -> Path:
        return self.store.root / LOCK_DIR / f"renderer-{owner}.lock"

    def _hold(self) -> None:
        with self._guard:
            if self._owner_lock is not None:
                return
            path = self._owner_path(self.owner)
            # Not thread-local: taken in one thread (a click), released in another (shutdown).
            lock = FileLock(path, timeout=0, thread_local=False)
            try:
                # Not parents=True: a workspace that went away (an unmounted drive) is not re-made.
                path.parent.mkdir(exist_ok=True)
                lock.acquire()
            except OSError as exc:
                raise StoryboardError(
                    f"cannot write the renderer's lock {path.name} in {path.parent}: "
                    f"{exc.strerror or exc}"
                ) from exc
            self._owner_lock = lock

    def _alive(self, owner: str) -> bool:
        """Whether the renderer ``owner`` still runs (its lock is held): ours always is."""
        if owner == self.owner:
            return True
        if not _OWNER.fullmatch(owner):
            return False  # written by hand: not a renderer's name, nor ours to make a path of
        path = self._owner_path(owner)
        if not path.exists():
            return False
        probe = FileLock(path, timeout=0, thread_local=False)
        try:
            probe.acquire()
        except Timeout:
            return True
        probe.release()
        with contextlib.suppress(OSError):
            path.unlink()  # its owner is gone for good: tidy up
        return False

    def close(self) -> None:
        """Release the owner's lock (the entries it still owns become claimable)."""
        with self._guard:
            lock, self._owner_lock = self._owner_lock, None
        if lock is not None:
            lock.release()
            with contextlib.suppress(OSError):
                self._owner_path(self.owner).unlink()

    # -- the files ---------------------------------------------------------------------------------

    def projects(self) -> list[str]:
        """The projects of the workspace that have a render queue on disk."""
        return sorted(p.parent.parent.name for p in self.store.root.glob(f"*/{QUEUE_FILE}"))

    def _change(self, project: str, change: Callable[[list[QueuedRender]], bool]) -> None:
        """Lock the project's queue file, read it, let ``change`` edit its entries, write it back.

        ``change`` returns whether it changed anything; an empty queue removes the file.
        """
        folder = self.store.project_dir(project)
        area = FileArea(folder)
        path = folder / QUEUE_FILE
        try:
            with area.locked(QUEUE_FILE):
                entries = _read(path)
                if not change(entries):
                    return
                if not entries:
                    with contextlib.suppress(FileNotFoundError):
                        path.unlink()
                    return
                ignore = folder / JOURNAL_DIR / ".gitignore"
                if not ignore.exists():
                    ignore.parent.mkdir(exist_ok=True)
                    ignore.write_text(SELF_IGNORE, encoding="utf-8")
                data = QueueFile(jobs=entries).model_dump(mode="json")
                area.replace(QUEUE_FILE, dumps(data), history=False)
        except OSError as exc:  # a full disk, a read-only folder, a file where the folder goes
            raise StoryboardError(
                f"cannot write the render queue {project}/{QUEUE_FILE}: {exc.strerror or exc}"
            ) from exc

    def record(self, jobs: Iterable[RenderJob]) -> None:
        """Write the jobs as they are now: active ones are added or updated, others removed.

        Raises ``StoryboardError`` (a lock held too long, a full disk, a read-only folder) when
        the file cannot be written.
        """
        jobs = list(jobs)
        by_project: dict[str, list[RenderJob]] = {}
        for job in jobs:
            by_project.setdefault(job.project, []).append(job)
        if any(job.active for group in by_project.values() for job in group):
            self._hold()
        for project, group in by_project.items():

            def change(entries: list[QueuedRender], group: list[RenderJob] = group) -> bool:
                changed = False
                for job in group:
                    at = next((i for i, e in enumerate(entries) if e.id == job.id), None)
                    if job.active:
                        entry = QueuedRender.of(job, self.owner)
                        if at is None:
                            entries.append(entry)
                        else:
                            # Keys the app does not know (a newer version's) are kept.
                            merged = entries[at].model_copy(update=dict(entry))
                            if merged == entries[at]:
                                continue
                            entries[at] = merged
                        changed = True
                    elif at is not None:
                        del entries[at]
                        changed = True
                return changed

            try:
                self._change(project, change)
            except NotFoundError:
                if any(job.active for job in group):
                    raise
                # A project deleted while its last render ran: nothing left to forget.
        self._note(jobs)

    def update(self, job: RenderJob) -> None:
        """Write ``job`` if what the journal keeps of it changed since it was last written here
        (a job is updated on every progress step; most change nothing kept). Raises like ``record``,
        and a failed write is not tried again for the same state."""
        kept = _kept(job)
        with self._guard:
            if self._written.get(job.id) == kept:
                return
            self._written[job.id] = kept
        self.record([job])

    def forget(self, job_id: str) -> None:
        """Drop what was last written of a job the renderer no longer keeps."""
        with self._guard:
            self._written.pop(job_id, None)

    def _note(self, jobs: Iterable[RenderJob]) -> None:
        with self._guard:
            for job in jobs:
                self._written[job.id] = _kept(job)

    def claim(self, project: str) -> list[RenderJob]:
        """Take over the project's entries whose owner is gone; return them as queued jobs.

        Entries that were sent to ComfyUI come first (each server follows those before sending
        anything new), then the others in the order they were queued.
        """
        self._hold()
        claimed: list[QueuedRender] = []

        def change(entries: list[QueuedRender]) -> bool:
            for n, entry in enumerate(entries):
                if not self._alive(entry.owner):
                    entries[n] = entry.model_copy(update={"owner": self.owner})
                    claimed.append(entries[n])
            return bool(claimed)

        self._change(project, change)
        claimed.sort(key=lambda e: (e.prompt_id is None, e.created_at))
        jobs = [entry.job(project) for entry in claimed]
        self._note(jobs)
        return jobs


def _read(path: Path) -> list[QueuedRender]:
    """The entries of a queue file; a missing one is empty, a broken one is set aside (and empty)."""
    try:
        return QueueFile.model_validate(read_json(path)).jobs
    except NotFoundError:
        return []
    except (BrokenFileError, ValidationError) as exc:
        # Our own bookkeeping, not the user's work: keep it for a look, start a clean queue.
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = path.with_name(f"queue.broken-{stamp}.json")
        path.replace(aside)
        logger.warning("%s could not be read (%s); set aside as %s", path, exc, aside.name)
        return []


__all__ = ["JOURNAL_DIR", "QUEUE_FILE", "QueueFile", "QueuedRender", "RenderJournal"]
