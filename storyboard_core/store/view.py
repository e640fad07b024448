"""The reading half of the store: where a project's files are, what they hold, and the caches.

``StoreView`` reads projects, sequences and shots and never writes; ``Store`` extends it with the
writes. The caches (summaries, parsed projects, sequence styles) live in one ``StoreCaches`` that
a store owns and that another store over the same workspace (a reviewer's) shares by reference.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from ..errors import BrokenFileError, NotFoundError, UnsafePathError
from ..files import read_bytes
from ..models import Project, Sequence, Shot, Style
from ..paths import (
    PROJECT_FILE,
    SEQUENCES_DIR,
    check_project_slug,
    check_shot_id,
    inside,
    sequence_file,
    sequence_id_of,
)
from ..summaries import ProjectSummary, SequenceSummary, ShotCounts, StatCache
from .parsing import parse_model, parse_sequence
from .patches import index_of


@dataclass(frozen=True)
class StoreCaches:
    """Everything a store caches, valid per version of each file: one object, shared by reference."""

    sequence_summaries: StatCache[SequenceSummary] = field(default_factory=StatCache)
    projects: StatCache[Project | BrokenFileError] = field(default_factory=StatCache)
    sequence_styles: StatCache[Style] = field(default_factory=StatCache)

    def clear(self) -> None:
        """Forget every cached value (benchmarks use this to time a cold read)."""
        for f in fields(self):
            getattr(self, f.name).clear()


def container_file(project: str, seq_id: str | None) -> str:
    """The file that holds the shots of ``seq_id`` (``None``: the loose shots), as messages name it."""
    return f"{project}/{PROJECT_FILE}" if seq_id is None else f"{project}/{sequence_file(seq_id)}"


class StoreView:
    """The reads of the projects of one workspace folder. Safe to share between threads.

    ``caches`` shares another store's caches (see ``StoreCaches``); by default the view has its own.
    """

    def __init__(self, root: Path | str, *, caches: StoreCaches | None = None) -> None:
        self.root = Path(root)
        self.caches = StoreCaches() if caches is None else caches

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

    @staticmethod
    def _load_project(path: Path) -> Project | BrokenFileError:
        try:
            return parse_model(Project, read_bytes(path), path)
        except BrokenFileError as exc:
            return exc

    def read_project(self, project: str) -> Project:
        """``project.json`` with its loose shots (``BrokenFileError`` if it cannot be read)."""
        path = self.project_dir(project) / PROJECT_FILE
        loaded = self.caches.projects.get(path, self._load_project)
        if isinstance(loaded, BrokenFileError):
            raise loaded
        return loaded.model_copy(deep=True)

    def summarize_project(self, project: str) -> ProjectSummary:
        """Sequences, shots, shots with a prompt, duration and last change of one project (cached)."""
        folder = self.project_dir(project)
        loaded = self.caches.projects.get(folder / PROJECT_FILE, self._load_project)
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

    @staticmethod
    def _summarize_sequence(path: Path) -> SequenceSummary:
        seq_id = sequence_id_of(path.name) or ""
        rel = f"{SEQUENCES_DIR}/{path.name}"
        try:
            seq = parse_sequence(path, read_bytes(path))
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
            self.caches.sequence_summaries.get(folder / sequence_file(i), self._summarize_sequence)
            for i in self._sequence_ids_in(folder)
        ]
        return sorted(summaries, key=lambda s: (s.error is not None, s.order, s.id))

    def read_sequence_style(self, project: str, seq_id: str) -> Style:
        """A sequence's own style, cached until its file changes (every card and editor asks)."""
        path = self.sequence_path(project, seq_id)
        style = self.caches.sequence_styles.get(
            path, lambda p: parse_sequence(p, read_bytes(p)).style
        )
        return style.model_copy(deep=True)  # the cached one stays as read

    def read_sequence(self, project: str, seq_id: str) -> Sequence:
        """A sequence with all of its shots (``BrokenFileError`` if the file cannot be read)."""
        path = self.sequence_path(project, seq_id)
        return parse_sequence(path, read_bytes(path))

    # ----------------------------------------------------------------- shots
    def read_shots(self, project: str, seq_id: str | None) -> list[Shot]:
        """The shots of a sequence, or the loose shots of the project for ``seq_id=None``."""
        if seq_id is None:
            return self.read_project(project).shots
        return self.read_sequence(project, seq_id).shots

    def read_shot(self, project: str, seq_id: str | None, shot_id: str) -> Shot:
        """One shot."""
        shots = self.read_shots(project, seq_id)
        return shots[index_of(shots, check_shot_id(shot_id), container_file(project, seq_id))]

    def clear_caches(self) -> None:
        """Forget cached summaries (benchmarks use this to time a cold read)."""
        self.caches.clear()
