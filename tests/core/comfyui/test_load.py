"""How busy servers are: each one's queue, or why it could not be asked."""

from __future__ import annotations

import httpx

from storyboard_core.comfyui.client import ComfyUIClient
from storyboard_core.comfyui.load import queue_lengths
from storyboard_core.settings import ServerConfig
from tests.fake_comfyui.server import FakeComfyUI


def quick_client(server: ServerConfig) -> ComfyUIClient:
    return ComfyUIClient(server.url, timeout=httpx.Timeout(0.5))


def test_each_server_says_its_queue_or_why_it_cannot(
    fake_comfyui: FakeComfyUI, refused_url: str
) -> None:
    with FakeComfyUI() as hanging:
        hanging.hang()
        servers = [
            ServerConfig(name="up", url=fake_comfyui.url),
            ServerConfig(name="down", url=refused_url),
            ServerConfig(name="hanging", url=hanging.url),
        ]
        up, down, hung = queue_lengths(servers, quick_client)
    assert up == 0
    assert isinstance(down, str) and "refused" in down
    assert isinstance(hung, str) and "no answer within 0.5 s" in hung
