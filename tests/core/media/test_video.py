"""Checking clips by decoding them (``video.py``) and keeping them with their poster (``clips.py``),
on red-then-blue clips made like ComfyUI's video nodes make them (API.md, "Video outputs")."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from PIL import Image

from storyboard_core.errors import InvalidDataError
from storyboard_core.media import video
from storyboard_core.media.clips import keep_clip
from storyboard_core.media.video import ClipExpectation, check_clip
from storyboard_core.models import ClipFacts, Render, Shot, to_json_dict
from storyboard_core.takes import Take
from tests.fake_comfyui.video_clips import BLUE, RED, animated_image, mean_rgb, video_clip

from ..helpers import png_bytes


def near(colour: tuple[int, int, int], wanted: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 12 for a, b in zip(colour, wanted, strict=True))


def refusal(data: bytes, name: str = "clip.mp4", expect: ClipExpectation | None = None) -> str:
    with pytest.raises(InvalidDataError) as caught:
        check_clip(data, name, expect)
    (problem,) = caught.value.problems
    assert problem.field == name
    return problem.message


@pytest.mark.parametrize(("kind", "codec"), [("mp4", "h264"), ("webm", "vp9")])
def test_a_red_then_blue_clip(kind: str, codec: str) -> None:
    clip = check_clip(video_clip(kind), f"c.{kind}", ClipExpectation(fps=24, width=320, height=192))
    assert (clip.suffix, clip.codec) == (f".{kind}", codec)
    assert (clip.fps, clip.frames, clip.duration) == (24.0, 24, 1.0)
    assert (clip.width, clip.height) == (320, 192)
    assert near(mean_rgb(clip.poster), RED) and near(mean_rgb(clip.last_frame), BLUE)
    assert clip.poster.startswith(b"\xff\xd8")  # JPEG


@pytest.mark.parametrize("kind", ["webp", "png"])
def test_an_animated_image_merges_identical_frames(kind: str) -> None:
    # 12 red + 12 blue frames are saved as 2 frames of 12 × int(1000/24) ms each.
    clip = check_clip(animated_image(kind), f"a.{kind}", ClipExpectation(fps=24))
    assert clip.suffix == f".{kind}" and clip.fps == 24
    assert clip.duration == pytest.approx(0.984)
    assert clip.frames == 24
    assert near(mean_rgb(clip.poster), RED) and near(mean_rgb(clip.last_frame), BLUE)


@pytest.mark.parametrize("kind", ["webp", "png"])
def test_an_animation_of_one_colour_is_a_still_as_long_as_asked(kind: str) -> None:
    data = animated_image(kind, same=True)
    clip = check_clip(data, f"a.{kind}", ClipExpectation(fps=16, frames=33))
    # One still frame without timing (no ANIM / acTL chunk, as recorded in 116 and 120): the
    # length asked for is taken.
    assert (clip.fps, clip.frames, clip.duration) == (16, 33, round(33 / 16, 3))


def test_not_a_video_is_refused() -> None:
    assert refusal(b"<html>502 Bad Gateway</html>").startswith("not a video")
    assert refusal(b"") == "an empty file"
    # A still PNG is what SaveAnimatedPNG writes for identical frames: accepted…
    assert check_clip(png_bytes(), "still.png").frames == 1
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="GIF")
    assert refusal(out.getvalue(), "x.gif").startswith("not a video")  # …a GIF is not


def test_a_damaged_clip_is_refused() -> None:
    mp4 = video_clip("mp4")
    assert "cannot be decoded" in refusal(mp4[: len(mp4) // 2])
    webm = video_clip("webm", frames=48)
    assert "a damaged video" in refusal(webm[: len(webm) * 2 // 3], "c.webm")
    webp = animated_image("webp")
    assert "damaged" in refusal(webp[: len(webp) - 40], "a.webp")


def test_a_clip_over_the_limit_is_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(video, "MAX_CLIP_BYTES", 2**20)
    assert refusal(b"\0" * 2 * 2**20) == "2 MB; a clip can be at most 1 MB"


def test_a_clip_not_as_asked_is_refused() -> None:
    data = video_clip("mp4", fps=24)
    assert refusal(data, expect=ClipExpectation(fps=16)) == "24 fps, but 16 fps was asked for"
    assert (
        refusal(data, expect=ClipExpectation(width=640, height=192))
        == "320×192 pixels, but 640×192 was asked for"
    )
    both = refusal(data, expect=ClipExpectation(fps=30, width=320, height=200))
    assert both == "24 fps, but 30 fps was asked for; 320×192 pixels, but 320×200 was asked for"
    # Containers round the rate a little: within 1 % is the fps asked for.
    assert check_clip(video_clip("mp4", fps=24), "c.mp4", ClipExpectation(fps=24.1)).fps == 24


def test_a_five_second_720p_clip_is_checked_fast() -> None:
    """The issue's budget: facts and poster of a 5 s 1280×720 clip in ≤ 1.5 s."""
    data = video_clip("mp4", frames=120, width=1280, height=720)
    check_clip(video_clip("mp4", frames=2), "warm-up.mp4")  # PyAV's first import is not the check
    started = time.perf_counter()
    clip = check_clip(data, "c.mp4", ClipExpectation(fps=24, width=1280, height=720))
    took = time.perf_counter() - started
    assert clip.frames == 120 and clip.duration == 5.0
    assert took <= 1.5


