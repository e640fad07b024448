"""Bad clips and bad video workflows: each refused with a message naming the server, the shot and
the file, and nothing already kept is lost."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from storyboard_core import Project, Shot, Store
from storyboard_core.comfyui.render import RenderJob
from tests.fake_comfyui.server import FakeComfyUI

from .render_fixtures import fake_fixture, render_fixture, server_fixture, shot_fixture
from .video_workflows import SOURCE, video_graph, write_workflow

__all__ = ["fake_fixture", "render_fixture", "server_fixture", "shot_fixture"]

#: A clip made at the model's own rate and size (12 fps, 96×64), whatever the shot asked for: the
#: asked values reach only a node off the output's path.
OWN_RATE_AND_SIZE: dict[str, Any] = {
    "1": {**SOURCE, "inputs": {**SOURCE["inputs"], "width": 96, "height": 64}},
    "2": {"class_type": "CreateVideo", "inputs": {"images": ["1", 0], "fps": 12.0}},
    "3": {
        "class_type": "SaveVideo",
        "inputs": {
            "video": ["2", 0],
            "filename_prefix": "{{filename_prefix}}",
            "format": "auto",
            "codec": "auto",
        },
    },
    "4": {"class_type": "CreateVideo", "inputs": {"images": ["5", 0], "fps": "{{fps}}"}},
    "5": {"class_type": "EmptyImage", "inputs": {"width": "{{width}}", "height": "{{height}}"}},
}


@pytest.fixture
def kept(
    store: Store, workspace: Path, project: Project, shot: Shot, render: Callable[..., RenderJob]
) -> Shot:
    """The shot with a good clip already kept, its workflow the video one."""
    write_workflow(workspace, "clip", video_graph("SaveVideo"))
    store.update_shot(
        project.id, "001", shot.id, {"duration": 1.0, "generation": {"workflow": "clip"}}
    )
    assert render().state == "done"
    return store.read_shot(project.id, "001", shot.id)


def files(store: Store, project: Project, shot: Shot) -> set[str]:
    return {p.name for p in (store.project_dir(project.id) / "renders" / shot.id).iterdir()}


def clip_name(shot: Shot, n: int) -> str:
    return f"storyboard/{shot.id}_{n:05d}_.mp4"


@pytest.mark.parametrize(
    ("fault", "problem"),
    [
        ("view_not_image", "not a video"),
        ("view_truncated", "damaged"),
    ],
)
def test_a_bad_clip_is_refused_and_the_kept_one_stays(
    fault: Any,
    problem: str,
    store: Store,
    project: Project,
    kept: Shot,
    fake: FakeComfyUI,
    render: Callable[..., RenderJob],
) -> None:
    before = files(store, project, kept)
    fake.break_next_run(fault)
    job = render()
    assert job.state == "failed"
    assert job.message.startswith(
        f"ComfyUI at {fake.url} sent '{clip_name(kept, 2)}' for shot {kept.id}, which cannot be kept"
    ), job.message
    assert problem in job.message and job.message.endswith("nothing was saved")
    assert store.read_shot(project.id, "001", kept.id).render == kept.render
    assert files(store, project, kept) == before


def test_a_clip_over_the_limit_is_refused(
    monkeypatch: pytest.MonkeyPatch,
    store: Store,
    project: Project,
    kept: Shot,
    fake: FakeComfyUI,
    render: Callable[..., RenderJob],
) -> None:
    monkeypatch.setattr("storyboard_core.video.MAX_CLIP_BYTES", 1000)  # the fake's clips are ~2 kB
    job = render()
    assert job.state == "failed"
    assert f"'{clip_name(kept, 2)}' for shot {kept.id}" in job.message and fake.url in job.message
    assert "a clip can be at most" in job.message, job.message
    assert store.read_shot(project.id, "001", kept.id).render == kept.render


def test_a_clip_not_at_the_asked_fps_and_size_is_refused(
    store: Store,
    workspace: Path,
    project: Project,
    kept: Shot,
    fake: FakeComfyUI,
    render: Callable[..., RenderJob],
) -> None:
    write_workflow(workspace, "own", {"storyboard": {"fps": 8}, **OWN_RATE_AND_SIZE})
    job = render(workflow="own")
    assert job.state == "failed"
    assert f"ComfyUI at {fake.url} sent '{clip_name(kept, 2)}' for shot {kept.id}" in job.message
    assert "fps" in job.message, job.message
    assert store.read_shot(project.id, "001", kept.id).render == kept.render


def test_a_malformed_frame_rule_is_refused_before_sending(
    store: Store,
    workspace: Path,
    project: Project,
    kept: Shot,
    fake: FakeComfyUI,
    render: Callable[..., RenderJob],
) -> None:
    graph = video_graph("SaveVideo")
    graph["storyboard"] = {"fps": 8, "frames": "4x+1"}
    write_workflow(workspace, "broken", graph)
    posts = len(fake.requests_to("/prompt"))
    job = render(workflow="broken")
    assert job.state == "failed"
    assert "broken.json" in job.message and '"storyboard"' in job.message
    assert f"shot {kept.id} was not sent to {fake.url}" in job.message
    assert len(fake.requests_to("/prompt")) == posts
    assert store.read_shot(project.id, "001", kept.id).render == kept.render
