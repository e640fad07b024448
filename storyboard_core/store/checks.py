"""Checking a project's files as a whole: what ``storyboard validate`` reports.

``validation.py`` checks one document against its model; this checks what no single model sees:
files that cannot be read, shot ids used twice across files, gaps in positions, stale durations.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import StoryboardError
from ..models import Shot
from ..paths import PROJECT_FILE, SEQUENCES_DIR, sequence_file
from ..summaries import ShotCounts
from .view import StoreView


@dataclass(frozen=True)
class Finding:
    """One problem found by ``Store.validate``: the file and what is wrong with it."""

    project: str
    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.project}/{self.file}: {self.message}"


def workspace_projects(root: Path) -> list[str]:
    """The folders of ``root`` that hold a ``project.json``, by name (hidden ones left out)."""
    if not root.is_dir():
        return []
    return sorted(
        e.name
        for e in os.scandir(root)
        if e.is_dir() and not e.name.startswith(".") and (Path(e.path) / PROJECT_FILE).exists()
    )


def project_findings(view: StoreView, project: str) -> list[Finding]:
    """What is wrong with the files of ``project``, read through ``view`` (empty when all is well)."""
    findings: list[Finding] = []
    containers: list[tuple[str, list[Shot]]] = []
    try:
        meta = view.read_project(project)
        containers.append((PROJECT_FILE, meta.shots))
        if meta.id != project:
            findings.append(
                Finding(project, PROJECT_FILE, f"id {meta.id!r} differs from the folder name")
            )
    except StoryboardError as exc:
        findings.append(Finding(project, PROJECT_FILE, str(exc)))
    try:
        seq_ids = view._sequence_ids(project)
    except StoryboardError as exc:  # not a project name, or a folder leading out
        if all(f.message != str(exc) for f in findings):
            findings.append(Finding(project, SEQUENCES_DIR, str(exc)))
        return findings
    for seq_id in seq_ids:
        rel = sequence_file(seq_id)
        try:
            seq = view.read_sequence(project, seq_id)
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
