"""``storyboard history`` and ``storyboard restore``: the kept versions of a sequence file."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import TYPE_CHECKING

from ..errors import ChangedMeanwhileError
from ..types import JsonDict
from .commands import command
from .options import FAILED, PROJECT, SEQUENCE, USAGE, Context, arg, complain, seq_id

if TYPE_CHECKING:
    from ..history import FileHistory, HistoryEntry


def _history_json(history: FileHistory, entries: tuple[HistoryEntry, ...]) -> JsonDict:
    return {
        "file": history.file,
        "revision": history.revision,
        "updated_at": history.updated_at.isoformat(),
        "versions": [
            {
                "version": e.version.id if e.version else None,
                "saved_at": e.saved_at.isoformat(),
                "revision": e.revision,
                "oldest": e.oldest,
                "error": e.error,
                "summary": e.summary(),
                "changes": [{**asdict(c), "text": str(c)} for c in e.changes],
            }
            for e in entries
        ],
    }


@command(
    "history",
    help="list the kept versions of a sequence, with what each save changed",
    description="The current version and the kept versions (the last 50) of a sequence file, "
    "newest first: version id, revision, when it was saved and what that save changed.",
    example="storyboard history l-orage 001 --shot shot-1a2b3c4d5e6f",
    arguments=(
        PROJECT,
        SEQUENCE,
        arg("--shot", metavar="SHOT", help="only the saves that changed this shot"),
    ),
)
def history(ctx: Context) -> int:
    """One line per version, newest first."""
    from ..history import file_history

    args = ctx.args
    kept = file_history(ctx.store, args.project, seq_id(args.sequence))
    entries = kept.for_shot(args.shot) if args.shot else kept.entries
    rows = [
        "\t".join(
            [
                e.version.id if e.version else "current",
                f"revision {e.revision}" if e.revision is not None else "",
                f"{e.saved_at:%Y-%m-%d %H:%M:%S} UTC",
                e.summary(),
            ]
        )
        for e in entries
    ]
    ctx.emit(_history_json(kept, entries), "\n".join(rows))
    return 0


def _revision_or_force(parser: argparse.ArgumentParser) -> None:
    check = parser.add_mutually_exclusive_group(required=True)
    check.add_argument(
        "--revision",
        type=int,
        metavar="N",
        help="the current revision you looked at: refused if the file has another one now",
    )
    check.add_argument(
        "--force", action="store_true", help="restore even if the file changed meanwhile"
    )


@command(
    "restore",
    help="make a kept version of a sequence current again (itself undoable)",
    description="Write a kept version (an id from `storyboard history`) back as the current "
    "one; the version it replaces is kept too, so a restore can be undone the same way. "
    "Refused if the file changed since the revision you looked at, unless --force.",
    example="storyboard restore l-orage 001 20261201T201030123456Z --revision 14",
    arguments=(
        PROJECT,
        SEQUENCE,
        arg("version", help="a version id, as `storyboard history` lists it"),
        _revision_or_force,
    ),
)
def restore(ctx: Context) -> int:
    """Restore the version; print how to undo it."""
    from ..history import history_file
    from ..models import Sequence

    args, store = ctx.args, ctx.store
    one = seq_id(args.sequence)
    file = history_file(one)
    if one is None and args.revision is not None:
        complain("project.json has no revision: use --force")
        return USAGE
    try:
        restored = store.restore_version(
            args.project, file, args.version, expected_revision=args.revision
        )
    except ChangedMeanwhileError as exc:
        complain(
            f"{exc.file} changed since you looked at it ({exc.seen}; now "
            f"{exc.current}): run `storyboard history` again, or add --force"
        )
        return FAILED
    undo = store.list_versions(args.project, file)[0].id
    revision = restored.revision if isinstance(restored, Sequence) else None
    again = f" --revision {revision}" if revision is not None else " --force"
    ctx.emit(
        {"file": file, "restored": args.version, "revision": revision, "undo": undo},
        f"restored {file} to version {args.version}"
        + (f" (now revision {revision})" if revision is not None else "")
        + f"\nundo: storyboard restore {args.project} {args.sequence} {undo}{again}",
    )
    return 0
