"""What each kept version of a file changed, in words a person reads: the undo list.

The store keeps the last 50 versions of every file in ``.history/``. ``file_history`` lists the current
version and those, newest first, each with what its save changed compared with the version before it:
which shots were added, removed or moved, and which fields of which shots went from what to what.
``restore_shot_version`` brings one shot's edited fields back from a version.

Versions never change once kept, so the comparison of two of them is computed once per process
(cached by their files' identity); only the current file is compared again after it changes.

>>> history = file_history(store, "l-orage", "001")                # doctest: +SKIP
>>> for entry in history.entries:                                  # doctest: +SKIP
...     print(entry.saved_at, "; ".join(str(c) for c in entry.changes))
"""

from __future__ import annotations

import difflib
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from .errors import BrokenFileError, ChangedMeanwhileError, ConflictError, NotFoundError
from .files import FileArea, read_bytes
from .models import READ_ONLY_SHOT_FIELDS, Project, Sequence, Shot, to_json_dict
from .paths import PROJECT_FILE, check_shot_id, sequence_file
from .store import Store, Version, parse_model

#: Fields a shot's position in the list already tells, or that every save changes.
_NOT_COMPARED = frozenset({"position", "updated_at"})
#: A file's own fields that every save restamps.
_FILE_STAMPS = frozenset({"shots", "updated_at", "revision", "duration"})
#: What a shot restore leaves as it is now: its frames and takes, and the review record.
KEPT_ON_SHOT_RESTORE = frozenset({"render", "comments"})
_SHOWN_CHARS = 60

ChangeKind = Literal["added", "removed", "moved", "changed", "file"]


@dataclass(frozen=True)
class Change:
    """One difference between two versions of a file: a shot added, removed, moved or edited.

    ``kind`` ``"file"`` is a change of the file's own fields (a sequence's name, description, order).
    ``old`` and ``new`` are JSON values; ``position`` is the shot's place (the old one for a removed
    shot).
    """

    kind: ChangeKind
    shot_id: str = ""
    shot_title: str = ""
    position: int = 0
    field: str = ""
    old: Any = None
    new: Any = None

    def __str__(self) -> str:
        shot = f"shot #{self.position} “{self.shot_title or self.shot_id}”"
        if self.kind == "added":
            return f"added {shot}"
        if self.kind == "removed":
            return f"removed {shot}"
        if self.kind == "moved":
            return f"moved shot “{self.shot_title or self.shot_id}” from #{self.old} to #{self.new}"
        change = f"{self.field} {_shown(self.old)} → {_shown(self.new)}"
        return change if self.kind == "file" else f"{shot}: {change}"


def summarize(changes: tuple[Change, ...] | list[Change]) -> list[str]:
    """The changes as readable lines, one per shot: ``shot #2 “Quay”: prompt “a” → “b”, steps 20 → 30``."""
    lines: list[str] = []
    last_shot = None
    for change in changes:
        if change.kind == "changed" and change.shot_id == last_shot:
            lines[-1] += f", {change.field} {_shown(change.old)} → {_shown(change.new)}"
            continue
        lines.append(str(change))
        last_shot = change.shot_id if change.kind == "changed" else None
    return lines


def _shown(value: Any) -> str:
    """A value as a summary shows it: text quoted and shortened, a frame by its image."""
    if value is None:
        return "(none)"
    if isinstance(value, str):
        text = " ".join(value.split())
        text = text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"
        return f"“{text}”"
    if isinstance(value, dict):
        return f"frame {value['image']}" if "image" in value else "{…}"
    if isinstance(value, list):
        return f"{len(value)} item(s)"
    return json.dumps(value)


