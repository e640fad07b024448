"""The shapes of StoryCore's files, recognised and taken apart into shot copies and sequences.

``project.json`` comes in four shapes: P1 (the Electron "create project": ``project_name``,
``settings``, ``created_at``, a ``shots`` copy of every shot, ``metadata.format``), P2 (P1 saved by
the "resume" screen: no ``settings``/``created_at``, plus ``assets``, ``global_resume``…), P3 ("data
contract v1": the shots under ``storyboard``, plus ``scenes`` and ``world``) and P4 (the Python
engine: ``project_id``, no ``project_name``, the shots in ``storyboard.json``).

A sequence file is S-A (``shots`` inside; without ``id`` it is only a bag of every shot, each one
naming its sequence in ``metadata.sequence_id``) or S-B (written by StoryCore's dashboard: ``id``,
``name``, ``order`` and ``shot_ids``, the shots themselves elsewhere).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from .fields import get_path, raw_shot_id
from .report import FileIssue

CopyKind = Literal["sequence", "project", "shots"]

#: Keys only StoryCore's project.json has (any one of them is enough to recognise it).
_STORYCORE_KEYS = frozenset(
    {
        "project_name",
        "project_id",
        "capabilities",
        "generation_status",
        "storycore_version",
        "global_resume",
        "storyboard",
        "scenes",
        "shots_index",
        "metadata",
    }
)
_FPS_PATHS = (
    ("settings", "fps"),
    ("settings", "frameRate"),
    ("settings", "frame_rate"),
    ("config", "fps"),
    ("metadata", "fps"),
    ("fps",),
)


@dataclass
class ShotCopy:
    """One copy of a shot as found in a file; ``container`` is the StoryCore sequence holding it."""

    raw: dict[str, Any]
    file: str
    kind: CopyKind
    index: int
    container: str | None = None


@dataclass
class SequenceDef:
    """A sequence as one file describes it: its StoryCore id, the file, and the shot ids it lists."""

    storycore_id: str
    raw: dict[str, Any]
    file: str
    shape: str
    listed: list[str] = field(default_factory=list)

    @property
    def stamp(self) -> str:
        """When the file says it last changed (text compare: ISO times sort as text)."""
        value = get_path(self.raw, ("updated_at",))
        if not isinstance(value, str):
            value = get_path(self.raw, ("metadata", "updated_at"))
        return value if isinstance(value, str) else ""


@dataclass
class Collected:
    """Everything found: shot copies in discovery order, sequence definitions, other files' data."""

    copies: list[ShotCopy] = field(default_factory=list)
    sequences: list[SequenceDef] = field(default_factory=list)
    files: dict[str, Any] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)

    def add_shots(
        self,
        entries: Any,
        file: str,
        kind: CopyKind,
        container: str | None = None,
        key: str = "shots",
    ) -> list[str]:
        """Add a list of shots from ``file``; return the ids they carry. Non-objects are dropped."""
        ids = []
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            if not isinstance(entry, dict):
                self.dropped.append(f"{file}: {key}[{i}] is {type(entry).__name__}, not a shot")
                continue
            self.copies.append(ShotCopy(entry, file, kind, len(self.copies), container))
            shot_id = raw_shot_id(entry)
            if shot_id is not None:
                ids.append(shot_id)
        return ids


def is_storyboard_studio(data: Any) -> bool:
    """Whether a project.json is already ours (Storyboard Studio), not StoryCore's."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("schema_version"), int)
        and isinstance(data.get("id"), str)
        and isinstance(data.get("format"), str)
        and not _STORYCORE_KEYS & data.keys()
    )


def is_storycore(data: Any) -> bool:
    """Whether a project.json looks like one of StoryCore's four shapes."""
    return isinstance(data, dict) and bool(_STORYCORE_KEYS & data.keys() or "shots" in data)


def project_shape(data: dict[str, Any]) -> str:
    """P1, P2, P3 or P4 (see the module docstring)."""
    if "project_id" in data and "project_name" not in data:
        return "P4"
    if "storyboard" in data and "shots" not in data:
        return "P3"
    if {"created_at", "modified_at", "storycore_version", "settings"} & data.keys():
        return "P1"
    return "P2"


def shot_list(value: Any) -> Any:
    """The shots of a ``shots``/``storyboard`` value: a list, or an object holding ``shots``."""
    if isinstance(value, dict):
        return value.get("shots")
    return value


def without(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    """A deep copy of ``data`` without ``keys`` (the shot lists, imported on their own)."""
    return {k: copy.deepcopy(v) for k, v in data.items() if k not in keys}


def add_project_file(found: Collected, data: dict[str, Any], shape: str) -> None:
    """The shots and sequence definitions of project.json."""
    key = "storyboard" if shape == "P3" else "shots"
    found.add_shots(shot_list(data.get(key)), "project.json", "project", key=key)
    for where in (get_path(data, ("metadata", "sequences")), data.get("sequences")):
        if isinstance(where, list):
            for entry in where:
                if isinstance(entry, dict) and raw_shot_id(entry) is not None:
                    listed = entry.get("shot_ids") or entry.get("shots") or []
                    found.sequences.append(
                        SequenceDef(
                            str(raw_shot_id(entry)),
                            entry,
                            "project.json",
                            "project.json",
                            [str(i) for i in listed if isinstance(i, str | int)],
                        )
                    )
    found.files["project.json"] = without(data, key)


def add_sequence_file(found: Collected, data: Any, rel: str) -> FileIssue | None:
    """One sequence file (S-A or S-B); a file that is neither is returned as an issue."""
    if not isinstance(data, dict):
        return FileIssue(rel, f"is a JSON {type(data).__name__}, not a sequence")
    seq_id = raw_shot_id(data)  # the same ``id`` key as a shot's
    if isinstance(data.get("shots"), list):
        ids = found.add_shots(data["shots"], rel, "sequence", container=seq_id)
        if seq_id is None:  # the current StoryCore's single bag of every shot
            found.files[rel] = without(data, "shots")
        else:
            found.sequences.append(SequenceDef(seq_id, without(data, "shots"), rel, "S-A", ids))
        return None
    if seq_id is None:
        return FileIssue(rel, "has neither an id nor shots: not a StoryCore sequence file")
    listed = data.get("shot_ids")
    ids = [str(i) for i in listed] if isinstance(listed, list) else []
    found.sequences.append(SequenceDef(seq_id, without(data, "shot_ids"), rel, "S-B", ids))
    return None


def plan_fps(data: dict[str, Any]) -> float | None:
    """The frames per second the project's plan gives, if any."""
    for path in _FPS_PATHS:
        value = get_path(data, path)
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            return float(value)
    return None


def timestamp(value: Any) -> datetime | None:
    """An ISO time, or JavaScript's milliseconds since 1970, as a UTC datetime (None if neither)."""
    try:
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value.strip())
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value / 1000 if value > 1e11 else value, UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return None
