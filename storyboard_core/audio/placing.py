"""Sounds in a project: soundtracks of the project or of a sequence, and a shot's own sound.

Each function checks the file (``folder.import_sound``), then records it through the store's own
writes (``Store.edit_container``, ``Store.change_shot``): under the file's lock, validated, atomic,
with history. When the record is refused (a start past the end, a gain out of range, a shot that
is not there), the copy just made is removed and nothing saved changes. Taking a sound off leaves
its file in ``audio/``: the file's history may bring the record back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar

from ..errors import FieldProblem, InvalidDataError, NotFoundError
from ..models import Project, Sequence, Shot, Sound
from ..paths import PROJECT_FILE, image_in_project, sequence_file
from ..store import Store
from ..types import LOOSE, JsonDict, Patch, field_path
from ..validation import validate
from .folder import ImportedSound, import_sound, remove_copy

T = TypeVar("T")


def project_duration(store: Store, project: str) -> float:
    """The length of the project's timeline: its readable sequences end to end (loose shots aside)."""
    return sum(s.counts.duration for s in store.list_sequences(project) if s.error is None)


def check_start(start: float, end: float, field: str, what: str) -> None:
    """Refuse (``InvalidDataError`` naming ``field``) a sound starting at or past the ``end`` of ``what``.

    A start of 0 is always accepted: music may be laid before the first shot is.
    """
    if start > 0 and start >= end:
        raise InvalidDataError(
            [FieldProblem(field, f"{start:g} s is past the end of {what} ({end:g} s)", start)]
        )


def _checked(data: JsonDict, field: str, end: float, what: str) -> Sound:
    """``data`` as the sound at ``field`` (``soundtracks[2]``, ``sound``): in range, and starting
    before the ``end`` of ``what``; else ``InvalidDataError`` naming ``field.start``, ``field.gain_db``…"""
    try:
        sound = validate(Sound, data)
    except InvalidDataError as exc:
        problems = [FieldProblem(f"{field}.{p.field}", p.message, p.value) for p in exc.problems]
        raise InvalidDataError(problems) from exc
    check_start(sound.start, end, f"{field}.start", what)
    return sound


def _new_sound(imported: ImportedSound, start: float, gain_db: float) -> JsonDict:
    return {
        "file": imported.file,
        "duration": imported.info.duration,
        "start": start,
        "gain_db": gain_db,
    }


def _recorded(project_dir: Path, imported: ImportedSound, record: Callable[[], T]) -> T:
    """Run ``record()``; if it raises, remove the copy ``imported`` made, then re-raise."""
    try:
        return record()
    except BaseException:
        remove_copy(project_dir, imported)
        raise


def _container_name(seq_id: str | None) -> str:
    return PROJECT_FILE if seq_id is None else sequence_file(seq_id)


def _end_of(store: Store, project: str, container: Project | Sequence) -> tuple[float, str]:
    if isinstance(container, Sequence):
        return sum(shot.duration for shot in container.shots), f"sequence {container.id}"
    return project_duration(store, project), "the project"


def add_soundtrack(
    store: Store,
    project: str,
    source: Path | BinaryIO,
    *,
    name: str | None = None,
    seq_id: str | None = None,
    start: float = 0.0,
    gain_db: float = 0.0,
) -> Sound:
    """Add a soundtrack to the project (``seq_id=None``) or to a sequence; return it as saved.

    ``source`` is a sound file (a path, or an open binary file called ``name``); it is checked and
    copied into ``audio/``. ``start`` is in seconds on the project's timeline (the sequences end to
    end) or on the sequence's; a start past its end is refused naming ``soundtracks[i].start``.
    """
    folder = store.project_dir(project)  # an unknown project fails before anything is copied
    imported = import_sound(folder, source, name)
    added: list[Sound] = []

    def change(container: Project | Sequence) -> bool:
        field = field_path(("soundtracks", len(container.soundtracks)))
        sound = _checked(
            _new_sound(imported, start, gain_db), field, *_end_of(store, project, container)
        )
        container.soundtracks.append(sound)
        added.append(sound)
        return True

    _recorded(folder, imported, lambda: store.edit_container(project, seq_id, change))
    return added[0]


def update_soundtrack(
    store: Store,
    project: str,
    index: int,
    *,
    seq_id: str | None = None,
    start: float | None = None,
    gain_db: float | None = None,
) -> Sound:
    """Move a soundtrack (``start``) or change its ``gain_db``; return it as saved.

    ``index`` counts from 0 in the project's (``seq_id=None``) or the sequence's soundtracks.
    """
    changes = {k: v for k, v in (("start", start), ("gain_db", gain_db)) if v is not None}
    changed: list[Sound] = []

    def change(container: Project | Sequence) -> bool:
        field = _soundtrack_field(container, index, seq_id)
        data = {**container.soundtracks[index].model_dump(), **changes}
        sound = _checked(data, field, *_end_of(store, project, container))
        container.soundtracks[index] = sound
        changed.append(sound)
        return bool(changes)

    store.edit_container(project, seq_id, change)
    return changed[0]


