"""``storyboard replace``: find and replace text across a project, previewed before it is written."""

from __future__ import annotations

from dataclasses import asdict

from ..errors import FieldProblem, InvalidDataError
from .commands import command
from .options import PROJECT, Context, arg, change_lines


@command(
    "replace",
    help="find and replace text across a project (preview; --apply writes)",
    description="Find plain text in every prompt, negative prompt, note, bible entry and style "
    "of a project and print each change. With --apply, write them (one write per file, "
    "undoable from history).",
    example='storyboard replace l-orage "Lea" "Léa" --apply',
    arguments=(
        PROJECT,
        arg("find"),
        arg("replace"),
        arg("--ignore-case", action="store_true", help="match regardless of case"),
        arg("--apply", action="store_true", help="write the changes"),
    ),
)
def replace(ctx: Context) -> int:
    """The preview, and with ``--apply`` the writes."""
    from ..bible.rewrite import apply_changes, preview_changes, replacer

    args = ctx.args
    if not args.find:
        raise InvalidDataError([FieldProblem("find", "give the text to find")])
    change = replacer(args.find, args.replace, match_case=not args.ignore_case)
    done = apply_changes if args.apply else preview_changes
    changes = done(ctx.store, args.project, change)
    lines = change_lines(changes)
    if not changes:
        lines.append("nothing matches")
    elif not args.apply:
        lines.append("nothing written: run again with --apply to make these changes")
    ctx.emit(
        {"applied": bool(args.apply), "changes": [asdict(c) for c in changes]},
        "\n".join(lines),
    )
    return 0
