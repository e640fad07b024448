"""The ``storyboard`` command: the store's operations from a terminal.

Each command opens a ``Store`` and makes one call; errors from the core become a one-line reason on
stderr. Exit status: 0 success, 1 invalid data / conflict / not found / broken files, 2 usage errors.

Examples::

    storyboard new "L'Orage" --format court-metrage --shots-per-sequence 4
    storyboard projects
    storyboard sequences l-orage
    storyboard --json shots l-orage 001
    storyboard set l-orage 001 shot-1a2b3c4d5e6f prompt="storm over the bay" generation.steps=30
    storyboard validate l-orage
    storyboard render l-orage 001 shot-1a2b3c4d5e6f --workflow portrait
    storyboard import-storycore ~/StoryCore/orage --name "L'Orage"
    storyboard import-csv l-orage shots.csv --apply
    storyboard history l-orage 001
    storyboard restore l-orage 001 20261201T201030123456Z --revision 14
    storyboard export l-orage 001 002 --format pdf -o board.pdf --layout 3x2 --paper a4
    storyboard review l-orage 001 --markdown > review.md
    storyboard replace l-orage "Lea" "Léa" --apply
    storyboard passcode set
    storyboard serve --share
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections.abc import Sequence as Seq
from dataclasses import asdict
from pathlib import Path
from typing import Any

from . import cli_access
from .comfyui.queue import server_for_url
from .comfyui.render import RenderJob, render_shot
from .errors import ChangedMeanwhileError, FieldProblem, InvalidDataError, StoryboardError
from .exports import EXPORT_FORMATS, LAYOUTS, ORIENTATIONS, PAPERS, TEXT_FIELDS, ExportOptions
from .exports.registry import export_file
from .files import read_bytes
from .formats import FORMAT_IDS
from .history import FileHistory, HistoryEntry, file_history, history_file
from .models import Sequence, to_json_dict
from .review import ReviewSummary, review_summary, summary_markdown, when
from .rewrite import apply_changes, preview_changes, replacer
from .settings import active_server, load_settings
from .shotlist import apply_import, plan_import, plan_json
from .store import Store
from .storycore import import_storycore
from .summaries import ProjectSummary, SequenceSummary
from .types import LOOSE, clock
from .workspace import default_workspace


def _parse_value(raw: str) -> Any:
    """A command-line value: JSON when it parses (numbers, true, null, "quoted"), else the text itself."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def assignment(item: str) -> str:
    """argparse type of a ``FIELD=VALUE`` argument: a malformed one is a usage error (exit 2)."""
    field, sep, _ = item.partition("=")
    if not sep or not field:
        raise argparse.ArgumentTypeError(f"{item!r} is not FIELD=VALUE")
    return item


def parse_assignments(items: Seq[str]) -> dict[str, Any]:
    """Turn ``FIELD=VALUE`` arguments (dotted fields allowed) into a nested patch."""
    patch: dict[str, Any] = {}
    for item in items:
        field, _, raw = assignment(item).partition("=")
        value = raw if field.split(".")[-1] in _TEXT_FIELDS else _parse_value(raw)
        target = patch
        *parents, leaf = field.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = value
    return patch


# Free-text fields take the value as typed: `title=2049` stays the text "2049".
_TEXT_FIELDS = frozenset(
    {
        "title",
        "description",
        "prompt",
        "negative_prompt",
        "notes",
        "checkpoint",
        "sampler",
        "scheduler",
    }
)


def _seq_arg(value: str) -> str | None:
    return None if value == LOOSE else value


def _project_row(p: ProjectSummary) -> str:
    if p.error:
        return f"{p.id}\tBROKEN: {p.error}"
    c = p.counts
    changed = f"{p.updated_at:%Y-%m-%d %H:%M}" if p.updated_at else ""
    return (
        f"{p.id}\t{p.name}\t{p.format}\t{p.sequences} sequences\t{c.shots} shots\t"
        f"{c.with_prompt}/{c.shots} prompts\t{clock(c.duration)}\t{changed}"
    )


