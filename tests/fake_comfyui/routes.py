"""The fake ComfyUI's HTTP routes, each also served under ``/api`` as the real server does.

``POST /prompt`` validates like the real server for the recorded cases (see ``validation``), queues
the prompt for the worker (see ``execution``) and answers its id and ``number``. Every request is
recorded first; the server-wide fault modes and the bearer token are applied before any route runs.
"""

from __future__ import annotations

import heapq
import json
import uuid
from collections.abc import Awaitable, Callable

from aiohttp import web

from storyboard_core.types import JsonDict

from .faults import ERROR_500, broken_answer
from .images import input_images, upload_image, view
from .offered import MODEL_FOLDERS, default_models, offered_object_info
from .state import FEATURES, STATE, FakeState, Job, RecordedRequest
from .validation import error_entry, validate
from .websocket import broadcast_status, ws

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def build_app(state: FakeState) -> web.Application:
    """The fake's aiohttp application, serving ``state``."""
    app = web.Application(middlewares=[middleware])
    app[STATE] = state
    for prefix in ("", "/api"):
        app.router.add_get(prefix + "/ws", ws)
        app.router.add_get(prefix + "/system_stats", system_stats)
        app.router.add_get(prefix + "/features", features)
        app.router.add_get(prefix + "/queue", get_queue)
        app.router.add_post(prefix + "/queue", post_queue)
        app.router.add_get(prefix + "/prompt", get_prompt)
        app.router.add_post(prefix + "/prompt", post_prompt)
        app.router.add_get(prefix + "/history", get_history)
        app.router.add_get(prefix + "/history/{prompt_id}", get_history_one)
        app.router.add_post(prefix + "/history", post_history)
        app.router.add_get(prefix + "/view", view)
        app.router.add_get(prefix + "/object_info", get_object_info)
        app.router.add_get(prefix + "/object_info/{node_class}", get_object_info_one)
        app.router.add_get(prefix + "/models", model_folders)
        app.router.add_get(prefix + "/models/{folder}", model_files)
        app.router.add_post(prefix + "/interrupt", post_interrupt)
        app.router.add_post(prefix + "/upload/image", upload_image)
    return app


def models_of(state: FakeState) -> dict[str, list[str]]:
    """The fake's model files by folder, its checkpoints included."""
    return {**default_models(state.checkpoints), **state.models, "checkpoints": state.checkpoints}


def node_classes(state: FakeState) -> JsonDict:
    """The ``/object_info`` of the fake now: its nodes, with its models and input images as the
    choices."""
    return offered_object_info(
        state.checkpoints, input_images(state), models_of(state), state.node_types
    )


@web.middleware
async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Record every request, then answer as the mode and the token say (or pass it on)."""
    state = request.app[STATE]
    body = await request.read()
    state.requests.append(
        RecordedRequest(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            headers=dict(request.headers),
            body=body,
        )
    )
    if state.mode == "hang":
        assert state.release is not None
        await state.release.wait()
    if state.mode == "500":
        return broken_answer("500")
    if state.mode == "non_json":
        return broken_answer("non_json")
    token = state.require_token
    if token is not None and request.headers.get("Authorization") != f"Bearer {token}":
        return web.Response(status=401, text="401: Unauthorized")
    return await handler(request)


async def system_stats(request: web.Request) -> web.Response:
    """``GET /system_stats``: the version, the device and its memory (transcript 01)."""
    state = request.app[STATE]
    ram_total, ram_free = 25276510208, 24032272384
    vram_total, vram_free = (ram_total, ram_free) if state.device == "cpu" else (25769803776, 20)
    return web.json_response(
        {
            "system": {
                "os": "posix",
                "ram_total": ram_total,
                "ram_free": ram_free,
                "comfyui_version": state.version,
                "required_frontend_version": "1.27.10",
                "installed_templates_version": "0.1.95",
                "required_templates_version": "0.1.95",
                "python_version": "3.11.7 (main, May  9 2026, 07:35:25) [GCC 12.2.0]",
                "pytorch_version": "2.13.0+cpu",
                "embedded_python": False,
                "argv": ["main.py", "--cpu", "--listen", "127.0.0.1", "--port", str(state.port)],
            },
            "devices": [
                {
                    "name": state.device,
                    "type": state.device.split(":")[0],
                    "index": None if state.device == "cpu" else 0,
                    "vram_total": vram_total,
                    "vram_free": vram_free,
                    "torch_vram_total": vram_total,
                    "torch_vram_free": vram_free,
                }
            ],
        }
    )


async def features(request: web.Request) -> web.Response:
    """``GET /features``: what the server supports."""
    return web.json_response(FEATURES)


async def model_folders(request: web.Request) -> web.Response:
    """``GET /models``: the model folder names (131)."""
    return web.json_response(MODEL_FOLDERS)


async def model_files(request: web.Request) -> web.Response:
    """``GET /models/{folder}``: the folder's files, 404 for an unknown folder (132-138)."""
    files = models_of(request.app[STATE]).get(request.match_info["folder"])
    if files is None:
        return web.Response(status=404)
    return web.json_response(list(files))


