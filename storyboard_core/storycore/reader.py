"""Finding and safely reading the files of a StoryCore project folder (which is never written).

A file is refused, with a ``FileIssue`` naming it, when it is a symlink leading out of the folder,
is larger than ``MAX_FILE_BYTES``, cannot be read, is not UTF-8 or is not valid JSON (with its line
and column). The caller decides whether a refused file stops the import (``project.json``) or is
only reported (a sequence or shot file).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from ..errors import BrokenFileError, ImportRefusedError, NotFoundError, UnsafePathError
from ..files import parse_json
from ..paths import inside
from .report import FileIssue

#: The largest file read. StoryCore's biggest files (project.json with every shot copied in) stay
#: far below; anything larger is not one of its files and would only cost memory.
MAX_FILE_BYTES = 20_000_000

_NUMBER = re.compile(r"(\d+)")


class _Refused(Exception):
    def __init__(self, issue: FileIssue) -> None:
        super().__init__(str(issue))
        self.issue = issue


def _natural(name: str) -> list[Any]:
    """``sequence_2`` before ``sequence_10``: digit runs compare as numbers."""
    return [int(part) if part.isdigit() else part for part in _NUMBER.split(name)]


class SourceFolder:
    """A StoryCore project folder, read only; ``issues`` collects every file that was refused."""

    def __init__(self, folder: Path | str) -> None:
        self.root = Path(folder).expanduser()
        if self.root.name == "project.json" and self.root.is_file():
            self.root = self.root.parent  # the project's main file names its folder well enough
        if not self.root.is_dir():
            raise NotFoundError(f"{self.root} is not a folder")
        self.issues: list[FileIssue] = []

    def exists(self, rel: str) -> bool:
        """Whether ``rel`` names something in the folder (a broken symlink counts)."""
        return os.path.lexists(self.root / rel)

    def _load(self, rel: str) -> Any:
        path = self.root / rel
        try:
            inside(self.root, path, what="the StoryCore folder")
        except UnsafePathError as exc:
            raise _Refused(
                FileIssue(rel, f"is a symlink pointing outside the folder; {exc}")
            ) from exc
        if not path.is_file():  # a folder, a FIFO (which would block a read) or a broken symlink
            raise _Refused(FileIssue(rel, "is not a file"))
        try:
            with path.open("rb") as f:
                size = os.fstat(f.fileno()).st_size
                # Read one byte past the limit: a file growing while it is read is refused too.
                raw = f.read(MAX_FILE_BYTES + 1) if size <= MAX_FILE_BYTES else b""
        except OSError as exc:
            raise _Refused(FileIssue(rel, f"cannot be read: {exc.strerror or exc}")) from exc
        if size > MAX_FILE_BYTES or len(raw) > MAX_FILE_BYTES:
            raise _Refused(
                FileIssue(
                    rel,
                    f"is {max(size, len(raw)) / 1e6:.1f} MB, more than the "
                    f"{MAX_FILE_BYTES / 1e6:.0f} MB a StoryCore file may have; not read",
                )
            )
        try:
            return parse_json(raw, path)
        except BrokenFileError as exc:
            raise _Refused(FileIssue(rel, exc.reason, exc.line, exc.column)) from exc

    def read(self, rel: str) -> Any | None:
        """The parsed JSON of ``rel``, or ``None`` with a ``FileIssue`` in ``issues``."""
        try:
            return self._load(rel)
        except _Refused as refused:
            self.issues.append(refused.issue)
            return None

    def read_required(self, rel: str) -> Any:
        """The parsed JSON of ``rel``; a refused file stops the import (``ImportRefusedError``)."""
        try:
            return self._load(rel)
        except _Refused as refused:
            raise ImportRefusedError(
                f"cannot import {self.root}: {refused.issue}; nothing was imported"
            ) from refused

    def json_files(self, sub: str) -> list[str]:
        """The ``*.json`` files of a sub-folder, in natural order (``_2`` before ``_10``)."""
        folder = self.root / sub
        if not folder.is_dir():
            return []
        try:
            inside(self.root, folder, what="the StoryCore folder")
        except UnsafePathError as exc:
            self.issues.append(FileIssue(sub, f"is a symlink pointing outside the folder; {exc}"))
            return []
        try:
            names = os.listdir(folder)
        except OSError as exc:
            self.issues.append(FileIssue(sub, f"cannot be listed: {exc.strerror or exc}"))
            return []
        chosen = [n for n in names if n.endswith(".json")]
        return [f"{sub}/{n}" for n in sorted(chosen, key=_natural)]
