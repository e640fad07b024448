"""Timing helpers: medians of repeated runs, and runs of several subjects interleaved."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Mapping


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call of ``fn`` takes (``perf_counter``)."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median(values: list[float]) -> float:
    """The median of ``values`` (NaN when there are none)."""
    return statistics.median(values) if values else float("nan")


def interleaved(
    subjects: Mapping[str, Callable[[int], object]], repeats: int, *, warmup: int = 1
) -> dict[str, list[float]]:
    """Time each subject ``repeats`` times, taking turns (a, b, a, b, ...), after ``warmup`` turns.

    Taking turns means a burst of load from another process hits every subject alike, so the ratio
    of two medians measured this way is steadier than either median. Each call gets its round number.
    The garbage collector runs between turns, never inside one.
    """
    times: dict[str, list[float]] = {name: [] for name in subjects}
    for i in range(warmup + repeats):
        for name, fn in subjects.items():
            gc.collect()
            elapsed = timed(lambda fn=fn, i=i: fn(i))  # type: ignore[misc]
            if i >= warmup:
                times[name].append(elapsed)
    return times
