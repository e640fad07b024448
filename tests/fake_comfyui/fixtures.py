"""Pytest fixtures around ``FakeComfyUI``.

Register them for the whole suite with ``pytest_plugins = ["tests.fake_comfyui.fixtures"]`` in
``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import FakeComfyUI, free_port


@pytest.fixture
def fake_comfyui() -> Iterator[FakeComfyUI]:
    """A running fake ComfyUI on a free port (no checkpoints, no delays); stopped afterwards."""
    server = FakeComfyUI().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def refused_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens (connections are refused)."""
    return f"http://127.0.0.1:{free_port()}"
