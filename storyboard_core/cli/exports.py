"""``storyboard export`` and ``storyboard import-csv``: hand-outs out, the shot list back in."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from .commands import command
from .options import PROJECT, Context, arg, import_arguments, preview_then_apply

if TYPE_CHECKING:
    from ..shotlist import ImportPlan


def _fields(value: str) -> tuple[str, ...]:
    """argparse type of ``--fields title,prompt``: each name must be one of ``TEXT_FIELDS``."""
    from ..exports import TEXT_FIELDS

    names = tuple(name.strip() for name in value.split(",") if name.strip())
    unknown = [name for name in names if name not in TEXT_FIELDS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"{value!r}: fields are a comma-separated list of {', '.join(TEXT_FIELDS)}"
        )
    return names


def _export_options(parser: argparse.ArgumentParser) -> None:
    """The formats and their options: read from the exports (a heavy import, only for ``export``)."""
    from ..exports import EXPORT_FORMATS, LAYOUTS, ORIENTATIONS, PAPERS, TEXT_FIELDS

    formats = "\n".join(f"  {f.id:<7} {f.label} ({f.suffix})" for f in EXPORT_FORMATS.values())
    parser.description = (
        "Make a hand-out of a project, of some of its sequences or of some shots. Formats:\n"
        + formats
    )
    parser.add_argument("--format", required=True, choices=list(EXPORT_FORMATS))
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="where to write (default: PROJECT plus the suffix)"
    )
    parser.add_argument("--shots", nargs="+", metavar="ID", help="only these shots")
    parser.add_argument("--layout", choices=LAYOUTS, help="PDF: frames per page (default 3x2)")
    parser.add_argument("--paper", choices=PAPERS, help="PDF: paper size (default a4)")
    parser.add_argument("--orientation", choices=ORIENTATIONS, help="PDF (default landscape)")
    parser.add_argument(
        "--fields",
        type=_fields,
        metavar="F,F",
        help=f"PDF: text under each frame, from {','.join(TEXT_FIELDS)}",
    )
    parser.add_argument("--fps", type=int, help="video and timelines: frame rate (default 24)")
    parser.add_argument("--width", type=int, help="video: width in pixels (default 1280)")
    parser.add_argument(
        "--no-burn-in",
        dest="burn_in",
        action="store_const",
        const=False,
        help="video: no shot number, title or timecode on the picture",
    )
    parser.add_argument(
        "--burn-captions",
        action="store_true",
        default=None,
        help="video: burn each shot's dialogue into the picture (it is a subtitle track anyway)",
    )


@command(
    "export",
    help="make a hand-out: PDF storyboard, animatic video or editor's timeline",
    example="storyboard export l-orage --format pdf -o board.pdf --layout 2x2 --paper letter\n"
    "    also: storyboard export l-orage 001 --format mp4 -o animatic.mp4 --fps 25\n"
    "          storyboard export l-orage 001 --format otio -o sequence.otio",
    verbatim=True,
    arguments=(
        PROJECT,
        arg(
            "sequences",
            nargs="*",
            metavar="SEQ",
            help='sequence ids (default: all; "-" = loose shots)',
        ),
        _export_options,
    ),
)
def export(ctx: Context) -> int:
    """One hand-out written whole to ``--output``; its path printed."""
    from ..exports import EXPORT_FORMATS, ExportOptions, ExportWarning, export_file

    args = ctx.args
    fmt = EXPORT_FORMATS[args.format]
    given = {
        name: getattr(args, name)
        for name in (
            "layout",
            "paper",
            "orientation",
            "fields",
            "fps",
            "width",
            "burn_in",
            "burn_captions",
        )
        if getattr(args, name) is not None
    }
    options = ExportOptions.parse(**given)
    target = Path(args.output or f"{args.project}{fmt.suffix}")
    shown: list[int] = []

    def show(fraction: float, message: str) -> None:
        percent = int(fraction * 100) // 10 * 10
        if sys.stderr.isatty() and percent not in shown:  # a person watching: every 10 %
            shown.append(percent)
            print(f"{percent:3d} % {message}", file=sys.stderr)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ExportWarning)
        written = export_file(
            ctx.store,
            args.project,
            fmt.id,
            target,
            sequences=args.sequences,
            shots=args.shots or (),
            options=options,
            progress=show,
        )
    left_out = [str(w.message) for w in caught if issubclass(w.category, ExportWarning)]
    for message in left_out:  # made without it: say what, on stderr, after the file is written
        print(f"warning: {message}", file=sys.stderr)
    ctx.emit(
        {"format": fmt.id, "path": str(written.absolute()), "warnings": left_out}, str(written)
    )
    return 0


@command(
    "import-csv",
    help="bring back a shot list CSV edited in a spreadsheet (preview; --apply writes)",
    description="Compare a shot list CSV (from Export CSV) with the project and print what "
    "would change, shot by shot and field by field. With --apply, write the clean changes (one "
    "write per sequence file, undoable from history). Exit 1 when any row is refused.",
    example="storyboard import-csv l-orage shots.csv --apply",
    arguments=import_arguments(
        file_help="the CSV file (UTF-8, with or without BOM; , or ; separated)",
        apply_help="write the changes",
    ),
)
def import_csv(ctx: Context) -> int:
    """The preview, and with ``--apply`` the write; exit 1 when a row is refused."""
    from ..shotlist import apply_import, plan_import, plan_json

    store, project = ctx.store, ctx.args.project
    return preview_then_apply(
        ctx,
        lambda data: plan_import(store, project, data),
        ok=lambda plan: plan.ok,
        writable=lambda plan: bool(plan.changes),  # the clean rows, even beside refused ones
        write=lambda plan, _: len(apply_import(store, plan)),
        as_json=plan_json,
        describe=_csv_text,
    )


def _csv_text(plan: ImportPlan, apply: bool, applied: int) -> str:
    text = plan.describe()
    if apply:
        text += f"\napplied: {applied} shot(s) saved"
    elif plan.changes:
        text += "\nnothing written: run again with --apply to save these changes"
    return text
