"""Paths named by files that travel: a frame's path never leads out of its project."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyboard_core.paths import image_in_project


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "workspace" / "orage"
    (folder / "renders" / "shot-1").mkdir(parents=True)
    (folder / "renders" / "shot-1" / "a.png").write_bytes(b"png")
    (tmp_path / "secret.png").write_bytes(b"not yours")
    return folder


def test_a_frame_inside_the_project_is_found(project_dir: Path) -> None:
    assert (
        image_in_project(project_dir, "renders/shot-1/a.png")
        == project_dir / "renders/shot-1/a.png"
    )


@pytest.mark.parametrize(
    "image",
    [
        "../../secret.png",
        "renders/../../../secret.png",
        "/etc/passwd",
        "",
        "renders/shot-1/missing.png",
        "renders/shot-1",
        "renders/shot-1/a.png\x00.txt",
    ],
)
def test_a_frame_outside_missing_or_strange_is_not_shown(project_dir: Path, image: str) -> None:
    assert image_in_project(project_dir, image) is None


def test_a_symlink_out_of_the_project_is_not_followed(project_dir: Path) -> None:
    link = project_dir / "renders" / "shot-1" / "link.png"
    link.symlink_to(project_dir.parent.parent / "secret.png")
    assert image_in_project(project_dir, "renders/shot-1/link.png") is None
