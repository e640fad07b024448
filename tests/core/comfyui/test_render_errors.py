"""A render's failures in the user's words: a missing checkpoint, values out of range, ComfyUI's
execution errors, an offline server, a server dying or restarting mid-render; and two renders of one
shot at once."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from storyboard_core import Project, Shot, Store
from storyboard_core.comfyui.render import MessageSource, RenderJob, render_shot
from storyboard_core.comfyui.workflows import builtin_workflow, workflows_dir
from storyboard_core.settings import ServerConfig
from tests.fake_comfyui.server import FakeComfyUI

from .render_fixtures import fake_fixture, render_fixture, server_fixture, shot_fixture  # noqa: F401
from .render_helpers import CKPT, Background, edit


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
    background.wait_until(lambda job: job.state == "rendering")
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
    background.wait_until(lambda job: job.state == "rendering")
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
