"""One render of one shot on ComfyUI (``render_shot``); the background queue is ``queue.py``.

A render, as ComfyUI 0.3.64 was observed to behave (``/work/shared/comfyui/API.md``):

1. read the shot, load its workflow, pick the seed (-1 becomes a random one that is recorded), fill
   the placeholders;
2. open the WebSocket ``/ws?clientId=…`` *first*: ComfyUI sends a prompt's events only to the socket
   whose id is the prompt's ``client_id``, so a socket opened after the POST could miss the start;
3. ``POST /prompt`` with that ``client_id`` (and our own ``prompt_id``, so a cancel never races the
   answer), then follow the events: queue position, node progress, then ``execution_success``,
   ``execution_error`` or ``execution_interrupted``. If the socket fails or closes, poll
   ``/history/{id}`` instead (``follow.py``);
4. history is written just *after* ``execution_success`` (1 run in 10 saw ``{}``), so it is asked
   again with a short, bounded backoff;
5. fetch the images with ``/view``, check that each decodes as a whole image (``images.py``), save
   them into ``<project>/renders/<shot id>/<UTC stamp>-<prompt id>.png`` and record them as new
   takes of the shot (``storyboard_core.takes``), with what made them.

A job that carries a ``prompt_id`` already (a render resumed after a restart, see ``journal.py``) is
not sent again blindly: the server is asked about that prompt first, its finished result is taken as
is, a queued or running one is followed (the socket reconnects with the same ``clientId``, so its
events come back), and only a prompt the server no longer knows is sent again.

Every failure ends as a ``RenderJob`` in state ``failed`` whose ``message`` is written for the user;
nothing else on the shot changes.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from ..bible.style import Effective, ShotContext, effective
from ..errors import (
    BrokenFileError,
    ComfyUIError,
    ComfyUITimeoutError,
    FieldProblem,
    InvalidDataError,
    RenderFailedError,
    StoryboardError,
)
from ..models import Shot, now
from ..settings import ServerConfig, normalize_url, redact_url
from ..store import Store
from ..takes import RENDERS_DIR, record_takes, render_take, render_versions, take_inputs
from ..types import JsonDict
from .client import ComfyUIClient, auth_headers, default_client_factory
from .follow import Cancelled, Follower, GaveUp, Run
from .inputs import (
    UPLOADS,
    Neighbours,
    UploadCache,
    neighbours_of,
    upload_images,
    workflow_images,
)
from .job import ACTIVE_STATES, MessageSource, RenderJob, RenderState, WsConnect, new_job
from .kept_files import keep_outputs
from .workflows import (
    BUILTIN,
    VIDEO_PLACEHOLDERS,
    Workflow,
    fill_workflow,
    load_workflow_file,
    placeholder_values,
    used_placeholders,
    video_values,
)

#: The placeholders that need the shots around the rendered one.
NEIGHBOUR_PLACEHOLDERS = frozenset({"last_image", "previous_frame"})

#: Images land on the ComfyUI server in ``output/storyboard/<shot id>_00001_.png``.
SERVER_SUBFOLDER = "storyboard"
#: A random seed is drawn below this (ComfyUI accepts up to 2**64 - 1; 2**63 keeps it a signed int64
#: for tools that read the PNG metadata).
RANDOM_SEED_LIMIT = 2**63
#: A render gives up after this long by default (the wait includes other people's queued prompts).
DEFAULT_TIMEOUT_S = 3600.0

WS_OPEN_TIMEOUT_S = 3.0
# Preview frames can be large binary messages; they are ignored, but must not break the socket.
WS_MAX_SIZE = 64 * 2**20

logger = logging.getLogger("storyboard_core.comfyui.render")


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


class _AlreadyKept(Exception):
    """A resumed render whose take the shot already has (internal: becomes state "done")."""

    def __init__(self, url: str, image: str) -> None:
        super().__init__(image)
        self.url = url
        self.image = image


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


def _recorded(store: Store, project: str, seq_id: str | None, shot_id: str, prompt_id: str) -> str:
    """The image of the shot's take made by ``prompt_id``, or ``""`` if it has none."""
    shot = store.read_shot(project, seq_id, shot_id)
    found = (v for v in render_versions(shot) if v.get("prompt_id") == prompt_id)
    return str(next(found, {}).get("image") or "")


def _load(workspace: Path, name: str, shot_id: str, server: ServerConfig) -> Workflow:
    """Workflow ``name``; a broken file (a malformed frame rule too) is refused naming the shot."""
    try:
        return load_workflow_file(workspace, name)
    except BrokenFileError as exc:
        raise RenderFailedError(
            f"{exc} (shot {shot_id} was not sent to {redact_url(server.url)})"
        ) from exc


