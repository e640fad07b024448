"""A shot rendered as a clip on the fake, once per recorded video save node: fetched, checked by
decoding and kept as a video take with its facts, poster and inputs (fps and frames included)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from storyboard_core import Project, Shot, Store
from storyboard_core.comfyui.render import RenderJob
from storyboard_core.takes import current_take, is_stale
from tests.fake_comfyui.server import FakeComfyUI
from tests.fake_comfyui.video_clips import BLUE, RED, mean_rgb

from .render_fixtures import fake_fixture, render_fixture, server_fixture, shot_fixture
from .video_workflows import SAVE_NODES, video_graph, write_workflow

__all__ = ["fake_fixture", "render_fixture", "server_fixture", "shot_fixture"]

#: The suffix each node's clip is kept with.
SUFFIXES = {
    "SaveVideo": ".mp4",
    "SaveWEBM": ".webm",
    "SaveAnimatedWEBP": ".webp",
    "SaveAnimatedPNG": ".png",
    "VHS_VideoCombine": ".mp4",
}


@pytest.fixture
def one_second(store: Store, project: Project, shot: Shot) -> Shot:
    """The shot, 1 s long: 8 fps × 1 s snapped to 4n+1 is 9 frames."""
    return store.update_shot(project.id, "001", shot.id, {"duration": 1.0})


@pytest.mark.parametrize("node", sorted(SAVE_NODES))
def test_a_clip_becomes_a_video_take(
    node: str,
    store: Store,
    workspace: Path,
    project: Project,
    one_second: Shot,
    fake: FakeComfyUI,
    render: Callable[..., RenderJob],
) -> None:
    name = write_workflow(workspace, f"clip-{node.lower()}", video_graph(node))
    store.update_shot(project.id, "001", one_second.id, {"generation": {"workflow": name}})
    job = render()
    assert job.state == "done", job.message
    (posted,) = fake.posted_graphs()
    assert posted["1"]["inputs"]["batch_size"] == 9  # {{frames}}
    shot = store.read_shot(project.id, "001", one_second.id)
    take = current_take(shot)
    assert take is not None and take.video is not None
    facts = take.video
    assert facts.clip.endswith(SUFFIXES[node]) and take.image == job.image
    assert (facts.width, facts.height, facts.fps) == (64, 64, 8)
    # The animations merge identical frames; their length is still the 9 frames asked for.
    assert facts.frames == 9 and facts.duration == pytest.approx(9 / 8, abs=0.01)
    folder = store.project_dir(project.id)
    assert mean_rgb((folder / take.image).read_bytes())[0] > 200  # the poster: red
    last = mean_rgb((folder / facts.last_frame).read_bytes())
    assert last[2] > 200 and last[0] < 60, (RED, BLUE, last)  # the last frame: blue
    assert take.inputs is not None
    assert take.inputs.video == {"fps": 8, "frames": 9, "duration": 1.0}
    assert not is_stale(shot)
    longer = store.update_shot(project.id, "001", shot.id, {"duration": 2.0})
    assert is_stale(longer)  # a new duration asks for another frame count
