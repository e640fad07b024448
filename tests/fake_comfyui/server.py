"""A fake ComfyUI 0.3.64: a real HTTP + WebSocket server on 127.0.0.1, built from recorded transcripts.

It runs aiohttp (as the real server does) on its own asyncio loop in a background thread, so tests
talk to it over real sockets. Every route is also served under ``/api``. What it does, and what a test
can change at runtime, follows ``/work/shared/comfyui/API.md``:

* ``POST /prompt`` validates like the real server for the recorded cases (unknown or missing
  ``class_type``, no output node, missing input, wrong type, out of range, link to a missing node,
  link type mismatch, a value not in a combo list such as a missing checkpoint).
* One worker runs accepted prompts in order of ``number`` and sends the recorded WebSocket events to
  the socket whose ``clientId`` equals the prompt's ``client_id`` (``status`` and
  ``execution_interrupted`` go to every socket). ``KSampler`` nodes send ``progress`` per step.
* ``SaveImage`` writes ``<prefix>_00001_.png`` (counting up) that ``/view`` serves as a real PNG.
* History is written ``history_delay`` seconds *after* ``execution_success`` (the real race).
* Faults for one prompt or one request (``break_next_run``, ``break_next_post``): the socket closed
  mid-run, ``/history`` or ``/view`` answering 500 (ComfyUI's text/plain body) or HTML, ``/view``
  hanging or sending bytes that are not a whole image.

* ``POST /upload/image`` (multipart ``image``, ``subfolder``, ``type``, ``overwrite``) stores the file
  in the input folder and answers ``{"name", "subfolder", "type"}`` (transcript 87); the same bytes
  under a taken name give that name back, other bytes get ``name (1).png`` unless ``overwrite``, as
  ComfyUI's ``image_upload`` does. ``/view?type=input`` serves it (transcript 88). ``LoadImage``
  offers the input folder's files as its ``image`` choices, so a graph naming a file that was never
  uploaded is refused with ``value_not_in_list`` before anything is queued.

Not modelled: the execution cache (every run executes every node), previews.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import heapq
import json
import random
import socket
import string
import struct
import threading
import time
import uuid
import warnings
import zlib
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any, Literal, TypeVar

from aiohttp import WSCloseCode, WSMsgType, web

from storyboard_core.types import JsonDict

from .object_info import build_object_info

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Mode = Literal["ok", "hang", "500", "non_json"]
#: What ``break_next_run`` can do to the next prompt that runs (see its docstring).
RunFault = Literal[
    "close_socket",
    "history_500",
    "history_non_json",
    "view_500",
    "view_hang",
    "view_not_image",
    "view_truncated",
]
PostFault = Literal["500", "non_json"]
T = TypeVar("T")

ERROR_500 = "500 Internal Server Error\n\nServer got itself in trouble"
NOT_JSON = "<!doctype html><title>Welcome to nginx!</title>"  # another web server on the port
VERSION = "0.3.64"
FEATURES = {"supports_preview_metadata": True, "max_upload_size": 104857600}
IMAGE_TYPES = ("output", "input", "temp")
# Generated images are at most this many pixels per side, so a "2048x2048" run stays fast.
MAX_IMAGE_SIDE = 256


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def make_png(
    width: int,
    height: int,
    rgb: tuple[int, int, int] = (0, 0, 0),
    text: dict[str, str] | None = None,
) -> bytes:
    """A valid RGB PNG of one colour, with optional tEXt chunks (ComfyUI stores ``prompt`` there)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    row = b"\x00" + bytes(rgb) * width  # filter byte 0, then the pixels
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
    for key, value in (text or {}).items():
        out += chunk(b"tEXt", key.encode("latin-1") + b"\x00" + value.encode("latin-1", "replace"))
    return out + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b"")


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received (for asserting on headers such as ``Authorization``)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class _Job:
    number: float
    prompt_id: str
    prompt: JsonDict
    extra_data: JsonDict
    outputs: list[str]

    @property
    def client_id(self) -> str | None:
        value = self.extra_data.get("client_id")
        return value if isinstance(value, str) else None

    def as_list(self) -> list[Any]:
        return [self.number, self.prompt_id, self.prompt, self.extra_data, self.outputs]


@dataclass
class _Validation:
    error: JsonDict | None = None
    good_outputs: list[str] = field(default_factory=list)
    node_errors: JsonDict = field(default_factory=dict)


def _now_ms() -> int:
    return int(time.time() * 1000)


def _err(kind: str, message: str, details: str = "") -> JsonDict:
    return {"type": kind, "message": message, "details": details, "extra_info": {}}


def _json_response(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status)


def _broken_answer(fault: PostFault) -> web.Response:
    """ComfyUI's answer to a handler that crashed (500 text/plain), or another server's HTML page."""
    if fault == "500":
        return web.Response(status=500, text=ERROR_500)
    return web.Response(text=NOT_JSON, content_type="text/html")


