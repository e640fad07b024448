"""The registry of ``storyboard`` commands: each is declared once, where its body is.

A command module writes::

    @command(
        "sequences",
        help="list a project's sequences",
        example="storyboard sequences l-orage",
        arguments=(PROJECT,),
    )
    def sequences(ctx: Context) -> int: ...

and ``group`` makes a command with subcommands of its own (``storyboard bible list``). The parser
is built from the registry; a command's arguments are added only when that command is run (or when
every command is asked for, as the help tests do), so arguments whose choices come from a heavy part
of the core (the export formats) cost nothing to the other commands.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from collections.abc import Sequence as Seq
from dataclasses import dataclass, field
from typing import Any

from .options import Adder, Context, add_global_options

Handler = Callable[[Context], int]


def _subparser(
    sub: Any, name: str, help: str, description: str | None, example: str, verbatim: bool = False
) -> argparse.ArgumentParser:
    """A command's parser in a subparsers action, its example closing its help."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=help,
        description=description,
        epilog=f"example: {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter
        if verbatim
        else argparse.HelpFormatter,
    )
    return parser


@dataclass(frozen=True)
class Command:
    """One command: its name, one-line help, an example (shown as ``example: …``), arguments and body."""

    name: str
    help: str
    example: str
    handler: Handler
    description: str | None = None
    arguments: tuple[Adder, ...] = ()
    #: The description and example are laid out by hand (kept as written, not re-wrapped).
    verbatim: bool = False

    def add_to(self, sub: Any, *, complete: bool) -> None:
        """Add this command to a subparsers action; its arguments too when ``complete``."""
        parser = _subparser(
            sub, self.name, self.help, self.description, self.example, self.verbatim
        )
        parser.set_defaults(handler=self.handler)
        if complete:
            for add in self.arguments:
                add(parser)


def _declare(
    into: dict[str, Any], name: str, arguments: Seq[Adder], **text: Any
) -> Callable[[Handler], Handler]:
    """A decorator putting the command ``name`` with the decorated body into ``into``."""
    if name in into:
        raise RuntimeError(f"two commands are called {name!r}")

    def register(handler: Handler) -> Handler:
        into[name] = Command(name=name, handler=handler, arguments=tuple(arguments), **text)
        return handler

    return register


@dataclass
class Group:
    """A command whose subcommands are commands of their own (``storyboard bible rename``)."""

    name: str
    help: str
    example: str
    description: str | None = None
    commands: dict[str, Command] = field(default_factory=dict)

    def command(
        self,
        name: str,
        *,
        help: str,
        example: str,
        description: str | None = None,
        arguments: Seq[Adder] = (),
    ) -> Callable[[Handler], Handler]:
        """Declare a subcommand of this group (see ``command``)."""
        return _declare(
            self.commands, name, arguments, help=help, example=example, description=description
        )

    def add_to(self, sub: Any, *, complete: bool) -> None:
        """Add the group and its subcommands to a subparsers action."""
        parser = _subparser(sub, self.name, self.help, self.description, self.example)
        inner = parser.add_subparsers(dest="subcommand", required=True, metavar="COMMAND")
        for command in self.commands.values():
            command.add_to(inner, complete=complete)


#: Every command by name, in the order ``storyboard --help`` lists them.
COMMANDS: dict[str, Command | Group] = {}


def command(
    name: str,
    *,
    help: str,
    example: str,
    description: str | None = None,
    arguments: Seq[Adder] = (),
    verbatim: bool = False,
) -> Callable[[Handler], Handler]:
    """Declare a ``storyboard`` command: the decorated function runs it and returns the exit status.

    ``example`` is a command line starting with ``storyboard`` (a test checks that each help has
    one); ``arguments`` are ``options.arg`` calls or shared ones such as ``options.PROJECT``.
    """
    return _declare(
        COMMANDS,
        name,
        arguments,
        help=help,
        example=example,
        description=description,
        verbatim=verbatim,
    )


def group(name: str, *, help: str, example: str, description: str | None = None) -> Group:
    """Declare a ``storyboard`` command with subcommands; declare those with ``Group.command``."""
    if name in COMMANDS:
        raise RuntimeError(f"two commands are called {name!r}")
    made = Group(name, help, example, description)
    COMMANDS[name] = made
    return made


def requested(argv: Seq[str]) -> str | None:
    """The command named on a command line: its first word after the global options, if any."""
    words = iter(argv)
    for word in words:
        if len(word) > 2 and "--workspace".startswith(word):  # argparse takes abbreviations
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser, with an example in each command's help.

    With ``only``, the other commands are there by name and help (what ``storyboard --help`` lists)
    but without their arguments, which some import heavy parts of the core to list their choices.
    """
    parser = argparse.ArgumentParser(
        prog="storyboard",
        description="Storyboard Studio projects from the command line.",
        epilog="Exit status: 0 ok, 1 invalid data/conflict/not found/broken, 2 usage error.",
    )
    add_global_options(parser)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, declared in COMMANDS.items():
        declared.add_to(sub, complete=only is None or only == name)
    return parser
