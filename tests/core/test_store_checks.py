"""``Store.validate()`` (``store/checks.py``): findings about a project's files as a whole."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from storyboard_core import (
    Project,
    Store,
)

from .store_files import break_file, on_disk, seq_file, shot_ids

# ----------------------------------------------------------------------------- validate()


def _edit(path: Path, change: Any) -> None:
    data = on_disk(path)
    change(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def test_validate_clean_project(store: Store, project: Project) -> None:
    assert store.validate(project.id) == []
    assert store.validate() == []


def test_validate_findings(store: Store, project: Project) -> None:
    duplicate = shot_ids(store, project, "001")[0]
    _edit(seq_file(store, project, "002"), lambda d: d["shots"][0].update(id=duplicate))
    _edit(seq_file(store, project, "003"), lambda d: d["shots"][1].update(position=7))
    _edit(seq_file(store, project, "001"), lambda d: d.update(duration=1))
    store.create_project("Other")
    break_file(store.project_dir("other") / "sequences" / "sequence_004.json", "{")
    findings = store.validate()
    by_file = {(f.project, f.file): f.message for f in findings}
    assert (
        "also used in sequences/sequence_001.json"
        in by_file[(project.id, "sequences/sequence_002.json")]
    )
    assert "positions" in by_file[(project.id, "sequences/sequence_003.json")]
    assert "duration" in by_file[(project.id, "sequences/sequence_001.json")]
    assert "invalid JSON" in by_file[("other", "sequences/sequence_004.json")]
    assert len(findings) == 4
    assert [f.project for f in store.validate("other")] == ["other"]
    assert str(findings[0]).startswith(f"{findings[0].project}/{findings[0].file}: ")


def test_validate_reports_a_folder_that_is_not_a_project_name(
    store: Store, project: Project
) -> None:
    odd = store.root / "My Project"
    odd.mkdir()
    (odd / "project.json").write_text("{}", encoding="utf-8")
    findings = store.validate()
    assert [f.project for f in findings] == ["My Project"]
    assert [p.id for p in store.list_projects()] == [project.id]
