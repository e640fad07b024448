"""The animatic, decoded with PyAV: codec, size, running time, and the right shot at each moment."""

from __future__ import annotations

import io
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np
import pytest

from storyboard_core.exports import ExportOptions, export_bytes

from .conftest import Board

RED, GREEN, BLUE = (220, 30, 30), (30, 200, 40), (30, 40, 220)
CARD = (15, 23, 42)  # the title card's background, for the shot without a frame


@dataclass(frozen=True)
class Stream:
    """What a test checks of the video stream, read while its file is open (PyAV refuses some of
    a stream's fields once the container is closed and collected, which happens at any moment)."""

    codec: str
    pix_fmt: str | None
    width: int
    height: int
    time_base: Fraction | None


def decode(data: bytes) -> tuple[Stream, list[tuple[float, np.ndarray]], float]:
    """The video stream, every (time, RGB picture) in it and the stream's duration in seconds."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        facts = Stream(
            codec=stream.codec_context.name,
            pix_fmt=stream.codec_context.pix_fmt,
            width=stream.width,
            height=stream.height,
            time_base=stream.time_base,
        )
        duration = float(stream.duration * stream.time_base)
        pictures = [(float(f.time), f.to_ndarray(format="rgb24")) for f in container.decode(stream)]
    return facts, pictures, duration


def at(pictures: list[tuple[float, np.ndarray]], seconds: float) -> tuple[int, int, int]:
    """The colour in the middle of the picture shown at ``seconds``."""
    shown = [p for t, p in pictures if t <= seconds + 1e-9][-1]
    h, w, _ = shown.shape
    return tuple(int(c) for c in shown[h // 3, w // 2])  # type: ignore[return-value]


def near(colour: tuple[int, int, int], expected: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 12 for a, b in zip(colour, expected, strict=True))


@pytest.mark.parametrize("burn_in", [False, True])
def test_each_shot_is_held_for_its_duration(board: Board, burn_in: bool) -> None:
    data = export_bytes(
        board.store, board.project, "mp4", options=ExportOptions(width=320, burn_in=burn_in)
    )
    stream, pictures, duration = decode(data)
    assert stream.codec == "h264"
    assert stream.pix_fmt == "yuv420p"
    assert (stream.width, stream.height) == (320, 180)  # the frames' 16:9
    assert abs(duration - 7.0) <= 1 / 24  # 2 + 2 + 1.5 + 1.5 s, within a frame
    for seconds, colour in [
        (0.0, RED),
        (1.9, RED),
        (2.05, GREEN),
        (3.9, GREEN),
        (4.05, CARD),
        (5.6, BLUE),
        (6.95, BLUE),
    ]:
        assert near(at(pictures, seconds), colour), (seconds, at(pictures, seconds), colour)


def test_the_burn_in_draws_a_band_and_refreshes_the_timecode(board: Board) -> None:
    plain = decode(
        export_bytes(
            board.store, board.project, "mp4", options=ExportOptions(width=320, burn_in=False)
        )
    )[1]
    burnt = decode(
        export_bytes(board.store, board.project, "mp4", options=ExportOptions(width=320))
    )[1]
    assert len(plain) == 4  # one picture per shot
    assert len(burnt) == 8  # and one more each second of a shot: 2 + 2 + 2 + 2
    bottom = burnt[0][1][-8:, :, :]
    assert bottom.mean() < 120, "no dark band at the bottom of the first shot"
    assert not np.array_equal(burnt[0][1], burnt[1][1]), "the timecode did not move after a second"


def test_frame_rate_and_width_are_options(board: Board) -> None:
    stream, pictures, duration = decode(
        export_bytes(
            board.store,
            board.project,
            "mp4",
            options=ExportOptions(width=256, fps=25, burn_in=False),
        )
    )
    assert stream.width == 256 and stream.height == 144
    assert stream.time_base is not None and Fraction(1, 25) % stream.time_base == 0
    assert abs(duration - 7.0) <= 1 / 25
    assert [round(t * 25) for t, _ in pictures] == [0, 50, 100, 138]  # 1.5 s = 37.5 -> 38 frames


def test_without_any_frame_the_video_is_title_cards_in_16_9(board: Board) -> None:
    data = export_bytes(
        board.store,
        board.project,
        "mp4",
        shots=[board.shots["Sans image"]],
        options=ExportOptions(width=320),
    )
    stream, pictures, duration = decode(data)
    assert (stream.width, stream.height) == (320, 180)
    assert abs(duration - 1.5) <= 1 / 24
    assert near(at(pictures, 0.5), CARD)
    assert pictures[0][1].max() > 200, "the title card has no text"