async def get_queue(request: web.Request) -> web.Response:
    """``GET /queue``: the running prompt and the pending ones (transcripts 02, 67)."""
    state = request.app[STATE]
    running = [state.running.as_list()] if state.running is not None else []
    # The heap list as is: lowest number first, the rest in no promised order (like the real one).
    pending = [job.as_list() for _, _, job in state.pending]
    return web.json_response({"queue_running": running, "queue_pending": pending})


async def post_queue(request: web.Request) -> web.Response:
    """``POST /queue``: ``clear`` the pending prompts or ``delete`` some by id."""
    state = request.app[STATE]
    data = await request.json()
    if data.get("clear"):
        state.pending.clear()
    if isinstance(data.get("delete"), list):
        doomed = set(data["delete"])
        state.pending = [e for e in state.pending if e[2].prompt_id not in doomed]
        heapq.heapify(state.pending)
    await broadcast_status(state)
    return web.Response(status=200)


async def get_prompt(request: web.Request) -> web.Response:
    """``GET /prompt``: how many prompts are left (transcript 03)."""
    state = request.app[STATE]
    return web.json_response({"exec_info": {"queue_remaining": state.queue_remaining}})


async def post_prompt(request: web.Request) -> web.Response:
    """``POST /prompt``: check a graph and queue it, or say why not (transcripts 21, 43-58)."""
    state = request.app[STATE]
    if state.post_faults:
        return broken_answer(state.post_faults.pop(0))
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
        number = -state.number if data.get("front") else state.number
        state.number += 1
    if "prompt" not in data:
        error = error_entry("no_prompt", "No prompt provided", "No prompt provided")
        return web.json_response({"error": error, "node_errors": {}}, status=400)
    prompt = data["prompt"]
    if not isinstance(prompt, dict):
        return web.Response(status=500, text=ERROR_500)  # the real handler crashes here too
    result = validate(prompt, node_classes(state))
    if result.error is not None:
        return web.json_response(
            {"error": result.error, "node_errors": result.node_errors}, status=400
        )
    prompt_id = str(data.get("prompt_id") or uuid.uuid4())
    extra_data = dict(data.get("extra_data") or {})
    if "client_id" in data:
        extra_data["client_id"] = data["client_id"]
    job = Job(number, prompt_id, prompt, extra_data, result.good_outputs)
    state.seq += 1
    heapq.heappush(state.pending, (number, state.seq, job))
    assert state.wake is not None
    state.wake.set()
    await broadcast_status(state)
    return web.json_response(
        {"prompt_id": prompt_id, "number": number, "node_errors": result.node_errors}
    )


async def get_history(request: web.Request) -> web.Response:
    """``GET /history``: every entry, or a window of ``max_items`` from ``offset``."""
    state = request.app[STATE]
    items = list(state.history.items())
    max_items = request.query.get("max_items")
    offset = int(request.query.get("offset", "-1"))
    if max_items is not None:
        count = int(max_items)
        start = len(items) - count if offset < 0 else offset
        items = items[max(start, 0) : max(start, 0) + count]
    elif offset > 0:
        items = items[offset:]
    return web.json_response(dict(items))


async def get_history_one(request: web.Request) -> web.Response:
    """``GET /history/{id}``: that prompt's entry once it has finished (transcripts 23, 61)."""
    state = request.app[STATE]
    prompt_id = request.match_info["prompt_id"]
    fault = state.faults.get(prompt_id)
    if fault in ("history_500", "history_non_json"):
        return broken_answer("500" if fault == "history_500" else "non_json")
    entry = state.history.get(prompt_id)
    return web.json_response({prompt_id: entry} if entry is not None else {})


async def post_history(request: web.Request) -> web.Response:
    """``POST /history``: ``clear`` the history or ``delete`` entries by id."""
    state = request.app[STATE]
    data = await request.json()
    if data.get("clear"):
        state.history.clear()
    for prompt_id in data.get("delete") or []:
        state.history.pop(prompt_id, None)
    return web.Response(status=200)


async def get_object_info(request: web.Request) -> web.Response:
    """``GET /object_info``: every node class the fake knows."""
    state = request.app[STATE]
    return web.json_response(node_classes(state))


async def get_object_info_one(request: web.Request) -> web.Response:
    """``GET /object_info/{class}``: one node class (transcripts 05-08)."""
    state = request.app[STATE]
    node_class = request.match_info["node_class"]
    info = node_classes(state)
    return web.json_response({node_class: info[node_class]} if node_class in info else {})


async def post_interrupt(request: web.Request) -> web.Response:
    """``POST /interrupt``: stop the running prompt (only it, if a ``prompt_id`` is given)."""
    state = request.app[STATE]
    raw = await request.read()
    data = json.loads(raw) if raw.strip() else {}
    wanted = data.get("prompt_id") if isinstance(data, dict) else None
    running = state.running
    # With a prompt_id that is not running, the real server does nothing (and still says 200).
    if running is not None and (wanted is None or wanted == running.prompt_id):
        state.interrupt = True
    return web.Response(status=200)
