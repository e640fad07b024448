"""Routing over two fake ComfyUI servers that offer different checkpoints: capabilities read over
HTTP, a shot sent to the one that has its model, and a shot that neither can run refused."""

from __future__ import annotations

import pytest

from storyboard_core.comfyui.capabilities import (
    Candidate,
    choose_server,
    read_capabilities,
    requirements,
)
from storyboard_core.comfyui.client import ComfyUIClient
from storyboard_core.comfyui.workflows import builtin_workflow, fill_workflow
from storyboard_core.errors import NoCapableServerError
from storyboard_core.settings import ServerConfig
from tests.fake_comfyui.server import FakeComfyUI


def txt2img(checkpoint: str) -> dict[str, object]:
    values = {"checkpoint": checkpoint, "filename_prefix": "x"}
    return fill_workflow(builtin_workflow(), values)


def test_two_fakes_of_different_capabilities() -> None:
    with FakeComfyUI() as one, FakeComfyUI() as two:
        one.set_checkpoints(["sd15.safetensors"])
        two.set_checkpoints(["sdxl.safetensors", "sd15.safetensors"])
        candidates = []
        for name, fake, queued in (("studio-1", one, 0), ("studio-2", two, 1)):
            with ComfyUIClient(fake.url) as client:
                found = read_capabilities(client)
            candidates.append(Candidate(ServerConfig(name=name, url=fake.url), found, queued))
    assert choose_server(requirements(txt2img("sd15.safetensors")), candidates).name == "studio-1"
    assert choose_server(requirements(txt2img("sdxl.safetensors")), candidates).name == "studio-2"
    with pytest.raises(NoCapableServerError) as caught:
        choose_server(requirements(txt2img("flux.safetensors")), candidates, what="shot sh-3")
    assert str(caught.value) == (
        "no ComfyUI server can render shot sh-3: model flux.safetensors: on no server"
    )
    video = txt2img("sd15.safetensors")
    video["9"] = {"class_type": "NoSuchVideoNode", "inputs": {}}  # as recorded (141)
    with pytest.raises(NoCapableServerError, match="node NoSuchVideoNode: on no server"):
        choose_server(requirements(video), candidates)
