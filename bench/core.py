"""The store rows: save one shot edit, the original design's scan, and the project summary."""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from storyboard_core import Store

from .projects import BenchProject
from .report import Row
from .timing import interleaved, median

FLOOR_FILE = ".bench-floor.json"  # not a sequence file name: the store never lists it


def plain_write(path: Path, data: Any) -> None:
    """The floor: ``json.dump`` to a temporary file beside ``path``, fsync, ``os.replace``.

    The same serialisation as the store (2-space indent, UTF-8, final newline), so the same bytes.
    """
    tmp = path.with_name(f".{path.name}.bench.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, ensure_ascii=False)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def save_rows(root: Path, projects: dict[str, BenchProject], repeats: int) -> list[Row]:
    """Row 1: ``Store.update_shot`` on one 100-shot sequence vs the plain write of its bytes.

    Every size and its floor are timed in one interleaved loop (1k, its floor, 10k, its floor, ...),
    so the "flat" comparison of the largest size with the smallest is made under the same load. A
    warm-up of 60 saves per size first fills the file's history to its steady state (50 versions
    kept, so every timed save also prunes one).
    """
    store = Store(root)
    rng = random.Random(6)
    subjects: dict[str, Callable[[int], object]] = {}
    cleanup: list[Path] = []
    for label, project in projects.items():
        seq_id = project.middle_sequence
        shot_ids = [s for q, s in project.shot_ids if q == seq_id]
        seq_path = root / project.slug / "sequences" / f"sequence_{seq_id}.json"
        floor_path = seq_path.with_name(FLOOR_FILE)
        cleanup.append(floor_path)
        for i in range(60):
            store.update_shot(project.slug, seq_id, rng.choice(shot_ids), {"notes": f"warm {i}"})
        data = json.loads(seq_path.read_bytes())  # the bytes the floor writes: this very sequence

        def ours(
            i: int, p: BenchProject = project, q: str = seq_id, ids: list[str] = shot_ids
        ) -> None:
            store.update_shot(p.slug, q, rng.choice(ids), {"prompt": f"edit {i}"})

        def floor(i: int, path: Path = floor_path, data: Any = data) -> None:
            plain_write(path, data)

        subjects[f"ours {label}"] = ours
        subjects[f"floor {label}"] = floor
    times = interleaved(subjects, repeats, warmup=3)
    for path in cleanup:
        path.unlink(missing_ok=True)
    rows = []
    for label in projects:
        m, f = median(times[f"ours {label}"]), median(times[f"floor {label}"])
        rows.append(
            Row(
                "save one shot edit (update_shot) vs json.dump+fsync+os.replace",
                label,
                m,
                floor=f,
                ratio=m / f,
                target="≤ 2× floor",
                ok=m / f <= 2.0,
                n=repeats,
            )
        )
    labels = list(projects)
    if len(labels) > 1:
        small, large = labels[0], labels[-1]
        m_small, m_large = median(times[f"ours {small}"]), median(times[f"ours {large}"])
        rows.append(
            Row(
                f"save one shot edit: {large} vs {small} (flat), same loop",
                f"{small}→{large}",
                m_large,
                floor=m_small,
                floor_label=small,
                ratio=m_large / m_small,
                target="≤ 1.5× (flat)",
                ok=m_large / m_small <= 1.5,
            )
        )
    return rows


def scan_update(root: Path, slug: str, shot_id: str, patch: dict[str, Any]) -> None:
    """The original design: open and parse sequence files in order until one holds the shot, write it."""
    folder = root / slug / "sequences"
    for name in sorted(os.listdir(folder)):
        if not (name.startswith("sequence_") and name.endswith(".json")):
            continue
        path = folder / name
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        for shot in data["shots"]:
            if shot["id"] == shot_id:
                shot.update(patch)
                plain_write(path, data)
                return
    raise LookupError(shot_id)


def scan_rows(root: Path, project: BenchProject, repeats: int) -> Row:
    """Row 2: ours (the URL names the sequence: one file) vs the scan, on uniformly random shots.

    Both update the same shots, chosen uniformly at random over the whole project (fixed seed), so
    the scan parses half the project on average. The scan's write is the plain write of row 1 (no
    lock, no history): the cheapest write, so the comparison favours the scan.
    """
    store = Store(root)
    rng = random.Random(2)
    picks = [rng.choice(project.shot_ids) for _ in range(repeats + 2)]

    def ours(i: int) -> None:
        seq_id, shot_id = picks[i]
        store.update_shot(project.slug, seq_id, shot_id, {"prompt": f"ours {i}"})

    def scan(i: int) -> None:
        scan_update(root, project.slug, picks[i][1], {"prompt": f"scan {i}"})

    times = interleaved({"ours": ours, "scan": scan}, repeats, warmup=2)
    m, s = median(times["ours"]), median(times["scan"])
    need = {"10k": 5.0, "50k": 25.0}.get(project.label)
    return Row(
        "update a random shot: ours vs the original scan",
        project.label,
        m,
        floor=s,
        floor_label="scan",
        ratio=s / m,
        ratio_label="× faster",
        target=f"≥ {need:g}× faster" if need else "report",
        ok=(s / m >= need) if need else None,
        n=repeats,
    )


def summary_rows(
    root: Path, project: BenchProject, cold_repeats: int, warm_repeats: int
) -> list[Row]:
    """Row 3: ``Store.summarize_project``, cold (fresh store, caches cleared) and warm (unchanged).

    "Cold" is cold for the application: the files are in the OS page cache (just written).
    """

    def cold(i: int) -> None:
        store = Store(root)
        store.clear_caches()
        store.summarize_project(project.slug)

    cold_times = interleaved({"cold": cold}, cold_repeats, warmup=1)["cold"]
    store = Store(root)
    store.summarize_project(project.slug)
    warm_times = interleaved(
        {"warm": lambda i: store.summarize_project(project.slug)}, warm_repeats, warmup=2
    )["warm"]
    warm = median(warm_times)
    is_10k = project.label == "10k"
    return [
        Row(
            "project summary, cold (fresh Store, clear_caches)",
            project.label,
            median(cold_times),
            n=cold_repeats,
        ),
        Row(
            "project summary, warm (nothing changed)",
            project.label,
            warm,
            target="≤ 20 ms" if is_10k else "report",
            ok=warm <= 0.020 if is_10k else None,
            n=warm_repeats,
        ),
    ]
