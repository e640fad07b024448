"""The ``storyboard`` command: the core's operations from a terminal.

Each command opens the workspace's ``Store`` and makes one call; errors from the core become a
one-line reason on stderr. Exit status: 0 success, 1 invalid data / conflict / not found / broken
files, 2 usage errors. A command is declared once, in the module of its group (``commands`` says
how); ``options`` holds what they share. Heavy parts of the core are imported by the commands that
use them, so ``storyboard projects`` starts quickly.

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
    storyboard sound add l-orage theme.mp3 --start 2.5 --gain-db -6
    storyboard set l-orage 001 shot-1a2b3c4d5e6f dialogue="Where were you?" camera_move=push-in
    storyboard review l-orage 001 --markdown > review.md
    storyboard replace l-orage "Lea" "Léa" --apply
    storyboard bible rename l-orage characters "Lea" "Léa" --apply
    storyboard passcode set
    storyboard serve --share
"""

from __future__ import annotations

import sys
from collections.abc import Sequence as Seq

from .commands import build_parser, requested
from .options import Context, parse_assignments, run_reporting

# The command modules register their commands when imported, in the order the help lists them.
# isort: off
from . import projects, render, storycore, exports, history, review, rewrite, bible, sound, access  # noqa: F401
# isort: on


def main(argv: Seq[str] | None = None) -> int:
    """Run the CLI; returns the exit status (also used by ``python -m storyboard_core``)."""
    words = sys.argv[1:] if argv is None else list(argv)
    # No command named (``storyboard --help``, or a usage error): no command needs its arguments.
    args = build_parser(only=requested(words) or "").parse_args(words)
    return run_reporting(args.handler, Context(args, sys.stdout))


__all__ = ["build_parser", "main", "parse_assignments"]
