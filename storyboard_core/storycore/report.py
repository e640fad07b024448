"""What an import did, for a person (``lines``) and for a script (``to_dict``).

Every value a file held that the import changed (a unit, a spelling, a value out of range, a gap
filled from another copy) is a ``Change``; every difference between two copies of one shot is a
``Conflict``; every file not read is a ``FileIssue``. Nothing is changed silently.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class FileIssue:
    """A file that was not read (broken JSON with its line and column, too big, a symlink out…)."""

    file: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line}, column {self.column})" if self.line is not None else ""
        return f"{self.file}: {self.message}{where}"


@dataclass(frozen=True)
class Change:
    """One value converted, clamped, defaulted or filled in; ``where`` is a shot id, ``project``…"""

    where: str
    field: str
    before: Any
    after: Any
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field} {_short(self.before)} → {_short(self.after)} ({self.reason})"


@dataclass(frozen=True)
class Conflict:
    """Two copies of one shot disagree on a field; ``used_file``'s value was imported."""

    shot: str
    field: str
    used_file: str
    used_value: Any
    other_file: str
    other_value: Any

    def __str__(self) -> str:
        return (
            f"{self.shot}: {self.field} is {_short(self.used_value)} in {self.used_file} (used) "
            f"but {_short(self.other_value)} in {self.other_file}"
        )


@dataclass(frozen=True)
class ShotSource:
    """Where one imported shot came from: the copy used and the other copies seen."""

    shot: str
    title: str
    sequence: str | None
    file: str
    other_files: tuple[str, ...] = ()
    storycore_id: str | None = None


@dataclass(frozen=True)
class SequenceCount:
    """One imported sequence: our id, its name, its shots, and the StoryCore id and files it came from."""

    id: str
    name: str
    shots: int
    storycore_id: str
    files: tuple[str, ...]


@dataclass
class ImportReport:
    """The whole account of one import: what was created, from which files, and every change made."""

    source: str
    project_id: str = ""
    project_name: str = ""
    shape: str = ""
    sequences: list[SequenceCount] = field(default_factory=list)
    loose_shots: int = 0
    shots: list[ShotSource] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    unreadable: list[FileIssue] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def shot_count(self) -> int:
        """How many shots were imported, in sequences and loose."""
        return len(self.shots)

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON data (``storyboard import-storycore --json``)."""
        data = asdict(self)
        data["shot_count"] = self.shot_count
        return data

    def lines(self) -> list[str]:
        """The report as lines of text, most important first."""
        out = [
            f"imported {self.source} ({self.shape}) as project {self.project_id!r} "
            f"({self.project_name}): {self.shot_count} shots in {len(self.sequences)} sequences, "
            f"{self.loose_shots} loose"
        ]
        out += [f"note: {n}" for n in self.notes]
        out += [f"not read: {issue}" for issue in self.unreadable]
        out += [f"dropped: {d}" for d in self.dropped]
        out += [
            f"sequence {s.id} {s.name}: {s.shots} shots (StoryCore {s.storycore_id}, "
            f"{', '.join(s.files)})"
            for s in self.sequences
        ]
        out += [
            f"shot {s.shot} {s.title}: {s.sequence or 'loose'}, from {s.file}"
            + (f" (also in {', '.join(s.other_files)})" if s.other_files else "")
            for s in self.shots
        ]
        out += [f"changed: {c}" for c in self.changes]
        out += [f"conflict: {c}" for c in self.conflicts]
        if not self.dropped:
            out.append("dropped: nothing")
        return out


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "…"
