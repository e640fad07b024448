"""What the fake ComfyUI holds while it runs: its settings, queue, history, files, sockets and faults.

One ``FakeState`` is shared by the HTTP routes, the WebSocket side and the worker, all of which run
on the fake's own asyncio loop; the test thread changes it only through ``FakeComfyUI``'s controls.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from storyboard_core.types import JsonDict

from .faults import Mode, PostFault, RunFault

VERSION = "0.3.64"
FEATURES = {"supports_preview_metadata": True, "max_upload_size": 104857600}


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received (for asserting on headers such as ``Authorization``)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class Job:
    """One accepted prompt, as ComfyUI keeps it in its queue and history."""

    number: float
    prompt_id: str
    prompt: JsonDict
    extra_data: JsonDict
    outputs: list[str]

    @property
    def client_id(self) -> str | None:
        """The ``client_id`` the prompt was posted with: whose socket hears its events."""
        value = self.extra_data.get("client_id")
        return value if isinstance(value, str) else None

    def as_list(self) -> list[Any]:
        """The job as ``/queue`` and ``/history`` list it."""
        return [self.number, self.prompt_id, self.prompt, self.extra_data, self.outputs]


@dataclass
class FakeState:
    """Everything the fake server knows; see ``FakeComfyUI`` for what each setting does."""

    checkpoints: list[str]
    device: str
    version: str
    step_delay: float
    history_delay: float
    require_token: str | None
    port: int
    requests: list[RecordedRequest] = field(default_factory=list)
    mode: Mode = "ok"
    release: asyncio.Event | None = None  # set = hung requests may go on
    wake: asyncio.Event | None = None  # set = the queue has work
    unhang: asyncio.Event | None = None  # set = faulty hanging requests may end
    sockets: dict[str, web.WebSocketResponse] = field(default_factory=dict)
    pending: list[tuple[float, int, Job]] = field(default_factory=list)  # a heap, like the real one
    seq: int = 0
    number: int = 0
    running: Job | None = None
    current_node: str | None = None
    interrupt: bool = False
    fail_next: str | None = None
    history: dict[str, JsonDict] = field(default_factory=dict)
    files: dict[tuple[str, str, str], bytes] = field(default_factory=dict)
    made_by: dict[tuple[str, str, str], str] = field(default_factory=dict)  # file -> its prompt
    counters: dict[tuple[str, str], int] = field(default_factory=dict)
    next_fault: RunFault | None = None
    faults: dict[str, RunFault] = field(default_factory=dict)  # prompt id -> what goes wrong
    post_faults: list[PostFault] = field(default_factory=list)
    executed: list[str] = field(default_factory=list)
    models: dict[str, list[str]] = field(default_factory=dict)  # folder -> files (not checkpoints)
    node_types: frozenset[str] | None = None  # None: every node the fake knows

    @property
    def queue_remaining(self) -> int:
        """Running plus pending prompts."""
        return len(self.pending) + (1 if self.running is not None else 0)


#: Where the routes find the state: ``request.app[STATE]``.
STATE = web.AppKey("state", FakeState)


def now_ms() -> int:
    """The time in milliseconds, as ComfyUI stamps its events."""
    return int(time.time() * 1000)