def _collect_dropped_connections() -> None:
    """Collect the transports aiohttp drops when the fake goes down, here and now.

    A connection accepted while the server shuts down can be dropped without being closed; its
    ResourceWarning would otherwise surface at a random later moment, in whichever test happens
    to run the garbage collector. Only the fake's own shutdown is silenced this way.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


class FakeComfyUI:
    """A fake ComfyUI server. ``start()`` it (or use ``with``), then point a client at ``url``.

    Controls (callable from the test thread at any time):
    ``refuse()`` stop listening (connections refused) but keep queue and history;
    ``go_down()`` like the process died: stop listening, lose queue, history and the running job;
    ``come_back()`` listen again on the same port; ``hang()`` accept and never answer;
    ``fail_500()`` answer every request with 500 text/plain; ``answer_non_json()`` answer HTML;
    ``healthy()`` undo hang/500/non-JSON; ``set_checkpoints``, ``set_step_delay``,
    ``set_history_delay``, ``fail_next_run(message)``, ``break_next_run(fault)``,
    ``break_next_post(fault)``. ``executed`` lists the prompt ids that started running, in order.
    """

    def __init__(
        self,
        *,
        checkpoints: list[str] | None = None,
        device: str = "cpu",
        version: str = VERSION,
        step_delay: float = 0.0,
        history_delay: float = 0.0,
        require_token: str | None = None,
        port: int = 0,
    ) -> None:
        self.checkpoints: list[str] = list(checkpoints or [])  # default: none, like a fresh install
        self.device = device
        self.version = version
        self.step_delay = step_delay
        self.history_delay = history_delay
        self.require_token = require_token
        self.port = port
        self.requests: list[RecordedRequest] = []
        self.mode: Mode = "ok"
        self.listening = False

        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._worker: asyncio.Task[None] | None = None
        self._release: asyncio.Event | None = None  # set = hung requests may go on
        self._wake: asyncio.Event | None = None  # set = the queue has work
        self._sockets: dict[str, web.WebSocketResponse] = {}
        self._pending: list[tuple[float, int, _Job]] = []  # a heap, like the real server's
        self._seq = 0
        self._number = 0
        self._running: _Job | None = None
        self._current_node: str | None = None
        self._interrupt = False
        self._fail_next: str | None = None
        self._history: dict[str, JsonDict] = {}
        self._files: dict[tuple[str, str, str], bytes] = {}
        self._made_by: dict[tuple[str, str, str], str] = {}  # file -> the prompt that saved it
        self._next_fault: RunFault | None = None
        self._faults: dict[str, RunFault] = {}  # prompt id -> what goes wrong with it
        self._post_faults: list[PostFault] = []
        self._unhang: asyncio.Event | None = None  # set = faulty hanging requests may end
        self.executed: list[str] = []
        self._counters: dict[tuple[str, str], int] = {}

    # -- lifetime (test thread) -------------------------------------------------------------------

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        """``ws://127.0.0.1:<port>/ws``."""
        return f"ws://127.0.0.1:{self.port}/ws"

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        assert self._loop is not None, "start() the fake first"
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=10)

    def start(self) -> FakeComfyUI:
        """Start the loop thread and listen; returns self."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._run_loop, args=(self._loop,), name="fake-comfyui", daemon=True
        )
        self._thread.start()
        try:
            self._call(self._async_start())
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop listening, end the worker and the loop, close everything."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        try:
            self._call(self._async_stop())
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(15)  # a loaded machine can take seconds to wind the loop down
            self._loop = self._thread = None
            _collect_dropped_connections()

    @staticmethod
    def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
        # The loop is closed on its own thread: a caller's thread may run another loop
        # (Playwright's sync API does), where run_until_complete would refuse to run.
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            leftovers = asyncio.all_tasks(loop)
            for task in leftovers:
                task.cancel()
            if leftovers:
                loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            _collect_dropped_connections()

    def __enter__(self) -> FakeComfyUI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- controls (test thread) -------------------------------------------------------------------

    def refuse(self) -> None:
        """Stop listening, keeping queue and history: connections are refused."""
        self._call(self._shutdown_http())
        _collect_dropped_connections()

    def go_down(self) -> None:
        """As if the process died: connections refused, running job, queue and history gone."""
        self._call(self._die())
        _collect_dropped_connections()

    def come_back(self) -> None:
        """Listen again on the same port (after ``refuse`` or ``go_down``)."""
        self._call(self._come_back())

    def hang(self) -> None:
        """Accept connections but never answer (until ``healthy()``)."""
        self._set_mode("hang")

    def fail_500(self) -> None:
        """Answer every request with ComfyUI's 500 text/plain."""
        self._set_mode("500")

    def answer_non_json(self) -> None:
        """Answer every request with an HTML page, like some other web server on the port."""
        self._set_mode("non_json")

    def healthy(self) -> None:
        """Answer normally again (undoes ``hang``, ``fail_500`` and ``answer_non_json``)."""
        self._set_mode("ok")

    def _set_mode(self, mode: Mode) -> None:
        async def switch() -> None:
            # On the loop, so a request never sees the new mode with the old event state.
            assert self._release is not None
            self.mode = mode
            if mode == "hang":
                self._release.clear()
            else:
                self._release.set()

        self._call(switch())

    def set_checkpoints(self, names: list[str]) -> None:
        """The checkpoint files the server "has" (``ckpt_name`` choices)."""
        self.checkpoints = list(names)

    def set_step_delay(self, seconds: float) -> None:
        """Seconds each node (and each KSampler step) takes, so tests can act mid-run."""
        self.step_delay = seconds

    def set_history_delay(self, seconds: float) -> None:
        """Seconds between ``execution_success`` and the history entry appearing."""
        self.history_delay = seconds

    def fail_next_run(self, message: str) -> None:
        """Make the next executed prompt fail at its first node with ``execution_error``."""
        self._fail_next = message

    def break_next_run(self, fault: RunFault) -> None:
        """Make one thing go wrong with the next prompt that runs (the prompts after it are fine).

        ``close_socket``: its client's WebSocket is closed by the server after the first node (the
        run goes on). ``history_500`` / ``history_non_json``: ``/history/{its id}`` answers 500 or
        HTML. ``view_500`` / ``view_hang`` / ``view_not_image`` / ``view_truncated``: ``/view`` of
        its images answers 500, never answers (until the fake stops), sends an HTML page as
        ``image/png``, or sends the first half of the PNG.
        """
        self._next_fault = fault

    def break_next_post(self, fault: PostFault) -> None:
        """Make the next ``POST /prompt`` answer 500 (text/plain) or an HTML page; nothing is queued."""
        self._post_faults.append(fault)

    # -- inspection (test thread) -----------------------------------------------------------------

    def posted_graphs(self) -> list[JsonDict]:
        """The graphs received with ``POST /prompt``, in order (accepted or not)."""
        posts = [r for r in self.requests_to("/prompt") if r.method == "POST" and r.body]
        return [json.loads(r.body)["prompt"] for r in posts]

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """The recorded requests whose path (without an ``/api`` prefix) is ``path``."""
        return [r for r in list(self.requests) if r.path.removeprefix("/api") == path]

    def history_entry(self, prompt_id: str) -> JsonDict | None:
        """The history entry of ``prompt_id`` as ``GET /history/{id}`` would give it."""
        return self._history.get(prompt_id)

    def file(self, filename: str, subfolder: str = "", type: str = "output") -> bytes | None:
        """The bytes of an image the fake made, or None."""
        return self._files.get((type, subfolder, filename))

    @property
    def queue_remaining(self) -> int:
        """Running plus pending prompts."""
        return len(self._pending) + (1 if self._running is not None else 0)

    # -- loop side: listening ---------------------------------------------------------------------

    async def _async_start(self) -> None:
        self._release = asyncio.Event()
        self._release.set()
        self._unhang = asyncio.Event()
        self._wake = asyncio.Event()
        self._worker = asyncio.create_task(self._work())
        await self._listen()

    async def _listen(self) -> None:
        if self._runner is not None:
            return
        if self._unhang is not None:
            self._unhang.clear()
        app = web.Application(middlewares=[self._middleware])
        for prefix in ("", "/api"):
            app.router.add_get(prefix + "/ws", self._ws)
            app.router.add_get(prefix + "/system_stats", self._system_stats)
            app.router.add_get(prefix + "/features", self._features)
            app.router.add_get(prefix + "/queue", self._get_queue)
            app.router.add_post(prefix + "/queue", self._post_queue)
            app.router.add_get(prefix + "/prompt", self._get_prompt)
            app.router.add_post(prefix + "/prompt", self._post_prompt)
            app.router.add_get(prefix + "/history", self._get_history)
            app.router.add_get(prefix + "/history/{prompt_id}", self._get_history_one)
            app.router.add_post(prefix + "/history", self._post_history)
            app.router.add_get(prefix + "/view", self._view)
            app.router.add_get(prefix + "/object_info", self._object_info)
            app.router.add_get(prefix + "/object_info/{node_class}", self._object_info_one)
            app.router.add_get(prefix + "/models/checkpoints", self._models_checkpoints)
            app.router.add_post(prefix + "/interrupt", self._post_interrupt)
            app.router.add_post(prefix + "/upload/image", self._upload_image)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        # Our own socket with SO_REUSEADDR, so come_back() can bind the same port again at once.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", self.port))
        except OSError:
            sock.close()
            await runner.cleanup()
            raise
        self.port = sock.getsockname()[1]
        await web.SockSite(runner, sock).start()
        self._runner = runner
        self.listening = True

    async def _shutdown_http(self) -> None:
        runner, self._runner = self._runner, None
        self.listening = False
        if runner is None:
            return
        assert self._release is not None and self._unhang is not None
        self._release.set()  # let hung handlers finish, or cleanup waits for them
        self._unhang.set()
        for ws in list(self._sockets.values()):
            await ws.close(code=WSCloseCode.GOING_AWAY)
        self._sockets.clear()
        await runner.cleanup()
        await asyncio.sleep(0.05)  # let aiohttp finish dropping connections it was accepting
        _collect_dropped_connections()

    async def _die(self) -> None:
        await self._shutdown_http()
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        self._pending.clear()
        self._running = None
        self._current_node = None
        self._history.clear()
        self._number = 0

    async def _come_back(self) -> None:
        await self._listen()
        if self._worker is None:
            self._worker = asyncio.create_task(self._work())

    async def _async_stop(self) -> None:
        await self._die()

    # -- loop side: request handling --------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        body = await request.read()
        self.requests.append(
            RecordedRequest(
                method=request.method,
                path=request.path,
                query=dict(request.query),
                headers=dict(request.headers),
                body=body,
            )
        )
        if self.mode == "hang":
            assert self._release is not None
            await self._release.wait()
        if self.mode == "500":
            return _broken_answer("500")
        if self.mode == "non_json":
            return _broken_answer("non_json")
        token = self.require_token
        if token is not None and request.headers.get("Authorization") != f"Bearer {token}":
            return web.Response(status=401, text="401: Unauthorized")
        return await handler(request)

    async def _system_stats(self, request: web.Request) -> web.Response:
        ram_total, ram_free = 25276510208, 24032272384
        vram_total, vram_free = (ram_total, ram_free) if self.device == "cpu" else (25769803776, 20)
        return _json_response(
            {
                "system": {
                    "os": "posix",
                    "ram_total": ram_total,
                    "ram_free": ram_free,
                    "comfyui_version": self.version,
                    "required_frontend_version": "1.27.10",
                    "installed_templates_version": "0.1.95",
                    "required_templates_version": "0.1.95",
                    "python_version": "3.11.7 (main, May  9 2026, 07:35:25) [GCC 12.2.0]",
                    "pytorch_version": "2.13.0+cpu",
                    "embedded_python": False,
                    "argv": ["main.py", "--cpu", "--listen", "127.0.0.1", "--port", str(self.port)],
                },
                "devices": [
                    {
                        "name": self.device,
                        "type": self.device.split(":")[0],
                        "index": None if self.device == "cpu" else 0,
                        "vram_total": vram_total,
                        "vram_free": vram_free,
                        "torch_vram_total": vram_total,
                        "torch_vram_free": vram_free,
                    }
                ],
            }
        )

    async def _features(self, request: web.Request) -> web.Response:
        return _json_response(FEATURES)

    async def _models_checkpoints(self, request: web.Request) -> web.Response:
        return _json_response(list(self.checkpoints))

    async def _get_queue(self, request: web.Request) -> web.Response:
        running = [self._running.as_list()] if self._running is not None else []
        # The heap list as is: lowest number first, the rest in no promised order (like the real one).
        pending = [job.as_list() for _, _, job in self._pending]
        return _json_response({"queue_running": running, "queue_pending": pending})

    async def _post_queue(self, request: web.Request) -> web.Response:
        data = await request.json()
        if data.get("clear"):
            self._pending.clear()
        if isinstance(data.get("delete"), list):
            doomed = set(data["delete"])
            self._pending = [e for e in self._pending if e[2].prompt_id not in doomed]
            heapq.heapify(self._pending)
        await self._broadcast_status()
        return web.Response(status=200)

    async def _get_prompt(self, request: web.Request) -> web.Response:
        return _json_response({"exec_info": {"queue_remaining": self.queue_remaining}})

    async def _post_prompt(self, request: web.Request) -> web.Response:
        if self._post_faults:
            return _broken_answer(self._post_faults.pop(0))
        try:
            data = json.loads(await request.read())
        except ValueError:
            return web.Response(status=500, text=ERROR_500)
        if not isinstance(data, dict):
            return web.Response(status=500, text=ERROR_500)
        if "number" in data:
            number: float = float(data["number"])
        else:
            # Every POST takes a number, valid or not (so numbers have gaps), like the real server.
            number = -self._number if data.get("front") else self._number
            self._number += 1
        if "prompt" not in data:
            error = _err("no_prompt", "No prompt provided", "No prompt provided")
            return _json_response({"error": error, "node_errors": {}}, status=400)
        prompt = data["prompt"]
        if not isinstance(prompt, dict):
            return web.Response(status=500, text=ERROR_500)  # the real handler crashes here too
        result = self._validate(prompt)
        if result.error is not None:
            return _json_response(
                {"error": result.error, "node_errors": result.node_errors}, status=400
            )
        prompt_id = str(data.get("prompt_id") or uuid.uuid4())
        extra_data = dict(data.get("extra_data") or {})
        if "client_id" in data:
            extra_data["client_id"] = data["client_id"]
        job = _Job(number, prompt_id, prompt, extra_data, result.good_outputs)
        self._seq += 1
        heapq.heappush(self._pending, (number, self._seq, job))
        assert self._wake is not None
        self._wake.set()
        await self._broadcast_status()
        return _json_response(
            {"prompt_id": prompt_id, "number": number, "node_errors": result.node_errors}
        )

    async def _get_history(self, request: web.Request) -> web.Response:
        items = list(self._history.items())
        max_items = request.query.get("max_items")
        offset = int(request.query.get("offset", "-1"))
        if max_items is not None:
            count = int(max_items)
            start = len(items) - count if offset < 0 else offset
            items = items[max(start, 0) : max(start, 0) + count]
        elif offset > 0:
            items = items[offset:]
        return _json_response(dict(items))

    async def _get_history_one(self, request: web.Request) -> web.Response:
        prompt_id = request.match_info["prompt_id"]
        fault = self._faults.get(prompt_id)
        if fault in ("history_500", "history_non_json"):
            return _broken_answer("500" if fault == "history_500" else "non_json")
        entry = self._history.get(prompt_id)
        return _json_response({prompt_id: entry} if entry is not None else {})

    async def _post_history(self, request: web.Request) -> web.Response:
        data = await request.json()
        if data.get("clear"):
            self._history.clear()
        for prompt_id in data.get("delete") or []:
            self._history.pop(prompt_id, None)
        return web.Response(status=200)

    async def _view(self, request: web.Request) -> web.Response:
        filename = request.query.get("filename", "")
        subfolder = request.query.get("subfolder", "")
        kind = request.query.get("type", "output")
        if not filename:
            return web.Response(status=404)
        if filename.startswith("/") or ".." in filename:
            return web.Response(status=400)
        if kind not in IMAGE_TYPES:
            return web.Response(status=400)
        if subfolder.startswith("/") or ".." in subfolder:
            return web.Response(status=403)
        data = self._files.get((kind, subfolder, filename))
        if data is None:
            return web.Response(status=404)
        fault = self._faults.get(self._made_by.get((kind, subfolder, filename), ""))
        if fault == "view_500":
            return _broken_answer("500")
        if fault == "view_hang":
            assert self._unhang is not None
            await self._unhang.wait()
            return _broken_answer("500")
        if fault == "view_not_image":
            data = NOT_JSON.encode()
        elif fault == "view_truncated":
            data = data[: len(data) // 2]
        return web.Response(
            body=data,
            content_type="image/png",
            headers={"Content-Disposition": f'filename="{filename}"'},
        )

    def _input_images(self) -> list[str]:
        # LoadImage names a file of the input folder by its path inside it ("sub/name.png").
        return [
            f"{sub}/{name}" if sub else name for kind, sub, name in self._files if kind == "input"
        ]

    def _info(self) -> JsonDict:
        return build_object_info(self.checkpoints, self._input_images())

    async def _upload_image(self, request: web.Request) -> web.Response:
        # The middleware has consumed the stream; read() gives its cached bytes to parse.
        head = f"Content-Type: {request.headers.get('Content-Type', '')}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + await request.read())
        fields: dict[str, str] = {}
        image: tuple[str, bytes] | None = None
        for part in message.iter_parts() if message.is_multipart() else []:
            field_name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if not isinstance(field_name, str) or not isinstance(payload, bytes):
                continue
            if field_name == "image" and part.get_filename():
                image = (str(part.get_filename()), payload)
            else:
                fields[field_name] = payload.decode()
        if image is None:
            return web.Response(status=400)
        name, data = image
        kind = fields.get("type") or "input"
        subfolder = fields.get("subfolder", "")
        if kind not in IMAGE_TYPES or ".." in name or "/" in name or ".." in subfolder:
            return web.Response(status=400)
        if fields.get("overwrite", "").lower() not in ("true", "1"):
            stem, dot, suffix = name.rpartition(".")
            stem, suffix = (stem, dot + suffix) if dot else (name, "")
            n = 1
            while (kind, subfolder, name) in self._files:
                if self._files[(kind, subfolder, name)] == data:
                    break  # the same image again: ComfyUI answers with the existing file
                name = f"{stem} ({n}){suffix}"
                n += 1
        self._files[(kind, subfolder, name)] = data
        return _json_response({"name": name, "subfolder": subfolder, "type": kind})

    async def _object_info(self, request: web.Request) -> web.Response:
        return _json_response(self._info())

    async def _object_info_one(self, request: web.Request) -> web.Response:
        node_class = request.match_info["node_class"]
        info = self._info()
        return _json_response({node_class: info[node_class]} if node_class in info else {})

    async def _post_interrupt(self, request: web.Request) -> web.Response:
        raw = await request.read()
        data = json.loads(raw) if raw.strip() else {}
        wanted = data.get("prompt_id") if isinstance(data, dict) else None
        running = self._running
        # With a prompt_id that is not running, the real server does nothing (and still says 200).
        if running is not None and (wanted is None or wanted == running.prompt_id):
            self._interrupt = True
        return web.Response(status=200)

    async def _ws(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        sid = request.query.get("clientId") or uuid.uuid4().hex
        self._sockets[sid] = ws  # a reconnect with the same id replaces the old socket
        try:
            await ws.send_json(
                {
                    "type": "status",
                    "data": {
                        "status": {"exec_info": {"queue_remaining": self.queue_remaining}},
                        "sid": sid,
                    },
                }
            )
            running = self._running
            if running is not None and running.client_id == sid and self._current_node:
                await ws.send_json({"type": "executing", "data": {"node": self._current_node}})
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                with contextlib.suppress(ValueError):
                    if json.loads(msg.data).get("type") == "feature_flags":
                        await ws.send_json({"type": "feature_flags", "data": FEATURES})
        finally:
            if self._sockets.get(sid) is ws:
                del self._sockets[sid]
        return ws

    # -- loop side: validation (mirrors ComfyUI's execution.validate_prompt) ----------------------

    def _validate(self, prompt: JsonDict) -> _Validation:
        info = self._info()
        outputs: list[str] = []
        for node_id, node in prompt.items():
            if not isinstance(node, dict) or "class_type" not in node:
                message = "Cannot execute because a node is missing the class_type property."
                return _Validation(_err("invalid_prompt", message, f"Node ID '#{node_id}'"))
            class_type = node["class_type"]
            if class_type not in info:
                message = f"Cannot execute because node {class_type} does not exist."
                return _Validation(_err("invalid_prompt", message, f"Node ID '#{node_id}'"))
            if info[class_type]["output_node"]:
                outputs.append(node_id)
        if not outputs:
            return _Validation(_err("prompt_no_outputs", "Prompt has no outputs"))
        validated: dict[str, tuple[bool, list[JsonDict]]] = {}
        result = _Validation()
        own_errors: list[JsonDict] = []
        for output in outputs:
            ok, reasons = self._validate_node(prompt, output, validated, info)
            if ok:
                result.good_outputs.append(output)
                continue
            own_errors.extend(reasons)
            for node_id, (node_ok, node_reasons) in validated.items():
                if node_ok or not node_reasons:
                    continue
                entry = result.node_errors.setdefault(
                    node_id,
                    {
                        "errors": node_reasons,
                        "dependent_outputs": [],
                        "class_type": prompt[node_id]["class_type"],
                    },
                )
                entry["dependent_outputs"].append(output)
        if not result.good_outputs:
            details = "\n".join(f"{e['message']}: {e['details']}" for e in own_errors)
            result.error = _err(
                "prompt_outputs_failed_validation", "Prompt outputs failed validation", details
            )
        return result

    def _validate_node(
        self,
        prompt: JsonDict,
        node_id: str,
        validated: dict[str, tuple[bool, list[JsonDict]]],
        info: JsonDict,
    ) -> tuple[bool, list[JsonDict]]:
        if node_id in validated:
            return validated[node_id]
        node = prompt[node_id]
        inputs = node.get("inputs") or {}
        spec = info[node["class_type"]]
        errors: list[JsonDict] = []
        valid = True
        for name, config in spec["input"]["required"].items():
            input_type, options = config[0], config[1] if len(config) > 1 else {}
            if name not in inputs:
                errors.append(
                    {
                        "type": "required_input_missing",
                        "message": "Required input is missing",
                        "details": name,
                        "extra_info": {"input_name": name},
                    }
                )
                continue
            value = inputs[name]
            if isinstance(value, list):  # a link: [node_id, output_index]
                linked = str(value[0])
                if linked not in prompt:
                    reasons = [
                        {
                            "type": "exception_during_validation",
                            "message": "Exception when validating node",
                            "details": repr(linked),
                            "extra_info": {
                                "exception_type": "KeyError",
                                "traceback": [
                                    '  File "ComfyUI/execution.py", in validate_inputs\n'
                                ],
                            },
                        }
                    ]
                    validated[node_id] = (False, reasons)
                    return validated[node_id]
                linked_outputs = info[prompt[linked]["class_type"]]["output"]
                index = int(value[1])
                received = linked_outputs[index] if index < len(linked_outputs) else None
                if isinstance(input_type, str) and received != input_type and input_type != "*":
                    errors.append(
                        {
                            "type": "return_type_mismatch",
                            "message": "Return type mismatch between linked nodes",
                            "details": f"{name}, received_type({received}) mismatch "
                            f"input_type({input_type})",
                            "extra_info": {
                                "input_name": name,
                                "input_config": config,
                                "received_type": received,
                                "linked_node": value,
                            },
                        }
                    )
                    continue
                linked_ok, _ = self._validate_node(prompt, linked, validated, info)
                if not linked_ok:
                    valid = False
                continue
            error = self._check_value(name, value, config, input_type, options)
            if error is not None:
                errors.append(error)
        result = (not errors and valid, errors)
        validated[node_id] = result
        return result

    @staticmethod
    def _check_value(
        name: str, value: Any, config: list[Any], input_type: Any, options: JsonDict
    ) -> JsonDict | None:
        converters: dict[str, Callable[[Any], Any]] = {"INT": int, "FLOAT": float, "STRING": str}
        if isinstance(input_type, str) and input_type in converters:
            try:
                value = converters[input_type](value)
            except (TypeError, ValueError) as exc:
                return {
                    "type": "invalid_input_type",
                    "message": f"Failed to convert an input value to a {input_type} value",
                    "details": f"{name}, {value}, {exc}",
                    "extra_info": {
                        "input_name": name,
                        "input_config": config,
                        "received_value": value,
                        "exception_message": str(exc),
                    },
                }
        extra = {"input_name": name, "input_config": config, "received_value": value}
        if "min" in options and value < options["min"]:
            message = f"Value {value} smaller than min of {options['min']}"
            return {
                "type": "value_smaller_than_min",
                "message": message,
                "details": name,
                "extra_info": extra,
            }
        if "max" in options and value > options["max"]:
            message = f"Value {value} bigger than max of {options['max']}"
            return {
                "type": "value_bigger_than_max",
                "message": message,
                "details": name,
                "extra_info": extra,
            }
        if isinstance(input_type, list) and value not in input_type:
            # Long lists are summarised and their config left out, exactly like the real server.
            long = len(input_type) > 20
            listed = f"(list of length {len(input_type)})" if long else str(input_type)
            return {
                "type": "value_not_in_list",
                "message": "Value not in list",
                "details": f"{name}: '{value}' not in {listed}",
                "extra_info": {
                    "input_name": name,
                    "input_config": None if long else config,
                    "received_value": value,
                },
            }
        return None

    # -- loop side: execution ---------------------------------------------------------------------

    async def _send(self, client_id: str | None, kind: str, data: JsonDict) -> None:
        ws = self._sockets.get(client_id) if client_id else None
        if ws is not None and not ws.closed:
            with contextlib.suppress(Exception):  # the client may have gone; the run goes on
                await ws.send_json({"type": kind, "data": data})

    async def _broadcast(self, kind: str, data: JsonDict) -> None:
        for ws in list(self._sockets.values()):
            if not ws.closed:
                with contextlib.suppress(Exception):
                    await ws.send_json({"type": kind, "data": data})

    async def _broadcast_status(self) -> None:
        await self._broadcast(
            "status", {"status": {"exec_info": {"queue_remaining": self.queue_remaining}}}
        )

    async def _work(self) -> None:
        assert self._wake is not None
        while True:
            while not self._pending:
                self._wake.clear()
                await self._wake.wait()
            _, _, job = heapq.heappop(self._pending)
            self._running = job
            self._interrupt = False
            try:
                await self._execute(job)
            finally:
                self._running = None
                self._current_node = None

    @staticmethod
    def _order(prompt: JsonDict, outputs: list[str]) -> list[str]:
        """Nodes needed for ``outputs``, each after the nodes it is linked from."""
        order: list[str] = []

        def visit(node_id: str) -> None:
            if node_id in order:
                return
            for value in (prompt[node_id].get("inputs") or {}).values():
                if isinstance(value, list) and str(value[0]) in prompt:
                    visit(str(value[0]))
            order.append(node_id)

        for output in outputs:
            visit(output)
        return order

    async def _execute(self, job: _Job) -> None:
        pid, cid = job.prompt_id, job.client_id
        self.executed.append(pid)
        fault, self._next_fault = self._next_fault, None
        if fault is not None:
            self._faults[pid] = fault
        await self._broadcast_status()
        messages: list[list[Any]] = []

        async def event(kind: str, data: JsonDict, *, keep: bool = False) -> None:
            if keep:
                messages.append([kind, data])
            await self._send(cid, kind, data)

        await event("execution_start", {"prompt_id": pid, "timestamp": _now_ms()}, keep=True)
        cached = {"nodes": [], "prompt_id": pid, "timestamp": _now_ms()}
        await event("execution_cached", cached, keep=True)
        outputs: JsonDict = {}
        meta: JsonDict = {}
        executed: list[str] = []
        progress: JsonDict = {}
        failure, self._fail_next = self._fail_next, None
        ending: str = "success"

        for node_id in self._order(job.prompt, job.outputs):
            node = job.prompt[node_id]
            class_type = node["class_type"]
            if self._interrupt:
                ending = "interrupted"
                break
            progress[node_id] = self._progress_node(pid, node_id, 0.0, "running")
            await self._broadcast("progress_state", {"prompt_id": pid, "nodes": dict(progress)})
            self._current_node = node_id
            await event("executing", {"node": node_id, "display_node": node_id, "prompt_id": pid})
            if failure is not None:
                error = {
                    "prompt_id": pid,
                    "node_id": node_id,
                    "node_type": class_type,
                    "executed": list(executed),
                    "exception_message": failure,
                    "exception_type": "RuntimeError",
                    "traceback": ['  File "ComfyUI/execution.py", line 496, in execute\n'],
                    "current_inputs": {},
                    "current_outputs": list(job.outputs),
                    "timestamp": _now_ms(),
                }
                await event("execution_error", error, keep=True)
                ending = "error"
                break
            steps = int(node["inputs"].get("steps", 1)) if class_type == "KSampler" else 0
            for step in range(1, steps + 1):
                await asyncio.sleep(self.step_delay)
                if self._interrupt:
                    break
                await event(
                    "progress", {"value": step, "max": steps, "prompt_id": pid, "node": node_id}
                )
            if steps == 0:
                await asyncio.sleep(self.step_delay)
            if fault == "close_socket" and cid in self._sockets:
                fault = None
                await self._sockets.pop(cid).close(code=WSCloseCode.GOING_AWAY)
            if self._interrupt:
                ending = "interrupted"
                break
            if class_type in ("SaveImage", "PreviewImage"):
                images = self._save_images(job, node_id)
                outputs[node_id] = {"images": images}
                meta[node_id] = {
                    "node_id": node_id,
                    "display_node": node_id,
                    "parent_node": None,
                    "real_node_id": node_id,
                }
                executed_msg = {
                    "node": node_id,
                    "display_node": node_id,
                    "output": {"images": images},
                    "prompt_id": pid,
                }
                await event("executed", executed_msg)
            executed.append(node_id)
            progress[node_id] = self._progress_node(pid, node_id, 1.0, "finished")
            await self._broadcast("progress_state", {"prompt_id": pid, "nodes": dict(progress)})

        if ending == "interrupted":
            data = {
                "prompt_id": pid,
                "node_id": self._current_node,
                "node_type": job.prompt[self._current_node]["class_type"]
                if self._current_node
                else None,
                "executed": list(executed),
                "timestamp": _now_ms(),
            }
            messages.append(["execution_interrupted", data])
            await self._broadcast("execution_interrupted", data)
        elif ending == "success":
            await event("execution_success", {"prompt_id": pid, "timestamp": _now_ms()}, keep=True)
            # The real server writes history just after execution_success (a race clients must
            # survive); history_delay widens that window on purpose.
            if self.history_delay:
                await asyncio.sleep(self.history_delay)
        self._history[pid] = {
            "prompt": job.as_list(),
            "outputs": outputs if ending == "success" else {},
            "status": {
                "status_str": "success" if ending == "success" else "error",
                "completed": ending == "success",
                "messages": messages,
            },
            "meta": meta if ending == "success" else {},
        }
        self._running = None
        self._current_node = None
        await self._broadcast_status()
        await event("executing", {"node": None, "prompt_id": pid})

    @staticmethod
    def _progress_node(pid: str, node_id: str, value: float, state: str) -> JsonDict:
        return {
            "value": value,
            "max": 1.0,
            "state": state,
            "node_id": node_id,
            "prompt_id": pid,
            "display_node_id": node_id,
            "parent_node_id": None,
            "real_node_id": node_id,
        }

    def _image_source(self, prompt: JsonDict, node_id: str) -> JsonDict:
        """The inputs of the EmptyImage/EmptyLatentImage a SaveImage's pixels come from, if any."""
        seen: set[str] = set()
        todo = [node_id]
        while todo:
            current = todo.pop()
            if current in seen or current not in prompt:
                continue
            seen.add(current)
            node = prompt[current]
            inputs = node.get("inputs") or {}
            if node.get("class_type") in ("EmptyImage", "EmptyLatentImage"):
                return dict(inputs)
            todo.extend(str(v[0]) for v in inputs.values() if isinstance(v, list))
        return {}

    def _save_images(self, job: _Job, node_id: str) -> list[JsonDict]:
        node = job.prompt[node_id]
        source = self._image_source(job.prompt, node_id)
        # Scaled down to at most MAX_IMAGE_SIDE, keeping the shape a shot asked for (16:9 stays 16:9).
        width, height = int(source.get("width", 64)), int(source.get("height", 64))
        scale = min(1.0, MAX_IMAGE_SIDE / max(width, height, 1))
        width, height = max(1, round(width * scale)), max(1, round(height * scale))
        batch = int(source.get("batch_size", 1))
        color = int(source.get("color", 0x808080))
        rgb = ((color >> 16) & 255, (color >> 8) & 255, color & 255)
        if node["class_type"] == "SaveImage":
            kind = "output"
            prefix = str(node["inputs"].get("filename_prefix", "ComfyUI"))
        else:
            kind = "temp"
            prefix = "ComfyUI_temp_" + "".join(random.choices(string.ascii_lowercase, k=5))
        subfolder, _, base = prefix.rpartition("/")
        text = {"prompt": json.dumps(job.prompt)}
        workflow = job.extra_data.get("extra_pnginfo", {}).get("workflow")
        if workflow is not None:
            text["workflow"] = json.dumps(workflow)
        images = []
        for _ in range(batch):
            counter = self._counters.get((subfolder, base), 0) + 1
            self._counters[(subfolder, base)] = counter
            filename = f"{base}_{counter:05}_.png"
            self._files[(kind, subfolder, filename)] = make_png(width, height, rgb, text)
            self._made_by[(kind, subfolder, filename)] = job.prompt_id
            images.append({"filename": filename, "subfolder": subfolder, "type": kind})
        return images