def _sequence_row(s: SequenceSummary) -> str:
    if s.error:
        return f"{s.id}\tBROKEN: {s.error}"
    c = s.counts
    return (
        f"{s.id}\t{s.order}\t{s.name}\t{c.shots} shots\t{c.with_prompt}/{c.shots} prompts\t"
        f"{clock(c.duration)}"
    )


def _summary_json(obj: ProjectSummary | SequenceSummary) -> dict[str, Any]:
    data = asdict(obj)
    if data.get("updated_at") is not None:
        data["updated_at"] = data["updated_at"].isoformat()
    return data


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with an example in each command's help."""
    parser = argparse.ArgumentParser(
        prog="storyboard",
        description="Storyboard Studio projects from the command line.",
        epilog="Exit status: 0 ok, 1 invalid data/conflict/not found/broken, 2 usage error.",
    )
    parser.add_argument(
        "--workspace",
        metavar="DIR",
        help="workspace folder (default: $STORYBOARD_WORKSPACE or ./workspace)",
    )
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    new = sub.add_parser(
        "new",
        help="create a project from a format",
        epilog='example: storyboard new "L\'Orage" --format court-metrage --shots-per-sequence 4',
    )
    new.add_argument("name")
    new.add_argument("--format", default="court-metrage", choices=FORMAT_IDS)
    new.add_argument("--shots-per-sequence", type=int, default=1, metavar="N")
    new.add_argument("--sequences", type=int, help="with --format custom: how many sequences")
    new.add_argument(
        "--seconds-per-sequence", type=float, help="with --format custom: seconds each"
    )

    sub.add_parser("projects", help="list the projects", epilog="example: storyboard projects")

    seqs = sub.add_parser(
        "sequences",
        help="list a project's sequences",
        epilog="example: storyboard sequences l-orage",
    )
    seqs.add_argument("project")

    shots = sub.add_parser(
        "shots",
        help='list shots of a sequence ("-" = loose shots)',
        epilog="example: storyboard --json shots l-orage 001",
    )
    shots.add_argument("project")
    shots.add_argument(
        "sequence", nargs="?", help='sequence id such as 001, or "-" for loose shots'
    )

    set_ = sub.add_parser(
        "set",
        help="change fields of one shot",
        epilog="example: storyboard set l-orage 001 shot-1a2b3c4d5e6f "
        'prompt="storm over the bay" generation.steps=30',
    )
    set_.add_argument("project")
    set_.add_argument("sequence", help='sequence id, or "-" for a loose shot')
    set_.add_argument("shot")
    set_.add_argument("assignments", nargs="+", metavar="FIELD=VALUE", type=assignment)

    val = sub.add_parser(
        "validate",
        help="check files; exit 1 with findings when broken",
        epilog="example: storyboard validate l-orage",
    )
    val.add_argument("project", nargs="?")

    render = sub.add_parser(
        "render",
        help="render one shot on ComfyUI and print the absolute path of the saved image",
        description="Render one shot on ComfyUI, wait for it, save the image in the project's "
        "renders/ folder and record it on the shot. Prints the image's absolute path; exit 1 "
        "with the reason when the render fails.",
        epilog="example: storyboard render l-orage 001 shot-1a2b3c4d5e6f --workflow portrait",
    )
    render.add_argument("project")
    render.add_argument("sequence", help='sequence id, or "-" for a loose shot')
    render.add_argument("shot")
    render.add_argument(
        "--workflow",
        metavar="NAME",
        help='"built-in" or a file NAME.json in <workspace>/workflows (default: the shot\'s choice)',
    )
    render.add_argument(
        "--server",
        metavar="URL",
        help="ComfyUI server to use, with its token if it is in the settings "
        "(default: the active server, or $STORYBOARD_COMFYUI_URL)",
    )
    imp = sub.add_parser(
        "import-storycore",
        help="import a StoryCore Creative Studio project folder as a new project",
        description="Read a StoryCore project folder (never writing to it) and create a new "
        "project from it; print the report: shots per sequence, where each shot came from, every "
        "value converted or clamped, every conflict between copies and every file not read.",
        epilog='example: storyboard import-storycore ~/StoryCore/orage --name "L\'Orage"',
    )
    imp.add_argument("folder", metavar="FOLDER")
    imp.add_argument("--name", help="the new project's name (default: the StoryCore project's)")
    # SUPPRESS: without the flag here, `storyboard --json import-storycore …` keeps its --json.
    imp.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print the report as JSON"
    )

    csv_in = sub.add_parser(
        "import-csv",
        help="bring back a shot list CSV edited in a spreadsheet (preview; --apply writes)",
        description="Compare a shot list CSV (from Export CSV) with the project and print what "
        "would change, shot by shot and field by field. With --apply, write the clean changes (one "
        "write per sequence file, undoable from history). Exit 1 when any row is refused.",
        epilog="example: storyboard import-csv l-orage shots.csv --apply",
    )
    csv_in.add_argument("project")
    csv_in.add_argument("file", help="the CSV file (UTF-8, with or without BOM; , or ; separated)")
    csv_in.add_argument("--apply", action="store_true", help="write the changes")

    history = sub.add_parser(
        "history",
        help="list the kept versions of a sequence, with what each save changed",
        description="The current version and the kept versions (the last 50) of a sequence file, "
        "newest first: version id, revision, when it was saved and what that save changed.",
        epilog="example: storyboard history l-orage 001 --shot shot-1a2b3c4d5e6f",
    )
    history.add_argument("project")
    history.add_argument("sequence", help='sequence id, or "-" for the loose shots')
    history.add_argument("--shot", metavar="SHOT", help="only the saves that changed this shot")

    restore = sub.add_parser(
        "restore",
        help="make a kept version of a sequence current again (itself undoable)",
        description="Write a kept version (an id from `storyboard history`) back as the current "
        "one; the version it replaces is kept too, so a restore can be undone the same way. "
        "Refused if the file changed since the revision you looked at, unless --force.",
        epilog="example: storyboard restore l-orage 001 20261201T201030123456Z --revision 14",
    )
    restore.add_argument("project")
    restore.add_argument("sequence", help='sequence id, or "-" for the loose shots')
    restore.add_argument("version", help="a version id, as `storyboard history` lists it")
    check = restore.add_mutually_exclusive_group(required=True)
    check.add_argument(
        "--revision",
        type=int,
        metavar="N",
        help="the current revision you looked at: refused if the file has another one now",
    )
    check.add_argument(
        "--force", action="store_true", help="restore even if the file changed meanwhile"
    )
    _add_export(sub)
    review = sub.add_parser(
        "review",
        help="where the review stands: shots by status, shots to retake, every comment",
        epilog="example: storyboard review l-orage 001 --markdown > review.md",
    )
    review.add_argument("project")
    review.add_argument("sequence", nargs="?", help="sequence id such as 001 (default: all)")
    review.add_argument("--markdown", action="store_true", help="print it as a Markdown document")

    rep = sub.add_parser(
        "replace",
        help="find and replace text across a project (preview; --apply writes)",
        description="Find plain text in every prompt, negative prompt, note, bible entry and style "
        "of a project and print each change. With --apply, write them (one write per file, "
        "undoable from history).",
        epilog='example: storyboard replace l-orage "Lea" "Léa" --apply',
    )
    rep.add_argument("project")
    rep.add_argument("find")
    rep.add_argument("replace")
    rep.add_argument("--ignore-case", action="store_true", help="match regardless of case")
    rep.add_argument("--apply", action="store_true", help="write the changes")
    cli_access.add_commands(sub)
    return parser


