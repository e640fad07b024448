"""Dialogue captions: each shot's line of dialogue, shown while the shot is on screen, as SRT or VTT.

A cue runs from the shot's start to its end in a running order (``running_order``: the same times
as the mix and, built with the MP4's frame rate, as the MP4's cuts). A speaker, when set, prefixes
the line (``Léa: Where were you?``). Blank lines inside a line of dialogue are dropped: a blank line
ends a cue in both formats. In VTT, ``&``, ``<`` and ``>`` are written as character references (so
the text is never read as markup, and ``-->`` cannot appear in it); SRT has no escapes, so there
``-->`` is kept from reading as a timing line by a zero-width space after its dashes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .running_order import PlacedShot

#: Between the dashes and the ``>`` of a ``-->`` in SRT text: invisible, and no longer an arrow.
ZERO_WIDTH_SPACE = "\u200b"


@dataclass(frozen=True)
class Cue:
    """One caption: its text (a speaker's line, possibly on several lines) and when it shows."""

    start: float
    end: float
    text: str


def caption_text(dialogue: str, speaker: str = "") -> str:
    """The text of a caption: the dialogue's non-blank lines, the speaker's name before the first."""
    lines = [line.strip() for line in dialogue.strip().splitlines() if line.strip()]
    if lines and speaker.strip():
        lines[0] = f"{speaker.strip()}: {lines[0]}"
    return "\n".join(lines)


def cues(shots: Iterable[PlacedShot]) -> list[Cue]:
    """A cue for every shot with dialogue, from its start to its end (shots of no length have none)."""
    found = []
    for placed in shots:
        text = caption_text(placed.shot.dialogue, placed.shot.speaker)
        # Times to the millisecond, each rounded on its own: one cue ends where the next begins.
        start, end = round(placed.start * 1000), round(placed.end * 1000)
        if text and end > start:
            found.append(Cue(start / 1000, end / 1000, text))
    return found


def _stamp(seconds: float, separator: str) -> str:
    ms = round(seconds * 1000)
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{ms:03d}"


def srt(shots: Iterable[PlacedShot]) -> str:
    """The captions as SubRip (``.srt``): numbered cues, ``00:00:01,500 --> 00:00:04,000``."""
    blocks = []
    for n, cue in enumerate(cues(shots), start=1):
        text = cue.text.replace("-->", f"--{ZERO_WIDTH_SPACE}>")
        blocks.append(f"{n}\n{_stamp(cue.start, ',')} --> {_stamp(cue.end, ',')}\n{text}\n")
    return "\n".join(blocks)


def vtt_escape(text: str) -> str:
    """Text as WebVTT cue text: ``&``, ``<`` and ``>`` as character references."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def vtt(shots: Iterable[PlacedShot]) -> str:
    """The captions as WebVTT (``.vtt``): ``WEBVTT``, then cues ``00:00:01.500 --> 00:00:04.000``."""
    blocks = ["WEBVTT\n"]
    for n, cue in enumerate(cues(shots), start=1):
        blocks.append(
            f"{n}\n{_stamp(cue.start, '.')} --> {_stamp(cue.end, '.')}\n{vtt_escape(cue.text)}\n"
        )
    return "\n".join(blocks)


__all__ = ["ZERO_WIDTH_SPACE", "Cue", "caption_text", "cues", "srt", "vtt", "vtt_escape"]
