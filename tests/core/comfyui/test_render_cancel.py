"""Cancelling a render: running (interrupted), waiting in ComfyUI's queue (deleted), past its
timeout (taken back), or before it was posted (nothing sent)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from storyboard_core import Project, Shot, Store
from storyboard_core.comfyui.client import ComfyUIClient
from storyboard_core.comfyui.render import RenderJob
from tests.fake_comfyui.server import FakeComfyUI

from ..helpers import wait_for
from .render_fixtures import fake_fixture, render_fixture, server_fixture, shot_fixture  # noqa: F401
from .render_helpers import Background, edit, occupy, posted_json


def test_cancel_a_running_render_interrupts_it(
    render: Callable[..., RenderJob], store: Store, project: Project, shot: Shot, fake: FakeComfyUI
) -> None:
    fake.set_step_delay(0.05)
    edit(store, project, shot, steps=100)
    background = Background(render)
    background.wait_until(lambda job: "KSampler step" in job.message)
    background.cancel.set()
    job = background.join(5)
    assert job.state == "cancelled"
    interrupts = posted_json(fake, "/interrupt")
    assert {"prompt_id": job.prompt_id} in interrupts
    history = wait_for(lambda: fake.history_entry(job.prompt_id or ""))
    assert history["status"]["status_str"] == "error"  # the server really stopped it
    assert store.read_shot(project.id, "001", shot.id).render is None


def test_cancel_a_render_waiting_in_comfyuis_queue_deletes_it(
    render: Callable[..., RenderJob], store: Store, project: Project, shot: Shot, fake: FakeComfyUI
) -> None:
    fake.set_step_delay(0.05)
    other = occupy(fake)
    background = Background(render)
    background.wait_until(lambda job: job.prompt_id is not None)
    assert background.last is not None and background.last.state == "queued"
    background.cancel.set()
    job = background.join(5)
    assert job.state == "cancelled"
    assert {"delete": [job.prompt_id]} in posted_json(fake, "/queue")
    with ComfyUIClient(fake.url) as client:
        queue = client.queue()
        assert [i.prompt_id for i in queue.pending] == []
        assert [i.prompt_id for i in queue.running] == [other]
        client.interrupt(other)


def test_a_render_past_its_timeout_is_taken_back(
    render: Callable[..., RenderJob], store: Store, project: Project, shot: Shot, fake: FakeComfyUI
) -> None:
    fake.set_step_delay(0.05)
    edit(store, project, shot, steps=100)
    job = render(timeout_s=0.5)
    assert job.state == "failed"
    assert job.message == f"ComfyUI at {fake.url} gave no result in time; the render was stopped"
    assert {"prompt_id": job.prompt_id} in posted_json(fake, "/interrupt")


def test_cancel_before_posting_sends_nothing(
    render: Callable[..., RenderJob], fake: FakeComfyUI
) -> None:
    stop = threading.Event()
    stop.set()
    job = render(cancel_event=stop)
    assert job.state == "cancelled" and job.prompt_id is None
    assert fake.posted_graphs() == []
