"""Rendering a shot against the fake ComfyUI: workflows, typed placeholders, progress, the history
race, the WebSocket and its fallback, the token, and the versions a shot keeps."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from storyboard_core import NotFoundError, Project, Shot, Store
from storyboard_core.comfyui.render import (
    MessageSource,
    RenderJob,
    default_ws_connect,
    render_shot,
    ws_url,
)
from storyboard_core.comfyui.workflows import builtin_workflow, workflows_dir
from storyboard_core.settings import ServerConfig
from storyboard_core.takes import render_versions, use_render_version
from tests.fake_comfyui.server import FakeComfyUI

from .render_fixtures import fake_fixture, render_fixture, server_fixture, shot_fixture  # noqa: F401
from .render_helpers import CKPT, edit

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


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