def _replace(args: argparse.Namespace, store: Store, emit: Any) -> int:
    """``storyboard replace``: the preview, and with ``--apply`` the writes."""
    if not args.find:
        raise InvalidDataError([FieldProblem("find", "give the text to find")])
    change = replacer(args.find, args.replace, match_case=not args.ignore_case)
    done = apply_changes if args.apply else preview_changes
    changes = done(store, args.project, change)
    lines = [f"{c.file}: {c.where} ({c.field}): {c.before!r} -> {c.after!r}" for c in changes]
    if not changes:
        lines.append("nothing matches")
    elif not args.apply:
        lines.append("nothing written: run again with --apply to make these changes")
    emit(
        {"applied": bool(args.apply), "changes": [asdict(c) for c in changes]},
        "\n".join(lines),
    )
    return 0


def _history_json(history: FileHistory, entries: tuple[HistoryEntry, ...]) -> dict[str, Any]:
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


def _history(args: argparse.Namespace, store: Store, emit: Any) -> int:
    history = file_history(store, args.project, _seq_arg(args.sequence))
    entries = history.for_shot(args.shot) if args.shot else history.entries
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
    emit(_history_json(history, entries), "\n".join(rows))
    return 0


def _restore(args: argparse.Namespace, store: Store, emit: Any) -> int:
    seq_id = _seq_arg(args.sequence)
    file = history_file(seq_id)
    if seq_id is None and args.revision is not None:
        print("storyboard: project.json has no revision: use --force", file=sys.stderr)
        return 2
    try:
        restored = store.restore_version(
            args.project, file, args.version, expected_revision=args.revision
        )
    except ChangedMeanwhileError as exc:
        print(
            f"storyboard: {exc.file} changed since you looked at it ({exc.seen}; now "
            f"{exc.current}): run `storyboard history` again, or add --force",
            file=sys.stderr,
        )
        return 1
    undo = store.list_versions(args.project, file)[0].id
    revision = restored.revision if isinstance(restored, Sequence) else None
    again = f" --revision {revision}" if revision is not None else " --force"
    emit(
        {"file": file, "restored": args.version, "revision": revision, "undo": undo},
        f"restored {file} to version {args.version}"
        + (f" (now revision {revision})" if revision is not None else "")
        + f"\nundo: storyboard restore {args.project} {args.sequence} {undo}{again}",
    )
    return 0


