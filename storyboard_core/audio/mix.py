"""The mix: every sound of a running order laid where it plays, as one 48 kHz stereo signal.

Project soundtracks sit on the project's timeline and play under each chosen sequence from where
that sequence sits on it; a sequence's soundtracks play under that sequence only; a shot's sound
plays from its start inside the shot until the shot ends (what runs past the cut is not heard).
Each file is decoded once, as it streams, however many places it plays in, and only the mix itself
is held in memory (48,000 × 2 float32 samples a second: 69 MB for three minutes). Gains are applied
as the sounds are added, and the sum is clipped to [-1, 1]. A file that is missing or cannot be
decoded is left out with a warning; it never stops the mix.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from ..errors import StoryboardError
from ..models import Sound
from ..paths import image_in_project
from ..store import Store
from ..timeline.running_order import RunningOrder, read_running_order
from .decode import MIX_RATE, decode_stereo


@dataclass(frozen=True)
class Mix:
    """A mix: ``samples`` of shape (2, n), float32 in [-1, 1] at ``MIX_RATE`` Hz, and what was
    left out of it and why (``warnings``, one sentence each)."""

    samples: np.ndarray
    warnings: tuple[str, ...] = ()

    @property
    def duration(self) -> float:
        """Its length in seconds."""
        return float(self.samples.shape[1]) / MIX_RATE


@dataclass(frozen=True)
class Placement:
    """One place a sound plays in a running order: from ``at`` seconds of the running order, the
    part of ``file`` from ``skip`` seconds on, for at most ``length`` seconds, at ``gain_db``.

    What the timelines (OTIO, FCP 7 XML, EDL) write as audio clips. ``where`` names the use
    ("project soundtrack 1", "the sound of shot …") in warnings.
    """

    file: str
    at: float
    skip: float
    length: float
    gain_db: float
    where: str

    @property
    def gain(self) -> float:
        """The gain as a factor of the samples."""
        return float(10 ** (self.gain_db / 20))


def placements(order: RunningOrder) -> list[Placement]:
    """Every place a sound plays in ``order``, section by section: the project's soundtracks, the
    sequence's, then the shots' sounds."""
    found: list[Placement] = []

    def place(sound: Sound, at: float, skip: float, length: float, where: str) -> None:
        if length > 0:
            found.append(Placement(sound.file, at, skip, length, sound.gain_db, where))

    for section in order.sections:
        if section.project_start is not None:
            begin, end = section.project_start, section.project_start + section.duration
            for i, sound in enumerate(order.soundtracks):
                first = max(sound.start, begin)  # from here on the project's timeline…
                last = min(sound.start + sound.duration, end)  # …to here
                at = section.start + first - begin
                place(sound, at, first - sound.start, last - first, f"project soundtrack {i + 1}")
        for i, sound in enumerate(section.soundtracks):
            length = min(sound.duration, section.duration - sound.start)
            where = f"soundtrack {i + 1} of sequence {section.seq}"
            place(sound, section.start + sound.start, 0.0, length, where)
        for placed in section.shots:
            own = placed.shot.sound
            if own is not None:
                length = min(own.duration, placed.duration - own.start)
                where = f"the sound of shot {placed.shot.id}"
                place(own, placed.start + own.start, 0.0, length, where)
    return found


def mix(project_dir: Path, order: RunningOrder) -> Mix:
    """The mix of ``order``, with its sound files read from ``project_dir``.

    Its length is the running order's. The recorded ``duration`` of each sound bounds where it
    plays; a file that turns out shorter simply ends sooner.
    """
    out = np.zeros((2, _samples(order.duration)), dtype=np.float32)
    warnings: list[str] = []
    by_file: dict[str, list[Placement]] = defaultdict(list)
    for use in placements(order):
        by_file[use.file].append(use)
    for file, uses in by_file.items():
        path = image_in_project(project_dir, file)
        if path is None:
            warnings += [f"{u.where}: {file} is missing, so it is not heard" for u in uses]
            continue
        try:
            _add(out, decode_stereo(path, file), uses)
        except StoryboardError as exc:  # what decoded before the damage is heard; the rest not
            warnings += [f"{u.where}: {exc}" for u in uses]
    np.clip(out, -1.0, 1.0, out=out)
    return Mix(out, tuple(warnings))


def _samples(seconds: float) -> int:
    return round(seconds * MIX_RATE)


def _add(out: np.ndarray, blocks: Iterable[np.ndarray], uses: list[Placement]) -> None:
    """Add each block of a file's sound to every place it plays in, at its gain."""
    spans = [(_samples(u.at), _samples(u.skip), _samples(u.length), u.gain) for u in uses]
    needed = max(skip + length for _, skip, length, _ in spans)
    total = out.shape[1]
    position = 0  # of the block's first sample in the file
    for block in blocks:
        width = block.shape[1]
        for at, skip, length, gain in spans:
            first = max(position, skip)  # the part of the block this use plays, in the file
            last = min(position + width, skip + length)
            start = at + first - skip
            last = min(last, first + total - start)  # and never past the end of the mix
            if last > first:
                out[:, start : start + last - first] += (
                    block[:, first - position : last - position] * gain
                )
        position += width
        if position >= needed:
            break


def read_mix(
    store: Store, project: str, play: Iterable[str] | None = None, *, fps: int | None = None
) -> Mix:
    """The mix of ``project`` (``play``: the sequences as Present plays them; default: all in order)."""
    return mix(store.project_dir(project), read_running_order(store, project, play, fps=fps))


def peaks(samples: np.ndarray, buckets: int) -> np.ndarray:
    """The loudest sample (both sides, 0 to 1) in each of ``buckets`` equal slices: a waveform."""
    if buckets < 1:
        raise ValueError("buckets must be at least 1")
    loud = np.abs(samples).max(axis=0) if samples.size else np.zeros(0, dtype=np.float32)
    edges = np.linspace(0, loud.shape[0], buckets + 1).astype(int)
    return np.array(
        [loud[a:b].max() if b > a else 0.0 for a, b in pairwise(edges)],
        dtype=np.float32,
    )


__all__ = ["Mix", "Placement", "mix", "peaks", "placements", "read_mix"]
