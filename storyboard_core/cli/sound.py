"""``storyboard sound``: soundtracks of the project or a sequence, and a shot's own sound.

The same calls as the app (``storyboard_core.audio``): a file is checked by decoding and copied into
``<project>/audio/`` before anything is recorded, so a file that is not sound, is damaged, too big or
placed past the end is refused naming it, and nothing saved changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..types import JsonDict
from .commands import group
from .options import PROJECT, Context, arg, json_option, seq_id

if TYPE_CHECKING:
    from ..audio import SoundUse
    from ..models import Sound

sound = group(
    "sound",
    help="soundtracks and shot sounds: add, remove, list, set a shot's",
    description="Sound files (WAV, MP3, OGG/Opus, FLAC, M4A/AAC) are checked by decoding and "
    "copied into the project's audio/ folder. A soundtrack plays under the whole project, or "
    "under one sequence with --sequence; a shot's sound plays from an offset inside the shot.",
    example="storyboard sound add l-orage theme.mp3 --start 2.5 --gain-db -6",
)

_SEQUENCE = arg(
    "--sequence",
    metavar="SEQ",
    help="a sequence's soundtracks (default: the project's)",
)
_START = arg("--start", type=float, default=0.0, metavar="S", help="seconds (default 0)")
_GAIN = arg(
    "--gain-db", type=float, default=0.0, metavar="G", help="decibels, -60 to 24 (default 0)"
)


def _sound_json(sound: Sound) -> JsonDict:
    return sound.model_dump(mode="json")


def _described(sound: Sound) -> str:
    return f"{sound.file} ({sound.duration:.2f} s) from {sound.start:g} s at {sound.gain_db:+g} dB"


@sound.command(
    "add",
    help="add a soundtrack to the project or to a sequence",
    example="storyboard sound add l-orage theme.mp3 --sequence 002 --start 1.5 --gain-db -6",
    arguments=(PROJECT, arg("file", help="the sound file"), _SEQUENCE, _START, _GAIN),
)
def add(ctx: Context) -> int:
    """Check and copy the file, record the soundtrack; print where it went."""
    from ..audio import add_soundtrack

    args = ctx.args
    added = add_soundtrack(
        ctx.store,
        args.project,
        Path(args.file),
        seq_id=args.sequence,
        start=args.start,
        gain_db=args.gain_db,
    )
    where = f"sequence {args.sequence}" if args.sequence else "the project"
    ctx.emit(_sound_json(added), f"added to {where}: {_described(added)}")
    return 0


@sound.command(
    "remove",
    help="take a soundtrack off (its file stays in audio/)",
    example="storyboard sound remove l-orage 1 --sequence 002",
    arguments=(
        PROJECT,
        arg("index", type=int, metavar="INDEX", help="its number in `storyboard sound list`"),
        _SEQUENCE,
    ),
)
def remove(ctx: Context) -> int:
    """Remove soundtrack INDEX (from 1) of the project or of ``--sequence``."""
    from ..audio import remove_soundtrack
    from ..errors import FieldProblem, InvalidDataError

    args = ctx.args
    if args.index < 1:
        raise InvalidDataError([FieldProblem("index", "soundtracks are numbered from 1")])
    removed = remove_soundtrack(ctx.store, args.project, args.index - 1, seq_id=args.sequence)
    ctx.emit(_sound_json(removed), f"removed {removed.file}")
    return 0


def _use_json(use: SoundUse, missing: bool) -> JsonDict:
    return {
        "where": use.where,
        "sequence": use.seq,
        "shot": use.shot,
        "index": None if use.index is None else use.index + 1,
        "missing": missing,
        **_sound_json(use.sound),
    }


@sound.command(
    "list",
    help="every sound of the project, the missing files flagged",
    example="storyboard sound list l-orage --json",
    arguments=(PROJECT, json_option()),
)
def list_sounds(ctx: Context) -> int:
    """One line per sound: where it plays, its file, start, gain; ``MISSING`` when the file is gone."""
    from ..audio import missing_sounds, sound_uses

    args = ctx.args
    uses = sound_uses(ctx.store, args.project)
    missing = {(m.where, m.sound.file) for m in missing_sounds(ctx.store, args.project)}
    gone = {i for i, u in enumerate(uses) if (u.where, u.sound.file) in missing}
    lines = [
        f"{u.where}\t{_described(u.sound)}" + ("\tMISSING: plays silent" if i in gone else "")
        for i, u in enumerate(uses)
    ]
    ctx.emit([_use_json(u, i in gone) for i, u in enumerate(uses)], "\n".join(lines) or "no sounds")
    return 0


@sound.command(
    "shot",
    help="give a shot its own sound (a line, an effect), or take it off with --clear",
    example="storyboard sound shot l-orage 001 shot-1a2b3c4d5e6f door.wav --start 0.5",
    arguments=(
        PROJECT,
        arg("sequence", metavar="SEQ", help='sequence id, or "-" for a loose shot'),
        arg("shot"),
        arg("file", nargs="?", help="the sound file (not with --clear)"),
        arg("--clear", action="store_true", help="take the shot's sound off (its file stays)"),
        _START,
        _GAIN,
    ),
)
def shot(ctx: Context) -> int:
    """Set (or with ``--clear`` remove) the shot's own sound."""
    from ..audio import clear_shot_sound, set_shot_sound
    from ..errors import FieldProblem, InvalidDataError

    args = ctx.args
    if args.clear == (args.file is not None):
        raise InvalidDataError([FieldProblem("file", "give a sound file, or --clear (not both)")])
    if args.clear:
        saved = clear_shot_sound(ctx.store, args.project, seq_id(args.sequence), args.shot)
        ctx.emit({"id": saved.id, "sound": None}, f"{saved.id} has no sound of its own")
        return 0
    saved = set_shot_sound(
        ctx.store,
        args.project,
        seq_id(args.sequence),
        args.shot,
        Path(args.file),
        start=args.start,
        gain_db=args.gain_db,
    )
    assert saved.sound is not None
    ctx.emit(
        {"id": saved.id, "sound": _sound_json(saved.sound)},
        f"{saved.id}: {_described(saved.sound)}",
    )
    return 0
