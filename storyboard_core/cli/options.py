"""What every ``storyboard`` command shares: the global options, the common arguments, the run
context (the workspace's store, printing as text or ``--json``) and errors turned into exit codes.

Importing it is cheap: the store is opened on first use, so ``storyboard --help`` reads no file.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from collections.abc import Sequence as Seq
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from ..errors import StoryboardError
from ..types import LOOSE, JsonDict
from ..workspace import default_workspace

if TYPE_CHECKING:
    from ..bible.rewrite import TextChange
    from ..store import Store

Plan = TypeVar("Plan")

#: Adds one argument (or a group of them) to a command's parser; applied only when it is needed.
Adder = Callable[[argparse.ArgumentParser], object]

#: Exit status of invalid data, conflicts, things not found, broken files (usage errors are 2).
FAILED = 1
#: Exit status of a usage error (argparse's own, and the few it cannot see).
USAGE = 2


def arg(*flags: str, **kwargs: Any) -> Adder:
    """An argument of a command, as ``ArgumentParser.add_argument`` takes it."""
    return lambda parser: parser.add_argument(*flags, **kwargs)


PROJECT = arg("project")


def sequence_arg(
    *, optional: bool = False, help: str = 'sequence id, or "-" for the loose shots'
) -> Adder:
    """The sequence argument: an id such as ``001``, or ``-`` for the shots outside any sequence."""
    return arg("sequence", nargs="?" if optional else None, help=help)


SEQUENCE = sequence_arg()


def import_arguments(*, file_help: str, apply_help: str) -> tuple[Adder, ...]:
    """``PROJECT FILE [--apply]``: a command that previews what a file would change, and writes it
    with ``--apply`` (see ``preview_then_apply``)."""
    return (
        PROJECT,
        arg("file", help=file_help),
        arg("--apply", action="store_true", help=apply_help),
    )


def json_option(help: str = "print machine-readable JSON") -> Adder:
    """``--json`` given after the command too (``--json`` before it is a global option)."""
    # SUPPRESS: without the flag here, `storyboard --json COMMAND …` keeps its --json.
    return arg("--json", action="store_true", default=argparse.SUPPRESS, help=help)


def seq_id(value: str) -> str | None:
    """The store's sequence id of a sequence argument (``-``: the loose shots, ``None``)."""
    return None if value == LOOSE else value


def add_global_options(parser: argparse.ArgumentParser) -> None:
    """``--workspace`` and ``--json``, given before the command."""
    parser.add_argument(
        "--workspace",
        metavar="DIR",
        help="workspace folder (default: $STORYBOARD_WORKSPACE or ./workspace)",
    )
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")


def assignment(item: str) -> str:
    """argparse type of a ``FIELD=VALUE`` argument: a malformed one is a usage error (exit 2)."""
    field, sep, _ = item.partition("=")
    if not sep or not field:
        raise argparse.ArgumentTypeError(f"{item!r} is not FIELD=VALUE")
    return item


# Free-text fields take the value as typed: `title=2049` stays the text "2049".
TEXT_FIELDS = frozenset(
    {
        "title",
        "description",
        "prompt",
        "negative_prompt",
        "notes",
        "dialogue",
        "speaker",
        "checkpoint",
        "sampler",
        "scheduler",
    }
)


def _parse_value(raw: str) -> Any:
    """A command-line value: JSON when it parses (numbers, true, null, "quoted"), else the text itself."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def parse_assignments(items: Seq[str]) -> JsonDict:
    """Turn ``FIELD=VALUE`` arguments (dotted fields allowed) into a nested patch."""
    patch: JsonDict = {}
    for item in items:
        field, _, raw = assignment(item).partition("=")
        value = raw if field.split(".")[-1] in TEXT_FIELDS else _parse_value(raw)
        target = patch
        *parents, leaf = field.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = value
    return patch


class Context:
    """One run of a command: its parsed arguments, the workspace's store and where it prints."""

    def __init__(self, args: argparse.Namespace, out: TextIO) -> None:
        self.args = args
        self.out = out

    @property
    def workspace(self) -> Path:
        """The workspace folder (``--workspace``, else ``$STORYBOARD_WORKSPACE``, else ``./workspace``)."""
        return default_workspace(self.args.workspace)

    @cached_property
    def store(self) -> Store:
        """The workspace's store, opened on first use."""
        from ..store import Store

        return Store(self.workspace)

    def emit(self, data: Any, text: str) -> None:
        """Print ``data`` as JSON with ``--json``, else ``text``."""
        print(
            json.dumps(data, indent=2, ensure_ascii=False) if self.args.json else text,
            file=self.out,
        )

    def print(self, text: str, *, end: str = "\n") -> None:
        """Print ``text`` as it is, whatever the output format."""
        print(text, end=end, file=self.out)


def change_lines(changes: Seq[TextChange]) -> list[str]:
    """One line per text that changes: file, place, field, before and after."""
    return [f"{c.file}: {c.where} ({c.field}): {c.before!r} -> {c.after!r}" for c in changes]


def complain(message: str) -> None:
    """One line on stderr, prefixed with the command's name."""
    print(f"storyboard: {message}", file=sys.stderr)


def run_reporting(handler: Callable[[Context], int], context: Context) -> int:
    """Run a command; a ``StoryboardError`` becomes its one-line reason on stderr and exit 1."""
    try:
        return handler(context)
    except StoryboardError as exc:
        complain(str(exc))
        return FAILED


def preview_then_apply(
    ctx: Context,
    check: Callable[[bytes], Plan],
    *,
    ok: Callable[[Plan], bool],
    writable: Callable[[Plan], bool],
    write: Callable[[Plan, bytes], int],
    as_json: Callable[[Plan], JsonDict],
    describe: Callable[[Plan, bool, int], str],
) -> int:
    """The body of an ``import_arguments`` command: read FILE, ``check`` it into a plan, and with
    ``--apply`` ``write`` it (when the plan is ``writable``; it returns how many it wrote).

    Prints the plan (``as_json`` plus ``"applied"`` with ``--json``, else ``describe(plan, apply,
    applied)``); exit 1 when the plan is not ``ok`` (something was refused).
    """
    from ..files import read_bytes

    data = read_bytes(Path(ctx.args.file))
    plan = check(data)
    apply = bool(ctx.args.apply)
    applied = write(plan, data) if apply and writable(plan) else 0
    ctx.emit({**as_json(plan), "applied": applied}, describe(plan, apply, applied))
    return 0 if ok(plan) else FAILED
