"""The fake ComfyUI's WebSocket side: ``/ws`` and the events sent over it.

Events of a prompt go to the socket whose ``clientId`` equals the prompt's ``client_id``;
``status``, ``progress_state`` and ``execution_interrupted`` go to every socket (transcripts 20, 22).
"""

from __future__ import annotations

import contextlib
import json
import uuid

from aiohttp import WSMsgType, web

from storyboard_core.types import JsonDict

from .state import FEATURES, STATE, FakeState


async def send(state: FakeState, client_id: str | None, kind: str, data: JsonDict) -> None:
    """Send one event to the socket of ``client_id``, if it is connected."""
    ws = state.sockets.get(client_id) if client_id else None
    if ws is not None and not ws.closed:
        with contextlib.suppress(Exception):  # the client may have gone; the run goes on
            await ws.send_json({"type": kind, "data": data})


async def broadcast(state: FakeState, kind: str, data: JsonDict) -> None:
    """Send one event to every connected socket."""
    for ws in list(state.sockets.values()):
        if not ws.closed:
            with contextlib.suppress(Exception):
                await ws.send_json({"type": kind, "data": data})


async def broadcast_status(state: FakeState) -> None:
    """Tell every socket how many prompts are left, as ComfyUI does whenever its queue changes."""
    await broadcast(
        state, "status", {"status": {"exec_info": {"queue_remaining": state.queue_remaining}}}
    )


async def ws(request: web.Request) -> web.WebSocketResponse:
    """``GET /ws?clientId=…``: the status first, then events until the client or server closes."""
    state = request.app[STATE]
    socket = web.WebSocketResponse()
    await socket.prepare(request)
    sid = request.query.get("clientId") or uuid.uuid4().hex
    state.sockets[sid] = socket  # a reconnect with the same id replaces the old socket
    try:
        await socket.send_json(
            {
                "type": "status",
                "data": {
                    "status": {"exec_info": {"queue_remaining": state.queue_remaining}},
                    "sid": sid,
                },
            }
        )
        running = state.running
        if running is not None and running.client_id == sid and state.current_node:
            await socket.send_json({"type": "executing", "data": {"node": state.current_node}})
        async for msg in socket:
            if msg.type != WSMsgType.TEXT:
                continue
            with contextlib.suppress(ValueError):
                if json.loads(msg.data).get("type") == "feature_flags":
                    await socket.send_json({"type": "feature_flags", "data": FEATURES})
    finally:
        if state.sockets.get(sid) is socket:
            del state.sockets[sid]
    return socket
