"""Rendering shots on ComfyUI: one render (``render_shot``) and a background service (``Renderer``).

A render, as ComfyUI 0.3.64 was observed to behave (``/work/shared/comfyui/API.md``):

1. read the shot, load its workflow, pick the seed (-1 becomes a random one that is recorded), fill
   the placeholders;
2. open the WebSocket ``/ws?clientId=…`` *first*: ComfyUI sends a prompt's events only to the socket
   whose id is the prompt's ``client_id``, so a socket opened after the POST could miss the start;
3. ``POST /prompt`` with that ``client_id`` (and our own ``prompt_id``, so a cancel never races the
   answer), then follow the events: queue position, node progress, then ``execution_success``,
   ``execution_error`` or ``execution_interrupted``. If the socket fails or closes, poll
   ``/history/{id}`` instead;
4. history is written just *after* ``execution_success`` (1 run in 10 saw ``{}``), so it is asked
   again with a short, bounded backoff;
5. fetch the images with ``/view`` into ``<project>/renders/<shot id>/<UTC stamp>-<prompt id>.png``
   and record them as new takes of the shot (``storyboard_core.takes``), with what made them.

Every failure ends as a ``RenderJob`` in state ``failed`` whose ``message`` is written for the user;
nothing else on the shot changes. ``Renderer`` runs renders in background threads (one queue per
server, so each server renders one shot of ours at a time) and keeps the jobs in memory, so a closed
browser tab loses nothing.
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Literal, Protocol
from urllib.parse import quote, urlsplit, urlunsplit

from ..errors import (
    ComfyUIError,
    ComfyUITimeoutError,
    ComfyUIUnavailableError,
    FieldProblem,
    InvalidDataError,
    RenderFailedError,
    StoryboardError,
)
from ..files import write_atomic
from ..models import Shot, now
from ..paths import check_shot_id, inside
from ..settings import ServerConfig, normalize_url, redact_url
from ..store import Store
from ..takes import RENDERS_DIR, record_takes, render_take, take_inputs
from .client import ComfyUIClient, auth_headers, default_client_factory
from .workflows import (
    BUILTIN,
    fill_workflow,
    load_workflow,
    placeholder_values,
    used_placeholders,
)

RenderState = Literal["queued", "rendering", "done", "failed", "cancelled"]
ACTIVE_STATES: frozenset[str] = frozenset({"queued", "rendering"})
JsonDict = dict[str, Any]

#: Images land on the ComfyUI server in ``output/storyboard/<shot id>_00001_.png``.
SERVER_SUBFOLDER = "storyboard"
#: A random seed is drawn below this (ComfyUI accepts up to 2**64 - 1; 2**63 keeps it a signed int64
#: for tools that read the PNG metadata).
RANDOM_SEED_LIMIT = 2**63
#: A render gives up after this long by default (the wait includes other people's queued prompts).
DEFAULT_TIMEOUT_S = 3600.0

# How long one WebSocket read waits: also how quickly a cancel is noticed.
RECV_TIMEOUT_S = 0.2
# Without a WebSocket, /history is polled this often (answers take 1-5 ms even while rendering).
POLL_INTERVAL_S = 0.25
# With a WebSocket that has been quiet this long, /history is asked anyway, in case events were lost.
QUIET_POLL_S = 5.0
# This many failed calls in a row mean the server is gone (one refused call may be a restart blip).
LOST_AFTER_FAILURES = 3
# After execution_success, history may still be {} for a moment: ask again after these pauses (~5 s).
HISTORY_BACKOFF_S = (0.0, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 2.0)
WS_OPEN_TIMEOUT_S = 3.0
# Preview frames can be large binary messages; they are ignored, but must not break the socket.
WS_MAX_SIZE = 64 * 2**20
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".gif"})

logger = logging.getLogger("storyboard_core.comfyui.render")


# -- the job -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderJob:
    """One render of one shot, as last seen: its state, progress (0..1) and a message for the user.

    ``image`` is the saved frame's path relative to the project (when done); ``seed`` the seed
    actually used; ``created_at``/``finished_at`` are ``time.time()`` stamps.
    """

    id: str
    project: str
    seq_id: str | None
    shot_id: str
    server_url: str
    workflow: str
    state: RenderState = "queued"
    progress: float = 0.0
    message: str = ""
    prompt_id: str | None = None
    image: str | None = None
    seed: int | None = None
    created_at: float = 0.0
    finished_at: float | None = None

    @property
    def active(self) -> bool:
        """True while the job is queued or rendering (it can still be cancelled)."""
        return self.state in ACTIVE_STATES


def new_job(
    project: str,
    seq_id: str | None,
    shot_id: str,
    *,
    server_url: str,
    workflow: str | None = None,
) -> RenderJob:
    """A fresh queued job with a new id, stamped now."""
    return RenderJob(
        id=uuid.uuid4().hex[:12],
        project=project,
        seq_id=seq_id,
        shot_id=shot_id,
        server_url=redact_url(server_url),
        workflow=workflow or "",
        message=f"waiting for {redact_url(server_url)}",
        created_at=time.time(),
    )


# -- the WebSocket, behind a small seam so tests can inject a failing one ------------------------------


class MessageSource(Protocol):
    """The events of one ComfyUI WebSocket."""

    def recv(self, timeout: float) -> str | bytes | None:
        """The next message, ``None`` if none arrived in ``timeout`` s; ``ConnectionError`` if closed."""
        ...

    def close(self) -> None:
        """Close the socket (idempotent)."""
        ...


#: Opens a WebSocket to a URL with extra headers; raises ``ConnectionError`` (or ``OSError``).
WsConnect = Callable[[str, dict[str, str]], MessageSource]


class _WebSocket:
    """``websockets``' synchronous client as a ``MessageSource``: its errors become ``ConnectionError``."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def recv(self, timeout: float) -> str | bytes | None:
        from websockets.exceptions import ConnectionClosed, WebSocketException

        try:
            message: str | bytes = self._connection.recv(timeout=timeout)
        except TimeoutError:
            return None
        except ConnectionClosed as exc:
            raise ConnectionError(f"the WebSocket closed ({exc})") from exc
        except WebSocketException as exc:
            raise ConnectionError(f"the WebSocket failed ({exc})") from exc
        return message

    def close(self) -> None:
        self._connection.close()


