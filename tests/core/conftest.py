"""Fixtures shared by the core tests: a store on a fresh workspace and a small project in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyboard_core import Project, Store

from .helpers import Run


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """An empty workspace folder inside the test's own temporary folder."""
    folder = tmp_path / "workspace"
    folder.mkdir()
    return folder


@pytest.fixture
def store(workspace: Path) -> Store:
    """A store on the empty workspace."""
    return Store(workspace)


@pytest.fixture
def project(store: Store) -> Project:
    """A custom project: 3 sequences of 60 s, 4 shots each (15 s per shot)."""
    return store.create_project(
        "Orage",
        format_id="custom",
        sequences=3,
        seconds_per_sequence=60,
        shots_per_sequence=4,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (relative path -> bytes), to prove nothing was written."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.fixture
def cli(workspace: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """The CLI, run in-process on the test's workspace."""
    return Run(workspace, capsys)
