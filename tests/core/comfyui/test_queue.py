"""The Renderer: renders in the background, one job per shot, cancel, spreading shots over the
online servers (shortest queue first), shutdown."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyboard_core import ComfyUIUnavailableError, NotFoundError, Project, Shot, Store
from storyboard_core.comfyui.client import ComfyUIClient
from storyboard_core.comfyui.queue import Renderer
from storyboard_core.settings import ServerConfig
from tests.fake_comfyui.server import FakeComfyUI

from ..helpers import wait_for
from .render_fixtures import fake_fixture, server_fixture, shot_fixture  # noqa: F401
from .render_helpers import CKPT, occupy, posted_json, quick_client


@pytest.fixture
def servers(server: ServerConfig) -> list[ServerConfig]:
    return [server]


@pytest.fixture
def renderer(store: Store, workspace: Path, servers: list[ServerConfig]) -> Iterator[Renderer]:
    r = Renderer(store, workspace, lambda: servers, client_factory=quick_client, timeout_s=20)
    try:
        yield r
    finally:
        r.shutdown()


def shot_ids(store: Store, project: Project, prompt: str = "a frame") -> list[str]:
    """The shots of sequence 001, each given a prompt and small, quick settings."""
    ids = [s.id for s in store.read_sequence(project.id, "001").shots]
    gen = {"checkpoint": CKPT, "steps": 2, "width": 64, "height": 64}
    store.update_shots(project.id, "001", {i: {"prompt": prompt, "generation": gen} for i in ids})
    return ids


def test_renderer_renders_in_the_background(
    renderer: Renderer, store: Store, project: Project, shot: Shot
) -> None:
    job = renderer.submit(project.id, "001", shot.id)
    assert job.state == "queued" and job.active
    done = renderer.wait(job.id, 10)
    assert done.state == "done", done.message
    assert renderer.latest(project.id, "001", shot.id) == done
    assert renderer.jobs(project.id) == [done]
    assert renderer.jobs(project.id, "002") == []
    assert renderer.jobs("other") == []
    saved = store.read_shot(project.id, "001", shot.id)
    assert saved.render is not None and saved.render.image == done.image


def test_renderer_does_not_queue_a_shot_twice(
    renderer: Renderer, project: Project, shot: Shot, fake: FakeComfyUI
) -> None:
    fake.set_step_delay(0.02)
    first = renderer.submit(project.id, "001", shot.id)
    again = renderer.submit(project.id, "001", shot.id)
    assert again.id == first.id
    assert renderer.wait(first.id, 10).state == "done"


def test_renderer_unknown_shot_and_server(
    renderer: Renderer, project: Project, store: Store, workspace: Path
) -> None:
    with pytest.raises(NotFoundError):
        renderer.submit(project.id, "001", "shot-nope")
    with pytest.raises(NotFoundError):
        renderer.submit_missing(project.id, "001", ["shot-nope"])
    with pytest.raises(NotFoundError):
        renderer.cancel("no-such-job")
    empty = Renderer(store, workspace, list)
    try:
        with pytest.raises(ComfyUIUnavailableError, match="no ComfyUI server is configured"):
            empty.submit(project.id, "001", "shot-nope")
    finally:
        empty.shutdown()


def test_renderer_cancel_drops_a_job_not_yet_sent_and_interrupts_the_running_one(
    renderer: Renderer, store: Store, project: Project, fake: FakeComfyUI
) -> None:
    first, second = shot_ids(store, project)[:2]
    store.update_shot(project.id, "001", first, {"generation": {"steps": 100}})
    fake.set_step_delay(0.05)
    running = renderer.submit(project.id, "001", first)
    waiting = renderer.submit(project.id, "001", second)
    wait_for(lambda: (renderer.job(running.id) or running).state == "rendering")

    dropped = renderer.cancel(waiting.id)
    assert dropped.state == "cancelled" and dropped.prompt_id is None
    stopped = renderer.cancel(running.id)
    assert stopped.state == "cancelled"
    assert {"prompt_id": stopped.prompt_id} in posted_json(fake, "/interrupt")
    assert len(fake.posted_graphs()) == 1  # the dropped job never reached ComfyUI
    assert renderer.cancel(waiting.id) == dropped  # cancelling again changes nothing
    assert [j.state for j in renderer.jobs(project.id, "001")] == ["cancelled", "cancelled"]


def test_renderer_cancel_a_job_queued_on_comfyui_deletes_it(
    renderer: Renderer, store: Store, project: Project, shot: Shot, fake: FakeComfyUI
) -> None:
    fake.set_step_delay(0.05)
    other = occupy(fake)
    job = renderer.submit(project.id, "001", shot.id)
    wait_for(lambda: (renderer.job(job.id) or job).prompt_id is not None)
    cancelled = renderer.cancel(job.id)
    assert cancelled.state == "cancelled"
    assert {"delete": [cancelled.prompt_id]} in posted_json(fake, "/queue")
    with ComfyUIClient(fake.url) as client:
        client.interrupt(other)


def test_submit_missing_spreads_over_online_servers_shortest_queue_first(
    store: Store, workspace: Path, project: Project, fake: FakeComfyUI, refused_url: str
) -> None:
    ids = shot_ids(store, project)
    with FakeComfyUI(checkpoints=[CKPT]) as idle:
        busy_server = ServerConfig(name="busy", url=fake.url, active=True)
        idle_server = ServerConfig(name="idle", url=idle.url)
        down_server = ServerConfig(name="down", url=refused_url)
        fake.set_step_delay(0.05)
        other = occupy(fake, steps=20)  # the busy server has 1 prompt: 1 s of work
        renderer = Renderer(
            store,
            workspace,
            lambda: [down_server, busy_server, idle_server],
            client_factory=quick_client,
            timeout_s=20,
        )
        try:
            jobs = renderer.submit_missing(project.id, "001", ids)
            # idle (0) first; then busy (1) and idle (1) tie: settings order; then idle (1 < 2)...
            assert [j.server_url for j in jobs] == [idle.url, fake.url, idle.url, fake.url]
            finished = [renderer.wait(j.id, 15) for j in jobs]
            assert [j.state for j in finished] == ["done"] * 4, [j.message for j in finished]
            assert len(idle.posted_graphs()) == 2
            assert len(fake.posted_graphs()) == 3  # the other prompt and our two
            # Every shot got its frame, whichever server made it.
            for shot_id in ids:
                render = store.read_shot(project.id, "001", shot_id).render
                assert render is not None and render.server in (idle.url, fake.url)
            # Jobs already queued or rendering are not queued again.
            fake.set_step_delay(0.2)
            more = renderer.submit_missing(project.id, "001", ids[:1])
            assert renderer.submit_missing(project.id, "001", ids[:1])[0].id == more[0].id
            renderer.cancel(more[0].id)
        finally:
            renderer.shutdown()
        assert fake.history_entry(other) is not None


def test_submit_missing_with_no_server_online(
    store: Store, workspace: Path, project: Project, refused_url: str
) -> None:
    ids = shot_ids(store, project)
    down = ServerConfig(name="down", url=refused_url, active=True)
    renderer = Renderer(store, workspace, lambda: [down], client_factory=quick_client)
    try:
        with pytest.raises(ComfyUIUnavailableError) as caught:
            renderer.submit_missing(project.id, "001", ids)
        assert "no ComfyUI server is online" in str(caught.value)
        assert "connection refused" in str(caught.value)
        assert renderer.jobs() == []
    finally:
        renderer.shutdown()


def test_shutdown_cancels_everything_and_refuses_new_work(
    store: Store, workspace: Path, project: Project, server: ServerConfig, fake: FakeComfyUI
) -> None:
    ids = shot_ids(store, project)
    store.update_shot(project.id, "001", ids[0], {"generation": {"steps": 100}})
    fake.set_step_delay(0.05)
    renderer = Renderer(store, workspace, lambda: [server], client_factory=quick_client)
    first = renderer.submit(project.id, "001", ids[0])
    second = renderer.submit(project.id, "001", ids[1])
    wait_for(lambda: (renderer.job(first.id) or first).state == "rendering")
    started = time.monotonic()
    renderer.shutdown()
    assert time.monotonic() - started < 3
    assert [renderer.job(j.id).state for j in (first, second)] == ["cancelled", "cancelled"]  # type: ignore[union-attr]
    assert {"prompt_id": renderer.job(first.id).prompt_id} in posted_json(fake, "/interrupt")  # type: ignore[union-attr]
    with pytest.raises(RuntimeError):
        renderer.submit(project.id, "001", ids[2])


def test_jobs_survive_in_the_renderer_and_keep_their_fields(
    renderer: Renderer, project: Project, shot: Shot
) -> None:
    job = renderer.wait(renderer.submit(project.id, "001", shot.id).id, 10)
    assert job.project == project.id and job.seq_id == "001" and job.shot_id == shot.id
    assert job.created_at <= (job.finished_at or 0)