# --- keeping a clip ---------------------------------------------------------------------------------


def test_keep_clip_writes_clip_poster_and_last_frame(tmp_path: Path) -> None:
    data = video_clip("webm")
    clip = check_clip(data, "c.webm")
    poster, facts = keep_clip(tmp_path, "sh-1", "20261207T002500Z-1a2b3c4d", data, clip)
    assert poster == "renders/sh-1/20261207T002500Z-1a2b3c4d.jpg"
    assert facts == ClipFacts(
        clip="renders/sh-1/20261207T002500Z-1a2b3c4d.webm",
        fps=24.0,
        frames=24,
        duration=1.0,
        width=320,
        height=192,
        last_frame="renders/sh-1/20261207T002500Z-1a2b3c4d-last.jpg",
    )
    assert (tmp_path / facts.clip).read_bytes() == data
    assert near(mean_rgb((tmp_path / poster).read_bytes()), RED)
    assert near(mean_rgb((tmp_path / facts.last_frame).read_bytes()), BLUE)


def test_keep_clip_leaves_nothing_when_a_write_fails(tmp_path: Path) -> None:
    data = video_clip("webm")
    clip = check_clip(data, "c.webm")
    folder = tmp_path / "renders" / "sh-1"
    folder.mkdir(parents=True)
    (folder / "s-last.jpg").mkdir()  # the last file cannot be written over a folder
    with pytest.raises(Exception):  # noqa: B017 - WriteError or OSError, whichever the OS gives
        keep_clip(tmp_path, "sh-1", "s", data, clip)
    assert sorted(p.name for p in folder.iterdir()) == ["s-last.jpg"]


# --- the take's record ------------------------------------------------------------------------------


def test_a_still_keeps_its_bytes_and_a_clip_round_trips() -> None:
    still = Render(image="renders/sh-1/a.png")
    assert "video" not in to_json_dict(still)
    facts = ClipFacts(
        clip="renders/sh-1/a.mp4",
        fps=16,
        frames=81,
        duration=5.0625,
        width=832,
        height=480,
        last_frame="renders/sh-1/a-last.jpg",
    )
    take = Take(image="renders/sh-1/a.jpg", video=facts)
    assert take.is_video and not Take(image="x.png").is_video
    assert "video" not in Take(image="x.png").to_json()
    shot = Shot.model_validate({"id": "sh-1", "render": take.to_json()})
    assert shot.render is not None and shot.render.video == facts
    assert Shot.model_validate(to_json_dict(shot)) == shot
