"""Rendering against the fake ComfyUI: workflows, typed placeholders, progress, the history race,
cancel, the server's errors in plain words, a server dying mid-render, versions, and the Renderer
spreading shots over two servers."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from storyboard_core import ComfyUIUnavailableError, NotFoundError, Project, Shot, Store
from storyboard_core.comfyui.client import ComfyUIClient
from storyboard_core.comfyui.queue import Renderer
from storyboard_core.comfyui.render import (
    MessageSource,
    RenderJob,
    default_ws_connect,
    render_shot,
    ws_url,
)
from storyboard_core.comfyui.workflows import builtin_workflow, fill_workflow, workflows_dir
from storyboard_core.settings import ServerConfig
from storyboard_core.takes import render_versions, use_render_version
from tests.fake_comfyui.server import FakeComfyUI

from ..helpers import wait_for

CKPT = "sd15.safetensors"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# -- helpers ----------------------------------------------------------------------------------------


def posted_json(fake: FakeComfyUI, path: str) -> list[Any]:
    return [json.loads(r.body) if r.body else None for r in fake.requests_to(path)]


def quick_client(server: ServerConfig) -> ComfyUIClient:
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
        return self.updates[-1] if self.updates else None

    def join(self, timeout: float = 10.0) -> RenderJob:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the render did not finish in time"
        assert self.result is not None
        return self.result


@pytest.fixture
def fake(fake_comfyui: FakeComfyUI) -> FakeComfyUI:
    fake_comfyui.set_checkpoints([CKPT, "xl.safetensors"])
    return fake_comfyui


@pytest.fixture
def server(fake: FakeComfyUI) -> ServerConfig:
    return ServerConfig(name="local", url=fake.url, active=True)


@pytest.fixture
def shot(store: Store, project: Project) -> Shot:
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


@pytest.fixture
def render(
    store: Store, workspace: Path, project: Project, shot: Shot, server: ServerConfig
) -> Callable[..., RenderJob]:
    """``render_shot`` of the shot fixture on the fake server; keyword arguments pass through."""

    def go(**kwargs: Any) -> RenderJob:
        kwargs.setdefault("server", server)
        kwargs.setdefault("timeout_s", 20)
        return render_shot(store, workspace, project.id, "001", shot.id, **kwargs)

    return go


def edit(store: Store, project: Project, shot: Shot, **generation: Any) -> Shot:
    return store.update_shot(project.id, "001", shot.id, {"generation": generation})


# -- a render ---------------------------------------------------------------------------------------


def test_builtin_render_end_to_end(
    render: Callable[..., RenderJob], store: Store, project: Project, shot: Shot, fake: FakeComfyUI
) -> None:
    job = render()
    assert job.state == "done", job.message
    assert job.progress == 1.0 and job.finished_at is not None
    assert job.seed == 1234 and job.workflow == "built-in"
    assert job.image is not None and job.image.startswith(f"renders/{shot.id}/")
    assert job.prompt_id is not None and job.image.endswith(f"-{job.prompt_id[:8]}.png")
    path = store.project_dir(project.id) / job.image
    assert path.read_bytes().startswith(PNG_MAGIC)

    saved = store.read_shot(project.id, "001", shot.id)
    assert saved.render is not None
    assert saved.render.image == job.image
    assert saved.render.seed == 1234
    assert saved.render.prompt_id == job.prompt_id
    assert saved.render.server == fake.url
    assert saved.render.workflow == "built-in"
    assert saved.render.rendered_at is not None
    assert [v["image"] for v in saved.render.versions] == [job.image]
    # Nothing else about the shot changed.
    assert (saved.title, saved.notes, saved.generation) == (shot.title, shot.notes, shot.generation)

    (graph,) = fake.posted_graphs()
    assert graph["3"]["inputs"]["seed"] == 1234
    assert graph["4"]["inputs"]["ckpt_name"] == CKPT
    assert graph["6"]["inputs"]["text"] == "storm over the bay"
    assert graph["9"]["inputs"]["filename_prefix"] == f"storyboard/{shot.id}"
    # The WebSocket was opened first, with the client_id the prompt was posted with.
    ws_request = fake.requests_to("/ws")[0]
    (post,) = [r for r in fake.requests_to("/prompt") if r.method == "POST"]
    assert fake.requests.index(ws_request) < fake.requests.index(post)
    assert json.loads(post.body)["client_id"] == ws_request.query["clientId"]


def test_seed_minus_one_becomes_a_random_recorded_seed(
    render: Callable[..., RenderJob], store: Store, project: Project, shot: Shot, fake: FakeComfyUI
) -> None:
    edit(store, project, shot, seed=-1)
    first, second = render(), render()
    assert first.state == second.state == "done"
    assert first.seed is not None and 0 <= first.seed < 2**63
    assert first.seed != second.seed
    assert [g["3"]["inputs"]["seed"] for g in fake.posted_graphs()] == [first.seed, second.seed]
    saved = store.read_shot(project.id, "001", shot.id)
    assert saved.render is not None and saved.render.seed == second.seed
    assert saved.generation.seed == -1  # the shot keeps asking for a random seed


def test_user_workflow_gets_typed_values(
    render: Callable[..., RenderJob],
    store: Store,
    workspace: Path,
    project: Project,
    shot: Shot,
    fake: FakeComfyUI,
) -> None:
    graph = builtin_workflow()
    graph["6"]["inputs"]["text"] = "cinematic still, {{prompt}}"  # not exactly one: left as is
    graph["5"]["inputs"]["batch_size"] = 1
    workflows_dir(workspace).mkdir()
    (workflows_dir(workspace) / "mine.json").write_text(json.dumps(graph), encoding="utf-8")
    edit(store, project, shot, workflow="mine", cfg_scale=6.5, denoise=0.75, width=128)

    job = render()  # no argument: the shot's saved choice
    assert job.state == "done", job.message
    assert job.workflow == "mine"
    sent = fake.posted_graphs()[0]
    sampler = sent["3"]["inputs"]
    assert type(sampler["steps"]) is int and sampler["steps"] == 4
    assert type(sampler["cfg"]) is float and sampler["cfg"] == 6.5
    assert type(sampler["seed"]) is int and sampler["seed"] == 1234
    assert type(sampler["denoise"]) is float and sampler["denoise"] == 0.75
    assert sent["5"]["inputs"] == {"width": 128, "height": 64, "batch_size": 1}
    assert sent["6"]["inputs"]["text"] == "cinematic still, {{prompt}}"
    saved = store.read_shot(project.id, "001", shot.id)
    assert saved.render is not None and saved.render.workflow == "mine"


def test_workflow_argument_overrides_the_shot(
    render: Callable[..., RenderJob], store: Store, project: Project, shot: Shot
) -> None:
    edit(store, project, shot, workflow="does-not-exist")
    job = render(workflow="built-in")
    assert job.state == "done", job.message


def test_broken_workflow_file_fails_naming_the_file(
    render: Callable[..., RenderJob], workspace: Path, fake: FakeComfyUI
) -> None:
    workflows_dir(workspace).mkdir()
    (workflows_dir(workspace) / "ui.json").write_text('{"nodes": [], "links": []}')
    (workflows_dir(workspace) / "bad.json").write_text('{"1": {\n')
    ui = render(workflow="ui")
    assert ui.state == "failed"
    assert (
        ui.message.startswith("ui.json: not an API-format workflow") and "Save (API)" in ui.message
    )
    bad = render(workflow="bad")
    assert bad.state == "failed" and bad.message.startswith("bad.json: invalid JSON")
    assert "(line 2, column 1)" in bad.message
    missing = render(workflow="nope")
    assert missing.state == "failed" and "no workflow 'nope'" in missing.message
    assert fake.posted_graphs() == []


def test_progress_is_reported_and_increases(
    render: Callable[..., RenderJob], store: Store, project: Project, shot: Shot, fake: FakeComfyUI
) -> None:
    fake.set_step_delay(0.02)
    edit(store, project, shot, steps=8)
    updates: list[RenderJob] = []
    job = render(on_update=updates.append)
    assert job.state == "done", job.message
    states = [u.state for u in updates]
    assert states[0] == "queued" and states[-1] == "done"
    assert "rendering" in states
    assert states.index("rendering") < states.index("done")
    rendering = [u.progress for u in updates if u.state == "rendering"]
    assert rendering == sorted(rendering)
    distinct = sorted(set(rendering))
    assert len([p for p in distinct if p > 0]) >= 8, distinct  # at least one per sampler step
    assert distinct[-1] < 1  # 1.0 only once the image is saved
    assert any("KSampler step 8/8" in u.message for u in updates)


def test_history_race_is_survived(
    render: Callable[..., RenderJob], fake: FakeComfyUI, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.set_history_delay(0.4)
    job = render()
    assert job.state == "done", job.message
    # Without the backoff, the same race fails: the test above can notice a missing retry.
    monkeypatch.setattr("storyboard_core.comfyui.follow.HISTORY_BACKOFF_S", (0.0,))
    job = render()
    assert job.state == "failed"
    assert "did not record its images" in job.message


def test_rendering_without_a_websocket_polls_history(
    render: Callable[..., RenderJob], store: Store, project: Project, shot: Shot, fake: FakeComfyUI
) -> None:
    def refuse(url: str, headers: dict[str, str]) -> MessageSource:
        raise ConnectionError("no WebSocket here")

    fake.set_step_delay(0.05)
    edit(store, project, shot, steps=10)  # ~0.8 s: several polls see it running
    updates: list[RenderJob] = []
    job = render(ws_connect=refuse, on_update=updates.append)
    assert job.state == "done", job.message
    running = [u for u in updates if u.state == "rendering"]  # seen running in /queue
    assert running and "live progress unavailable" in running[0].message
    assert fake.requests_to("/ws") == []


def test_websocket_closing_mid_render_falls_back_to_polling(
    render: Callable[..., RenderJob], fake: FakeComfyUI
) -> None:
    class ClosesAfterThree:
        def __init__(self, url: str, headers: dict[str, str]) -> None:
            self.inner = default_ws_connect(url, headers)
            self.seen = 0

        def recv(self, timeout: float) -> str | bytes | None:
            message = self.inner.recv(timeout)
            if message is not None:
                self.seen += 1
                if self.seen > 3:
                    raise ConnectionError("closed by a proxy")
            return message

        def close(self) -> None:
            self.inner.close()

    fake.set_step_delay(0.02)
    job = render(ws_connect=ClosesAfterThree)
    assert job.state == "done", job.message


def test_token_is_sent_on_the_websocket_and_http(
    store: Store, workspace: Path, project: Project, shot: Shot
) -> None:
    with FakeComfyUI(checkpoints=[CKPT], require_token="tok-0123456789") as fake:
        server = ServerConfig(name="p", url=fake.url, token="tok-0123456789")
        job = render_shot(store, workspace, project.id, "001", shot.id, server=server)
        assert job.state == "done", job.message
        assert fake.requests_to("/ws")[0].headers["Authorization"] == "Bearer tok-0123456789"
        assert "tok-0123456789" not in repr(job)


def test_ws_url() -> None:
    assert ws_url("http://h:8188/", "abc") == "ws://h:8188/ws?clientId=abc"
    assert ws_url("https://h/comfy", "a b") == "wss://h/comfy/ws?clientId=a%20b"


# -- errors in the user's words ---------------------------------------------------------------------


def test_missing_checkpoint_is_said_plainly(
    render: Callable[..., RenderJob], store: Store, project: Project, shot: Shot, fake: FakeComfyUI
) -> None:
    fake.set_checkpoints([])
    job = render()
    assert job.state == "failed"
    assert job.message == (
        f"Checkpoint '{CKPT}' is not installed on {fake.url}; the server has none"
    )
    assert job.prompt_id is None
    assert store.read_shot(project.id, "001", shot.id) == shot  # nothing written


def test_out_of_range_value_in_a_user_workflow(
    render: Callable[..., RenderJob], workspace: Path
) -> None:
    graph = builtin_workflow()
    graph["3"]["inputs"]["steps"] = 20000
    workflows_dir(workspace).mkdir()
    (workflows_dir(workspace) / "long.json").write_text(json.dumps(graph))
    job = render(workflow="long")
    assert job.state == "failed" and job.message == "Steps must be at most 10000"


def test_no_checkpoint_chosen_fails_before_posting(
    render: Callable[..., RenderJob], store: Store, project: Project, shot: Shot, fake: FakeComfyUI
) -> None:
    edit(store, project, shot, checkpoint="")
    job = render()
    assert job.state == "failed"
    assert "generation.checkpoint" in job.message and "no checkpoint chosen" in job.message
    assert fake.posted_graphs() == []


def test_execution_error_shows_comfyuis_message(
    render: Callable[..., RenderJob], store: Store, project: Project, shot: Shot, fake: FakeComfyUI
) -> None:
    fake.fail_next_run("CUDA out of memory. Tried to allocate 2.00 GiB")
    job = render()
    assert job.state == "failed"
    assert "CUDA out of memory. Tried to allocate 2.00 GiB" in job.message
    assert fake.url in job.message
    assert store.read_shot(project.id, "001", shot.id).render is None


def test_execution_error_seen_only_in_history(
    render: Callable[..., RenderJob], fake: FakeComfyUI
) -> None:
    def refuse(url: str, headers: dict[str, str]) -> MessageSource:
        raise ConnectionError("no WebSocket here")

    fake.fail_next_run("bad regex")
    job = render(ws_connect=refuse)
    assert job.state == "failed" and "bad regex" in job.message


def test_offline_server(
    render: Callable[..., RenderJob], refused_url: str, store: Store, project: Project, shot: Shot
) -> None:
    job = render(server=ServerConfig(name="gone", url=refused_url))
    assert job.state == "failed"
    assert job.message == f"ComfyUI at {refused_url}: connection refused"
    assert store.read_shot(project.id, "001", shot.id) == shot


def test_unknown_shot_fails_with_not_found(
    store: Store, workspace: Path, project: Project, server: ServerConfig
) -> None:
    job = render_shot(store, workspace, project.id, "001", "shot-nope", server=server)
    assert job.state == "failed" and "no shot shot-nope" in job.message


def test_server_dying_mid_render_fails_and_keeps_everything(
    render: Callable[..., RenderJob], store: Store, project: Project, shot: Shot, fake: FakeComfyUI
) -> None:
    earlier = render()
    assert earlier.state == "done", earlier.message
    fake.set_step_delay(0.1)
    edit(store, project, shot, steps=50)
    before = store.read_shot(project.id, "001", shot.id)
    background = Background(render)
    wait_for(lambda: background.last is not None and background.last.state == "rendering")
    fake.go_down()
    job = background.join()
    assert job.state == "failed"
    assert job.message == f"lost connection to {fake.url}: connection refused"
    after = store.read_shot(project.id, "001", shot.id)
    assert after == before  # not written at all: other fields and earlier renders untouched
    assert after.render is not None and after.render.image == earlier.image


def test_server_restarting_mid_render_fails_as_forgotten(
    render: Callable[..., RenderJob], store: Store, project: Project, shot: Shot, fake: FakeComfyUI
) -> None:
    fake.set_step_delay(0.1)
    edit(store, project, shot, steps=50)
    background = Background(render)
    wait_for(lambda: background.last is not None and background.last.state == "rendering")
    fake.go_down()
    fake.come_back()  # a quick restart: the server answers again but lost its queue and history
    job = background.join()
    assert job.state == "failed"
    assert job.message == (
        f"ComfyUI at {fake.url} no longer knows this render "
        "(the server restarted, or the prompt was removed from its queue)"
    )
    assert store.read_shot(project.id, "001", shot.id).render is None


def test_a_failing_progress_callback_does_not_break_the_render(
    render: Callable[..., RenderJob], caplog: pytest.LogCaptureFixture
) -> None:
    def broken(job: RenderJob) -> None:
        raise RuntimeError("the page went away")

    job = render(on_update=broken)
    assert job.state == "done", job.message
    assert "progress callback failed" in caplog.text


def test_two_renders_of_one_shot_at_once_keep_both_versions(
    store: Store, workspace: Path, project: Project, shot: Shot, fake: FakeComfyUI
) -> None:
    with FakeComfyUI(checkpoints=[CKPT]) as other:
        servers = [ServerConfig(name="a", url=fake.url), ServerConfig(name="b", url=other.url)]
        results: list[RenderJob] = []

        def go(server: ServerConfig) -> None:
            results.append(render_shot(store, workspace, project.id, "001", shot.id, server=server))

        threads = [threading.Thread(target=go, args=(s,)) for s in servers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    assert sorted(j.state for j in results) == ["done", "done"]
    saved = store.read_shot(project.id, "001", shot.id)
    assert saved.render is not None
    assert sorted(v["image"] for v in saved.render.versions) == sorted(
        j.image or "" for j in results
    )


# -- cancel -----------------------------------------------------------------------------------------


def test_cancel_a_running_render_interrupts_it(
    render: Callable[..., RenderJob], store: Store, project: Project, shot: Shot, fake: FakeComfyUI
) -> None:
    fake.set_step_delay(0.05)
    edit(store, project, shot, steps=100)
    background = Background(render)
    wait_for(lambda: background.last is not None and "KSampler step" in background.last.message)
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
    wait_for(lambda: background.last is not None and background.last.prompt_id is not None)
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


# -- versions ---------------------------------------------------------------------------------------


def test_versions_are_kept_and_one_can_be_chosen(
    render: Callable[..., RenderJob], store: Store, project: Project, shot: Shot
) -> None:
    first = render()
    edit(store, project, shot, seed=99)
    store.update_shot(project.id, "001", shot.id, {"notes": "edited in between"})
    second = render()
    assert first.state == second.state == "done"
    assert first.image != second.image
    saved = store.read_shot(project.id, "001", shot.id)
    assert saved.render is not None and saved.render.image == second.image
    assert [v["image"] for v in saved.render.versions] == [first.image, second.image]
    assert [v["seed"] for v in saved.render.versions] == [1234, 99]
    assert saved.notes == "edited in between"

    chosen = use_render_version(store, project.id, "001", shot.id, first.image or "")
    assert chosen.render is not None
    assert (chosen.render.image, chosen.render.seed) == (first.image, 1234)
    assert chosen.render.prompt_id == first.prompt_id
    assert [v["image"] for v in chosen.render.versions] == [first.image, second.image]
    assert chosen.notes == "edited in between"
    with pytest.raises(NotFoundError):
        use_render_version(store, project.id, "001", shot.id, "renders/nope.png")


def test_a_frame_set_by_hand_becomes_a_version(
    render: Callable[..., RenderJob], store: Store, project: Project, shot: Shot
) -> None:
    store.update_shot(project.id, "001", shot.id, {"render": {"image": "renders/hand.png"}})
    job = render()
    saved = store.read_shot(project.id, "001", shot.id)
    assert [v["image"] for v in render_versions(saved)] == ["renders/hand.png", job.image]
    back = use_render_version(store, project.id, "001", shot.id, "renders/hand.png")
    assert back.render is not None and back.render.image == "renders/hand.png"


# -- the Renderer -----------------------------------------------------------------------------------


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
