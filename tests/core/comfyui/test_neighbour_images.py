"""``{{last_image}}`` (the next shot's frame) and ``{{previous_frame}}`` (the previous shot's last
frame: its clip's last frame, or its still) for video workflows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from storyboard_core.bible.style import ShotContext, effective
from storyboard_core.comfyui.inputs import Neighbours, workflow_images
from storyboard_core.errors import InvalidDataError
from storyboard_core.models import Shot

FIRST_LAST = {
    "1": {"class_type": "LoadImage", "inputs": {"image": "{{init_image}}"}},
    "2": {"class_type": "LoadImage", "inputs": {"image": "{{last_image}}"}},
    "3": {"class_type": "LoadImage", "inputs": {"image": "{{previous_frame}}"}},
}


def shot(shot_id: str, render: dict[str, Any] | None = None) -> Shot:
    return Shot.model_validate({"id": shot_id, "render": render})


def clip_render(shot_id: str) -> dict[str, Any]:
    return {
        "image": f"renders/{shot_id}/c.jpg",
        "video": {
            "clip": f"renders/{shot_id}/c.mp4",
            "fps": 16,
            "frames": 33,
            "duration": 2.0625,
            "width": 320,
            "height": 192,
            "last_frame": f"renders/{shot_id}/c-last.jpg",
        },
    }


def images_of(
    project: Path, graph: dict[str, Any], current: Shot, neighbours: Neighbours
) -> dict[str, Path]:
    context = ShotContext()
    return workflow_images(
        graph, current, effective(current, context), context, project, neighbours
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("a/c.jpg", "a/c-last.jpg", "b/s.png", "c/s.png"):
        path = tmp_path / "renders" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    return tmp_path


def test_continuing_a_clip_and_ending_on_the_next_frame(project: Path) -> None:
    before, current, after = (
        shot("a", clip_render("a")),
        shot("b", {"image": "renders/b/s.png"}),
        shot("c", {"image": "renders/c/s.png"}),
    )
    found = images_of(project, FIRST_LAST, current, Neighbours(before, after))
    assert found == {
        "init_image": project / "renders/b/s.png",
        "last_image": project / "renders/c/s.png",
        "previous_frame": project / "renders/a/c-last.jpg",
    }


def test_the_previous_still_is_its_own_last_frame_and_a_clip_shows_its_poster(
    project: Path,
) -> None:
    found = images_of(
        project,
        FIRST_LAST,
        shot("b", {"image": "renders/b/s.png"}),
        Neighbours(shot("c", {"image": "renders/c/s.png"}), shot("a", clip_render("a"))),
    )
    assert found["previous_frame"] == project / "renders/c/s.png"
    assert found["last_image"] == project / "renders/a/c.jpg"


def test_at_either_end_the_images_are_refused_with_what_to_do(project: Path) -> None:
    with pytest.raises(InvalidDataError) as caught:
        images_of(project, FIRST_LAST, shot("b", {"image": "renders/b/s.png"}), Neighbours())
    assert caught.value.by_field() == {
        "{{last_image}}": (
            "the workflow needs the next shot's frame; render the next shot first "
            "(or this is the last shot)"
        ),
        "{{previous_frame}}": (
            "the workflow needs the previous shot's last frame; render the previous shot first "
            "(or this is the first shot)"
        ),
    }
    assert str(caught.value).startswith("shot b: ")
