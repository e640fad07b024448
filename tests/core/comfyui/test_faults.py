"""ComfyUI misbehaving during a render, against the fake server: each fault is survived and explained.

Two shots are queued on one server, one after the other: the first meets the fault, the second must
still render (the queue goes on). The first shot's sequence file is compared byte for byte before and
after (nothing else changes), no image is left in its renders folder, and the render journal is empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from storyboard_core import Project, Store
from storyboard_core.comfyui.client import ComfyUIClient
from storyboard_core.comfyui.journal import QUEUE_FILE
from storyboard_core.comfyui.queue import Renderer
from storyboard_core.comfyui.render import RenderJob
from storyboard_core.settings import ServerConfig
from tests.fake_comfyui.server import FakeComfyUI

CKPT = "sd15.safetensors"
VIEW_TIMEOUT_S = 1.5  # how long /view may hang here (the app allows 30 s)


@pytest.fixture
def fake(fake_comfyui: FakeComfyUI) -> FakeComfyUI:
    fake_comfyui.set_checkpoints([CKPT])
    return fake_comfyui


@pytest.fixture
def renderer(store: Store, workspace: Path, fake: FakeComfyUI) -> Iterator[Renderer]:
    def client(server: ServerConfig) -> ComfyUIClient:
        return ComfyUIClient(
            server.url, timeout=httpx.Timeout(5.0), long_timeout=httpx.Timeout(VIEW_TIMEOUT_S)
        )

    servers = [ServerConfig(name="local", url=fake.url, active=True)]
    made = Renderer(store, workspace, lambda: servers, client_factory=client, timeout_s=30)
    try:
        yield made
    finally:
        made.shutdown()


def ready(store: Store, project: Project, seq: str) -> str:
    """The first shot of ``seq``, given a prompt and small, quick settings; its id."""
    shot = store.read_sequence(project.id, seq).shots[0]
    gen = {"checkpoint": CKPT, "steps": 2, "seed": 7, "width": 64, "height": 64}
    store.update_shot(project.id, seq, shot.id, {"prompt": "a harbour", "generation": gen})
    return shot.id


# The message for the fake and the shot: exact, or a pattern where Pillow's own words are quoted.
Expect = Callable[[FakeComfyUI, str], str | re.Pattern[str]]

FAULTS: dict[str, tuple[Callable[[FakeComfyUI], None], Expect]] = {
    "POST /prompt answers 500": (
        lambda f: f.break_next_post("500"),
        lambda f, shot: (
            f"ComfyUI at {f.url} failed to read the workflow "
            "(HTTP 500: 500 Internal Server Error: Server got itself in trouble)"
        ),
    ),
    "POST /prompt answers HTML": (
        lambda f: f.break_next_post("non_json"),
        lambda f, shot: f"ComfyUI at {f.url}: not ComfyUI (/prompt answered text/html, not JSON)",
    ),
    "/history answers 500": (
        lambda f: f.break_next_run("history_500"),
        lambda f, shot: (
            f"ComfyUI at {f.url} stopped answering properly during the render: HTTP 500; "
            "nothing was saved"
        ),
    ),
    "/history answers HTML": (
        lambda f: f.break_next_run("history_non_json"),
        lambda f, shot: (
            f"ComfyUI at {f.url} stopped answering properly during the render: not ComfyUI "
            f"(/history/{f.executed[0]} answered text/html, not JSON); nothing was saved"
        ),
    ),
    "/view answers 500": (
        lambda f: f.break_next_run("view_500"),
        lambda f, shot: (
            f"ComfyUI at {f.url} rendered shot {shot} but could not send the image "
            f"'storyboard/{shot}_00001_.png': HTTP 500; nothing was saved"
        ),
    ),
    "/view hangs": (
        lambda f: f.break_next_run("view_hang"),
        lambda f, shot: (
            f"ComfyUI at {f.url} rendered shot {shot} but could not send the image "
            f"'storyboard/{shot}_00001_.png': no answer within {VIEW_TIMEOUT_S} s; "
            "nothing was saved"
        ),
    ),
    "/view sends an HTML page as image/png": (
        lambda f: f.break_next_run("view_not_image"),
        lambda f, shot: (
            f"ComfyUI at {f.url} sent 'storyboard/{shot}_00001_.png' for shot {shot}, which "
            "cannot be kept: "
            "not an image (PNG, JPEG or WebP expected); nothing was saved"
        ),
    ),
    "/view sends half a PNG": (
        lambda f: f.break_next_run("view_truncated"),
        lambda f, shot: re.compile(
            re.escape(f"ComfyUI at {f.url} sent 'storyboard/{shot}_00001_.png' for shot {shot}, ")
            + r"which cannot be "
            + r"kept: a damaged image that cannot be decoded \([^)]+\); nothing was saved"
        ),
    ),
    "execution_error": (
        lambda f: f.fail_next_run("CUDA out of memory. Tried to allocate 2.00 GiB"),
        lambda f, shot: (
            f"ComfyUI at {f.url} failed to render the shot: "
            "CUDA out of memory. Tried to allocate 2.00 GiB (CheckpointLoaderSimple, node 4)"
        ),
    ),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_fault_fails_the_shot_plainly_and_the_queue_goes_on(
    fault: str, renderer: Renderer, store: Store, project: Project, fake: FakeComfyUI
) -> None:
    broken, expected = FAULTS[fault]
    first, second = ready(store, project, "001"), ready(store, project, "002")
    folder = store.project_dir(project.id)
    sequence = folder / "sequences" / "sequence_001.json"
    before = sequence.read_bytes()

    broken(fake)
    job = renderer.submit(project.id, "001", first)
    then = renderer.submit(project.id, "002", second)  # waits behind the first on the same server
    failed = renderer.wait(job.id, 60)
    done = renderer.wait(then.id, 60)

    assert failed.state == "failed"
    wanted = expected(fake, first)
    if isinstance(wanted, re.Pattern):
        assert wanted.fullmatch(failed.message), failed.message
    else:
        assert failed.message == wanted
    assert done.state == "done", done.message  # the queue went on
    assert sequence.read_bytes() == before  # byte for byte: the shot and its neighbours untouched
    assert not (folder / "renders" / first).exists()  # nothing half-saved, nothing kept as a take
    saved = store.read_shot(project.id, "002", second)
    assert saved.render is not None and (folder / saved.render.image).is_file()
    assert not (folder / QUEUE_FILE).exists()  # finished and failed jobs leave the journal


def test_the_socket_closed_mid_render_is_survived_by_polling(
    renderer: Renderer, store: Store, project: Project, fake: FakeComfyUI
) -> None:
    fake.set_step_delay(0.2)
    shot, other = ready(store, project, "001"), ready(store, project, "002")
    updates: list[RenderJob] = []
    fake.break_next_run("close_socket")
    job = renderer.submit(project.id, "001", shot)
    then = renderer.submit(project.id, "002", other)
    while (current := renderer.wait(job.id, 0.05)).active:
        updates.append(current)
    done = renderer.wait(then.id, 60)

    assert current.state == "done", current.message
    assert current.message == f"rendered on {fake.url}"
    assert any("live progress unavailable" in u.message for u in updates)  # it was noticed
    assert done.state == "done", done.message
    saved = store.read_shot(project.id, "001", shot)
    assert saved.render is not None and len(saved.render.versions) == 1  # one take, not two
    assert len(fake.executed) == 2  # each shot rendered once


def test_a_hanging_view_is_bounded_by_the_default_timeout() -> None:
    # The app's client: /view may take 30 s (a large image), never forever.
    from storyboard_core.comfyui.client import LONG_TIMEOUT, default_client_factory

    client = default_client_factory(ServerConfig(name="x", url="http://127.0.0.1:1"))
    try:
        assert client.long_timeout == LONG_TIMEOUT
        assert LONG_TIMEOUT.read is not None and 0 < LONG_TIMEOUT.read <= 60
    finally:
        client.close()
