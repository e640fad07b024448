"""The fake ComfyUI's worker: one prompt at a time, in order of ``number``, as the real server runs.

A run sends the recorded WebSocket events (transcripts 22, 60): ``execution_start``,
``execution_cached``, ``executing`` per node, ``progress`` per ``KSampler`` step, ``executed`` per
image node, then ``execution_success``, ``execution_error`` or ``execution_interrupted``. History is
written ``history_delay`` seconds *after* ``execution_success`` (the real race). The execution cache is
not modelled: every run executes every node.
"""

from __future__ import annotations

import asyncio
import heapq
from typing import Any

from aiohttp import WSCloseCode

from storyboard_core.types import JsonDict

from .images import save_images
from .state import FakeState, Job, now_ms
from .video_nodes import RunError
from .video_run import is_video_save, save_clip
from .websocket import broadcast, broadcast_status, send


async def work(state: FakeState) -> None:
    """Run the queued prompts one by one, for as long as the fake lives."""
    assert state.wake is not None
    while True:
        while not state.pending:
            state.wake.clear()
            await state.wake.wait()
        _, _, job = heapq.heappop(state.pending)
        state.running = job
        state.interrupt = False
        try:
            await execute(state, job)
        finally:
            state.running = None
            state.current_node = None


def run_order(prompt: JsonDict, outputs: list[str]) -> list[str]:
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


async def execute(state: FakeState, job: Job) -> None:
    """Run one prompt: its events, its images, its history entry (and its injected faults)."""
    pid, cid = job.prompt_id, job.client_id
    state.executed.append(pid)
    fault, state.next_fault = state.next_fault, None
    if fault is not None:
        state.faults[pid] = fault
    await broadcast_status(state)
    messages: list[list[Any]] = []

    async def event(kind: str, data: JsonDict, *, keep: bool = False) -> None:
        if keep:
            messages.append([kind, data])
        await send(state, cid, kind, data)

    await event("execution_start", {"prompt_id": pid, "timestamp": now_ms()}, keep=True)
    cached = {"nodes": [], "prompt_id": pid, "timestamp": now_ms()}
    await event("execution_cached", cached, keep=True)
    outputs: JsonDict = {}
    meta: JsonDict = {}
    executed: list[str] = []
    progress: JsonDict = {}
    failure, state.fail_next = state.fail_next, None
    ending: str = "success"

    for node_id in run_order(job.prompt, job.outputs):
        node = job.prompt[node_id]
        class_type = node["class_type"]
        if state.interrupt:
            ending = "interrupted"
            break
        progress[node_id] = progress_node(pid, node_id, 0.0, "running")
        await broadcast(state, "progress_state", {"prompt_id": pid, "nodes": dict(progress)})
        state.current_node = node_id
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
                "timestamp": now_ms(),
            }
            await event("execution_error", error, keep=True)
            ending = "error"
            break
        steps = int(node["inputs"].get("steps", 1)) if class_type == "KSampler" else 0
        for step in range(1, steps + 1):
            await asyncio.sleep(state.step_delay)
            if state.interrupt:
                break
            await event(
                "progress", {"value": step, "max": steps, "prompt_id": pid, "node": node_id}
            )
        if steps == 0:
            await asyncio.sleep(state.step_delay)
        if fault == "close_socket" and cid in state.sockets:
            fault = None
            await state.sockets.pop(cid).close(code=WSCloseCode.GOING_AWAY)
        if state.interrupt:
            ending = "interrupted"
            break
        saved: JsonDict | None = None
        if is_video_save(class_type):
            try:
                saved = save_clip(state, job, node_id)
            except RunError as exc:
                await event("execution_error", run_error(job, node_id, executed, exc), keep=True)
                ending = "error"
                break
        elif class_type in ("SaveImage", "PreviewImage"):
            saved = {"images": save_images(state, job, node_id)}
        if saved is not None:
            outputs[node_id] = saved
            meta[node_id] = {
                "node_id": node_id,
                "display_node": node_id,
                "parent_node": None,
                "real_node_id": node_id,
            }
            executed_msg = {
                "node": node_id,
                "display_node": node_id,
                "output": saved,
                "prompt_id": pid,
            }
            await event("executed", executed_msg)
        executed.append(node_id)
        progress[node_id] = progress_node(pid, node_id, 1.0, "finished")
        await broadcast(state, "progress_state", {"prompt_id": pid, "nodes": dict(progress)})

    if ending == "interrupted":
        data = {
            "prompt_id": pid,
            "node_id": state.current_node,
            "node_type": job.prompt[state.current_node]["class_type"]
            if state.current_node
            else None,
            "executed": list(executed),
            "timestamp": now_ms(),
        }
        messages.append(["execution_interrupted", data])
        await broadcast(state, "execution_interrupted", data)
    elif ending == "success":
        await event("execution_success", {"prompt_id": pid, "timestamp": now_ms()}, keep=True)
        # The real server writes history just after execution_success (a race clients must
        # survive); history_delay widens that window on purpose.
        if state.history_delay:
            await asyncio.sleep(state.history_delay)
    state.history[pid] = {
        "prompt": job.as_list(),
        "outputs": outputs if ending == "success" else {},
        "status": {
            "status_str": "success" if ending == "success" else "error",
            "completed": ending == "success",
            "messages": messages,
        },
        "meta": meta if ending == "success" else {},
    }
    state.running = None
    state.current_node = None
    await broadcast_status(state)
    await event("executing", {"node": None, "prompt_id": pid})


def run_error(job: Job, node_id: str, executed: list[str], exc: RunError) -> JsonDict:
    """The ``execution_error`` of a node that failed while running (145)."""
    return {
        "prompt_id": job.prompt_id,
        "node_id": node_id,
        "node_type": exc.node_type,
        "executed": list(executed),
        "exception_message": exc.exception_message,
        "exception_type": exc.exception_type,
        "traceback": ['  File "ComfyUI/execution.py", line 496, in execute\n'],
        "current_inputs": {},
        "current_outputs": list(job.outputs),
        "timestamp": now_ms(),
    }


def progress_node(pid: str, node_id: str, value: float, node_state: str) -> JsonDict:
    """One node's entry in a ``progress_state`` event."""
    return {
        "value": value,
        "max": 1.0,
        "state": node_state,
        "node_id": node_id,
        "prompt_id": pid,
        "display_node_id": node_id,
        "parent_node_id": None,
        "real_node_id": node_id,
    }
