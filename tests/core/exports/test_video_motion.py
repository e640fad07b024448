"""The animatic's sound, captions, camera moves and clips, decoded from the MP4 with PyAV."""

from __future__ import annotations

import io
import math
from itertools import pairwise
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from PIL import Image

from storyboard_core.audio import set_shot_sound
from storyboard_core.errors import BrokenFileError
from storyboard_core.exports import ExportOptions, ExportWarning, export_bytes
from storyboard_core.models import CameraMove
from storyboard_core.timeline.camera import preset, view_at

from ...fake_comfyui.video_clips import video_clip
from ..audio.tones import frequency, write_tone
from .conftest import Board
from .test_video import BLUE, RED, at, decode

FAST = {"width": 320, "burn_in": False}


def audio_of(data: bytes) -> tuple[np.ndarray, int]:
    """The MP4's sound, mono (both sides averaged), and its rate."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        blocks = [f.to_ndarray() for f in container.decode(stream)]
    return np.concatenate(blocks, axis=1).mean(axis=0), rate


def captions_of(data: bytes) -> list[tuple[float, float, str]]:
    """The subtitle track's cues: start, end (seconds) and text (not the blank ones that fill
    the gaps between them)."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.subtitles[0]
        assert stream.codec_context.name == "mov_text"
        found = []
        for packet in container.demux(stream):
            text = bytes(packet)[2:].decode()
            if text and packet.pts is not None:
                tb = packet.time_base
                start = float(packet.pts * tb)
                found.append((start, start + float(packet.duration * tb), text))
    return found


def green_shot(board: Board) -> tuple[str, str]:
    return board.sequences[0], board.shots["Le cœur « battant »"]


def test_a_shot_sound_plays_where_it_is_placed_for_the_whole_length(
    board: Board, tmp_path: Path
) -> None:
    seq, shot = green_shot(board)  # from 2.0 s to 4.0 s
    tone = write_tone(tmp_path / "bip.wav", seconds=1.0, freq=880.0)
    set_shot_sound(board.store, board.project, seq, shot, tone, start=0.5)
    data = export_bytes(board.store, board.project, "mp4", options=ExportOptions(**FAST))
    _, _, video_length = decode(data)
    sound, rate = audio_of(data)
    assert rate == 48_000
    assert abs(sound.size / rate - video_length) < 0.05  # 7 s both
    heard = sound[round(2.6 * rate) : round(3.4 * rate)]
    assert abs(frequency(heard, rate) - 880.0) < 5
    assert np.abs(sound[round(0.5 * rate) : round(2.4 * rate)]).max() < 0.01  # silent before
    assert np.abs(sound[round(3.6 * rate) : round(6.9 * rate)]).max() < 0.01  # and after


def test_a_deleted_sound_plays_silent_and_is_reported(board: Board, tmp_path: Path) -> None:
    seq, shot = green_shot(board)
    tone = write_tone(tmp_path / "bip.wav", seconds=1.0, freq=880.0)
    saved = set_shot_sound(board.store, board.project, seq, shot, tone).sound
    assert saved is not None
    (board.folder / saved.file).unlink()
    with pytest.warns(ExportWarning, match=saved.file):
        data = export_bytes(board.store, board.project, "mp4", options=ExportOptions(**FAST))
    sound, _ = audio_of(data)
    assert np.abs(sound).max() < 0.01


def test_a_silent_board_has_no_sound_track(board: Board) -> None:
    data = export_bytes(board.store, board.project, "mp4", options=ExportOptions(**FAST))
    with av.open(io.BytesIO(data)) as container:
        assert not container.streams.audio
        assert not container.streams.subtitles


def test_dialogue_is_a_subtitle_track_with_the_shots_times(board: Board) -> None:
    seq, shot = green_shot(board)
    board.store.update_shot(
        board.project, seq, shot, {"dialogue": "Où étais-tu ?", "speaker": "Léa"}
    )
    data = export_bytes(board.store, board.project, "mp4", options=ExportOptions(**FAST))
    assert captions_of(data) == [(2.0, 4.0, "Léa: Où étais-tu ?")]


