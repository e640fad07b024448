"""Bad clips and bad video workflows: each refused with a message naming the server, the shot and
the file, and nothing already kept is lost."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from storyboard_core import Project, Shot, Store
from storyboard_core.comfyui.render import RenderJob
from tests.fake_comfyui.server import FakeComfyUI

from .render_fixtures import fake_fixture, render_fixture, server_fixture, shot_fixture
from .video_workflows import SOURCE, save_video, video_graph, write_workflow

__all__ = ["fake_fixture", "render_fixture", "server_fixture", "shot_fixture"]

#: A clip made at the model's own rate and size (12 fps, 96×64), whatever the shot asked for: the
#: asked values reach only a node off the output's path.
OWN_RATE_AND_SIZE: dict[str, Any] = {
    "1": {**SOURCE, "inputs": {**SOURCE["inputs"], "width": 96, "height": 64}},
    **save_video(fps=12.0),
    "4": {"class_type": "CreateVideo", "inputs": {"images": ["5", 0], "fps": "{{fps}}"}},
    "5": {"class_type": "EmptyImage", "inputs": {"width": "{{width}}", "height": "{{height}}"}},
}


@dataclass(frozen=True)
class Kept:
    """A shot with a good clip already kept (its workflow the video one), and what renders it again."""

    store: Store
    workspace: Path
    project: Project
    shot: Shot
    fake: FakeComfyUI
    render: Callable[..., RenderJob]

    def files(self) -> set[str]:
        """The names of the files kept for the shot."""
        folder = self.store.project_dir(self.project.id) / "renders" / self.shot.id
        return {p.name for p in folder.iterdir()}

    def refused(self, job: RenderJob, *, sent: bool = True) -> str:
        """Assert that ``job`` failed naming the server and the shot (and, when the server ``sent``
        one, the second clip's file) and that the kept take is as it was; the job's message."""
        assert job.state == "failed"
        if sent:
            clip = f"storyboard/{self.shot.id}_00002_.mp4"
            named = (
                f"ComfyUI at {self.fake.url} sent '{clip}' for shot {self.shot.id}, which cannot"
            )
            assert named in job.message, job.message
        now = self.store.read_shot(self.project.id, "001", self.shot.id)
        assert now.render == self.shot.render
        return job.message


@pytest.fixture
def kept(
    store: Store,
    workspace: Path,
    project: Project,
    shot: Shot,
    fake: FakeComfyUI,
    render: Callable[..., RenderJob],
) -> Kept:
    """The shot with a good clip already kept, its workflow the video one."""
    write_workflow(workspace, "clip", video_graph("SaveVideo"))
    store.update_shot(
        project.id, "001", shot.id, {"duration": 1.0, "generation": {"workflow": "clip"}}
    )
    assert render().state == "done"
    return Kept(
        store, workspace, project, store.read_shot(project.id, "001", shot.id), fake, render
    )


@pytest.mark.parametrize(
    ("fault", "problem"),
    [
        ("view_not_image", "not a video"),
        ("view_truncated", "damaged"),
    ],
)
def test_a_bad_clip_is_refused_and_the_kept_one_stays(fault: Any, problem: str, kept: Kept) -> None:
    before = kept.files()
    kept.fake.break_next_run(fault)
    message = kept.refused(kept.render())
    assert message.startswith(f"ComfyUI at {kept.fake.url} sent "), message
    assert problem in message and message.endswith("nothing was saved")
    assert kept.files() == before


def test_a_clip_over_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch, kept: Kept) -> None:
    monkeypatch.setattr(
        "storyboard_core.media.video.MAX_CLIP_BYTES", 1000
    )  # the fake's clips are ~2 kB
    message = kept.refused(kept.render())
    assert "a clip can be at most" in message, message


def test_a_clip_not_at_the_asked_fps_and_size_is_refused(kept: Kept) -> None:
    write_workflow(kept.workspace, "own", {"storyboard": {"fps": 8}, **OWN_RATE_AND_SIZE})
    message = kept.refused(kept.render(workflow="own"))
    assert "fps" in message, message


def test_a_malformed_frame_rule_is_refused_before_sending(kept: Kept) -> None:
    graph = video_graph("SaveVideo")
    graph["storyboard"] = {"fps": 8, "frames": "4x+1"}
    write_workflow(kept.workspace, "broken", graph)
    posts = len(kept.fake.requests_to("/prompt"))
    message = kept.refused(kept.render(workflow="broken"), sent=False)
    assert "broken.json" in message and '"storyboard"' in message
    assert f"shot {kept.shot.id} was not sent to {kept.fake.url}" in message
    assert len(kept.fake.requests_to("/prompt")) == posts
