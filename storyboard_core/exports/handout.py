"""What a hand-out shows: the project, the chosen sequences or shots, and each shot's frame and text.

Every exporter (PDF, video, timeline) reads a :class:`Handout` gathered here once, so the choice of
shots, their numbering, the frame files and the open comments are decided in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from ..errors import BrokenFileError, FieldProblem, InvalidDataError, NotFoundError
from ..models import Comment, Project, Sequence, Shot
from ..paths import image_in_project
from ..review.comments import open_comments
from ..store import StoreView
from ..types import LOOSE, LOOSE_LABEL
from .options import ExportOptions

if TYPE_CHECKING:
    from PIL import Image

    from ..timeline.running_order import RunningOrder

#: In a list of sequence ids, ``"-"`` stands for the shots outside any sequence (as in the CLI).

#: Reports how far an export has got: a fraction from 0 to 1 and what it is doing.
Progress = Callable[[float, str], None]


def no_progress(fraction: float, message: str) -> None:
    """A progress callback that ignores what it is told."""


class ExportWarning(UserWarning):
    """Something a hand-out had to leave out (a missing sound, an unreadable clip): it is made
    without it, and the caller may tell the person (``warnings.catch_warnings``)."""


#: Writes one format of a hand-out to a binary stream, reporting its progress.
Writer = Callable[["Handout", BinaryIO, ExportOptions, Progress], None]


@dataclass(frozen=True)
class HandoutShot:
    """One shot as a hand-out shows it."""

    id: str
    position: int  # in its sequence, from 1
    number: str  # "2.3": sequence order and position; "3" for a shot outside any sequence
    title: str
    prompt: str
    notes: str
    duration: float
    status: str
    frame: Path | None  # the frame file, or None when the shot has none (or it was deleted)
    open_comments: tuple[Comment, ...]  # unresolved, oldest first
    shot: Shot  # everything else about it (the shot list CSV writes every field)

    @property
    def label(self) -> str:
        """``"2.3 Léa at the window"``, or the number alone for an untitled shot."""
        return f"{self.number} {self.title}".strip()


@dataclass(frozen=True)
class HandoutSection:
    """A sequence (or the loose shots) and the chosen shots in it, in order."""

    id: str  # the sequence id, or ``LOOSE``
    name: str
    description: str
    shots: tuple[HandoutShot, ...]


@dataclass(frozen=True)
class Handout:
    """Everything an exporter needs, read from the store once."""

    project: Project
    sections: tuple[HandoutSection, ...]
    made_at: datetime
    folder: Path  # the project's folder (frames are inside it; caches of their copies too)
    # Every readable sequence in the project's order (their soundtracks sit on its timeline).
    sequences: tuple[Sequence, ...] = ()

    @property
    def shots(self) -> list[HandoutShot]:
        """Every chosen shot, in order."""
        return [shot for section in self.sections for shot in section.shots]

    @property
    def duration(self) -> float:
        """The running time of the chosen shots, in seconds."""
        return sum(shot.duration for shot in self.shots)

    @property
    def title(self) -> str:
        """The project's name, with the sequence's when there is only one."""
        if len(self.sections) == 1 and self.sections[0].id != LOOSE:
            return f"{self.project.name} — {self.sections[0].name}"
        return self.project.name

    def running_order(self, fps: int | None = None) -> RunningOrder:
        """When each chosen shot plays, for the sound and the captions (cuts on ``fps``'s frames).

        Only the chosen shots play: with some shots left out, the others close up, and a
        soundtrack follows them as it follows the sequence's shots.
        """
        from ..timeline.running_order import running_order

        kept = {section.id: [s.shot for s in section.shots] for section in self.sections}
        sequences = [
            seq.model_copy(update={"shots": kept[seq.id]}) if seq.id in kept else seq
            for seq in self.sequences
        ]
        project = self.project.model_copy(update={"shots": kept.get(LOOSE, [])})
        return running_order(project, sequences, list(kept), fps=fps)


def _frame(project_dir: Path, shot: Shot) -> Path | None:
    # A frame that is missing or would lead out of the project is printed as "no frame yet".
    return image_in_project(project_dir, shot.render.image) if shot.render else None


def _shot(project_dir: Path, shot: Shot, number: str) -> HandoutShot:
    return HandoutShot(
        id=shot.id,
        position=shot.position,
        number=number,
        title=shot.title,
        prompt=shot.prompt,
        notes=shot.notes,
        duration=shot.duration,
        status=shot.status,
        frame=_frame(project_dir, shot),
        open_comments=tuple(open_comments(shot)),
        shot=shot,
    )


def gather_handout(
    store: StoreView,
    project: str,
    sequences: Iterable[str] = (),
    shots: Iterable[str] = (),
) -> Handout:
    """The hand-out of ``project``: every sequence in order then the loose shots, or only ``sequences``.

    ``sequences`` are ids such as ``"001"`` (``"-"`` for the loose shots); ``shots`` keeps only the
    shots with those ids. Raises ``NotFoundError`` for an unknown sequence or shot id and
    ``InvalidDataError`` when nothing is left to show.
    """
    meta = store.read_project(project)
    project_dir = store.project_dir(project)
    wanted = list(dict.fromkeys(sequences))
    if not wanted:
        wanted = [s.id for s in store.list_sequences(project) if not s.error]
        wanted += [LOOSE] if meta.shots else []
    chosen = set(shots)
    readable = {
        s.id: store.read_sequence(project, s.id)
        for s in store.list_sequences(project)
        if not s.error
    }
    sections = []
    for seq_id in wanted:
        if seq_id == LOOSE:
            name, description, found, prefix = LOOSE_LABEL, "", meta.shots, ""
        else:
            seq = readable.get(seq_id) or store.read_sequence(project, seq_id)
            name, description, found, prefix = seq.name, seq.description, seq.shots, f"{seq.order}."
        kept = tuple(
            _shot(project_dir, shot, f"{prefix}{shot.position}")
            for shot in found
            if not chosen or shot.id in chosen
        )
        if kept:
            sections.append(HandoutSection(seq_id, name, description, kept))
    missing = chosen - {shot.id for section in sections for shot in section.shots}
    if missing:
        raise NotFoundError(
            f"no shot {', '.join(sorted(missing))} in the chosen sequences of project {project!r}"
        )
    if not sections:
        raise InvalidDataError(
            [FieldProblem("shots", "there is no shot to export: choose sequences that have shots")],
            where=project,
        )
    return Handout(meta, tuple(sections), datetime.now(UTC), project_dir, tuple(readable.values()))


@contextmanager
def _reading(shot: HandoutShot) -> Iterator[Image.Image]:
    """The shot's frame opened (not yet decoded); ``BrokenFileError`` naming the file and the shot."""
    assert shot.frame is not None
    # Imported here: gathering a hand-out (and the export menus) needs no Pillow, only drawing one.
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(shot.frame) as image:
            yield image
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise BrokenFileError(
            shot.frame, f"the frame of shot {shot.label} is not a readable image ({exc})"
        ) from exc


def open_frame(shot: HandoutShot) -> Image.Image:
    """The shot's frame decoded as RGB (``BrokenFileError`` naming the file and the shot if it is not an image)."""
    with _reading(shot) as image:
        return image.convert("RGB")


def frame_aspect(shot: HandoutShot) -> float:
    """Width over height of the shot's frame, read from its header only."""
    with _reading(shot) as image:
        return image.width / image.height