def _leaves(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested settings as dotted fields (``generation.steps``); a frame stays one value."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = prefix + key
        if isinstance(value, dict) and key != "render":
            flat.update(_leaves(value, name + "."))
        else:
            flat[name] = value
    return flat


def _shot_changes(old: Shot, new: Shot) -> list[Change]:
    before = _leaves(to_json_dict(old))
    after = _leaves(to_json_dict(new))
    return [
        Change("changed", new.id, new.title, new.position, name, before.get(name), after.get(name))
        for name in [*before, *(k for k in after if k not in before)]
        if name not in _NOT_COMPARED and before.get(name) != after.get(name)
    ]


def diff_versions(old: Project | Sequence, new: Project | Sequence) -> list[Change]:
    """What changed from ``old`` to ``new``: the file's fields, then shots added, removed, moved, edited."""
    changes: list[Change] = []
    before = {k: v for k, v in to_json_dict(old).items() if k not in _FILE_STAMPS}
    after = {k: v for k, v in to_json_dict(new).items() if k not in _FILE_STAMPS}
    for name in [*before, *(k for k in after if k not in before)]:
        if before.get(name) != after.get(name):
            changes.append(Change("file", field=name, old=before.get(name), new=after.get(name)))
    old_shots = {s.id: s for s in old.shots}
    new_shots = {s.id: s for s in new.shots}
    changes += [
        Change("added", s.id, s.title, s.position) for s in new.shots if s.id not in old_shots
    ]
    changes += [
        Change("removed", s.id, s.title, s.position) for s in old.shots if s.id not in new_shots
    ]
    # Moved: the shots that leave the longest run of kept order (not every shot whose number
    # shifted because another was added, removed or moved).
    kept_old = [s.id for s in old.shots if s.id in new_shots]
    kept_new = [s.id for s in new.shots if s.id in old_shots]
    matcher = difflib.SequenceMatcher(None, kept_old, kept_new, autojunk=False)
    in_order = {kept_new[b.b + i] for b in matcher.get_matching_blocks() for i in range(b.size)}
    for shot_id in kept_new:
        if shot_id not in in_order:
            o, n = old_shots[shot_id], new_shots[shot_id]
            changes.append(
                Change("moved", shot_id, n.title, n.position, "position", o.position, n.position)
            )
    for shot in new.shots:
        if shot.id in old_shots:
            changes += _shot_changes(old_shots[shot.id], shot)
    return changes


# --------------------------------------------------------------------------- history of a file
@dataclass(frozen=True)
class HistoryEntry:
    """One version of a file: when it was saved and what that save changed.

    ``version`` is ``None`` for the current file. ``changes`` compare it with the version kept
    before it; the oldest kept version has none to compare with (``oldest``). ``error`` says why a
    version cannot be read (it cannot be restored then). ``shot_ids`` are the shots it holds.
    """

    version: Version | None
    saved_at: datetime
    revision: int | None
    changes: tuple[Change, ...]
    shot_ids: frozenset[str]
    oldest: bool = False
    error: str = ""

    def summary(self) -> str:
        """What this save changed, on one line."""
        if self.error:
            return f"cannot be read: {self.error}"
        if self.changes:
            return "; ".join(summarize(self.changes))
        return "the oldest version kept" if self.oldest else "no change to the shots"


@dataclass(frozen=True)
class FileHistory:
    """A file's versions, the current one first, then the kept ones newest first.

    ``updated_at`` and ``revision`` are the current file's: pass them back to a restore, which is
    refused if the file changed since (``Store.restore_version``, ``restore_shot_version``).
    """

    project: str
    file: str
    updated_at: datetime
    revision: int | None
    entries: tuple[HistoryEntry, ...]

    def for_shot(self, shot_id: str) -> tuple[HistoryEntry, ...]:
        """The entries that changed one shot, each with only that shot's changes (and the oldest
        kept version holding it, to go back to)."""
        found = []
        for entry in self.entries:
            mine = tuple(c for c in entry.changes if c.shot_id == shot_id)
            if mine or (entry.oldest and shot_id in entry.shot_ids):
                found.append(
                    HistoryEntry(
                        entry.version,
                        entry.saved_at,
                        entry.revision,
                        mine,
                        entry.shot_ids,
                        entry.oldest,
                        entry.error,
                    )
                )
        return tuple(found)


def history_file(seq_id: str | None) -> str:
    """The file holding a sequence's shots (``project.json`` for the loose shots, ``seq_id=None``)."""
    return PROJECT_FILE if seq_id is None else sequence_file(seq_id)


@dataclass(frozen=True)
class _FileKey:
    """A file's content by its identity: a kept version is a hard link to what was the current
    file, so it keeps the key it had then (the path, needed to read it, is not part of the key)."""

    device: int
    inode: int
    size: int
    mtime_ns: int
    path: Path = field(compare=False)


def _key(path: Path) -> _FileKey:
    st = os.stat(path)
    return _FileKey(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, path)


@lru_cache(maxsize=64)  # one file's whole history at a time; a version is never rewritten
def _parsed(key: _FileKey) -> Project | Sequence | BrokenFileError:
    path = key.path
    # A kept version is named by its folder: .history/project.json/<stamp>.json
    is_project = PROJECT_FILE in (path.name, path.parent.name)
    try:
        raw = read_bytes(path)
        return parse_model(Project, raw, path) if is_project else parse_model(Sequence, raw, path)
    except (BrokenFileError, NotFoundError) as exc:
        return exc if isinstance(exc, BrokenFileError) else BrokenFileError(path, str(exc))


@lru_cache(maxsize=4096)
def _changes(old: _FileKey, new: _FileKey) -> tuple[Change, ...]:
    before, after = _parsed(old), _parsed(new)
    if isinstance(before, BrokenFileError) or isinstance(after, BrokenFileError):
        return ()
    return tuple(diff_versions(before, after))


def file_history(store: Store, project: str, seq_id: str | None) -> FileHistory:
    """The current version and the kept versions of a sequence's file, with what each save changed."""
    file = history_file(seq_id)
    area = FileArea(store.project_dir(project))
    current_path = area.root / file if seq_id is None else store.sequence_path(project, seq_id)
    versions = store.list_versions(project, file)
    keys = [_key(current_path)] + [_key(area.history_dir(file) / f"{v.id}.json") for v in versions]
    current = _parsed(keys[0])
    if isinstance(current, BrokenFileError):
        raise current
    entries = []
    for i, key in enumerate(keys):
        loaded = _parsed(key)
        oldest = i == len(keys) - 1
        version = versions[i - 1] if i else None
        saved_at = version.saved_at if version else datetime.fromtimestamp(key.mtime_ns / 1e9, UTC)
        if isinstance(loaded, BrokenFileError):
            entries.append(
                HistoryEntry(version, saved_at, None, (), frozenset(), oldest, str(loaded))
            )
            continue
        entries.append(
            HistoryEntry(
                version,
                saved_at,
                loaded.revision if isinstance(loaded, Sequence) else None,
                () if oldest else _changes(keys[i + 1], key),
                frozenset(s.id for s in loaded.shots),
                oldest,
            )
        )
    return FileHistory(
        project,
        file,
        current.updated_at,
        current.revision if isinstance(current, Sequence) else None,
        tuple(entries),
    )


def restore_shot_version(
    store: Store,
    project: str,
    seq_id: str | None,
    shot_id: str,
    version_id: str,
    *,
    expected_updated_at: datetime | str | None,
) -> Shot:
    """Bring back one shot's edited fields as they were in a kept version (itself an undoable save).

    Its frames, takes and comments stay as they are now (``KEPT_ON_SHOT_RESTORE``), and so does its
    place in the sequence. ``expected_updated_at`` is the shot's stamp the caller looked at: if the
    shot changed since, ``ChangedMeanwhileError`` and nothing is written (``None``: no check).
    """
    file = history_file(seq_id)
    area = FileArea(store.project_dir(project))
    path = area.history_dir(file) / f"{version_id}.json"
    if "/" in version_id or "\x00" in version_id or not path.is_file():
        raise NotFoundError(f"no version {version_id!r} of {file}")
    loaded = _parsed(_key(path))
    if isinstance(loaded, BrokenFileError):
        raise loaded
    old = next((s for s in loaded.shots if s.id == check_shot_id(shot_id)), None)
    if old is None:
        raise NotFoundError(f"shot {shot_id} is not in the version {version_id} of {file}")
    skip = READ_ONLY_SHOT_FIELDS | KEPT_ON_SHOT_RESTORE
    patch = {k: v for k, v in to_json_dict(old).items() if k not in skip}
    try:
        return store.update_shot(
            project, seq_id, shot_id, patch, base_updated_at=expected_updated_at
        )
    except ConflictError as exc:
        raise ChangedMeanwhileError(
            f"shot {shot_id} of {file}",
            seen=f"saved {expected_updated_at}",
            current=f"saved {exc.theirs.get('updated_at')}",
        ) from exc