def default_ws_connect(url: str, headers: dict[str, str]) -> MessageSource:
    """Open ComfyUI's WebSocket with ``websockets``' sync client (``ConnectionError`` on failure)."""
    # Imported here: only renders need it, and importing the core stays quick.
    from websockets.exceptions import WebSocketException
    from websockets.sync.client import connect

    try:
        connection = connect(
            url,
            additional_headers=headers or None,
            open_timeout=WS_OPEN_TIMEOUT_S,
            close_timeout=1.0,
            max_size=WS_MAX_SIZE,
        )
    except (OSError, WebSocketException) as exc:  # TimeoutError is an OSError
        raise ConnectionError(f"cannot open the WebSocket: {exc}") from exc
    # Entering the connection is how websockets >= 17.1 is told that the caller closes it itself
    # (without it, the first recv() warns); on older versions it only returns the connection.
    connection.__enter__()
    return _WebSocket(connection)


def ws_url(base_url: str, client_id: str) -> str:
    """``ws://host:port/ws?clientId=…`` for ``http://host:port`` (``wss`` for ``https``)."""
    parts = urlsplit(normalize_url(base_url))
    scheme = "wss" if parts.scheme == "https" else "ws"
    path = parts.path.rstrip("/") + "/ws"
    return urlunsplit((scheme, parts.netloc, path, f"clientId={quote(client_id)}", ""))


# -- one render ----------------------------------------------------------------------------------------


class _Cancelled(Exception):
    """The caller asked to stop (internal: becomes state "cancelled")."""


class _GaveUp(RenderFailedError):
    """The render took longer than its timeout (its prompt is taken back from ComfyUI)."""


class _Run:
    """The job being rendered, and the one place that reports its changes."""

    def __init__(self, job: RenderJob, on_update: Callable[[RenderJob], None] | None) -> None:
        self.job = job
        self._on_update = on_update

    def update(self, **changes: Any) -> None:
        job = replace(self.job, **changes)
        if job == self.job:
            return
        self.job = job
        if self._on_update is not None:
            try:
                self._on_update(job)
            except Exception:
                # A broken observer (a closed UI) must not break the render itself.
                logger.exception("render %s: progress callback failed", job.id)

    def finish(self, state: RenderState, message: str, **changes: Any) -> None:
        self.update(state=state, message=message, finished_at=time.time(), **changes)


