"""The project store: every read and write of projects, sequences and shots in a workspace.

A workspace is a folder of projects; a project is a folder with ``project.json`` (metadata and loose
shots) and one ``sequences/sequence_NNN.json`` per sequence. A shot is addressed by its project, its
sequence id (``None`` for a loose shot in ``project.json``) and its own id, so an update opens exactly one
file. Every write goes through ``FileArea``: locked, re-read, validated, atomic, with history.

>>> store = Store(tmp_path)                                        # doctest: +SKIP
>>> project = store.create_project("L'Orage", format_id="court-metrage", shots_per_sequence=4)
>>> seq = store.read_sequence(project.id, "001")
>>> store.update_shot(project.id, "001", seq.shots[0].id, {"prompt": "storm over the bay"})
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import orjson
from pydantic import TypeAdapter, ValidationError

from .errors import (
    BrokenFileError,
    ChangedMeanwhileError,
    ConflictError,
    FieldProblem,
    InvalidDataError,
    NotFoundError,
    StoryboardError,
    UnsafePathError,
)
from .files import (
    HISTORY_DIR,
    LOCK_DIR,
    FileArea,
    dumps,
    parse_json,
    read_bytes,
    refused_as_write_error,
)
from .formats import MAX_SEQUENCES, resolve_format, split_duration
from .models import (
    READ_ONLY_SHOT_FIELDS,
    UNSTAMPED_SHOT_FIELDS,
    Generation,
    Project,
    Sequence,
    Shot,
    Style,
    later_than,
    now,
    to_json_dict,
)
from .paths import (
    PROJECT_FILE,
    RENDER_QUEUE_DIR,
    SEQUENCES_DIR,
    check_project_slug,
    check_shot_id,
    inside,
    sequence_file,
    sequence_id_of,
    slugify,
)
from .summaries import ProjectSummary, SequenceSummary, ShotCounts, StatCache
from .types import Patch
from .validation import problems_from, validate

T = TypeVar("T")
Container = TypeVar("Container", Project, Sequence)

#: Shown to people who keep a project in git: the app's own bookkeeping need not be committed.
PROJECT_GITIGNORE = f"{LOCK_DIR}/\n{HISTORY_DIR}/\n{RENDER_QUEUE_DIR}/\n"
_VERSIONED_FILE = re.compile(r"^(project\.json|sequences/sequence_[0-9]{3,6}\.json)$")


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


def _deep_merge(base: dict[str, Any], patch: Patch) -> dict[str, Any]:
    merged = dict(base)
    for key, value in patch.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _check_patch(
    patch: Patch, current: dict[str, Any], *, allowed: frozenset[str] = frozenset()
) -> None:
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


def _patched_shot(
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
    _check_patch(patch, current, allowed=allowed)
    merged = _deep_merge(current, patch) if deep else {**current, **patch}
    if base is not None:
        base_dt = validate(Shot, {**current, "updated_at": base}).updated_at
        if base_dt != shot.updated_at:
            raise ConflictError(shot.id, mine=merged, theirs=current)
    merged["updated_at"] = stamp
    return validate(Shot, merged)


def _renumber(shots: list[Shot]) -> None:
    for i, shot in enumerate(shots, start=1):
        shot.position = i


def _index_of(shots: list[Shot], shot_id: str, where: str) -> int:
    for i, shot in enumerate(shots):
        if shot.id == shot_id:
            return i
    raise NotFoundError(f"no shot {shot_id} in {where}")


def _patched_file(raw: bytes, container: Project | Sequence, changed: list[Shot]) -> Any:
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


_STAMP = TypeAdapter(datetime)


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


@dataclass(frozen=True)
class Version:
    """An earlier version of a project file kept in ``.history/``."""

    id: str
    file: str
    saved_at: datetime
    size: int


@dataclass(frozen=True)
class Finding:
    """One problem found by ``Store.validate``: the file and what is wrong with it."""

    project: str
    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.project}/{self.file}: {self.message}"


class Store:
    """All operations on the projects of one workspace folder. Safe to share between threads."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._sequence_summaries: StatCache[SequenceSummary] = StatCache()
        self._projects: StatCache[Project | BrokenFileError] = StatCache()
        self._sequence_styles: StatCache[Style] = StatCache()

    # ----------------------------------------------------------------- paths
    def project_dir(self, project: str) -> Path:
        """The folder of an existing project (``NotFoundError`` if there is none)."""
        folder = inside(self.root, self.root / check_project_slug(project))
        if not (folder / PROJECT_FILE).is_file():
            raise NotFoundError(f"no project {project!r} in {self.root}")
        return folder

    def sequence_path(self, project: str, seq_id: str) -> Path:
        """The file of an existing sequence (``NotFoundError`` if there is none)."""
        return self._sequence_path_in(self.project_dir(project), project, seq_id)

    def _sequence_path_in(self, folder: Path, project: str, seq_id: str) -> Path:
        # ``folder`` is ``project_dir(project)``, already checked: an operation resolves it once.
        path = inside(self.root, folder / sequence_file(seq_id))
        if not path.is_file():
            raise NotFoundError(f"no sequence {seq_id} in project {project!r}")
        return path

    def _area(self, project: str) -> FileArea:
        return FileArea(self.project_dir(project))

    # -------------------------------------------------------------- projects
    def list_projects(self) -> list[ProjectSummary]:
        """A summary of every project in the workspace, by name. Broken projects are listed with ``error``."""
        if not self.root.is_dir():
            return []
        summaries = []
        for entry in sorted(os.scandir(self.root), key=lambda e: e.name):
            if entry.name.startswith(".") or not entry.is_dir():
                continue
            if not (Path(entry.path) / PROJECT_FILE).is_file():
                continue
            try:
                summaries.append(self.summarize_project(entry.name))
            except UnsafePathError:
                continue  # a folder whose name is not a project slug (or a symlink out) is not ours
        return sorted(summaries, key=lambda s: (s.name.casefold(), s.id))

    def _load_project(self, path: Path) -> Project | BrokenFileError:
        try:
            return parse_model(Project, read_bytes(path), path)
        except BrokenFileError as exc:
            return exc

    def read_project(self, project: str) -> Project:
        """``project.json`` with its loose shots (``BrokenFileError`` if it cannot be read)."""
        path = self.project_dir(project) / PROJECT_FILE
        loaded = self._projects.get(path, self._load_project)
        if isinstance(loaded, BrokenFileError):
            raise loaded
        return loaded.model_copy(deep=True)

    def summarize_project(self, project: str) -> ProjectSummary:
        """Sequences, shots, shots with a prompt, duration and last change of one project (cached)."""
        folder = self.project_dir(project)
        loaded = self._projects.get(folder / PROJECT_FILE, self._load_project)
        sequences = self._sequence_summaries_in(folder)
        broken = tuple(f"{s.file}: {s.error}" for s in sequences if s.error)
        if isinstance(loaded, BrokenFileError):
            return ProjectSummary(
                id=project,
                name=project,
                sequences=len(sequences),
                broken_files=broken,
                error=str(loaded),
            )
        loose = ShotCounts.of(loaded.shots)
        stamps = [loaded.updated_at] + [s.updated_at for s in sequences if s.updated_at]
        return ProjectSummary(
            id=project,
            name=loaded.name,
            format=loaded.format,
            description=loaded.description,
            sequences=len(sequences),
            loose_shots=loose.shots,
            counts=ShotCounts.total([loose, *(s.counts for s in sequences)]),
            updated_at=max(stamps),
            broken_files=broken,
        )

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
        if not name.strip():
            raise InvalidDataError([FieldProblem("name", "a project needs a name")])
        fmt = resolve_format(
            format_id, sequences=sequences, seconds_per_sequence=seconds_per_sequence
        )
        durations = split_duration(fmt.seconds_per_sequence, shots_per_sequence)
        stamp = now()
        built = [
            Sequence(
                id=f"{n:03d}",
                name=f"Sequence {n}",
                order=n,
                created_at=stamp,
                updated_at=stamp,
                shots=[
                    Shot(
                        id=new_shot_id(),
                        title=f"Shot {i}",
                        position=i,
                        duration=d,
                        updated_at=stamp,
                    )
                    for i, d in enumerate(durations, start=1)
                ],
            )
            for n in range(1, fmt.sequences + 1)
        ]
        meta = Project(
            id=slugify(name),
            name=name.strip(),
            format=fmt.id,
            description=description,
            created_at=stamp,
            updated_at=stamp,
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
            return self._write_new_project(meta, sequences, base)

    def _write_new_project(self, meta: Project, sequences: list[Sequence], base: str) -> Project:
        self.root.mkdir(parents=True, exist_ok=True)
        build = Path(tempfile.mkdtemp(prefix=f".{base}.creating-", dir=self.root))
        try:
            for seq in sequences:
                seq.duration = ShotCounts.of(seq.shots).duration
                path = build / sequence_file(seq.id)
                path.parent.mkdir(exist_ok=True)
                path.write_bytes(dumps(to_json_dict(seq)))
            (build / ".gitignore").write_text(PROJECT_GITIGNORE, encoding="utf-8")
            build.chmod(0o755)  # mkdtemp made it private; a project folder is an ordinary folder
            for attempt in range(1, 1000):
                slug = base if attempt == 1 else f"{base}-{attempt}"
                meta = meta.model_copy(update={"id": check_project_slug(slug)})
                (build / PROJECT_FILE).write_bytes(dumps(to_json_dict(meta)))
                try:
                    # rename() onto a name that exists fails: that is how the slug is claimed.
                    os.rename(build, self.root / slug)
                except OSError:
                    if (self.root / slug).exists():
                        continue
                    raise
                return meta
            raise StoryboardError(f"too many projects named like {meta.name!r}")
        finally:
            if build.exists():
                shutil.rmtree(build, ignore_errors=True)

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
            return validate(Project, _deep_merge(to_json_dict(meta), patch), where=PROJECT_FILE)

        return self._edit(project, None, change)  # type: ignore[no-any-return]

    # ------------------------------------------------------------- sequences
    def _sequence_ids(self, project: str) -> list[str]:
        return self._sequence_ids_in(self.project_dir(project))

    def _sequence_ids_in(self, project_folder: Path) -> list[str]:
        # Checked before listing: a ``sequences`` symlink out of the workspace is never read.
        folder = inside(self.root, project_folder / SEQUENCES_DIR)
        if not folder.is_dir():
            return []
        ids = [sequence_id_of(name) for name in os.listdir(folder)]
        return sorted(i for i in ids if i is not None)

    def _summarize_sequence(self, path: Path) -> SequenceSummary:
        seq_id = sequence_id_of(path.name) or ""
        rel = f"{SEQUENCES_DIR}/{path.name}"
        try:
            seq = self._parse_sequence(path, read_bytes(path))
        except (BrokenFileError, NotFoundError) as exc:
            return SequenceSummary(id=seq_id, file=rel, error=str(exc))
        return SequenceSummary(
            id=seq.id,
            file=rel,
            name=seq.name,
            order=seq.order,
            revision=seq.revision,
            updated_at=seq.updated_at,
            counts=ShotCounts.of(seq.shots),
        )

    def list_sequences(self, project: str) -> list[SequenceSummary]:
        """A summary of each sequence, in their order (broken files last, with ``error`` set)."""
        return self._sequence_summaries_in(self.project_dir(project))

    def _sequence_summaries_in(self, folder: Path) -> list[SequenceSummary]:
        summaries = [
            self._sequence_summaries.get(folder / sequence_file(i), self._summarize_sequence)
            for i in self._sequence_ids_in(folder)
        ]
        return sorted(summaries, key=lambda s: (s.error is not None, s.order, s.id))

    @staticmethod
    def _parse_sequence(path: Path, raw: bytes) -> Sequence:
        seq = parse_model(Sequence, raw, path)
        expected = sequence_id_of(path.name)
        if seq.id != expected:
            raise BrokenFileError(
                path, f"id {seq.id!r} does not match the file name (expected {expected!r})"
            )
        return seq

    def read_sequence_style(self, project: str, seq_id: str) -> Style:
        """A sequence's own style, cached until its file changes (every card and editor asks)."""
        path = self.sequence_path(project, seq_id)
        style = self._sequence_styles.get(
            path, lambda p: self._parse_sequence(p, read_bytes(p)).style
        )
        return style.model_copy(deep=True)  # the cached one stays as read

    def read_sequence(self, project: str, seq_id: str) -> Sequence:
        """A sequence with all of its shots (``BrokenFileError`` if the file cannot be read)."""
        path = self.sequence_path(project, seq_id)
        return self._parse_sequence(path, read_bytes(path))

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
                Sequence, _deep_merge(to_json_dict(seq), patch), where=sequence_file(seq_id)
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
            summary = self._sequence_summaries.get(
                self._sequence_path_in(folder, project, seq_id), self._summarize_sequence
            )
            if summary.order != n:
                self._edit(project, seq_id, lambda seq, n=n: setattr(seq, "order", n))  # type: ignore[misc]

    # ----------------------------------------------------------------- shots
    def read_shots(self, project: str, seq_id: str | None) -> list[Shot]:
        """The shots of a sequence, or the loose shots of the project for ``seq_id=None``."""
        if seq_id is None:
            return self.read_project(project).shots
        return self.read_sequence(project, seq_id).shots

    def read_shot(self, project: str, seq_id: str | None, shot_id: str) -> Shot:
        """One shot."""
        shots = self.read_shots(project, seq_id)
        return shots[_index_of(shots, check_shot_id(shot_id), self._where(project, seq_id))]

    @staticmethod
    def _where(project: str, seq_id: str | None) -> str:
        return (
            f"{project}/{PROJECT_FILE}" if seq_id is None else f"{project}/{sequence_file(seq_id)}"
        )

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
                parse_model(Project, raw, path)
                if seq_id is None
                else self._parse_sequence(path, raw)
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
                    area.replace(rel, dumps(_patched_file(raw, target, changed)))

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
        where = self._where(project, seq_id)
        with self._locked_container(project, seq_id) as (container, save):
            stamp = later_than(max((s.updated_at for s in container.shots), default=None))
            saved: list[Shot] = []
            problems: list[FieldProblem] = []
            for shot_id, patch in patches.items():
                i = _index_of(container.shots, shot_id, where)
                try:
                    shot = _patched_shot(
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
            i = _index_of(container.shots, shot_id, self._where(project, seq_id))
            current = container.shots[i]
            patch = change(current.model_copy(deep=True))
            if not patch:
                return current
            if set(patch) <= UNSTAMPED_SHOT_FIELDS:
                stamp = current.updated_at
            else:
                stamp = later_than(max(s.updated_at for s in container.shots))
            shot = _patched_shot(
                current, patch, stamp, None, deep=False, allowed=UNSTAMPED_SHOT_FIELDS
            )
            container.shots[i] = shot
            save(changed=[shot])
        return shot

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
        _check_patch(data, {})  # the same fields as an edit: read-only and unknown ones refused
        with self._locked_container(project, seq_id) as (container, save):
            shots = container.shots
            data.setdefault("title", f"Shot {len(shots) + 1}")
            shot = validate(Shot, {"id": new_shot_id(), **data}, where="new shot")
            index = len(shots) if position is None else min(max(position, 1), len(shots) + 1) - 1
            shots.insert(index, shot)
            _renumber(shots)
            save()
        return shot

    def duplicate_shot(self, project: str, seq_id: str | None, shot_id: str) -> Shot:
        """Copy a shot (new id, title + " (copy)") right after the original, and return the copy."""
        with self._locked_container(project, seq_id) as (container, save):
            shots = container.shots
            i = _index_of(shots, check_shot_id(shot_id), self._where(project, seq_id))
            copy = shots[i].model_copy(deep=True)
            copy.id = new_shot_id()
            copy.title = f"{copy.title} (copy)".strip()
            copy.comments = []  # a new shot: the original's review thread stays with the original
            copy.updated_at = now()
            shots.insert(i + 1, copy)
            _renumber(shots)
            save()
        return copy

    def delete_shot(self, project: str, seq_id: str | None, shot_id: str) -> None:
        """Delete a shot (the file's previous version stays in history)."""
        with self._locked_container(project, seq_id) as (container, save):
            shots = container.shots
            del shots[_index_of(shots, check_shot_id(shot_id), self._where(project, seq_id))]
            _renumber(shots)
            save()

    def move_shot(self, project: str, seq_id: str | None, shot_id: str, position: int) -> Shot:
        """Move a shot to ``position`` (1-based, clamped) within its sequence."""
        with self._locked_container(project, seq_id) as (container, save):
            shots = container.shots
            shot = shots.pop(_index_of(shots, check_shot_id(shot_id), self._where(project, seq_id)))
            shots.insert(min(max(position, 1), len(shots) + 1) - 1, shot)
            _renumber(shots)
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
            _renumber(target.shots)
            save_target()
        self.delete_shot(project, seq_id, shot_id)
        return shot

    # --------------------------------------------------------------- history
    @staticmethod
    def _check_versioned(file: str) -> str:
        if "\x00" in file or not _VERSIONED_FILE.match(file):
            raise UnsafePathError(f"{file!r} is not project.json or a sequence file")
        return file

    def list_versions(self, project: str, file: str) -> list[Version]:
        """Earlier versions of ``file`` (``project.json`` or ``sequences/sequence_NNN.json``), newest first."""
        area = self._area(project)
        versions = []
        for path in area.versions(self._check_versioned(file)):
            st = path.stat()
            versions.append(
                Version(path.stem, file, datetime.fromtimestamp(st.st_mtime, UTC), st.st_size)
            )
        return versions

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
        area = self._area(project)
        source = area.history_dir(self._check_versioned(file)) / f"{version_id}.json"
        if "/" in version_id or "\x00" in version_id or not source.is_file():
            raise NotFoundError(f"no version {version_id!r} of {file}")
        raw = read_bytes(inside(self.root, source))

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

    # ------------------------------------------------------------ validation
    def validate(self, project: str | None = None) -> list[Finding]:
        """Check one project (or all): unreadable files, duplicate shot ids, gaps in positions."""
        if project is None:
            projects = (
                sorted(
                    e.name
                    for e in os.scandir(self.root)
                    if e.is_dir()
                    and not e.name.startswith(".")
                    and (Path(e.path) / PROJECT_FILE).exists()
                )
                if self.root.is_dir()
                else []
            )
        else:
            projects = [project]
        findings: list[Finding] = []
        for slug in projects:
            findings += self._validate_project(slug)
        return findings

    def _validate_project(self, project: str) -> list[Finding]:
        findings: list[Finding] = []
        containers: list[tuple[str, list[Shot]]] = []
        try:
            meta = self.read_project(project)
            containers.append((PROJECT_FILE, meta.shots))
            if meta.id != project:
                findings.append(
                    Finding(project, PROJECT_FILE, f"id {meta.id!r} differs from the folder name")
                )
        except StoryboardError as exc:
            findings.append(Finding(project, PROJECT_FILE, str(exc)))
        try:
            seq_ids = self._sequence_ids(project)
        except StoryboardError as exc:  # not a project name, or a folder leading out
            if all(f.message != str(exc) for f in findings):
                findings.append(Finding(project, SEQUENCES_DIR, str(exc)))
            return findings
        for seq_id in seq_ids:
            rel = sequence_file(seq_id)
            try:
                seq = self.read_sequence(project, seq_id)
            except StoryboardError as exc:
                findings.append(Finding(project, rel, str(exc)))
                continue
            containers.append((rel, seq.shots))
            if abs(seq.duration - ShotCounts.of(seq.shots).duration) > 0.001:
                findings.append(Finding(project, rel, "duration is not the sum of its shots"))
        seen: dict[str, str] = {}
        for rel, shots in containers:
            if [s.position for s in shots] != list(range(1, len(shots) + 1)):
                findings.append(Finding(project, rel, "shot positions are not 1, 2, 3, …"))
            for shot in shots:
                if shot.id in seen:
                    findings.append(
                        Finding(project, rel, f"shot id {shot.id} is also used in {seen[shot.id]}")
                    )
                seen.setdefault(shot.id, rel)
        return findings

    def clear_caches(self) -> None:
        """Forget cached summaries (benchmarks use this to time a cold read)."""
        self._sequence_summaries.clear()
        self._projects.clear()
        self._sequence_styles.clear()


__all__ = ["Finding", "Store", "Version", "new_shot_id", "parse_model"]
