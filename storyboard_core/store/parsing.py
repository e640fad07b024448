"""Reading a project or sequence file into its model, and naming new shots."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from ..errors import BrokenFileError
from ..files import parse_json
from ..models import Project, Sequence
from ..paths import sequence_id_of
from ..validation import problems_from

Container = TypeVar("Container", Project, Sequence)


def new_shot_id() -> str:
    """A fresh shot id: ``shot-`` and 48 random bits, unique in practice without reading the project."""
    return f"shot-{secrets.token_hex(6)}"


def parse_model(model: type[Container], raw: bytes, path: Path) -> Container:
    """Parse a project or sequence file, raising ``BrokenFileError`` that names the file and the reason."""
    try:
        return model.model_validate_json(raw)
    except ValidationError:
        pass  # Slow path, only for broken files: find the JSON position or the bad fields.
    data = parse_json(raw, path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = problems_from(exc, model)
        raise BrokenFileError(path, "; ".join(str(p) for p in problems[:5])) from exc


def parse_sequence(path: Path, raw: bytes) -> Sequence:
    """Parse a sequence file whose id must match its file name (``BrokenFileError`` otherwise)."""
    seq = parse_model(Sequence, raw, path)
    expected = sequence_id_of(path.name)
    if seq.id != expected:
        raise BrokenFileError(
            path, f"id {seq.id!r} does not match the file name (expected {expected!r})"
        )
    return seq
