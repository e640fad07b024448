"""A fake ComfyUI 0.3.64: a real HTTP + WebSocket server on 127.0.0.1, built from recorded transcripts.

It runs aiohttp (as the real server does) on its own asyncio loop in a background thread, so tests
talk to it over real sockets. Every route is also served under ``/api``. What it does, and what a test
can change at runtime, follows ``/work/shared/comfyui/API.md``; its parts, each in its own module:

* ``routes``: the HTTP routes; ``POST /prompt`` validates like the real server for the recorded cases
  (``validation``: unknown or missing ``class_type``, no output node, missing input, wrong type, out
  of range, link to a missing node, link type mismatch, a value not in a combo list such as a missing
  checkpoint).
* ``execution``: one worker runs accepted prompts in order of ``number`` and sends the recorded
  WebSocket events (``websocket``) to the socket whose ``clientId`` equals the prompt's
  ``client_id``. ``KSampler`` nodes send ``progress`` per step. History is written
  ``history_delay`` seconds *after* ``execution_success`` (the real race).
* ``images``: ``SaveImage`` writes ``<prefix>_00001_.png`` that ``/view`` serves as a real PNG;
  ``POST /upload/image`` stores input images that ``LoadImage`` then offers as its choices, so a
  graph naming a file that was never uploaded is refused with ``value_not_in_list``.
* ``faults``: faults for one prompt or one request (``break_next_run``, ``break_next_post``): the
  socket closed mid-run, ``/history`` or ``/view`` answering 500 (ComfyUI's text/plain body) or
  HTML, ``/view`` hanging or sending bytes that are not a whole image.
* ``video_run`` / ``video_nodes``: ``SaveVideo``, ``SaveWEBM``, ``SaveAnimatedWEBP/PNG`` and
  ``VHS_VideoCombine`` write a red-then-blue clip that ``/view`` serves (with ``Range``);
  ``offered``: each fake's node types and model files (``/object_info``, ``/models``), set with
  ``offer_only`` and ``set_models`` so two fakes can differ.
* ``state``: what the fake holds, shared by all of the above on the fake's loop.

This module runs it: the loop thread, listening, going down and coming back, and the controls a test
calls. Not modelled: the execution cache (every run executes every node), previews.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from aiohttp import WSCloseCode, web

from storyboard_core.types import JsonDict

from .execution import work
from .faults import Mode, PostFault, RunFault
from .routes import build_app
from .state import VERSION, FakeState, RecordedRequest

T = TypeVar("T")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


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
        self._state = FakeState(
            checkpoints=list(checkpoints or []),  # default: none, like a fresh install
            device=device,
            version=version,
            step_delay=step_delay,
            history_delay=history_delay,
            require_token=require_token,
            port=port,
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._worker: asyncio.Task[None] | None = None

    # -- lifetime (test thread) -------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port it listens on (chosen at the first ``start()`` when created with 0)."""
        return self._state.port

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
            self._call(self._die())
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(15)  # a loaded machine can take seconds to wind the loop down
            self._loop = self._thread = None

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

    def __enter__(self) -> FakeComfyUI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- controls (test thread) -------------------------------------------------------------------

    def refuse(self) -> None:
        """Stop listening, keeping queue and history: connections are refused."""
        self._call(self._shutdown_http())

    def go_down(self) -> None:
        """As if the process died: connections refused, running job, queue and history gone."""
        self._call(self._die())

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
        state = self._state

        async def switch() -> None:
            # On the loop, so a request never sees the new mode with the old event state.
            assert state.release is not None
            state.mode = mode
            if mode == "hang":
                state.release.clear()
            else:
                state.release.set()

        self._call(switch())

    def set_checkpoints(self, names: list[str]) -> None:
        """The checkpoint files the server "has" (``ckpt_name`` choices)."""
        self._state.checkpoints = list(names)

    def set_models(self, folder: str, files: list[str]) -> None:
        """The files of one model folder (``/models/<folder>``; ``diffusion_models`` are also
        ``UNETLoader``'s choices, ``checkpoints`` the ``ckpt_name`` ones)."""
        if folder == "checkpoints":
            self._state.checkpoints = list(files)
        self._state.models[folder] = list(files)

    def offer_only(self, node_types: set[str] | None) -> None:
        """Offer only these node types (``None``: every node the fake knows), like a server
        without a custom node pack or without the video nodes."""
        self._state.node_types = None if node_types is None else frozenset(node_types)

    def set_step_delay(self, seconds: float) -> None:
        """Seconds each node (and each KSampler step) takes, so tests can act mid-run."""
        self._state.step_delay = seconds

    def set_history_delay(self, seconds: float) -> None:
        """Seconds between ``execution_success`` and the history entry appearing."""
        self._state.history_delay = seconds

    def fail_next_run(self, message: str) -> None:
        """Make the next executed prompt fail at its first node with ``execution_error``."""
        self._state.fail_next = message

    def break_next_run(self, fault: RunFault) -> None:
        """Make one thing go wrong with the next prompt that runs (the prompts after it are fine).

        ``close_socket``: its client's WebSocket is closed by the server after the first node (the
        run goes on). ``history_500`` / ``history_non_json``: ``/history/{its id}`` answers 500 or
        HTML. ``view_500`` / ``view_hang`` / ``view_not_image`` / ``view_truncated``: ``/view`` of
        its images answers 500, never answers (until the fake stops), sends an HTML page as
        ``image/png``, or sends the first half of the PNG.
        """
        self._state.next_fault = fault

    def break_next_post(self, fault: PostFault) -> None:
        """Make the next ``POST /prompt`` answer 500 (text/plain) or an HTML page; nothing is queued."""
        self._state.post_faults.append(fault)

    # -- inspection (test thread) -----------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request the fake received, in order."""
        return self._state.requests

    @property
    def executed(self) -> list[str]:
        """The prompt ids that started running, in order."""
        return self._state.executed

    def posted_graphs(self) -> list[JsonDict]:
        """The graphs received with ``POST /prompt``, in order (accepted or not)."""
        posts = [r for r in self.requests_to("/prompt") if r.method == "POST" and r.body]
        return [json.loads(r.body)["prompt"] for r in posts]

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """The recorded requests whose path (without an ``/api`` prefix) is ``path``."""
        return [r for r in list(self.requests) if r.path.removeprefix("/api") == path]

    def history_entry(self, prompt_id: str) -> JsonDict | None:
        """The history entry of ``prompt_id`` as ``GET /history/{id}`` would give it."""
        return self._state.history.get(prompt_id)

    def file(self, filename: str, subfolder: str = "", type: str = "output") -> bytes | None:
        """The bytes of an image the fake made, or None."""
        return self._state.files.get((type, subfolder, filename))

    @property
    def queue_remaining(self) -> int:
        """Running plus pending prompts."""
        return self._state.queue_remaining

    # -- loop side: listening ---------------------------------------------------------------------

    async def _async_start(self) -> None:
        state = self._state
        state.release = asyncio.Event()
        state.release.set()
        state.unhang = asyncio.Event()
        state.wake = asyncio.Event()
        self._worker = asyncio.create_task(work(state))
        await self._listen()

    async def _listen(self) -> None:
        if self._runner is not None:
            return
        state = self._state
        if state.unhang is not None:
            state.unhang.clear()
        runner = web.AppRunner(build_app(state), access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        # Our own socket with SO_REUSEADDR, so come_back() can bind the same port again at once.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", state.port))
        except OSError:
            sock.close()
            await runner.cleanup()
            raise
        state.port = sock.getsockname()[1]
        await web.SockSite(runner, sock).start()
        self._runner = runner

    async def _shutdown_http(self) -> None:
        runner, self._runner = self._runner, None
        if runner is None:
            return
        state = self._state
        assert state.release is not None and state.unhang is not None
        state.release.set()  # let hung handlers finish, or cleanup waits for them
        state.unhang.set()
        for ws in list(state.sockets.values()):
            await ws.close(code=WSCloseCode.GOING_AWAY)
        state.sockets.clear()
        await runner.cleanup()
        await asyncio.sleep(0.05)  # let aiohttp finish dropping connections it was accepting

    async def _die(self) -> None:
        await self._shutdown_http()
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        state = self._state
        state.pending.clear()
        state.running = None
        state.current_node = None
        state.history.clear()
        state.number = 0

    async def _come_back(self) -> None:
        await self._listen()
        if self._worker is None:
            self._worker = asyncio.create_task(work(self._state))
