"""Fixtures of the StoryCore import tests: the fixture folders, copied, and a way to import them.

``fixtures/`` holds one StoryCore project per shape, written as StoryCore writes them (TypeScript:
accents kept; the Python engine: ``\\uXXXX`` escapes; neither with a final newline):

- ``current``: P1 project.json (stale copies of two shots), a single S-A ``sequence_001.json``
  without ``id`` holding every shot (each naming its sequence in ``metadata.sequence_id``), S-B files
  named ``sequence_<id>.json`` (one empty, from "Add sequence") and lossy ``shots/`` files;
- ``legacy``: P2 project.json, legacy S-A files with ``id`` and shots ordered by ``order``, an S-B
  written over an S-A (its shot only in project.json), a broken ``sequence_004.json``;
- ``contract``: P3 project.json (shots under ``storyboard``), an S-B;
- ``engine``: P4 project.json (``project_id``) and ``storyboard.json`` with ``prompt_modules``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from storyboard_core import Project, Sequence, Shot, Store
from storyboard_core.storycore import ImportReport, import_storycore

FIXTURES = Path(__file__).parent / "fixtures"

Copy = Callable[[str], Path]


@pytest.fixture
def source(tmp_path: Path) -> Copy:
    """``source("legacy")``: a private copy of a fixture folder, free to break or to check."""

    def copy(name: str) -> Path:
        target = tmp_path / "storycore" / name
        shutil.copytree(FIXTURES / name, target)
        return target

    return copy


class Imported:
    """One import's report and what it wrote, read back through a fresh store."""

    def __init__(self, store: Store, report: ImportReport) -> None:
        self.report = report
        self.store = Store(store.root)
        self.project: Project = self.store.read_project(report.project_id)
        self.sequences: list[Sequence] = [
            self.store.read_sequence(report.project_id, s.id)
            for s in self.store.list_sequences(report.project_id)
        ]

    def shot(self, shot_id: str) -> Shot:
        """The imported shot with this id, wherever it landed."""
        for shots in [self.project.shots, *(s.shots for s in self.sequences)]:
            for shot in shots:
                if shot.id == shot_id:
                    return shot
        raise AssertionError(f"no shot {shot_id}")

    def home(self, shot_id: str) -> str | None:
        """The sequence id holding the shot (None for a loose shot)."""
        self.shot(shot_id)
        return next((s.id for s in self.sequences if any(x.id == shot_id for x in s.shots)), None)

    def changes(self, shot_id: str, field: str) -> list[str]:
        """The reasons of the report's changes to one field of one shot (or ``project``)."""
        return [c.reason for c in self.report.changes if c.where == shot_id and c.field == field]


@pytest.fixture
def do_import(store: Store, source: Copy) -> Callable[..., Imported]:
    """``do_import("legacy", name=…)``: import a copy of a fixture into the test's workspace."""

    def run(fixture: str, **kwargs: str) -> Imported:
        return Imported(store, import_storycore(store, source(fixture), **kwargs))

    return run
