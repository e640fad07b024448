"""Helpers of the render tests: change a shot's settings, watch a render from a thread, keep
ComfyUI busy with someone else's prompt, read what was posted."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import httpx

from storyboard_core import Project, Shot, Store
from storyboard_core.comfyui.client import ComfyUIClient
from storyboard_core.comfyui.render import RenderJob
from storyboard_core.comfyui.workflows import builtin_workflow, fill_workflow
from storyboard_core.settings import ServerConfig
from tests.fake_comfyui.server import FakeComfyUI

from ..helpers import wait_for

CKPT = "sd15.safetensors"  # the checkpoint the shot renders with


def posted_json(fake: FakeComfyUI, path: str) -> list[Any]:
    """The JSON bodies posted to ``path`` on ``fake``, in order (None for an empty body)."""
    return [json.loads(r.body) if r.body else None for r in fake.requests_to(path)]


def quick_client(server: ServerConfig) -> ComfyUIClient:
    """A client of ``server`` that gives up after 1 s, for the Renderer's client factory."""
    return ComfyUIClient(server.url, token=server.token or None, timeout=httpx.Timeout(1.0))


def occupy(fake: FakeComfyUI, steps: int = 200) -> str:
    """Queue someone else's slow prompt on ``fake`` (with its step_delay) and return its id."""
    values = {
        "prompt": "other",
        "negative_prompt": "",
        "checkpoint": CKPT,
        "steps": steps,
        "cfg_scale": 7.0,
        "sampler": "euler",
        "scheduler": "normal",
        "seed": 1,
        "width": 64,
        "height": 64,
        "denoise": 1.0,
        "filename_prefix": "other",
    }
    with ComfyUIClient(fake.url) as client:
        return client.post_prompt(fill_workflow(builtin_workflow(), values), "someone-else")


class Background:
    """``render_shot`` in a thread, recording every update."""

    def __init__(self, run: Callable[..., RenderJob], **kwargs: Any) -> None:
        self.updates: list[RenderJob] = []
        self.cancel = threading.Event()
        self.result: RenderJob | None = None
        self._thread = threading.Thread(
            target=self._go, args=(run, kwargs), name="test-render", daemon=True
        )
        self._thread.start()

    def _go(self, run: Callable[..., RenderJob], kwargs: dict[str, Any]) -> None:
        self.result = run(on_update=self.updates.append, cancel_event=self.cancel, **kwargs)

    @property
    def last(self) -> RenderJob | None:
        """The latest update, if any."""
        return self.updates[-1] if self.updates else None

    def wait_until(self, seen: Callable[[RenderJob], bool]) -> None:
        """Wait until the latest update is one ``seen`` accepts."""
        wait_for(lambda: self.last is not None and seen(self.last))

    def join(self, timeout: float = 10.0) -> RenderJob:
        """The finished render (fails the test if it takes more than ``timeout`` seconds)."""
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the render did not finish in time"
        assert self.result is not None
        return self.result


def edit(store: Store, project: Project, shot: Shot, **generation: Any) -> Shot:
    """Change some of ``shot``'s generation settings."""
    return store.update_shot(project.id, "001", shot.id, {"generation": generation})
