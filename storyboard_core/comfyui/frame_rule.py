"""What a video workflow declares about its clips, and how many frames a shot asks for.

A workflow file may carry, next to its nodes, a top-level ``"storyboard"`` key that ComfyUI never
sees (it is taken out before the graph is sent)::

    {"storyboard": {"fps": 16, "frames": "4n+1", "max_frames": 81},
     "1": {"class_type": "UNETLoader", ...}, ...}

* ``fps``: the clip's frames per second (``{{fps}}``), default 24;
* ``frames``: the frame counts the model accepts, written ``an+b`` (``"4n+1"`` is 1, 5, 9, …;
  ``"8n+1"``; ``"n"`` is any count), default ``"n"``;
* ``max_frames``: the most frames the model makes (optional).

``{{frames}}`` is the shot's duration × fps snapped to the nearest count the rule allows (a tie
goes to the longer clip, so the player cuts rather than holds), at least one, at most ``max_frames``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

#: The top-level key of a workflow file that holds its video settings.
DECLARATION_KEY = "storyboard"
DEFAULT_FPS = 24.0
_RULE = re.compile(r"^\s*(\d*)\s*n\s*(?:\+\s*(\d+)\s*)?$")
_KEYS = ("fps", "frames", "max_frames")


class MalformedDeclaration(ValueError):
    """A ``"storyboard"`` declaration that cannot be read; the message says which field and why."""


@dataclass(frozen=True)
class FrameRule:
    """Frame counts of the form ``step × n + offset`` (n = 0, 1, 2, …; n ≥ 1 when offset is 0)."""

    step: int = 1
    offset: int = 0

    def __str__(self) -> str:
        head = "n" if self.step == 1 else f"{self.step}n"
        return f"{head}+{self.offset}" if self.offset else head

    @property
    def smallest(self) -> int:
        """The fewest frames the rule allows."""
        return self.offset or self.step

    def snap(self, count: float, maximum: int | None = None) -> int:
        """The allowed frame count nearest ``count`` (ties up), not above ``maximum`` if it allows."""
        k = max(0.0, (count - self.offset) / self.step)
        low = int(k)
        frames = self.offset + self.step * (low + (1 if k - low >= 0.5 else 0))
        frames = max(self.smallest, frames)
        if maximum is not None and frames > maximum:
            frames = max(
                self.smallest, self.offset + self.step * ((maximum - self.offset) // self.step)
            )
        return frames


def parse_rule(text: str) -> FrameRule:
    """``FrameRule`` of ``"4n+1"``; ``MalformedDeclaration`` for anything that is not ``an+b``."""
    match = _RULE.match(text) if isinstance(text, str) else None
    step = int(match.group(1) or 1) if match else 0
    if match is None or step < 1:
        raise MalformedDeclaration(
            f'frames: {text!r} is not a frame rule; write it as an+b, like "4n+1", "8n+1" or "n"'
        )
    return FrameRule(step, int(match.group(2) or 0))


@dataclass(frozen=True)
class VideoSettings:
    """A workflow's declared clip settings (see the module docstring)."""

    fps: float = DEFAULT_FPS
    rule: FrameRule = FrameRule()
    max_frames: int | None = None

    def frames_for(self, duration: float) -> int:
        """``{{frames}}`` for a shot of ``duration`` seconds."""
        return self.rule.snap(duration * self.fps, self.max_frames)

    def placeholder_values(self, duration: float) -> dict[str, Any]:
        """The values of ``{{fps}}`` and ``{{frames}}`` for a shot of ``duration`` seconds."""
        return {"fps": self.fps, "frames": self.frames_for(duration)}


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def parse_declaration(value: Any) -> VideoSettings:
    """``VideoSettings`` from a workflow's ``"storyboard"`` value; ``MalformedDeclaration`` naming
    the field when it is not an object of ``fps`` (above 0, at most 240), ``frames`` (a rule) and
    ``max_frames`` (a whole number at least the rule's smallest count)."""
    if not isinstance(value, dict):
        raise MalformedDeclaration('must be an object such as {"fps": 16, "frames": "4n+1"}')
    unknown = sorted(set(value) - set(_KEYS))
    if unknown:
        raise MalformedDeclaration(f"unknown key {unknown[0]!r}; the keys are {', '.join(_KEYS)}")
    fps = value.get("fps", DEFAULT_FPS)
    if not _number(fps) or not 0 < fps <= 240:
        raise MalformedDeclaration(f"fps: {fps!r} is not a number of frames per second (1 to 240)")
    rule = parse_rule(value.get("frames", "n"))
    maximum = value.get("max_frames")
    if maximum is not None and (
        not isinstance(maximum, int) or isinstance(maximum, bool) or maximum < rule.smallest
    ):
        raise MalformedDeclaration(
            f"max_frames: {maximum!r} is not a whole number of at least {rule.smallest}"
        )
    return VideoSettings(fps=float(fps), rule=rule, max_frames=maximum)


__all__ = [
    "DECLARATION_KEY",
    "DEFAULT_FPS",
    "FrameRule",
    "MalformedDeclaration",
    "VideoSettings",
    "parse_declaration",
    "parse_rule",
]