def _check_ready(shot: Shot, made: Effective, graph: JsonDict) -> None:
    if not made.ok:
        # An unexpanded "@Léa" would reach the model as text: refuse, naming the mention.
        raise InvalidDataError(
            [FieldProblem("prompt", f"{made.problem_message()}; fix the prompt or the bible")],
            where=f"shot {shot.id}",
        )
    # ComfyUI would answer "Checkpoint '' is not installed"; say what is actually missing instead.
    if "checkpoint" in used_placeholders(graph) and not str(made.generation["checkpoint"]).strip():
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
    uploads: UploadCache = UPLOADS,
) -> RenderJob:
    """Render one shot on ``server`` and wait for it; return the finished job.

    The prompt is the shot's effective one (bible mentions expanded, styles applied); a mention
    that cannot be expanded, or an image the workflow needs (``{{reference_image}}``,
    ``{{init_image}}``) that the shot lacks, fails the job before anything is queued. Images are
    uploaded first, once per content and server (``uploads`` remembers them).

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
    run = Run(start, on_update)
    run.update(message=f"preparing the render for {redact_url(server.url)}")
    own_client = client is None
    try:
        shot = store.read_shot(project, seq_id, shot_id)
        name = workflow or shot.generation.workflow or BUILTIN
        loaded = _load(workspace, name, shot_id, server)
        graph = loaded.graph
        context = ShotContext.read(store, project, seq_id)
        made = effective(shot, context)
        _check_ready(shot, made, graph)
        # A resumed job keeps the seed it was sent with (a random one included).
        seed = start.seed if start.seed is not None else int(made.generation["seed"])
        if seed < 0:
            seed = secrets.randbelow(RANDOM_SEED_LIMIT)
        used = used_placeholders(graph)
        clip = video_values(loaded, shot.duration) if used & set(VIDEO_PLACEHOLDERS) else None
        inputs = take_inputs(
            shot,
            seed=seed,
            workflow=name,
            server=redact_url(server.url),
            context=context,
            video=None if clip is None else {**clip, "duration": shot.duration},
        )
        around = (
            neighbours_of(store.read_shots(project, seq_id), shot_id)
            if used & NEIGHBOUR_PLACEHOLDERS
            else Neighbours()
        )
        wanted = workflow_images(graph, shot, made, context, store.project_dir(project), around)
        prefix = f"{SERVER_SUBFOLDER}/{shot_id}"
        values = {**placeholder_values(inputs, filename_prefix=prefix), **(clip or {})}
        run.update(workflow=name, seed=seed)
        if cancel.is_set():
            raise Cancelled
        client = client or default_client_factory(server)
        resumed = start.prompt_id is not None
        try:
            filled = fill_workflow(graph, {**values, **upload_images(client, wanted, uploads)})
            entry, prompt_id = _post_and_follow(
                run, client, server, filled, cancel, ws_connect, deadline
            )
            # A restart between recording the take and forgetting the job: the take is there.
            recorded = _recorded(store, project, seq_id, shot_id, prompt_id) if resumed else ""
            if recorded:
                raise _AlreadyKept(client.display_url, recorded)
            kept = keep_outputs(
                client,
                entry,
                project_dir=store.project_dir(project),
                shot_id=shot_id,
                prompt_id=prompt_id,
                graph=graph,
                values=values,
                what=f"the workflow '{name}'",
            )
            stamp = now()
            new = [
                render_take(
                    shot,
                    inputs,
                    image=k.image,
                    prompt_id=prompt_id,
                    at=stamp,
                    context=context,
                    video=k.video,
                )
                for k in kept
            ]
            record_takes(store, project, seq_id, shot_id, new)
            noun = "clips" if kept[0].video is not None else "images"
            count = f" ({len(kept)} {noun})" if len(kept) > 1 else ""
            run.finish(
                "done",
                f"rendered on {client.display_url}{count}",
                progress=1.0,
                image=kept[0].image,
            )
        finally:
            if own_client:
                client.close()
    except Cancelled:
        run.finish("cancelled", "cancelled")
    except _AlreadyKept as kept:
        run.finish("done", f"rendered on {kept.url}", progress=1.0, image=kept.image)
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
    run: Run,
    client: ComfyUIClient,
    server: ServerConfig,
    graph: JsonDict,
    cancel: threading.Event,
    ws_connect: WsConnect,
    deadline: float | None,
) -> tuple[JsonDict, str]:
    """Open the socket, post the prompt, follow it; return its history entry and prompt id.

    A job sent before (it has a ``prompt_id``: resumed after a restart) keeps its ids; the server is
    asked where that prompt is, and it is posted again only if the server does not know it.
    """
    resumed = run.job.prompt_id is not None
    client_id = run.job.client_id or uuid.uuid4().hex
    # Ours, so a cancel can name it even before the POST answers.
    prompt_id = run.job.prompt_id or str(uuid.uuid4())
    ws: MessageSource | None = None
    try:
        ws = ws_connect(ws_url(server.url, client_id), auth_headers(server.token))
    except Exception as exc:
        # Any failure of the socket only costs the live progress: the render is polled instead.
        logger.info("render %s: no WebSocket (%s); polling /history", run.job.id, exc)
    follower = Follower(run, client, ws, prompt_id, graph, cancel, deadline)
    try:
        if cancel.is_set():
            raise Cancelled
        try:
            found = follower.locate() if resumed else False
            if isinstance(found, dict):
                return found, prompt_id
            if found:
                run.update(message=f"queued on {client.display_url}")
            else:
                _send(run, client, graph, client_id, prompt_id)
            return follower.follow(), prompt_id
        except (Cancelled, GaveUp):
            _withdraw(client, prompt_id)
            raise
    finally:
        if follower.ws is not None:
            with contextlib.suppress(Exception):
                follower.ws.close()


def _send(run: Run, client: ComfyUIClient, graph: JsonDict, client_id: str, prompt_id: str) -> None:
    """``POST /prompt``, the ids recorded on the job first (a restart in between finds them)."""
    run.update(prompt_id=prompt_id, client_id=client_id, message=f"sending to {client.display_url}")
    try:
        client.post_prompt(graph, client_id, prompt_id)
    except ComfyUITimeoutError:
        # The server may have queued it without our seeing the answer: do not leave it behind.
        _withdraw(client, prompt_id)
        raise
    except ComfyUIError:
        run.update(prompt_id=None, client_id=None)  # refused: the server never had it
        raise
    run.update(message=f"queued on {client.display_url}")


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