@pytest.mark.parametrize("moving", [False, True])
def test_captions_are_burned_in_on_request(board: Board, moving: bool) -> None:
    seq, shot = green_shot(board)
    patch: dict[str, object] = {"dialogue": "Où étais-tu ?"}
    if moving:  # laid over each frame of the move rather than over the held still
        patch["camera_move"] = preset("pan-left").model_dump(mode="json")
    board.store.update_shot(board.project, seq, shot, patch)

    def bottom(burn: bool) -> np.ndarray:
        data = export_bytes(
            board.store, board.project, "mp4", options=ExportOptions(**FAST, burn_captions=burn)
        )
        _, pictures, _ = decode(data)
        shown = [p for t, p in pictures if t <= 3.0][-1]
        return shown[-40:].astype(int)

    plain, burned = bottom(False), bottom(True)
    assert (plain.min(axis=2) > 200).sum() == 0  # nothing white on the green frame
    assert (burned.min(axis=2) > 200).sum() > 50  # the caption's letters


@pytest.mark.parametrize("burn_in", [False, True])
def test_a_camera_move_zooms_in_smoothly_over_its_shot(board: Board, burn_in: bool) -> None:
    seq, shot = green_shot(board)
    frame = Image.new("RGB", (320, 180), (0, 0, 0))
    frame.paste((255, 255, 255), (140, 70, 180, 110))  # a 40-pixel square in the middle
    frame.save(board.folder / "renders" / "square.png")
    move = preset("push-in", zoom=1.5, easing="linear").model_dump(mode="json")
    board.store.update_shot(
        board.project, seq, shot, {"render": {"image": "renders/square.png"}, "camera_move": move}
    )
    options = ExportOptions(width=320, burn_in=burn_in)
    _, pictures, _ = decode(export_bytes(board.store, board.project, "mp4", options=options))

    def square(seconds: float) -> int:
        shown = [p for t, p in pictures if t <= seconds + 1e-9][-1]
        return int((shown[90, :, 0] > 128).sum())  # the white run on the middle row

    widths = [square(2.0 + k / 24) for k in range(48)]
    assert abs(widths[0] - 40) <= 2
    assert abs(widths[-1] - 60) <= 2  # 1.5 × at the shot's last frame
    assert all(b >= a - 1 for a, b in pairwise(widths))  # never shrinks
    assert len(pictures) > 48  # every frame of the move is a picture of its own
    last = [p for t, p in pictures if t <= 3.99][-1]
    corner = last[-20:, -80:]  # black in the frame; the timecode's digits with the burn-in
    assert bool((corner.min(axis=2) > 200).any()) == burn_in
    assert at(pictures, 0.5) == pytest.approx(RED, abs=12)  # the other shots are untouched


@pytest.mark.parametrize(("name", "zoom"), [("pan-right", 1.25), ("push-in", 1.25), ("push-in", 3)])
def test_a_camera_move_glides_by_fractions_of_a_pixel(board: Board, name: str, zoom: float) -> None:
    """The square's place and size on each frame follow the move's continuous path within a
    fifth of a pixel: a crop to whole source pixels would be up to half a pixel off, in steps.
    (A 3× push in on a still 3 times as wide starts from its planes halved: it shrinks them by 3.)"""
    seq, shot = green_shot(board)
    k = math.ceil(zoom)  # a still as sharp as the closest view needs: the wide views shrink it
    frame = Image.new("RGB", (320 * k, 180 * k), (0, 0, 0))
    frame.paste((255, 255, 255), (140 * k, 70 * k, 180 * k, 110 * k))  # 40 pixels wide at 320
    frame.save(board.folder / "renders" / "square.png")
    move = preset(name, zoom=zoom, easing="linear")  # over the 48 frames of a 2-second shot
    board.store.update_shot(
        board.project,
        seq,
        shot,
        {"render": {"image": "renders/square.png"}, "camera_move": move.model_dump(mode="json")},
    )
    _, pictures, _ = decode(
        export_bytes(board.store, board.project, "mp4", options=ExportOptions(**FAST))
    )
    off: list[tuple[float, float]] = []
    for k in range(48):  # the shot's frames, 2 s to 4 s
        shown = [p for t, p in pictures if t <= 2.0 + k / 24 + 1e-9][-1]
        row = shown[86:94].mean(axis=(0, 2)) / 255  # the middle rows' brightness, column by column
        view = view_at(CameraMove.model_validate(move), k / 47)
        expected_width = 40 / view.size  # in the 320-wide picture, as the frame is 320 wide
        expected_centre = (0.5 - view.left) / view.size * 320
        centre = float(((np.arange(320) + 0.5) * row).sum() / row.sum())
        off.append((centre - expected_centre, float(row.sum()) - expected_width))
    assert max(abs(c) for c, _ in off) <= 0.2
    assert max(abs(w) for _, w in off) <= 0.4


