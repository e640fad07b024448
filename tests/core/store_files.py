"""Reading the store's files in tests: where a sequence file is, what it holds, whether it is in sync."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from storyboard_core import Project, Store


def seq_file(store: Store, project: Project, seq_id: str = "001") -> Path:
    return store.project_dir(project.id) / "sequences" / f"sequence_{seq_id}.json"


def on_disk(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def shot_ids(store: Store, project: Project, seq_id: str | None = "001") -> list[str]:
    return [s.id for s in store.read_shots(project.id, seq_id)]


def assert_in_sync(path: Path) -> None:
    """Positions 1..n and the sequence duration equal to the sum of its shots."""
    data = on_disk(path)
    assert [s["position"] for s in data["shots"]] == list(range(1, len(data["shots"]) + 1))
    if "duration" in data and "revision" in data:
        assert data["duration"] == pytest.approx(sum(s["duration"] for s in data["shots"]))


def break_file(path: Path, text: str) -> bytes:
    """Overwrite ``path`` with ``text`` (a broken file) and return its bytes."""
    path.write_text(text, encoding="utf-8")
    return path.read_bytes()
