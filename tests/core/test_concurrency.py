"""No lost update: 4 processes updating different shots of one sequence 50 times each."""

from __future__ import annotations

import json
from typing import Any

import pytest

from storyboard_core import Store

from .helpers import run_together

PROCESSES = 4
UPDATES = 50

WRITER = r"""
import json, sys
from storyboard_core import Store

workspace, project, shot_id, i = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
store = Store(workspace)
print("ready", flush=True)
sys.stdin.readline()  # start together
written = []
for n in range(int(sys.argv[5])):
    value = f"p{i}-{n}"
    store.update_shot(project, "001", shot_id, {"prompt": value})
    written.append(value)
print(json.dumps(written), flush=True)
"""


@pytest.mark.slow
def test_concurrent_writers_lose_no_update(store: Store) -> None:
    project = store.create_project(
        "Busy", format_id="custom", sequences=1, seconds_per_sequence=60, shots_per_sequence=6
    )
    seq = store.read_sequence(project.id, "001")
    ids = [s.id for s in seq.shots]
    outputs = run_together(
        WRITER,
        [[str(store.root), project.id, ids[i], str(i), str(UPDATES)] for i in range(PROCESSES)],
    )
    for i, out in enumerate(outputs):
        assert json.loads(out) == [f"p{i}-{n}" for n in range(UPDATES)]
    final = store.read_sequence(project.id, "001")
    assert final.revision == seq.revision + PROCESSES * UPDATES
    prompts = [s.prompt for s in final.shots]
    assert prompts == [f"p{i}-{UPDATES - 1}" for i in range(PROCESSES)] + ["", ""]
    assert store.validate(project.id) == []

    # History holds the 50 versions before the last 50 writes, each one write apart, and in each of
    # them every writer's value only ever moves forward.
    rel = "sequences/sequence_001.json"
    versions = store.list_versions(project.id, rel)
    assert len(versions) == 50
    folder = store.project_dir(project.id) / ".history" / rel
    states: list[dict[str, Any]] = [
        json.loads((folder / f"{v.id}.json").read_text(encoding="utf-8"))
        for v in reversed(versions)
    ]
    revisions = [s["revision"] for s in states]
    assert revisions == list(range(final.revision - 50, final.revision))
    last_seen = [-1] * PROCESSES
    for state in [*states, json.loads(store.sequence_path(project.id, "001").read_text())]:
        changed = 0
        for i, shot in enumerate(state["shots"][:PROCESSES]):
            n = int(shot["prompt"].rsplit("-", 1)[1]) if shot["prompt"] else -1
            assert n >= last_seen[i]
            changed += n != last_seen[i]
            last_seen[i] = n
        assert changed <= 1 or state is states[0], "one write changes one shot"
