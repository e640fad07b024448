"""The ``storyboard passcode`` and ``storyboard serve`` commands (the access part of the CLI).

``serve`` builds its ``streamlit run`` command in the core (``access.serve_plan``) and executes it;
before a share it makes sure an editor passcode is set, asking for one (twice, without echo).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from .access import passcode_is_set, serve_plan, set_passcode

COMMANDS = ("passcode", "serve")


def add_commands(sub: Any) -> None:
    """Add ``passcode`` and ``serve`` to the ``storyboard`` subcommands."""
    code = sub.add_parser(
        "passcode",
        help="set the editor passcode that opens the app when it is shared",
        description="Ask for the editor passcode twice (nothing is echoed) and store only its "
        "salted scrypt hash in <workspace>/settings.json. Once a passcode is set, the app asks for it.",
        epilog="example: storyboard passcode set",
    )
    code.add_argument("action", choices=["set"])

    serve = sub.add_parser(
        "serve",
        help="run the app: on this machine, or with --share on the local network behind a passcode",
        description="Start the app with streamlit run. Without --share it listens on 127.0.0.1 only; "
        "with --share (or an --address beyond this machine) it listens on the network, prints the "
        "address to open, and asks every visitor for the editor passcode or a review link (set the "
        "passcode first, or answer the prompt).",
        epilog="example: storyboard serve --share --port 8502",
    )
    serve.add_argument("--share", action="store_true", help="serve to the local network")
    serve.add_argument(
        "--address", help="address to listen on (default 127.0.0.1, 0.0.0.0 with --share)"
    )
    serve.add_argument("--port", type=int, help="port (default 8501)")


def run(args: argparse.Namespace, workspace: Path) -> int:
    """Run ``passcode`` or ``serve``; returns the exit status."""
    if args.command == "passcode":
        return ask_passcode(workspace)
    return serve(args, workspace)


def ask_passcode(workspace: Path) -> int:
    """``storyboard passcode set``: read it twice without echo; store its hash."""
    first = getpass.getpass("New editor passcode: ")
    if getpass.getpass("Once more: ") != first:
        print("storyboard: the two passcodes differ; nothing was changed", file=sys.stderr)
        return 1
    set_passcode(workspace, first)
    print("editor passcode set", file=sys.stderr)
    return 0


def serve(args: argparse.Namespace, workspace: Path) -> int:
    """``storyboard serve``: make sure of a passcode before a share, then exec the app."""
    plan = serve_plan(share=args.share, address=args.address, port=args.port)
    if plan.gated and not passcode_is_set(workspace):
        if not sys.stdin.isatty():
            print(
                "storyboard: sharing needs an editor passcode: run `storyboard passcode set` first",
                file=sys.stderr,
            )
            return 1
        print("Sharing needs an editor passcode (asked once, stored as a salted hash).")
        status = ask_passcode(workspace)
        if status:
            return status
    where = "on the local network" if plan.gated else "on this machine only"
    print(f"Storyboard Studio {where}: open {plan.url}", flush=True)
    env = {**os.environ, "STORYBOARD_WORKSPACE": str(workspace.absolute())}
    os.execve(plan.command[0], plan.command, env)
    return 0  # pragma: no cover (execve does not return)
