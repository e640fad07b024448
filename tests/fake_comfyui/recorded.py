"""The recorded ComfyUI 0.3.64 answers (``transcripts/NNN_*.json``) as tests and the fake use them."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

TRANSCRIPTS = Path(__file__).parent / "transcripts"

#: The transcripts of ``GET /object_info/<node>`` kept here: the image nodes (05-08) and the video
#: nodes and loaders (95-103).
OBJECT_INFO_PREFIXES = ("05", "06", "07", "08", *(str(n) for n in range(95, 104)))
#: ``GET /models/<folder>`` transcripts (132-137); the other listed folders were not recorded.
MODEL_FOLDER_PREFIXES = tuple(str(n) for n in range(132, 138))


@cache
def _read(prefix: str) -> Any:
    (path,) = TRANSCRIPTS.glob(f"{prefix}_*.json")
    return json.loads(path.read_text("utf-8"))


def transcript(prefix: str) -> Any:
    """The transcript whose file name starts with ``prefix`` and ``_`` (a fresh copy)."""
    return json.loads(json.dumps(_read(prefix)))


def recorded_object_info() -> dict[str, Any]:
    """One ``/object_info`` answer made of every node recorded one by one."""
    merged: dict[str, Any] = {}
    for prefix in OBJECT_INFO_PREFIXES:
        merged.update(transcript(prefix)["json"])
    return merged


def recorded_models() -> dict[str, list[str]]:
    """Each recorded model folder's listing (all empty on the recording server)."""
    listings = {}
    for prefix in MODEL_FOLDER_PREFIXES:
        recorded = transcript(prefix)
        listings[recorded["request"]["path"].removeprefix("/models/")] = recorded["json"]
    return listings
