"""The copies of each shot, merged into one: which copies are one shot, which copy wins, what fills its gaps.

A StoryCore shot is often in several files (a sequence file, project.json's stale copy, a lossy
``shots/`` file). Copies of one id are one shot, the best copy winning (a sequence file's copy with
generation data, then project.json's, then the ``shots/`` file), the others filling its gaps and
every difference reported as a ``Conflict``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from ..errors import UnsafePathError
from ..paths import check_shot_id
from ..store import new_shot_id
from .fields import MISSING, MappedShot, has_generation, map_shot, raw_shot_id
from .fields import sequence_refs as refs_of
from .report import Change, Conflict, ImportReport
from .shapes import ShotCopy

#: Which copy of a shot wins, best first: (kind of file, has generation data) -> rank.
_RANKS = {
    ("sequence", True): 4,
    ("project", True): 3,
    ("sequence", False): 2,
    ("project", False): 1,
    ("shots", True): 0,
    ("shots", False): 0,
}


@dataclass
class Merged:
    """One shot after its copies were merged."""

    id: str
    storycore_id: str | None
    used: ShotCopy
    others: list[ShotCopy]
    mapped: MappedShot
    sort_key: float | None
    refs: list[str]


@dataclass
class _Identity:
    """One shot as the copies reveal it: where it lives, our id for it, the files holding a copy."""

    home: str | None
    id: str
    files: set[str]


def _home(c: ShotCopy) -> str | None:
    """The StoryCore sequence a copy puts its shot in: the file holding it, else the one it names."""
    return c.container or next(iter(refs_of(c.raw)), None)


def _ids(copies: list[ShotCopy], report: ImportReport) -> dict[int, str]:
    """Our id for each copy (by index), the copies of one shot sharing it.

    Copies of one StoryCore id are one shot, except two copies in one file, or in the sequence
    files of two different sequences (StoryCore's ids need only be unique in their sequence): those
    are different shots, and all but the first get a new id. A copy in project.json or ``shots/``
    joins the shot of its sequence, else the first. An id that does not fit ours is replaced.
    """
    shots: dict[str, list[_Identity]] = {}
    ids: dict[int, str] = {}
    for c in sorted(copies, key=lambda c: (c.kind != "sequence", c.index)):
        raw_id = raw_shot_id(c.raw)
        if raw_id is None:
            ids[c.index] = new_shot_id()
            report.changes.append(
                Change(ids[c.index], "id", None, ids[c.index], f"no id in {c.file}: a new one")
            )
            continue
        home = _home(c)
        known = shots.setdefault(raw_id, [])
        free = [s for s in known if c.file not in s.files]
        match = next((s for s in free if s.home == home), None)
        if match is None and c.kind != "sequence" and free:
            match = free[0]
        if match is None:
            match = _Identity(home, raw_id, set())
            why = ""
            if not _acceptable(raw_id):
                why = "not an id we accept (letters, digits, _ and -)"
            elif known:
                why = f"another shot ({', '.join(sorted(known[0].files))}) has this id: a new one"
            if why:
                match.id = new_shot_id()
                report.changes.append(Change(match.id, "id", raw_id, match.id, why))
            known.append(match)
        match.files.add(c.file)
        ids[c.index] = match.id
    return ids


def _acceptable(shot_id: str) -> bool:
    try:
        check_shot_id(shot_id)
    except UnsafePathError:
        return False
    return True


def _rank(c: ShotCopy, mapped: MappedShot) -> tuple[int, int, int]:
    return (_RANKS[(c.kind, has_generation(c.raw))], len(mapped.fields), -c.index)


def merge_copies(copies: list[ShotCopy], fps: float, report: ImportReport) -> list[Merged]:
    """One ``Merged`` shot per shot of the copies, its changes and conflicts in ``report``."""
    ids = _ids(copies, report)
    groups: dict[str, list[ShotCopy]] = {}
    for c in copies:
        groups.setdefault(ids[c.index], []).append(c)
    merged = []
    for shot_id, group in groups.items():
        mapped = {c.index: map_shot(c.raw, shot_id=shot_id, fps=fps) for c in group}
        ranked = sorted(group, key=lambda c: _rank(c, mapped[c.index]), reverse=True)
        used, others = ranked[0], ranked[1:]
        best = mapped[used.index]
        report.changes += best.changes
        sort_key = best.sort_key
        for other in others:
            theirs = mapped[other.index]
            for name, value in theirs.fields.items():
                if name not in best.fields:
                    best.fields[name] = value
                    report.changes.append(
                        Change(shot_id, name, None, value, f"not in {used.file}: from {other.file}")
                    )
                elif best.fields[name] != value:
                    report.conflicts.append(
                        Conflict(shot_id, name, used.file, best.fields[name], other.file, value)
                    )
            if sort_key is None:
                sort_key = theirs.sort_key
            where = (shot_id, used.file, other.file)
            _keep_missing(best.extra, theirs.extra, used.raw, where, report)
        refs = [r for c in ranked for r in (c.container, *refs_of(c.raw)) if r is not None]
        merged.append(Merged(shot_id, raw_shot_id(used.raw), used, others, best, sort_key, refs))
    return merged


def _keep_missing(
    target: dict[str, Any],
    other: dict[str, Any],
    reference: dict[str, Any],
    where: tuple[str, str, str],
    report: ImportReport,
    prefix: str = "storycore",
) -> None:
    """Add to ``target`` what only another copy had (``shots/``'s ``audioTracks``…), recursively.

    ``where`` is (shot id, the used copy's file, the other copy's file). A key the used copy had
    (``reference``) and mapped is not added again; a kept value the copies disagree on is a conflict.
    """
    shot_id, used_file, other_file = where
    for key, value in other.items():
        name = f"{prefix}.{key}"
        mine = target.get(key, MISSING)
        if isinstance(value, dict) and isinstance(mine, dict):
            ref = reference.get(key)
            _keep_missing(mine, value, ref if isinstance(ref, dict) else {}, where, report, name)
        elif mine is MISSING:
            if key not in reference:
                target[key] = copy.deepcopy(value)
                report.changes.append(
                    Change(shot_id, name, None, value, f"only in {other_file}: kept")
                )
        elif mine != value:
            report.conflicts.append(Conflict(shot_id, name, used_file, mine, other_file, value))
