"""Time as hand-outs print it: a running time for people and SMPTE timecode for editors."""

from __future__ import annotations


def clock(seconds: float) -> str:
    """``"1:05"`` for 65 seconds; ``"1:02:03"`` past an hour."""
    h, rest = divmod(round(seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def frames(seconds: float, fps: int) -> int:
    """A duration in whole frames at ``fps`` (at least one, so that every shot is seen)."""
    return max(1, round(seconds * fps))


def timecode(frame: int, fps: int) -> str:
    """Non-drop-frame SMPTE timecode of a frame count: ``"00:01:02:12"``."""
    seconds, ff = divmod(frame, fps)
    minutes, ss = divmod(seconds, 60)
    hh, mm = divmod(minutes, 60)
    return f"{hh:02d}:{mm:02d}:{ss:02d}:{ff:02d}"