def remove_soundtrack(
    store: Store, project: str, index: int, *, seq_id: str | None = None
) -> Sound:
    """Take soundtrack ``index`` (from 0) off the project or a sequence; return it. The file stays."""
    removed: list[Sound] = []

    def change(container: Project | Sequence) -> bool:
        _soundtrack_field(container, index, seq_id)
        removed.append(container.soundtracks.pop(index))
        return True

    store.edit_container(project, seq_id, change)
    return removed[0]


def _soundtrack_field(container: Project | Sequence, index: int, seq_id: str | None) -> str:
    if not 0 <= index < len(container.soundtracks):
        raise NotFoundError(
            f"no soundtrack {index + 1} in {_container_name(seq_id)} "
            f"(it has {len(container.soundtracks)})"
        )
    return field_path(("soundtracks", index))


def set_shot_sound(
    store: Store,
    project: str,
    seq_id: str | None,
    shot_id: str,
    source: Path | BinaryIO,
    *,
    name: str | None = None,
    start: float = 0.0,
    gain_db: float = 0.0,
) -> Shot:
    """Give a shot its own sound, starting ``start`` seconds into the shot; return the saved shot.

    The file is checked and copied like a soundtrack's; a start at or past the shot's end is refused
    naming ``sound.start``. A sound the shot had is replaced (its file stays).
    """
    store.read_shot(project, seq_id, shot_id)  # an unknown shot fails before anything is copied
    folder = store.project_dir(project)
    imported = import_sound(folder, source, name)

    def change(shot: Shot) -> Patch:
        data = _new_sound(imported, start, gain_db)
        sound = _checked(data, "sound", shot.duration, f"shot {shot.id}")
        return {"sound": sound.model_dump(mode="json")}

    return _recorded(folder, imported, lambda: store.change_shot(project, seq_id, shot_id, change))


def clear_shot_sound(store: Store, project: str, seq_id: str | None, shot_id: str) -> Shot:
    """Take a shot's own sound off (the file stays); return the saved shot."""
    return store.change_shot(
        project, seq_id, shot_id, lambda shot: {"sound": None} if shot.sound else {}
    )


@dataclass(frozen=True)
class SoundUse:
    """Where a sound is used: a project soundtrack (``seq`` None), a sequence's, or a shot's."""

    sound: Sound
    where: str  # "soundtrack 1 of the project", "soundtrack 2 of sequence 003", "shot 2.4 Title"
    seq: str | None = None  # the sequence id (``LOOSE`` for a loose shot); None for the project
    shot: str | None = None  # the shot id, for a shot's sound
    index: int | None = None  # the soundtrack's index, from 0

    def __str__(self) -> str:
        return f"{self.where}: {self.sound.file}"


def sound_uses(store: Store, project: str) -> list[SoundUse]:
    """Every sound of the project: its soundtracks, then each readable sequence's, then the shots'."""
    meta = store.read_project(project)
    uses = [
        SoundUse(s, f"soundtrack {i + 1} of the project", index=i)
        for i, s in enumerate(meta.soundtracks)
    ]
    shots: list[tuple[str, str, Shot]] = [(LOOSE, str(s.position), s) for s in meta.shots]
    for summary in store.list_sequences(project):
        if summary.error is not None:
            continue
        seq = store.read_sequence(project, summary.id)
        uses += [
            SoundUse(s, f"soundtrack {i + 1} of sequence {seq.id}", seq.id, index=i)
            for i, s in enumerate(seq.soundtracks)
        ]
        shots += [(seq.id, f"{seq.order}.{s.position}", s) for s in seq.shots]
    uses += [
        SoundUse(s.sound, f"shot {number} {s.title}".strip(), seq_id, s.id)
        for seq_id, number, s in shots
        if s.sound is not None
    ]
    return uses


def missing_sounds(store: Store, project: str) -> list[SoundUse]:
    """The sounds whose file is gone (deleted by hand), or is not a file inside the project."""
    folder = store.project_dir(project)
    return [u for u in sound_uses(store, project) if image_in_project(folder, u.sound.file) is None]


__all__ = [
    "SoundUse",
    "add_soundtrack",
    "check_start",
    "clear_shot_sound",
    "missing_sounds",
    "project_duration",
    "remove_soundtrack",
    "set_shot_sound",
    "sound_uses",
    "update_soundtrack",
]
