"""The running order: the shots of the chosen sequences end to end, each with its start time.

What plays when, for everything that plays in time: the sound mix, the captions, and (through the
exports) the MP4 and the timelines. A project's soundtracks are placed on the *project's* timeline,
every readable sequence end to end in their order (the shots outside any sequence are not on it);
a running order may play only some sequences, or play them in another order, so each section
remembers where it sits on the project's timeline, and the mix takes the soundtrack from there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import NotFoundError
from ..models import Project, Sequence, Shot, Sound
from ..store import Store
from ..types import LOOSE


@dataclass(frozen=True)
class PlacedShot:
    """A shot and when it plays: from ``start`` for ``duration`` seconds of the running order."""

    seq: str  # the sequence id, or ``LOOSE``
    shot: Shot
    start: float
    duration: float

    @property
    def end(self) -> float:
        """When the next shot starts."""
        return self.start + self.duration


@dataclass(frozen=True)
class Section:
    """A sequence (or the loose shots) in the running order.

    ``start`` is where it begins in the running order, ``project_start`` where it sits on the
    project's timeline (``None`` for the loose shots, which are not on it).
    """

    seq: str
    start: float
    duration: float
    project_start: float | None
    soundtracks: tuple[Sound, ...]
    shots: tuple[PlacedShot, ...]


@dataclass(frozen=True)
class RunningOrder:
    """The chosen sections end to end, and the project's soundtracks."""

    sections: tuple[Section, ...]
    soundtracks: tuple[Sound, ...]
    project_duration: float

    @property
    def shots(self) -> list[PlacedShot]:
        """Every shot, in the order they play."""
        return [shot for section in self.sections for shot in section.shots]

    @property
    def duration(self) -> float:
        """The running time, in seconds."""
        return sum(section.duration for section in self.sections)


def running_order(
    project: Project,
    sequences: Iterable[Sequence],
    play: Iterable[str] | None = None,
    *,
    fps: int | None = None,
) -> RunningOrder:
    """Lay out ``play`` (sequence ids, ``LOOSE`` for the loose shots; default: every sequence).

    ``sequences`` are all of the project's readable sequences, in the project's order: they make
    the project's timeline. With ``fps``, every cut falls on the frame nearest to its time, as in
    the MP4 (``exports.timecode.frame_lengths``), so the sound and the captions meet the picture.
    Raises ``NotFoundError`` for an id that is not among them.
    """
    by_id = {seq.id: seq for seq in sequences}
    # The project's timeline, on the same frames: played in order, each section starts exactly
    # where it sits on it, so a soundtrack runs on across sequences without a skip.
    timeline = _start_times([shot.duration for seq in by_id.values() for shot in seq.shots], fps)
    on_timeline, counted = {}, 0
    for seq in by_id.values():
        on_timeline[seq.id] = timeline[counted]
        counted += len(seq.shots)
    wanted = list(dict.fromkeys(play)) if play is not None else list(by_id)
    unknown = [seq_id for seq_id in wanted if seq_id != LOOSE and seq_id not in by_id]
    if unknown:
        raise NotFoundError(f"no sequence {', '.join(unknown)} in project {project.id!r}")
    chosen = [
        (seq_id, project.shots if seq_id == LOOSE else by_id[seq_id].shots) for seq_id in wanted
    ]
    times = _start_times([shot.duration for _, shots in chosen for shot in shots], fps)
    sections, n = [], 0
    for seq_id, shots in chosen:
        placed = []
        for shot in shots:
            placed.append(PlacedShot(seq_id, shot, times[n], times[n + 1] - times[n]))
            n += 1
        start = times[n - len(placed)]
        sections.append(
            Section(
                seq=seq_id,
                start=start,
                duration=times[n] - start,
                project_start=None if seq_id == LOOSE else on_timeline[seq_id],
                soundtracks=() if seq_id == LOOSE else tuple(by_id[seq_id].soundtracks),
                shots=tuple(placed),
            )
        )
    return RunningOrder(tuple(sections), tuple(project.soundtracks), timeline[-1])


def _start_times(durations: list[float], fps: int | None) -> list[float]:
    """Each shot's start and, last, the end of the last one."""
    times = [0.0]
    if fps is None:
        for seconds in durations:
            times.append(times[-1] + seconds)
        return times
    # Imported here: the exports package brings the PDF and video writers with it.
    from ..exports.timecode import frame_lengths

    frames = 0
    for length in frame_lengths(durations, fps):
        frames += length
        times.append(frames / fps)
    return times


def read_running_order(
    store: Store, project: str, play: Iterable[str] | None = None, *, fps: int | None = None
) -> RunningOrder:
    """The running order of ``project`` read from the store (``running_order`` says the rest).

    Sequence files that cannot be read are left out of the project's timeline, as Present does.
    """
    meta = store.read_project(project)
    sequences = [
        store.read_sequence(project, s.id) for s in store.list_sequences(project) if s.error is None
    ]
    return running_order(meta, sequences, play, fps=fps)


__all__ = [
    "PlacedShot",
    "RunningOrder",
    "Section",
    "read_running_order",
    "running_order",
]
