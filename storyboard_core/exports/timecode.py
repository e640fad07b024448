"""Time as hand-outs print it: a running time for people and SMPTE timecode for editors."""

from __future__ import annotations

from collections.abc import Iterable


def frame_lengths(durations: Iterable[float], fps: int) -> list[int]:
    """Each duration in whole frames at ``fps``, at least one each so that every shot is seen.

    Cuts fall on the frame nearest to their time, so rounding never adds up along a long sequence.
    """
    lengths, elapsed, cut = [], 0.0, 0
    for seconds in durations:
        elapsed += seconds
        next_cut = max(cut + 1, round(elapsed * fps))
        lengths.append(next_cut - cut)
        cut = next_cut
    return lengths


def timecode(frame: int, fps: int) -> str:
    """Non-drop-frame SMPTE timecode of a frame count: ``"00:01:02:12"``."""
    seconds, ff = divmod(frame, fps)
    minutes, ss = divmod(seconds, 60)
    hh, mm = divmod(minutes, 60)
    return f"{hh:02d}:{mm:02d}:{ss:02d}:{ff:02d}"