def _import_csv(args: argparse.Namespace, store: Store, emit: Any) -> int:
    """``storyboard import-csv``: the preview, and with ``--apply`` the write."""
    plan = plan_import(store, args.project, read_bytes(Path(args.file)))
    applied = 0
    if args.apply and plan.changes:
        applied = len(apply_import(store, plan))
    text = plan.describe()
    if args.apply:
        text += f"\napplied: {applied} shot(s) saved"
    elif plan.changes:
        text += "\nnothing written: run again with --apply to save these changes"
    emit({**plan_json(plan), "applied": applied}, text)
    return 0 if plan.ok else 1


def _fields(value: str) -> tuple[str, ...]:
    """argparse type of ``--fields title,prompt``: each name must be one of ``TEXT_FIELDS``."""
    names = tuple(name.strip() for name in value.split(",") if name.strip())
    unknown = [name for name in names if name not in TEXT_FIELDS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"{value!r}: fields are a comma-separated list of {', '.join(TEXT_FIELDS)}"
        )
    return names


def _add_export(sub: Any) -> None:
    formats = "\n".join(f"  {f.id:<7} {f.label} ({f.suffix})" for f in EXPORT_FORMATS.values())
    export = sub.add_parser(
        "export",
        help="make a hand-out: PDF storyboard, animatic video or editor's timeline",
        description="Make a hand-out of a project, of some of its sequences or of some shots. "
        "Formats:\n" + formats,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example: storyboard export l-orage --format pdf -o board.pdf --layout 2x2 --paper letter\n"
        "    also: storyboard export l-orage 001 --format mp4 -o animatic.mp4 --fps 25\n"
        "          storyboard export l-orage 001 --format otio -o sequence.otio",
    )
    export.add_argument("project")
    export.add_argument(
        "sequences", nargs="*", metavar="SEQ", help='sequence ids (default: all; "-" = loose shots)'
    )
    export.add_argument("--format", required=True, choices=list(EXPORT_FORMATS))
    export.add_argument(
        "-o", "--output", metavar="FILE", help="where to write (default: PROJECT plus the suffix)"
    )
    export.add_argument("--shots", nargs="+", metavar="ID", help="only these shots")
    export.add_argument("--layout", choices=LAYOUTS, help="PDF: frames per page (default 3x2)")
    export.add_argument("--paper", choices=PAPERS, help="PDF: paper size (default a4)")
    export.add_argument("--orientation", choices=ORIENTATIONS, help="PDF (default landscape)")
    export.add_argument(
        "--fields",
        type=_fields,
        metavar="F,F",
        help=f"PDF: text under each frame, from {','.join(TEXT_FIELDS)}",
    )
    export.add_argument("--fps", type=int, help="video and timelines: frame rate (default 24)")
    export.add_argument("--width", type=int, help="video: width in pixels (default 1280)")
    export.add_argument(
        "--no-burn-in",
        dest="burn_in",
        action="store_const",
        const=False,
        help="video: no shot number, title or timecode on the picture",
    )