def with_clip(board: Board, data: bytes, facts: dict[str, Any], **patch: Any) -> None:
    """Shot 1.1 ("Léa à la fenêtre", 0 to 2 s) takes ``data`` as its clip, described by ``facts``
    (fps, frames, duration, width, height); ``patch`` changes the shot too."""
    shot = board.shots["Léa à la fenêtre"]
    (board.folder / "renders" / "clip.mp4").write_bytes(data)
    video = {"clip": "renders/clip.mp4", **facts}
    render = {"image": f"renders/{shot}.png", "video": video}
    board.store.update_shot(board.project, board.sequences[0], shot, {**patch, "render": render})


def test_a_clip_plays_resampled_and_holds_its_last_frame(board: Board) -> None:
    facts = {"fps": 12, "frames": 12, "duration": 1.0, "width": 320, "height": 192}
    with_clip(board, video_clip(frames=12, fps=12), facts, duration=3.0)  # the shot made 3 s
    data = export_bytes(board.store, board.project, "mp4", options=ExportOptions(**FAST))
    _, pictures, duration = decode(data)
    assert abs(duration - 8.0) <= 1 / 24
    for seconds, colour in [(0.1, (255, 0, 0)), (0.45, (255, 0, 0)), (0.55, (0, 0, 255))]:
        assert at(pictures, seconds) == pytest.approx(colour, abs=16), seconds
    assert at(pictures, 2.9) == pytest.approx((0, 0, 255), abs=16)  # held on its last frame
    assert at(pictures, 3.1) == pytest.approx((30, 200, 40), abs=12)  # then the next shot
    assert at(pictures, 7.5) == pytest.approx(BLUE, abs=12)


def test_a_clip_longer_than_its_shot_is_cut(board: Board) -> None:
    facts = {"fps": 24, "frames": 96, "duration": 4.0, "width": 320, "height": 192}
    with_clip(board, video_clip(frames=96, fps=24), facts)  # on a 2 s shot
    data = export_bytes(board.store, board.project, "mp4", options=ExportOptions(**FAST))
    _, pictures, duration = decode(data)
    assert abs(duration - 7.0) <= 1 / 24
    assert at(pictures, 1.95) == pytest.approx((255, 0, 0), abs=16)  # its blue half is never seen


def test_a_clip_that_is_not_video_stops_the_export_naming_it(board: Board) -> None:
    facts = {"fps": 24, "frames": 24, "duration": 1.0, "width": 8, "height": 8}
    with_clip(board, b"not a video at all" * 100, facts)
    with pytest.raises(BrokenFileError, match=r"clip of shot 1\.1") as refused:
        export_bytes(board.store, board.project, "mp4", options=ExportOptions(**FAST))
    assert refused.value.path.name == "clip.mp4"


def test_a_clip_of_another_shape_is_fitted_on_the_background(board: Board) -> None:
    facts = {"fps": 24, "frames": 24, "duration": 1.0, "width": 96, "height": 96}
    with_clip(board, video_clip(frames=24, fps=24, width=96, height=96), facts)
    data = export_bytes(board.store, board.project, "mp4", options=ExportOptions(**FAST))
    _, pictures, _ = decode(data)
    first = next(p for t, p in pictures if t >= 0.1)
    h, w, _ = first.shape
    assert (w, h) == (320, 180)  # the other frames' shape: the square clip sits in the middle
    assert tuple(int(c) for c in first[h // 2, w // 2]) == pytest.approx((255, 0, 0), abs=16)
    for x in (w // 10, w - w // 10):  # left and right of it, the animatic's background
        assert tuple(int(c) for c in first[h // 2, x]) == pytest.approx((15, 23, 42), abs=12)
    assert at(pictures, 0.9) == pytest.approx((0, 0, 255), abs=16)
