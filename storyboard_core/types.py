"""Shared aliases and constants of the core: defined once, imported everywhere, importing nothing of ours.

A leaf module (like httpx's ``_types.py``): what several modules, the CLI and the app say the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

JsonDict = dict[str, Any]
"""A JSON object as parsed or about to be written."""

Patch = Mapping[str, Any]
"""A partial update of a model: nested mappings merge, other values replace."""

LOOSE = "-"
"""The sequence id that stands for the shots outside any sequence (kept in ``project.json``)."""

LOOSE_LABEL = "Shots outside any sequence"
"""How every face of the tool names those shots."""


def clock(seconds: float) -> str:
    """A running time for people: ``"1:05"`` for 65 seconds, ``"1:15:00"`` for 4,500."""
    h, rest = divmod(round(seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def field_path(loc: tuple[int | str, ...] | list[int | str] | tuple[str, ...]) -> str:
    """A field's place in a document as messages print it: ``servers[0].url``, ``generation.steps``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


__all__ = ["LOOSE", "LOOSE_LABEL", "JsonDict", "Patch", "clock", "field_path"]