def _export(args: argparse.Namespace, store: Store, emit: Any) -> int:
    """``storyboard export``: one hand-out written whole to ``--output``."""
    fmt = EXPORT_FORMATS[args.format]
    given = {
        name: getattr(args, name)
        for name in ("layout", "paper", "orientation", "fields", "fps", "width", "burn_in")
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

    written = export_file(
        store,
        args.project,
        fmt.id,
        target,
        sequences=args.sequences,
        shots=args.shots or (),
        options=options,
        progress=show,
    )
    emit({"format": fmt.id, "path": str(written.absolute())}, str(written))
    return 0


def _review_text(summary: ReviewSummary) -> str:
    """The review summary as plain lines for a terminal."""
    lines = [
        f"{summary.scope}: {summary.shots} shots, open comments: {summary.open_comments}",
        "  ".join(f"{status} {n}" for status, n in summary.counts.items()),
    ]
    for item in summary.retakes:
        lines.append(f"retake\t{item.shot.label}\topen comments: {len(item.open_comments)}")
    for remark in summary.remarks:
        c = remark.comment
        state = "resolved" if c.resolved else "open"
        verdict = f"\t{c.verdict}" if c.verdict else ""
        lines.append(
            f"{when(c.created_at)}\t{c.author}\t{remark.shot.label}{verdict}\t{state}\t{' '.join(c.text.split())}"
        )
    lines += [f"BROKEN: {b}" for b in summary.broken]
    return "\n".join(lines)


def _render(args: argparse.Namespace, store: Store, emit: Any) -> int:
    """``storyboard render``: one synchronous render; Ctrl-C takes the prompt back from ComfyUI."""
    settings = load_settings(store.root)
    if args.server:
        server = server_for_url(args.server, settings.comfyui.servers)
    else:
        server = active_server(settings)
    seq_id = _seq_arg(args.sequence)
    cancel = threading.Event()
    result: list[RenderJob] = []
    shown: list[str] = []

    def show(job: RenderJob) -> None:
        # Progress only for a person watching; scripts read stdout and the exit status.
        if sys.stderr.isatty() and job.message not in shown[-1:]:
            shown.append(job.message)
            print(f"{job.state}: {job.message}", file=sys.stderr)

    failures: list[BaseException] = []

    def work() -> None:
        try:
            job = render_shot(
                store,
                store.root,
                args.project,
                seq_id,
                args.shot,
                server=server,
                workflow=args.workflow,
                on_update=show,
                cancel_event=cancel,
            )
        except BaseException as exc:  # a bug: re-raised in the main thread below
            failures.append(exc)
        else:
            result.append(job)

    # The render runs in a thread so that Ctrl-C in this one can cancel it on the server.
    thread = threading.Thread(target=work, name="storyboard-render", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.2)
    except KeyboardInterrupt:
        cancel.set()
        thread.join(10)
        print("storyboard: cancelled", file=sys.stderr)
        return 130
    if failures:
        raise failures[0]
    job = result[0]
    if job.state != "done" or job.image is None:
        print(f"storyboard: {job.message}", file=sys.stderr)
        return 1
    path = (store.project_dir(args.project) / job.image).absolute()
    emit({**asdict(job), "path": str(path)}, str(path))
    return 0


def _run(args: argparse.Namespace, out: Any) -> int:
    store = Store(default_workspace(args.workspace))
    as_json = args.json

    def emit(data: Any, text: str) -> None:
        print(json.dumps(data, indent=2, ensure_ascii=False) if as_json else text, file=out)

    if args.command == "new":
        project = store.create_project(
            args.name,
            format_id=args.format,
            shots_per_sequence=args.shots_per_sequence,
            sequences=args.sequences,
            seconds_per_sequence=args.seconds_per_sequence,
        )
        emit(to_json_dict(project), project.id)
    elif args.command == "projects":
        projects = store.list_projects()
        emit([_summary_json(p) for p in projects], "\n".join(_project_row(p) for p in projects))
    elif args.command == "sequences":
        sequences = store.list_sequences(args.project)
        emit([_summary_json(s) for s in sequences], "\n".join(_sequence_row(s) for s in sequences))
    elif args.command == "shots":
        if args.sequence is None:
            seq_ids: list[str | None] = [None]
            seq_ids += [s.id for s in store.list_sequences(args.project) if not s.error]
        else:
            seq_ids = [_seq_arg(args.sequence)]
        rows = []
        for seq_id in seq_ids:
            for shot in store.read_shots(args.project, seq_id):
                rows.append({"sequence": seq_id, **to_json_dict(shot)})
        emit(
            rows,
            "\n".join(
                f"{r['sequence'] or LOOSE}\t{r['position']}\t{r['id']}\t{r['title']}\t{r['prompt'][:60]}"
                for r in rows
            ),
        )
    elif args.command == "set":
        patch = parse_assignments(args.assignments)
        shot = store.update_shot(args.project, _seq_arg(args.sequence), args.shot, patch)
        emit(to_json_dict(shot), f"saved {shot.id}")
    elif args.command == "validate":
        findings = store.validate(args.project)
        emit(
            [{"project": f.project, "file": f.file, "message": f.message} for f in findings],
            "\n".join(str(f) for f in findings) or "no problems found",
        )
        return 1 if findings else 0
    elif args.command == "render":
        return _render(args, store, emit)
    elif args.command == "import-storycore":
        report = import_storycore(store, args.folder, name=args.name)
        emit(report.to_dict(), "\n".join(report.lines()))
        for issue in report.unreadable:
            print(f"storyboard: not read: {issue}", file=sys.stderr)
    elif args.command == "import-csv":
        return _import_csv(args, store, emit)
    elif args.command == "history":
        return _history(args, store, emit)
    elif args.command == "restore":
        return _restore(args, store, emit)
    elif args.command == "export":
        return _export(args, store, emit)
    elif args.command == "review":
        summary = review_summary(store, args.project, args.sequence)
        if args.markdown:
            print(summary_markdown(summary), end="", file=out)
        else:
            emit(summary.as_json(), _review_text(summary))
    elif args.command == "replace":
        return _replace(args, store, emit)
    elif args.command in cli_access.COMMANDS:
        return cli_access.run(args, store.root)
    return 0


def main(argv: Seq[str] | None = None) -> int:
    """Run the CLI; returns the exit status (also used by ``python -m storyboard_core``)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _run(args, sys.stdout)
    except StoryboardError as exc:
        print(f"storyboard: {exc}", file=sys.stderr)
        return 1