def _node_weight(node: Any) -> int:
    # Sampler nodes report progress per step and take most of the time: weigh them by their steps.
    inputs = node.get("inputs") if isinstance(node, dict) else None
    steps = inputs.get("steps") if isinstance(inputs, dict) else None
    if isinstance(steps, int) and not isinstance(steps, bool) and steps > 0:
        return steps
    return 1


def _image_list(entry: JsonDict) -> list[JsonDict]:
    """The images a finished prompt made: SaveImage's outputs, else (only) its previews."""
    outputs = entry.get("outputs")
    images: list[JsonDict] = []
    if isinstance(outputs, dict):
        for node_output in outputs.values():
            found = node_output.get("images") if isinstance(node_output, dict) else None
            for image in found if isinstance(found, list) else []:
                if isinstance(image, dict) and isinstance(image.get("filename"), str):
                    images.append(image)
    saved = [i for i in images if i.get("type", "output") == "output"]
    return saved or images


class _Follower:
    """Follows one posted prompt until it ends; returns its history entry or raises."""

    def __init__(
        self,
        run: _Run,
        client: ComfyUIClient,
        ws: MessageSource | None,
        prompt_id: str,
        graph: JsonDict,
        cancel: threading.Event,
        deadline: float | None,
    ) -> None:
        self.run = run
        self.client = client
        self.ws = ws
        self.prompt_id = prompt_id
        self.graph = graph
        self.cancel = cancel
        self.deadline = deadline
        self.url = client.display_url
        self.started = False
        self.failures = 0
        self.missing = 0
        self.weights = {str(k): _node_weight(v) for k, v in graph.items()}
        self.total = sum(self.weights.values()) or 1
        self.done: set[str] = set()
        self.current: str | None = None
        self.current_fraction = 0.0
        self.last_ours = time.monotonic()  # when an event about our prompt last arrived

    # -- the loop --------------------------------------------------------------------------------

    def _check_stop(self) -> None:
        if self.cancel.is_set():
            raise _Cancelled
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise _GaveUp(f"ComfyUI at {self.url} gave no result in time; the render was stopped")

    def follow(self) -> JsonDict:
        while True:
            self._check_stop()
            if self.ws is not None:
                try:
                    raw = self.ws.recv(RECV_TIMEOUT_S)
                except (ConnectionError, OSError) as exc:
                    logger.info("render %s: %s; polling /history instead", self.run.job.id, exc)
                    self._drop_ws()
                    continue
                if raw is not None:
                    entry = self._on_message(raw)
                    if entry is not None:
                        return entry
                # Other clients' broadcasts keep a socket busy: only our own events count as
                # news. After a quiet while, history is asked anyway, in case events were lost.
                if time.monotonic() - self.last_ours < QUIET_POLL_S:
                    continue
                self.last_ours = time.monotonic()
            else:
                self.cancel.wait(POLL_INTERVAL_S)
                self._check_stop()
            entry = self._poll()
            if entry is not None:
                return entry

    def _drop_ws(self) -> None:
        ws, self.ws = self.ws, None
        if ws is not None:
            with contextlib.suppress(Exception):
                ws.close()
        if self.started:
            self.run.update(message=f"rendering on {self.url} (live progress unavailable)")

    # -- WebSocket events ------------------------------------------------------------------------

    def _on_message(self, raw: str | bytes) -> JsonDict | None:
        if isinstance(raw, bytes):
            return None  # preview images and text frames: nothing to record
        try:
            message = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(message, dict):
            return None
        kind = message.get("type")
        data = message.get("data")
        if not isinstance(data, dict):
            return None
        if kind == "status":
            if not self.started:
                self._report_queue()
            return None
        if data.get("prompt_id") != self.prompt_id:
            return None  # another prompt's event (interrupts and progress_state are broadcast)
        self.last_ours = time.monotonic()
        if kind == "execution_start":
            self._start()
        elif kind == "execution_cached":
            nodes = data.get("nodes")
            if isinstance(nodes, list):
                self.done.update(str(n) for n in nodes if n is not None)
            self._start()
        elif kind == "executing":
            node = data.get("node")
            if node is None:  # the legacy "done" signal; history is always there by now
                return self._history_after_success()
            self._enter(str(node))
        elif kind == "progress":
            self._step(data)
        elif kind == "executed":
            node = data.get("node")
            if node is not None:
                self.done.add(str(node))
        elif kind == "execution_success":
            return self._history_after_success()
        elif kind == "execution_error":
            raise RenderFailedError(self._error_message(data))
        elif kind == "execution_interrupted":
            raise RenderFailedError(self._interrupted_message())
        return None

    def _start(self) -> None:
        if not self.started:
            self.started = True
            live = "" if self.ws is not None else " (live progress unavailable)"
            self.run.update(state="rendering", message=f"rendering on {self.url}{live}")

    def _class_of(self, node: str) -> str:
        entry = self.graph.get(node)
        return str(entry.get("class_type", "node")) if isinstance(entry, dict) else "node"

    def _enter(self, node: str) -> None:
        self._start()
        if self.current is not None and self.current != node:
            self.done.add(self.current)
        self.current, self.current_fraction = node, 0.0
        self._report(f"rendering on {self.url}: {self._class_of(node)}")

    def _step(self, data: JsonDict) -> None:
        value, maximum = data.get("value"), data.get("max")
        if (
            not isinstance(value, int | float)
            or not isinstance(maximum, int | float)
            or maximum <= 0
        ):
            return
        node = str(data.get("node") or self.current or "")
        if node and node != self.current:
            self._enter(node)
        self.current_fraction = min(1.0, max(0.0, value / maximum))
        label = self._class_of(node) if node else "step"
        self._report(f"rendering on {self.url}: {label} step {int(value)}/{int(maximum)}")

    def _report(self, message: str) -> None:
        done = sum(self.weights.get(n, 1) for n in self.done if n != self.current)
        current = self.weights.get(self.current, 1) * self.current_fraction if self.current else 0
        # Below 1 until the image is saved; never backwards (a cached node may be counted late).
        progress = min(0.99, (done + current) / self.total)
        self.run.update(progress=max(self.run.job.progress, progress), message=message)

    def _report_queue(self) -> None:
        try:
            queue = self.client.queue()
        except ComfyUIError:
            return  # only a nicer message; the render goes on
        if any(item.prompt_id == self.prompt_id for item in queue.running):
            self._start()
            return
        ids = [item.prompt_id for item in queue.pending]
        if self.prompt_id in ids:
            ahead = ids.index(self.prompt_id) + len(queue.running)
            waiting = "next in line" if ahead == 0 else f"{ahead} ahead of it"
            self.run.update(message=f"queued on {self.url}: {waiting}")

    def _error_message(self, data: JsonDict) -> str:
        text = str(data.get("exception_message") or data.get("exception_type") or "").strip()
        node = data.get("node_type") or self._class_of(str(data.get("node_id")))
        where = f" ({node}, node {data.get('node_id')})" if data.get("node_id") else ""
        return f"ComfyUI at {self.url} failed to render the shot: {text or 'unknown error'}{where}"

    def _interrupted_message(self) -> str:
        return f"the render was interrupted on ComfyUI at {self.url} (by someone else?)"

    # -- /history --------------------------------------------------------------------------------

    def _history(self) -> JsonDict | None:
        """One ``GET /history/{id}``; a server that fails several times in a row is declared lost."""
        try:
            entry = self.client.history(self.prompt_id)
        except ComfyUIUnavailableError as exc:
            self.failures += 1
            if self.failures >= LOST_AFTER_FAILURES:
                reason = getattr(exc, "reason", str(exc))
                raise RenderFailedError(f"lost connection to {self.url}: {reason}") from exc
            return None
        self.failures = 0
        return entry

    def _finished(self, entry: JsonDict) -> JsonDict:
        status = entry.get("status")
        status = status if isinstance(status, dict) else {}
        if status.get("status_str") == "error":
            for item in status.get("messages") or []:
                if not isinstance(item, list) or len(item) < 2 or not isinstance(item[1], dict):
                    continue
                if item[0] == "execution_error":
                    raise RenderFailedError(self._error_message(item[1]))
                if item[0] == "execution_interrupted":
                    raise RenderFailedError(self._interrupted_message())
            raise RenderFailedError(f"ComfyUI at {self.url} reports that the render failed")
        return entry

    def _poll(self) -> JsonDict | None:
        entry = self._history()
        if entry is not None:
            return self._finished(entry)
        if self.failures:
            return None
        try:
            queue = self.client.queue()
        except ComfyUIUnavailableError:
            return None  # the next history call counts the failure
        if any(i.prompt_id == self.prompt_id for i in queue.running):
            self._start()
            self.missing = 0
        elif any(i.prompt_id == self.prompt_id for i in queue.pending):
            self.missing = 0
        else:
            # Neither queued, running nor in history. Once can be the moment between the end of the
            # run and the history write; twice in a row means the server forgot it (restart, delete).
            self.missing += 1
            if self.missing >= 2:
                raise RenderFailedError(
                    f"ComfyUI at {self.url} no longer knows this render "
                    "(the server restarted, or the prompt was removed from its queue)"
                )
        return None

    def _history_after_success(self) -> JsonDict:
        for pause in HISTORY_BACKOFF_S:
            if pause:
                time.sleep(pause)
            entry = self._history()
            if entry is not None:
                return self._finished(entry)
        raise RenderFailedError(
            f"ComfyUI at {self.url} finished the render but did not record its images; try again"
        )


