"""The fixtures the render tests share: the fake ComfyUI with two checkpoints, the settings' server
on it, a small quick shot, and ``render_shot`` of that shot.

A test module imports the fixtures it uses, and those they depend on, by their function names
(``fake_fixture``, ``server_fixture``, ``shot_fixture``, ``render_fixture``); pytest knows them by
the names they are registered with (``fake``, ``server``, ``shot``, ``render``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from storyboard_core import Project, Shot, Store
from storyboard_core.comfyui.render import RenderJob, render_shot
from storyboard_core.settings import ServerConfig
from tests.fake_comfyui.server import FakeComfyUI

from .render_helpers import CKPT


@pytest.fixture(name="fake")
def fake_fixture(fake_comfyui: FakeComfyUI) -> FakeComfyUI:
    """The fake ComfyUI, with the shot's checkpoint and another one."""
    fake_comfyui.set_checkpoints([CKPT, "xl.safetensors"])
    return fake_comfyui


@pytest.fixture(name="server")
def server_fixture(fake: FakeComfyUI) -> ServerConfig:
    """The fake as the active server of the settings."""
    return ServerConfig(name="local", url=fake.url, active=True)


@pytest.fixture(name="shot")
def shot_fixture(store: Store, project: Project) -> Shot:
    """The first shot of sequence 001, ready to render small and quick."""
    first = store.read_sequence(project.id, "001").shots[0]
    return store.update_shot(
        project.id,
        "001",
        first.id,
        {
            "title": "Harbour",
            "prompt": "storm over the bay",
            "notes": "keep me",
            "generation": {
                "checkpoint": CKPT,
                "steps": 4,
                "seed": 1234,
                "width": 64,
                "height": 64,
            },
        },
    )


@pytest.fixture(name="render")
def render_fixture(
    store: Store, workspace: Path, project: Project, shot: Shot, server: ServerConfig
) -> Callable[..., RenderJob]:
    """``render_shot`` of the shot fixture on the fake server; keyword arguments pass through."""

    def go(**kwargs: Any) -> RenderJob:
        kwargs.setdefault("server", server)
        kwargs.setdefault("timeout_s", 20)
        return render_shot(store, workspace, project.id, "001", shot.id, **kwargs)

    return go
