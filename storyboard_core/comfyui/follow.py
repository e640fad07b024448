"""Following one prompt on ComfyUI until it ends: its WebSocket events, else ``/history`` polls.

``Follower`` turns what the server says about a posted prompt (queue position, node progress, then
``execution_success``, ``execution_error`` or ``execution_interrupted``) into updates of the job
(``Run``), and returns the prompt's history entry or raises ``RenderFailedError`` in the user's words.
If the socket fails or closes, ``/history`` is polled instead; a server that keeps failing is declared
lost. ``locate`` finds a prompt sent before a restart (finished, still running, or forgotten).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..errors import (
    ComfyUIBadAnswerError,
    ComfyUIError,
    ComfyUIUnavailableError,
    RenderFailedError,
)
from ..types import JsonDict
from .client import ComfyUIClient
from .job import MessageSource, RenderJob, RenderState

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
# A resumed prompt found neither in history nor in the queue is looked for once more after this pause
# (it may be between the end of its run and its history entry) before it is sent again.
RECHECK_S = 0.5

logger = logging.getLogger("storyboard_core.comfyui.follow")


class Cancelled(Exception):
    """The caller asked to stop (internal: becomes state "cancelled")."""


class GaveUp(RenderFailedError):
    """The render took longer than its timeout (its prompt is taken back from ComfyUI)."""


class Run:
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


def node_weight(node: Any) -> int:
    # Sampler nodes report progress per step and take most of the time: weigh them by their steps.
    inputs = node.get("inputs") if isinstance(node, dict) else None
    steps = inputs.get("steps") if isinstance(inputs, dict) else None
    if isinstance(steps, int) and not isinstance(steps, bool) and steps > 0:
        return steps
    return 1


class Follower:
    """Follows one posted prompt until it ends; returns its history entry or raises."""

    def __init__(
        self,
        run: Run,
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
        self.weights = {str(k): node_weight(v) for k, v in graph.items()}
        self.total = sum(self.weights.values()) or 1
        self.done: set[str] = set()
        self.current: str | None = None
        self.current_fraction = 0.0
        self.last_ours = time.monotonic()  # when an event about our prompt last arrived

    # -- the loop --------------------------------------------------------------------------------

    def _check_stop(self) -> None:
        if self.cancel.is_set():
            raise Cancelled
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise GaveUp(f"ComfyUI at {self.url} gave no result in time; the render was stopped")

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
                if isinstance(exc, ComfyUIBadAnswerError):  # it answers, but not as ComfyUI does
                    raise RenderFailedError(
                        f"ComfyUI at {self.url} stopped answering properly during the render: "
                        f"{reason}; nothing was saved"
                    ) from exc
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

    def locate(self) -> JsonDict | bool:
        """Where a resumed prompt is: its history entry once it ran, ``True`` while it is queued or
        running, ``False`` when the server does not know it (then it must be sent again).

        A prompt that failed while nobody watched raises ``RenderFailedError`` with its reason.
        """
        for pause in (0.0, RECHECK_S):
            if pause:
                self.cancel.wait(pause)
                self._check_stop()
            entry = self.client.history(self.prompt_id)
            if entry is not None:
                return self._finished(entry)
            queue = self.client.queue()
            if any(i.prompt_id == self.prompt_id for i in queue.running):
                self._start()
                return True
            if any(i.prompt_id == self.prompt_id for i in queue.pending):
                return True
        return False

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


__all__ = ["Cancelled", "Follower", "GaveUp", "Run", "node_weight"]