def _withdraw(client: ComfyUIClient, prompt_id: str) -> None:
    """Take a prompt back: drop it if still pending, stop it if it runs (best effort)."""
    # Both calls, in this order: a pending prompt that starts between them is still interrupted, and
    # interrupting with a prompt_id never touches anyone else's running prompt.
    calls: tuple[Callable[[], None], ...] = (
        lambda: client.delete_queued([prompt_id]),
        lambda: client.interrupt(prompt_id),
    )
    for call in calls:
        try:
            call()
        except ComfyUIError as exc:
            logger.warning("could not withdraw prompt %s from %s: %s", prompt_id, client, exc)


def _save_images(
    client: ComfyUIClient, project_dir: Path, shot_id: str, prompt_id: str, images: list[JsonDict]
) -> list[str]:
    """Fetch ``images`` with /view into the shot's renders folder; their paths relative to the project."""
    folder = inside(project_dir, project_dir / RENDERS_DIR / check_shot_id(shot_id))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    saved = []
    for n, image in enumerate(images, start=1):
        data = client.view(
            str(image["filename"]),
            str(image.get("subfolder", "")),
            str(image.get("type", "output")),
        )
        suffix = PurePosixPath(str(image["filename"])).suffix.lower()
        suffix = suffix if suffix in IMAGE_SUFFIXES else ".png"
        extra = f"-{n}" if n > 1 else ""
        name = f"{stamp}-{prompt_id[:8]}{extra}{suffix}"
        write_atomic(folder / name, data)
        saved.append(f"{RENDERS_DIR}/{shot_id}/{name}")
    return saved


