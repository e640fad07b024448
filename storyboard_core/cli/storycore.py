"""``storyboard import-storycore``: a StoryCore Creative Studio project folder as a new project."""

from __future__ import annotations

from .commands import command
from .options import Context, arg, complain, json_option


@command(
    "import-storycore",
    help="import a StoryCore Creative Studio project folder as a new project",
    description="Read a StoryCore project folder (never writing to it) and create a new "
    "project from it; print the report: shots per sequence, where each shot came from, every "
    "value converted or clamped, every conflict between copies and every file not read.",
    example='storyboard import-storycore ~/StoryCore/orage --name "L\'Orage"',
    arguments=(
        arg("folder", metavar="FOLDER"),
        arg("--name", help="the new project's name (default: the StoryCore project's)"),
        json_option("print the report as JSON"),
    ),
)
def import_storycore(ctx: Context) -> int:
    """Import the folder; print the report, and each file not read on stderr."""
    from ..storycore import import_storycore as run_import

    report = run_import(ctx.store, ctx.args.folder, name=ctx.args.name)
    ctx.emit(report.to_dict(), "\n".join(report.lines()))
    for issue in report.unreadable:
        complain(f"not read: {issue}")
    return 0
