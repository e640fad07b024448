"""A render job as the queue, the journal and the UI see it, and the WebSocket seam a render reads.

Its own module so that ``render.py`` (one render's protocol) and ``follow.py`` (following a sent
prompt) share these types without importing each other.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from ..settings import redact_url

RenderState = Literal["queued", "rendering", "done", "failed", "cancelled"]
ACTIVE_STATES: frozenset[str] = frozenset({"queued", "rendering"})


@dataclass(frozen=True)
class RenderJob:
    """One render of one shot, as last seen: its state, progress (0..1) and a message for the user.

    ``image`` is the saved frame's path relative to the project (when done); ``seed`` the seed
    actually used; ``prompt_id``/``client_id`` the ids it was sent to ComfyUI with (set just before
    the POST, cleared if the server refused it); ``created_at``/``finished_at`` are ``time.time()``
    stamps.
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
    client_id: str | None = None
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


# The WebSocket, behind a small seam so tests can inject a failing one.


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


__all__ = ["ACTIVE_STATES", "MessageSource", "RenderJob", "RenderState", "WsConnect", "new_job"]