def _check_ready(shot: Shot, graph: JsonDict) -> None:
    # ComfyUI would answer "Checkpoint '' is not installed"; say what is actually missing instead.
    if "checkpoint" in used_placeholders(graph) and not shot.generation.checkpoint.strip():
        raise InvalidDataError(
            [
                FieldProblem(
                    "generation.checkpoint",
                    "no checkpoint chosen; pick one of the server's checkpoints in the shot editor",
                )
            ],
            where=f"shot {shot.id}",
        )


def render_shot(
    store: Store,
    workspace: Path,
    project: str,
    seq_id: str | None,
    shot_id: str,
    *,
    server: ServerConfig,
    workflow: str | None = None,
    client: ComfyUIClient | None = None,
    on_update: Callable[[RenderJob], None] | None = None,
    cancel_event: threading.Event | None = None,
    ws_connect: WsConnect = default_ws_connect,
    timeout_s: float | None = DEFAULT_TIMEOUT_S,
    job: RenderJob | None = None,
) -> RenderJob:
    """Render one shot on ``server`` and wait for it; return the finished job.

    ``workflow`` overrides the shot's saved choice (``generation.workflow``; empty = built-in).
    ``client`` is used (and left open) instead of a new client with the server's token.
    ``on_update`` receives every change of the job (state, progress, message) from this thread.
    Setting ``cancel_event`` takes the prompt back from ComfyUI (state "cancelled"). ``timeout_s``
    bounds the whole wait (``None``: no limit). ``job`` is a queued job to continue (``Renderer``).

    Never raises a ``StoryboardError``: a failure is a job in state "failed" whose ``message`` says
    what happened (an unknown shot, a broken workflow file, the server's refusal, an
    ``execution_error``, a lost server). On success the image is on disk, ``job.image`` is its path
    relative to the project, and the shot's ``render`` records it with the seed actually used.
    """
    cancel = cancel_event or threading.Event()
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    start = job or new_job(project, seq_id, shot_id, server_url=server.url, workflow=workflow)
    run = _Run(start, on_update)
    run.update(message=f"preparing the render for {redact_url(server.url)}")
    own_client = client is None
    try:
        shot = store.read_shot(project, seq_id, shot_id)
        name = workflow or shot.generation.workflow or BUILTIN
        graph = load_workflow(workspace, name)
        _check_ready(shot, graph)
        seed = shot.generation.seed
        if seed < 0:
            seed = secrets.randbelow(RANDOM_SEED_LIMIT)
        inputs = take_inputs(shot, seed=seed, workflow=name, server=redact_url(server.url))
        prefix = f"{SERVER_SUBFOLDER}/{shot_id}"
        filled = fill_workflow(graph, placeholder_values(inputs, filename_prefix=prefix))
        run.update(workflow=name, seed=seed)
        if cancel.is_set():
            raise _Cancelled
        client = client or default_client_factory(server)
        try:
            entry, prompt_id = _post_and_follow(
                run, client, server, filled, cancel, ws_connect, deadline
            )
            images = _image_list(entry)
            if not images:
                raise RenderFailedError(
                    f"the workflow '{name}' made no image on {client.display_url} "
                    "(it needs a SaveImage node)"
                )
            project_dir = store.project_dir(project)
            paths = _save_images(client, project_dir, shot_id, prompt_id, images)
            stamp = now()
            new = [
                render_take(shot, inputs, image=path, prompt_id=prompt_id, at=stamp)
                for path in paths
            ]
            record_takes(store, project, seq_id, shot_id, new)
            count = f" ({len(paths)} images)" if len(paths) > 1 else ""
            run.finish(
                "done", f"rendered on {client.display_url}{count}", progress=1.0, image=paths[0]
            )
        finally:
            if own_client:
                client.close()
    except _Cancelled:
        run.finish("cancelled", "cancelled")
    except StoryboardError as exc:
        run.finish("failed", str(exc))
    except OSError as exc:  # writing the image: a full disk, a read-only folder
        run.finish("failed", f"could not save the rendered image: {exc}")
    job = run.job
    logger.info(
        "render %s of %s/%s/%s: %s%s",
        job.id,
        project,
        seq_id or "-",
        shot_id,
        job.state,
        f" ({job.message})" if job.state != "done" else f" -> {job.image}",
    )
    return job


