"""Earlier versions of a project's files: listing them and making one current again.

Every write keeps the version it replaces in the project's ``.history/`` (see ``files.FileArea``);
``history.py`` says in words what each version changed.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pydantic import TypeAdapter

from ..errors import BrokenFileError, ChangedMeanwhileError, NotFoundError, UnsafePathError
from ..files import FileArea, dumps, read_bytes
from ..models import Project, Sequence, later_than, to_json_dict
from ..paths import PROJECT_FILE, inside
from .parsing import parse_model

_VERSIONED_FILE = re.compile(r"^(project\.json|sequences/sequence_[0-9]{3,6}\.json)$")
_STAMP = TypeAdapter(datetime)


@dataclass(frozen=True)
class Version:
    """An earlier version of a project file kept in ``.history/``."""

    id: str
    file: str
    saved_at: datetime
    size: int


def check_versioned(file: str) -> str:
    """``file`` if it is ``project.json`` or a sequence file, else ``UnsafePathError``."""
    if "\x00" in file or not _VERSIONED_FILE.match(file):
        raise UnsafePathError(f"{file!r} is not project.json or a sequence file")
    return file


def list_versions(area: FileArea, file: str) -> list[Version]:
    """Earlier versions of ``file`` in the project ``area``, newest first."""
    versions = []
    for path in area.versions(check_versioned(file)):
        st = path.stat()
        versions.append(
            Version(path.stem, file, datetime.fromtimestamp(st.st_mtime, UTC), st.st_size)
        )
    return versions


def restore_version(
    area: FileArea,
    workspace: Path,
    file: str,
    version_id: str,
    *,
    expected_updated_at: datetime | str | None = None,
    expected_revision: int | None = None,
) -> Project | Sequence:
    """Make version ``version_id`` of ``file`` in the project ``area`` current again: see ``Store``."""
    source = area.history_dir(check_versioned(file)) / f"{version_id}.json"
    if "/" in version_id or "\x00" in version_id or not source.is_file():
        raise NotFoundError(f"no version {version_id!r} of {file}")
    raw = read_bytes(inside(workspace, source))

    def parse(raw: bytes, path: Path) -> Project | Sequence:
        if file == PROJECT_FILE:
            return parse_model(Project, raw, path)
        return parse_model(Sequence, raw, path)

    restored = parse(raw, source)
    path = area.root / file
    with area.locked(file):
        current: Project | Sequence | None = None
        if path.exists():
            with contextlib.suppress(BrokenFileError):
                current = parse(read_bytes(path), path)
        _check_unchanged(file, current, expected_updated_at, expected_revision)
        if current is not None:
            restored.updated_at = later_than(current.updated_at)
            if isinstance(restored, Sequence) and isinstance(current, Sequence):
                restored.revision = current.revision + 1
            # A shot the restore changes gets a new stamp, so open editors see a conflict.
            theirs = {s.id: s for s in current.shots}
            for shot in restored.shots:
                other = theirs.get(shot.id)
                if other is not None and other != shot:
                    shot.updated_at = later_than(other.updated_at)
        area.replace(file, dumps(to_json_dict(restored)))
    return restored


def _check_unchanged(
    file: str,
    current: Project | Sequence | None,
    expected_updated_at: datetime | str | None,
    expected_revision: int | None,
) -> None:
    """Refuse (``ChangedMeanwhileError``) when ``file`` is not the version the caller looked at."""
    if expected_updated_at is None and expected_revision is None:
        return
    revision = current.revision if isinstance(current, Sequence) else None
    stamp = current.updated_at if current is not None else None
    seen = _STAMP.validate_python(expected_updated_at) if expected_updated_at is not None else None
    if (expected_revision is None or expected_revision == revision) and (
        seen is None or seen == stamp
    ):
        return
    raise ChangedMeanwhileError(
        file, seen=_describe(expected_revision, seen), current=_describe(revision, stamp)
    )


def _describe(revision: int | None, stamp: datetime | None) -> str:
    parts = [f"revision {revision}"] if revision is not None else []
    parts += [f"saved {stamp:%Y-%m-%d %H:%M:%S} UTC"] if stamp is not None else []
    return ", ".join(parts) or "unreadable"
