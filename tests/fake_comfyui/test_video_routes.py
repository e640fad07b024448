"""The fake's video routes against the recordings: ``/models``, ``/view`` of a clip with ``Range``,
and the refusals of an unknown node and of a missing model file; two fakes can differ."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from storyboard_core.comfyui.workflows import builtin_workflow, fill_workflow

from .recorded import transcript
from .server import FakeComfyUI


@pytest.fixture
def fake() -> Iterator[FakeComfyUI]:
    with FakeComfyUI(checkpoints=["sd15.safetensors"]) as running:
        yield running


def test_models_as_recorded_and_per_fake(fake: FakeComfyUI) -> None:
    with httpx.Client(base_url=fake.url) as http:
        assert http.get("/models").json() == transcript("131")["json"]
        assert http.get("/models/diffusion_models").json() == transcript("133")["json"] == []
        assert http.get("/models/unet").status_code == transcript("138")["status"] == 404
        fake.set_models("diffusion_models", ["wan.safetensors"])
        assert http.get("/models/diffusion_models").json() == ["wan.safetensors"]
        unet = http.get("/object_info/UNETLoader").json()["UNETLoader"]
        assert unet["input"]["required"]["unet_name"] == [["wan.safetensors"]]
        fake.offer_only({"EmptyImage", "SaveImage"})
        assert sorted(http.get("/object_info").json()) == ["EmptyImage", "SaveImage"]


def test_an_unknown_node_is_refused_as_recorded(fake: FakeComfyUI) -> None:
    recorded = transcript("141")
    with httpx.Client(base_url=fake.url) as http:
        answer = http.post("/prompt", json=recorded["request"]["json"])
    assert (answer.status_code, answer.json()) == (recorded["status"], recorded["json"])


def test_a_missing_model_file_is_refused_as_recorded(fake: FakeComfyUI) -> None:
    recorded = transcript("142")["json"]["node_errors"]["1"]
    graph: dict[str, Any] = fill_workflow(
        builtin_workflow(),
        {"checkpoint": "sd15.safetensors", "filename_prefix": "x", "prompt": "", "seed": 1},
    )
    graph = {k: v for k, v in graph.items() if not isinstance(v["inputs"].get("steps"), str)}
    graph["1"] = {
        "class_type": "UNETLoader",
        "inputs": {"unet_name": "wan2.1_i2v_480p.safetensors", "weight_dtype": "default"},
    }
    graph["3"] = {
        "class_type": "KSampler",
        "inputs": {
            "model": ["1", 0],
            "seed": 1,
            "steps": 1,
            "cfg": 6.0,
            "sampler_name": "euler",
            "scheduler": "simple",
            "positive": ["6", 0],
            "negative": ["7", 0],
            "latent_image": ["5", 0],
            "denoise": 1.0,
        },
    }
    graph["5"]["inputs"].update(width=64, height=64)
    with httpx.Client(base_url=fake.url) as http:
        answer = http.post("/prompt", json={"prompt": graph})
    assert answer.status_code == 400
    got = answer.json()["node_errors"]["1"]
    assert (got["errors"], got["class_type"]) == (recorded["errors"], recorded["class_type"])


def test_a_clip_is_served_whole_and_by_range_as_recorded(fake: FakeComfyUI) -> None:
    recorded = transcript("108")
    graph = {
        "1": {
            "class_type": "EmptyImage",
            "inputs": {"width": 320, "height": 192, "batch_size": 24, "color": 0xFF0000},
        },
        "2": {"class_type": "CreateVideo", "inputs": {"images": ["1", 0], "fps": 24.0}},
        "3": {
            "class_type": "SaveVideo",
            "inputs": {
                "video": ["2", 0],
                "filename_prefix": "video/clip",
                "format": "auto",
                "codec": "auto",
            },
        },
    }
    with httpx.Client(base_url=fake.url) as http:
        prompt_id = http.post("/prompt", json={"prompt": graph}).json()["prompt_id"]
        deadline = time.monotonic() + 10
        while not http.get(f"/history/{prompt_id}").json():
            assert time.monotonic() < deadline
            time.sleep(0.02)
        path = recorded["request"]["path"]
        whole = http.get(path)
        part = http.get(path, headers=recorded["request"]["headers"])
    size = len(whole.content)
    assert whole.headers["Content-Type"] == "video/mp4" and whole.content[4:8] == b"ftyp"
    assert part.status_code == recorded["status"] == 206
    for name in ("Content-Type", "Accept-Ranges", "Content-Disposition"):
        assert part.headers[name] == recorded["headers"][name]
    assert part.headers["Content-Range"] == f"bytes 0-31/{size}"
    assert part.content == whole.content[:32]
