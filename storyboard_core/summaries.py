"""Summaries of sequences and projects for the dashboard, and the cache that keeps them cheap.

A summary is computed once per version of a file. The cache key is the file's (inode, mtime, size): every
write replaces the file with a new inode, and an editor that rewrites it in place changes its mtime or
size, so a dashboard over 100 sequences re-reads only the files that changed.
"""

from __future__ import annotations

import os
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Generic, TypeVar

from .models import SHOT_STATUSES, Shot

T = TypeVar("T")
StatKey = tuple[int, int, int]


def stat_key(path: Path) -> StatKey | None:
    """What identifies one version of a file on disk, or None when it does not exist."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


@dataclass(frozen=True)
class ShotCounts:
    """Shot figures shared by sequence and project summaries."""

    shots: int = 0
    with_prompt: int = 0
    duration: float = 0.0
    status_counts: dict[str, int] = field(default_factory=dict)
    status_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def prompt_completion(self) -> float:
        """Shots with a prompt as a fraction of all shots (0 when there are none)."""
        return self.with_prompt / self.shots if self.shots else 0.0

    @staticmethod
    def of(shots: Iterable[Shot]) -> ShotCounts:
        """Count a list of shots."""
        counts: Counter[str] = Counter()
        seconds: defaultdict[str, float] = defaultdict(float)
        with_prompt = 0
        for shot in shots:
            with_prompt += bool(shot.prompt.strip())
            counts[shot.status] += 1
            seconds[shot.status] += shot.duration
        return ShotCounts._of_counters(counts, seconds, with_prompt)

    @staticmethod
    def _of_counters(
        counts: Counter[str], seconds: dict[str, float], with_prompt: int
    ) -> ShotCounts:
        return ShotCounts(
            shots=sum(counts.values()),
            with_prompt=with_prompt,
            duration=round(sum(seconds.values()), 3),
            status_counts={s: counts.get(s, 0) for s in SHOT_STATUSES},
            status_seconds={s: round(seconds.get(s, 0.0), 3) for s in SHOT_STATUSES},
        )

    @staticmethod
    def total(parts: Iterable[ShotCounts]) -> ShotCounts:
        """Add several counts together."""
        counts: Counter[str] = Counter()
        seconds: defaultdict[str, float] = defaultdict(float)
        with_prompt = 0
        for part in parts:
            with_prompt += part.with_prompt
            counts.update(part.status_counts)
            for status, value in part.status_seconds.items():
                seconds[status] += value
        return ShotCounts._of_counters(counts, seconds, with_prompt)


@dataclass(frozen=True)
class SequenceSummary:
    """One sequence file at a glance; ``error`` is set (and the rest empty) when the file is broken."""

    id: str
    file: str
    name: str = ""
    order: int = 0
    revision: int = 0
    updated_at: datetime | None = None
    counts: ShotCounts = field(default_factory=ShotCounts)
    error: str | None = None


@dataclass(frozen=True)
class ProjectSummary:
    """One project at a glance: its metadata and its shots, sequences and loose shots together."""

    id: str
    name: str
    format: str = ""
    description: str = ""
    sequences: int = 0
    loose_shots: int = 0
    counts: ShotCounts = field(default_factory=ShotCounts)
    updated_at: datetime | None = None
    broken_files: tuple[str, ...] = ()
    error: str | None = None


class StatCache(Generic[T]):
    """A thread-safe cache of values computed from files, valid while the file's stat key is unchanged."""

    def __init__(self) -> None:
        self._entries: dict[Path, tuple[StatKey, T]] = {}
        self._lock = threading.Lock()
        self.misses = 0

    def get(self, path: Path, compute: Callable[[Path], T]) -> T:
        """The cached value for ``path``, recomputed only when the file changed since."""
        key = stat_key(path)
        with self._lock:
            entry = self._entries.get(path)
        if entry is not None and key is not None and entry[0] == key:
            return entry[1]
        value = compute(path)
        # Key taken before computing: if the file changed meanwhile, the next call recomputes.
        if key is not None:
            with self._lock:
                self._entries[path] = (key, value)
                self.misses += 1
        return value

    def clear(self) -> None:
        """Forget everything (tests and benchmarks use this to measure a cold read)."""
        with self._lock:
            self._entries.clear()
