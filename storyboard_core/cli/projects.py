"""``storyboard new``, ``projects``, ``sequences``, ``shots``, ``set`` and ``validate``: projects,
their sequences and shots."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any, cast

from ..formats import FORMAT_IDS
from ..types import LOOSE, JsonDict, clock
from .commands import command
from .options import (
    FAILED,
    PROJECT,
    Context,
    arg,
    assignment,
    parse_assignments,
    seq_id,
    sequence_arg,
)

if TYPE_CHECKING:
    from ..summaries import ProjectSummary, SequenceSummary
    from ..timeline.camera import CameraPreset


@command(
    "new",
    help="create a project from a format",
    example='storyboard new "L\'Orage" --format court-metrage --shots-per-sequence 4',
    arguments=(
        arg("name"),
        arg("--format", default="court-metrage", choices=FORMAT_IDS),
        arg("--shots-per-sequence", type=int, default=1, metavar="N"),
        arg("--sequences", type=int, help="with --format custom: how many sequences"),
        arg("--seconds-per-sequence", type=float, help="with --format custom: seconds each"),
    ),
)
def new(ctx: Context) -> int:
    """Create the project; print its folder name."""
    from ..models import to_json_dict

    args = ctx.args
    project = ctx.store.create_project(
        args.name,
        format_id=args.format,
        shots_per_sequence=args.shots_per_sequence,
        sequences=args.sequences,
        seconds_per_sequence=args.seconds_per_sequence,
    )
    ctx.emit(to_json_dict(project), project.id)
    return 0


def _summary_json(obj: ProjectSummary | SequenceSummary) -> JsonDict:
    data = asdict(obj)
    if data.get("updated_at") is not None:
        data["updated_at"] = data["updated_at"].isoformat()
    return data


def _project_row(p: ProjectSummary) -> str:
    if p.error:
        return f"{p.id}\tBROKEN: {p.error}"
    c = p.counts
    changed = f"{p.updated_at:%Y-%m-%d %H:%M}" if p.updated_at else ""
    return (
        f"{p.id}\t{p.name}\t{p.format}\t{p.sequences} sequences\t{c.shots} shots\t"
        f"{c.with_prompt}/{c.shots} prompts\t{clock(c.duration)}\t{changed}"
    )


@command("projects", help="list the projects", example="storyboard projects")
def projects(ctx: Context) -> int:
    """One line per project: id, name, format, counts, duration, last change."""
    found = ctx.store.list_projects()
    ctx.emit([_summary_json(p) for p in found], "\n".join(_project_row(p) for p in found))
    return 0


def _sequence_row(s: SequenceSummary) -> str:
    if s.error:
        return f"{s.id}\tBROKEN: {s.error}"
    c = s.counts
    return (
        f"{s.id}\t{s.order}\t{s.name}\t{c.shots} shots\t{c.with_prompt}/{c.shots} prompts\t"
        f"{clock(c.duration)}"
    )


@command(
    "sequences",
    help="list a project's sequences",
    example="storyboard sequences l-orage",
    arguments=(PROJECT,),
)
def sequences(ctx: Context) -> int:
    """One line per sequence: id, order, name, counts, duration."""
    found = ctx.store.list_sequences(ctx.args.project)
    ctx.emit([_summary_json(s) for s in found], "\n".join(_sequence_row(s) for s in found))
    return 0


@command(
    "shots",
    help='list shots of a sequence ("-" = loose shots)',
    example="storyboard --json shots l-orage 001",
    arguments=(
        PROJECT,
        sequence_arg(optional=True, help='sequence id such as 001, or "-" for loose shots'),
    ),
)
def shots(ctx: Context) -> int:
    """The shots of one sequence, or of the whole project (loose shots first)."""
    from ..models import to_json_dict

    args, store = ctx.args, ctx.store
    if args.sequence is None:
        seq_ids: list[str | None] = [None]
        seq_ids += [s.id for s in store.list_sequences(args.project) if not s.error]
    else:
        seq_ids = [seq_id(args.sequence)]
    rows: list[dict[str, Any]] = []
    for one in seq_ids:
        for shot in store.read_shots(args.project, one):
            rows.append({"sequence": one, **to_json_dict(shot)})
    ctx.emit(
        rows,
        "\n".join(
            f"{r['sequence'] or LOOSE}\t{r['position']}\t{r['id']}\t{r['title']}\t{r['prompt'][:60]}"
            for r in rows
        ),
    )
    return 0


def _camera_preset(patch: JsonDict) -> JsonDict:
    """``camera_move=push-in``: a preset's name stands for its move (``camera.CAMERA_PRESETS``)."""
    name = patch.get("camera_move")
    if not isinstance(name, str):
        return patch
    from ..errors import FieldProblem, InvalidDataError
    from ..timeline.camera import CAMERA_PRESETS, preset

    if name not in CAMERA_PRESETS:
        known = ", ".join(CAMERA_PRESETS)
        problem = f"{name!r} is no preset (one of {known}; or camera_move.start.zoom=1.2 …)"
        raise InvalidDataError([FieldProblem("camera_move", problem)])
    return {**patch, "camera_move": preset(cast("CameraPreset", name)).model_dump(mode="json")}


@command(
    "set",
    help="change fields of one shot",
    example="storyboard set l-orage 001 shot-1a2b3c4d5e6f "
    'prompt="storm over the bay" generation.steps=30 dialogue="Where were you?" '
    "speaker=Léa camera_move=push-in",
    description="FIELD=VALUE sets a field; dotted fields reach nested ones "
    "(generation.steps=30, camera_move.start.zoom=1.2). camera_move takes a preset name: "
    "push-in, pull-out, pan-left, pan-right, tilt-up, tilt-down; camera_move=null removes it.",
    arguments=(
        PROJECT,
        sequence_arg(help='sequence id, or "-" for a loose shot'),
        arg("shot"),
        arg("assignments", nargs="+", metavar="FIELD=VALUE", type=assignment),
    ),
)
def set_fields(ctx: Context) -> int:
    """Patch one shot (dotted fields reach nested ones: ``generation.steps=30``)."""
    from ..models import to_json_dict

    args = ctx.args
    patch = _camera_preset(parse_assignments(args.assignments))
    shot = ctx.store.update_shot(args.project, seq_id(args.sequence), args.shot, patch)
    ctx.emit(to_json_dict(shot), f"saved {shot.id}")
    return 0


@command(
    "validate",
    help="check files; exit 1 with findings when broken",
    example="storyboard validate l-orage",
    arguments=(arg("project", nargs="?"),),
)
def validate(ctx: Context) -> int:
    """Every problem found in the project's files (or the workspace's); exit 1 when any."""
    findings = ctx.store.validate(ctx.args.project)
    ctx.emit(
        [{"project": f.project, "file": f.file, "message": f.message} for f in findings],
        "\n".join(str(f) for f in findings) or "no problems found",
    )
    return FAILED if findings else 0
