"""The store: every read and write of projects, sequences and shots in a workspace.

A workspace is a folder of projects; a project is a folder with ``project.json`` (metadata and loose
shots) and one ``sequences/sequence_NNN.json`` per sequence. A shot is addressed by its project, its
sequence id (``None`` for a loose shot in ``project.json``) and its own id, so an update opens exactly one
file. ``Store`` adds the writes to the reads of ``StoreView``. Every write goes through ``FileArea``:
locked, re-read, validated, atomic, with history.

>>> store = Store(tmp_path)                                        # doctest: +SKIP
>>> project = store.create_project("L'Orage", format_id="court-metrage", shots_per_sequence=4)
>>> seq = store.read_sequence(project.id, "001")
>>> store.update_shot(project.id, "001", seq.shots[0].id, {"prompt": "storm over the bay"})
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from ..errors import FieldProblem, InvalidDataError, NotFoundError
from ..files import FileArea, dumps, read_bytes, refused_as_write_error
from ..formats import MAX_SEQUENCES, split_duration
from ..models import UNSTAMPED_SHOT_FIELDS, Project, Sequence, Shot, later_than, now, to_json_dict
from ..paths import PROJECT_FILE, SEQUENCES_DIR, check_shot_id, sequence_file, slugify
from ..summaries import ShotCounts
from ..types import Patch
from ..validation import validate
from . import checks, versions
from .checks import Finding
from .creation import new_project, write_new_project
from .parsing import new_shot_id, parse_model, parse_sequence
from .patches import check_patch, deep_merge, index_of, patched_file, patched_shot, renumber
from .versions import Version
from .view import StoreView, container_file


class ShotChanger(Protocol):
    """What may change a shot under its file's lock: a ``Store``, or a reviewer's ``GuardedStore``."""

    def change_shot(
        self, project: str, seq_id: str | None, shot_id: str, change: Callable[[Shot], Patch]
    ) -> Shot:
        """See ``Store.change_shot``."""


class Store(StoreView):
    """All operations on the projects of one workspace folder. Safe to share between threads."""

    # -------------------------------------------------------------- projects
    def create_project(
        self,
        name: str,
        *,
        format_id: str = "court-metrage",
        shots_per_sequence: int = 1,
        sequences: int | None = None,
        seconds_per_sequence: float | None = None,
        description: str = "",
    ) -> Project:
        """Create a project from a format, its folder named by a unique slug of ``name``.

        The project is built in a hidden temporary folder and renamed into place, so a crash never
        leaves half a project, and two processes creating the same name get two folders.
        """
        meta, built = new_project(
            name,
            format_id=format_id,
            shots_per_sequence=shots_per_sequence,
            sequences=sequences,
            seconds_per_sequence=seconds_per_sequence,
            description=description,
        )
        return self.add_project(meta, built)

    def add_project(self, meta: Project, sequences: list[Sequence]) -> Project:
        """Write a whole project built in memory, in a folder named by a unique slug of its name.

        ``meta.id`` is replaced by the slug claimed (the name's slug, else ``slug-2``, ``slug-3``…);
        each sequence's ``duration`` is re-added from its shots. The project is built in a hidden
        temporary folder of the workspace and renamed into place, so a crash or an error never
        leaves half a project, and two processes creating the same name get two folders.
        """
        base = slugify(meta.name)
        # A full or read-only disk: said plainly, and the unfinished folder is removed.
        with refused_as_write_error(self.root / base):
            return write_new_project(self.root, meta, sequences, base)

    def update_project(self, project: str, patch: Patch) -> Project:
        """Change a project's ``name`` or ``description``."""
        bad = [
            FieldProblem(k, "cannot be changed here")
            for k in patch
            if k not in {"name", "description"}
        ]
        if bad:
            raise InvalidDataError(bad)

        def change(meta: Project) -> Project:
            return validate(Project, deep_merge(to_json_dict(meta), patch), where=PROJECT_FILE)

        return self._edit(project, None, change)  # type: ignore[no-any-return]

    # ------------------------------------------------------------- sequences
    def add_sequence(
        self,
        project: str,
        name: str,
        *,
        description: str = "",
        shots: int = 0,
        seconds: float = 60.0,
    ) -> Sequence:
        """Append a new sequence (the next free number) with ``shots`` empty shots sharing ``seconds``."""
        area = self._area(project)
        with area.locked(SEQUENCES_DIR):  # one process at a time picks a new number
            ids = self._sequence_ids_in(area.root)
            if len(ids) >= MAX_SEQUENCES:
                raise InvalidDataError(
                    [FieldProblem("sequences", f"at most {MAX_SEQUENCES} per project")]
                )
            seq_id = f"{int(ids[-1]) + 1 if ids else 1:03d}"
            orders = [s.order for s in self._sequence_summaries_in(area.root) if not s.error]
            durations = (
                split_duration(seconds, shots, total_field="seconds", parts_field="shots")
                if shots
                else []
            )
            seq = validate(
                Sequence,
                {
                    "id": seq_id,
                    "name": name,
                    "order": max(orders, default=0) + 1,
                    "description": description,
                },
                where="new sequence",
            )
            seq.shots = [
                Shot(id=new_shot_id(), title=f"Shot {i}", position=i, duration=d)
                for i, d in enumerate(durations, start=1)
            ]
            seq.duration = ShotCounts.of(seq.shots).duration
            rel = sequence_file(seq_id)
            with area.locked(rel):
                area.replace(rel, dumps(to_json_dict(seq)))
        return seq

    def rename_sequence(
        self, project: str, seq_id: str, name: str, *, description: str | None = None
    ) -> Sequence:
        """Give a sequence a new name (and optionally a new description)."""
        patch: dict[str, Any] = {"name": name}
        if description is not None:
            patch["description"] = description

        def change(seq: Sequence) -> Sequence:
            return validate(
                Sequence, deep_merge(to_json_dict(seq), patch), where=sequence_file(seq_id)
            )

        return self._edit(project, seq_id, change)  # type: ignore[no-any-return]

    def delete_sequence(self, project: str, seq_id: str) -> None:
        """Delete a sequence file (its last version stays in history) and close the gap in the order."""
        area = self._area(project)
        self._sequence_path_in(area.root, project, seq_id)
        with area.locked(SEQUENCES_DIR):
            rel = sequence_file(seq_id)
            with area.locked(rel):
                area.remove(rel)
            remaining = [s.id for s in self._sequence_summaries_in(area.root) if not s.error]
            self._write_order(project, area.root, remaining)

    def reorder_sequences(self, project: str, ordered_ids: list[str]) -> None:
        """Set the order of the sequences to ``ordered_ids`` (every readable sequence, once)."""
        area = self._area(project)
        with area.locked(SEQUENCES_DIR):
            current = {s.id for s in self._sequence_summaries_in(area.root) if not s.error}
            if sorted(ordered_ids) != sorted(current):
                raise InvalidDataError(
                    [FieldProblem("order", "must list every sequence of the project exactly once")]
                )
            self._write_order(project, area.root, ordered_ids)

    def _write_order(self, project: str, folder: Path, ordered_ids: list[str]) -> None:
        for n, seq_id in enumerate(ordered_ids, start=1):
            summary = self.caches.sequence_summaries.get(
                self._sequence_path_in(folder, project, seq_id), self._summarize_sequence
            )
            if summary.order != n:
                self._edit(project, seq_id, lambda seq, n=n: setattr(seq, "order", n))  # type: ignore[misc]

    # ----------------------------------------------------------- file writes
    def _area(self, project: str) -> FileArea:
        return FileArea(self.project_dir(project))

    @contextlib.contextmanager
    def _locked_container(
        self, project: str, seq_id: str | None
    ) -> Iterator[tuple[Project | Sequence, Callable[..., None]]]:
        """Lock a shot container's file, yield it freshly read and a ``save`` to write it back.

        ``save()`` writes the (changed) container; ``save(other)`` writes a replacement for it. Either
        stamps ``updated_at`` and, for a sequence, bumps ``revision`` and re-adds ``duration``.
        ``save(changed=[…])`` says only those shots changed: the rest of the file is written back as
        it was read, which skips re-serialising every other shot (the bulk of a save's CPU time).
        """
        area = self._area(project)
        if seq_id is None:
            rel, path = PROJECT_FILE, area.root / PROJECT_FILE
        else:
            rel, path = sequence_file(seq_id), self._sequence_path_in(area.root, project, seq_id)
        with area.locked(rel):
            raw = read_bytes(path)
            container: Project | Sequence = (
                parse_model(Project, raw, path) if seq_id is None else parse_sequence(path, raw)
            )
            previous = container.updated_at
            revision = container.revision if isinstance(container, Sequence) else 0

            def save(
                target: Project | Sequence | None = None, *, changed: list[Shot] | None = None
            ) -> None:
                target = container if target is None else target
                target.updated_at = later_than(previous)
                if isinstance(target, Sequence):
                    target.revision = revision + 1
                    target.duration = ShotCounts.of(target.shots).duration
                if changed is None or target is not container:
                    area.replace(rel, dumps(to_json_dict(target)))
                else:
                    area.replace(rel, dumps(patched_file(raw, target, changed)))

            yield container, save

    def edit_container(
        self, project: str, seq_id: str | None, change: Callable[[Any], bool]
    ) -> Project | Sequence:
        """Change ``project.json`` (``seq_id=None``) or a sequence file in one locked write.

        ``change`` receives the container freshly read under the file's lock and changes it in
        place; it returns False to write nothing (nothing to change) and may raise to abort. The
        result is validated again (``InvalidDataError`` naming the field; nothing is written then).
        Returns the container as saved (or as read, when nothing changed).
        """
        where = PROJECT_FILE if seq_id is None else sequence_file(seq_id)
        with self._locked_container(project, seq_id) as (container, save):
            if not change(container):
                return container
            target = validate(type(container), to_json_dict(container), where=where)
            save(target)
            return target

    def _edit(self, project: str, seq_id: str | None, change: Callable[[Any], Any]) -> Any:
        """Apply ``change`` to a freshly read container and save it, or the replacement it returns."""
        with self._locked_container(project, seq_id) as (container, save):
            result = change(container)
            target = result if isinstance(result, Project | Sequence) else container
            save(target)
            return target

    # ----------------------------------------------------------------- shots
    def update_shot(
        self,
        project: str,
        seq_id: str | None,
        shot_id: str,
        patch: Patch,
        *,
        base_updated_at: datetime | str | None = None,
    ) -> Shot:
        """Apply a patch of fields to one shot and return the saved shot.

        ``patch`` maps field names to new values; ``generation`` may be a partial mapping
        (``{"generation": {"steps": 30}}``). ``base_updated_at`` is the shot's ``updated_at`` the
        caller's edit started from: if the shot changed since, ``ConflictError`` holds both versions.
        Changes to other shots of the same file merge without complaint. Raises ``InvalidDataError``
        naming each bad field; nothing is written then.
        """
        return self.update_shots(
            project,
            seq_id,
            {shot_id: patch},
            bases={shot_id: base_updated_at} if base_updated_at else None,
        )[0]

    def update_shots(
        self,
        project: str,
        seq_id: str | None,
        patches: Mapping[str, Patch],
        *,
        bases: Mapping[str, datetime | str | None] | None = None,
    ) -> list[Shot]:
        """Apply several shot patches to one file in a single write (all or nothing).

        ``bases`` maps shot ids to the ``updated_at`` each edit started from; see ``update_shot``.
        """
        for shot_id in patches:
            check_shot_id(shot_id)
        where = container_file(project, seq_id)
        with self._locked_container(project, seq_id) as (container, save):
            stamp = later_than(max((s.updated_at for s in container.shots), default=None))
            saved: list[Shot] = []
            problems: list[FieldProblem] = []
            for shot_id, patch in patches.items():
                i = index_of(container.shots, shot_id, where)
                try:
                    shot = patched_shot(
                        container.shots[i], patch, stamp, (bases or {}).get(shot_id)
                    )
                except InvalidDataError as exc:
                    problems += exc.problems
                    continue
                container.shots[i] = shot
                saved.append(shot)
            if problems:
                raise InvalidDataError(problems)
            save(changed=saved)
        return saved

    def change_shot(
        self, project: str, seq_id: str | None, shot_id: str, change: Callable[[Shot], Patch]
    ) -> Shot:
        """Patch one shot with what ``change`` makes of it, read and written under the file's lock.

        ``change`` receives the shot as it is on disk at that moment and returns a patch whose
        fields each replace the shot's field whole (they were computed from the current value).
        No other writer, in this process or another, can slip in between: a change that builds on
        the current value (a list it appends to) never loses a concurrent one. ``change`` may raise
        to abort: nothing is written then. Returns the saved shot.

        This is also the one way to change a shot's review thread (``comments``, refused in an edit):
        a patch of only that leaves ``updated_at`` as it was, so a comment never clashes with someone
        editing the shot. An empty patch writes nothing.
        """
        check_shot_id(shot_id)
        with self._locked_container(project, seq_id) as (container, save):
            i = index_of(container.shots, shot_id, container_file(project, seq_id))
            shot = _changed(container, i, change)
            if shot is None:
                return container.shots[i]
            save(changed=[shot])
        return shot

    def change_shots(
        self,
        project: str,
        changes: Mapping[tuple[str | None, str], Callable[[Shot], Patch]],
    ) -> list[Shot]:
        """Several ``change_shot`` at once, over one or more files: all of them, or nothing.

        ``changes`` maps (sequence id or ``None``, shot id) to a change as ``change_shot`` takes it.
        Every file involved is locked (always in the same order, so two batches never wait on each
        other) and read; every shot is looked up and changed as it is then; only when all of that
        succeeded is anything written. ``NotFoundError`` names every shot missing by then; a change
        may raise to abort the whole batch. Returns the saved shots (those whose patch was empty
        left out).
        """
        by_file: dict[str | None, list[tuple[str, Callable[[Shot], Patch]]]] = {}
        for (seq_id, shot_id), change in changes.items():
            check_shot_id(shot_id)
            by_file.setdefault(seq_id, []).append((shot_id, change))
        order = sorted(by_file, key=lambda seq_id: (seq_id is not None, seq_id or ""))
        with contextlib.ExitStack() as stack:
            opened = {s: stack.enter_context(self._locked_container(project, s)) for s in order}
            missing = [
                f"no shot {shot_id} in {container_file(project, seq_id)}"
                for seq_id in order
                for shot_id, _ in by_file[seq_id]
                if all(s.id != shot_id for s in opened[seq_id][0].shots)
            ]
            if missing:
                raise NotFoundError("; ".join(missing))
            writes: list[tuple[Callable[..., None], list[Shot]]] = []
            for seq_id in order:
                container, save = opened[seq_id]
                changed = []
                for shot_id, change in by_file[seq_id]:
                    i = index_of(container.shots, shot_id, container_file(project, seq_id))
                    shot = _changed(container, i, change)
                    if shot is not None:
                        changed.append(shot)
                if changed:
                    writes.append((save, changed))
            for save, changed in writes:  # nothing raised: every file is written
                save(changed=changed)
        return [shot for _, changed in writes for shot in changed]

    def add_shot(
        self,
        project: str,
        seq_id: str | None,
        fields: Patch | None = None,
        *,
        position: int | None = None,
    ) -> Shot:
        """Insert a new shot at ``position`` (1-based; default: at the end) and return it."""
        data = dict(fields or {})
        check_patch(data, {})  # the same fields as an edit: read-only and unknown ones refused
        with self._locked_container(project, seq_id) as (container, save):
            shots = container.shots
            data.setdefault("title", f"Shot {len(shots) + 1}")
            shot = validate(Shot, {"id": new_shot_id(), **data}, where="new shot")
            index = len(shots) if position is None else min(max(position, 1), len(shots) + 1) - 1
            shots.insert(index, shot)
            renumber(shots)
            save()
        return shot

    def duplicate_shot(self, project: str, seq_id: str | None, shot_id: str) -> Shot:
        """Copy a shot (new id, title + " (copy)") right after the original, and return the copy."""
        with self._locked_container(project, seq_id) as (container, save):
            shots = container.shots
            i = index_of(shots, check_shot_id(shot_id), container_file(project, seq_id))
            copy = shots[i].model_copy(deep=True)
            copy.id = new_shot_id()
            copy.title = f"{copy.title} (copy)".strip()
            copy.comments = []  # a new shot: the original's review thread stays with the original
            copy.updated_at = now()
            shots.insert(i + 1, copy)
            renumber(shots)
            save()
        return copy

    def delete_shot(self, project: str, seq_id: str | None, shot_id: str) -> None:
        """Delete a shot (the file's previous version stays in history)."""
        with self._locked_container(project, seq_id) as (container, save):
            shots = container.shots
            del shots[index_of(shots, check_shot_id(shot_id), container_file(project, seq_id))]
            renumber(shots)
            save()

    def move_shot(self, project: str, seq_id: str | None, shot_id: str, position: int) -> Shot:
        """Move a shot to ``position`` (1-based, clamped) within its sequence."""
        with self._locked_container(project, seq_id) as (container, save):
            shots = container.shots
            shot = shots.pop(
                index_of(shots, check_shot_id(shot_id), container_file(project, seq_id))
            )
            shots.insert(min(max(position, 1), len(shots) + 1) - 1, shot)
            renumber(shots)
            save()
        return shot

    def move_shot_to(
        self,
        project: str,
        seq_id: str | None,
        shot_id: str,
        target_seq_id: str | None,
        position: int | None = None,
    ) -> Shot:
        """Move a shot into another sequence (or out to the loose shots with ``None``).

        The shot is written to its new file before it is removed from the old one, so a crash in
        between leaves it in both places, never in neither.
        """
        if target_seq_id == seq_id:
            return self.move_shot(project, seq_id, shot_id, position or 10**6)
        shot = self.read_shot(project, seq_id, shot_id)
        with self._locked_container(project, target_seq_id) as (target, save_target):
            index = len(target.shots) if position is None else max(position, 1) - 1
            target.shots.insert(min(index, len(target.shots)), shot)
            renumber(target.shots)
            save_target()
        self.delete_shot(project, seq_id, shot_id)
        return shot

    # --------------------------------------------------------------- history
    def list_versions(self, project: str, file: str) -> list[Version]:
        """Earlier versions of ``file`` (``project.json`` or ``sequences/sequence_NNN.json``), newest first."""
        return versions.list_versions(self._area(project), file)

    def restore_version(
        self,
        project: str,
        file: str,
        version_id: str,
        *,
        expected_updated_at: datetime | str | None = None,
        expected_revision: int | None = None,
    ) -> Project | Sequence:
        """Make an earlier version current again; the replaced version goes to history (undoable).

        ``expected_updated_at`` (and, for a sequence, ``expected_revision``) describe the current
        version the caller looked at: if the file changed since, ``ChangedMeanwhileError`` and
        nothing is written. Without them the restore is unconditional. Returns what was written.
        """
        return versions.restore_version(
            self._area(project),
            self.root,
            file,
            version_id,
            expected_updated_at=expected_updated_at,
            expected_revision=expected_revision,
        )

    # ------------------------------------------------------------ validation
    def validate(self, project: str | None = None) -> list[Finding]:
        """Check one project (or all): unreadable files, duplicate shot ids, gaps in positions."""
        projects = checks.workspace_projects(self.root) if project is None else [project]
        return [f for slug in projects for f in checks.project_findings(self, slug)]


__all__ = ["ShotChanger", "Store"]


def _changed(container: Project | Sequence, i: int, change: Callable[[Shot], Patch]) -> Shot | None:
    """Shot ``i`` of ``container`` patched with what ``change`` makes of it, put in its place
    (``None`` for an empty patch: nothing changes). A patch of only unstamped fields (the review
    thread) keeps ``updated_at``; any other one stamps the shot later than every shot of the file."""
    current = container.shots[i]
    patch = change(current.model_copy(deep=True))
    if not patch:
        return None
    if set(patch) <= UNSTAMPED_SHOT_FIELDS:
        stamp = current.updated_at
    else:
        stamp = later_than(max(s.updated_at for s in container.shots))
    shot = patched_shot(current, patch, stamp, None, deep=False, allowed=UNSTAMPED_SHOT_FIELDS)
    container.shots[i] = shot
    return shot
