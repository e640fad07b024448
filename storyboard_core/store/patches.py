"""Applying a patch to a shot and writing back only what changed: the store's edit arithmetic."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson

from ..errors import ConflictError, FieldProblem, InvalidDataError, NotFoundError
from ..models import READ_ONLY_SHOT_FIELDS, Generation, Project, Sequence, Shot, to_json_dict
from ..types import Patch
from ..validation import validate


def deep_merge(base: dict[str, Any], patch: Patch) -> dict[str, Any]:
    """``base`` with ``patch`` applied: a mapping merges into the mapping it meets, the rest replaces."""
    merged = dict(base)
    for key, value in patch.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def check_patch(
    patch: Patch, current: dict[str, Any], *, allowed: frozenset[str] = frozenset()
) -> None:
    """``InvalidDataError`` naming each read-only or unknown field of a shot ``patch``.

    A field the shot already has (``current``) is known even if the model does not name it; the
    read-only fields in ``allowed`` may be patched.
    """
    problems = [
        FieldProblem(key, "cannot be changed by an edit")
        for key in patch
        if key in READ_ONLY_SHOT_FIELDS - allowed
    ]
    problems += [
        FieldProblem(key, "is not a shot field")
        for key in patch
        if key not in Shot.model_fields and key not in current
    ]
    gen = patch.get("generation")
    if isinstance(gen, Mapping):
        known = set(Generation.model_fields)
        problems += [
            FieldProblem(f"generation.{key}", "is not a generation setting")
            for key in gen
            if key not in known and key not in current.get("generation", {})
        ]
    if problems:
        raise InvalidDataError(problems)


def patched_shot(
    shot: Shot,
    patch: Patch,
    stamp: datetime,
    base: datetime | str | None,
    *,
    deep: bool = True,
    allowed: frozenset[str] = frozenset(),
) -> Shot:
    """``shot`` with ``patch`` applied and stamped ``stamp``, validated (``InvalidDataError``).

    ``deep`` merges a mapping into the field's mapping (``{"generation": {"steps": 30}}``); without
    it each patched field is replaced whole. ``base`` is the ``updated_at`` the caller's edit
    started from: if the shot changed since, ``ConflictError`` holds both versions.
    """
    current = to_json_dict(shot)
    check_patch(patch, current, allowed=allowed)
    merged = deep_merge(current, patch) if deep else {**current, **patch}
    if base is not None:
        base_dt = validate(Shot, {**current, "updated_at": base}).updated_at
        if base_dt != shot.updated_at:
            raise ConflictError(shot.id, mine=merged, theirs=current)
    merged["updated_at"] = stamp
    return validate(Shot, merged)


def renumber(shots: list[Shot]) -> None:
    """Set each shot's ``position`` to its place in the list (1, 2, 3, …)."""
    for i, shot in enumerate(shots, start=1):
        shot.position = i


def index_of(shots: list[Shot], shot_id: str, where: str) -> int:
    """The place of shot ``shot_id`` in ``shots`` (``NotFoundError`` naming ``where`` if absent)."""
    for i, shot in enumerate(shots):
        if shot.id == shot_id:
            return i
    raise NotFoundError(f"no shot {shot_id} in {where}")


def patched_file(raw: bytes, container: Project | Sequence, changed: list[Shot]) -> Any:
    """The file as read, with ``changed`` shots and the container's stamps replaced.

    Only used after ``raw`` validated as ``container``: every other byte of meaning (unknown keys,
    the other shots) is kept as it was read.
    """
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:  # what orjson refuses (integers beyond 64 bits) json reads
        data = json.loads(raw)
    # The shots are in file order (validation keeps it, an update does not reorder): replace by place,
    # which stays right even for a file with duplicate ids.
    for i, shot in enumerate(container.shots):
        if any(shot is c for c in changed):
            data["shots"][i] = to_json_dict(shot)
    stamps = container.model_dump(mode="json", include={"updated_at", "revision", "duration"})
    data.update(stamps)
    return data