def _post_and_follow(
    run: _Run,
    client: ComfyUIClient,
    server: ServerConfig,
    graph: JsonDict,
    cancel: threading.Event,
    ws_connect: WsConnect,
    deadline: float | None,
) -> tuple[JsonDict, str]:
    """Open the socket, post the prompt, follow it; return its history entry and prompt id."""
    client_id = uuid.uuid4().hex
    prompt_id = str(uuid.uuid4())  # ours, so a cancel can name it even before the POST answers
    ws: MessageSource | None = None
    try:
        ws = ws_connect(ws_url(server.url, client_id), auth_headers(server.token))
    except Exception as exc:
        # Any failure of the socket only costs the live progress: the render is polled instead.
        logger.info("render %s: no WebSocket (%s); polling /history", run.job.id, exc)
    try:
        if cancel.is_set():
            raise _Cancelled
        try:
            client.post_prompt(graph, client_id, prompt_id)
        except ComfyUITimeoutError:
            # The server may have queued it without our seeing the answer: do not leave it behind.
            _withdraw(client, prompt_id)
            raise
        run.update(prompt_id=prompt_id, message=f"queued on {client.display_url}")
        follower = _Follower(run, client, ws, prompt_id, graph, cancel, deadline)
        try:
            return follower.follow(), prompt_id
        except (_Cancelled, _GaveUp):
            _withdraw(client, prompt_id)
            raise
        finally:
            ws = follower.ws
    finally:
        if ws is not None:
            with contextlib.suppress(Exception):
                ws.close()


__all__ = [
    "ACTIVE_STATES",
    "BUILTIN",
    "DEFAULT_TIMEOUT_S",
    "RENDERS_DIR",
    "MessageSource",
    "RenderJob",
    "RenderState",
    "WsConnect",
    "default_ws_connect",
    "new_job",
    "render_shot",
    "ws_url",
]
