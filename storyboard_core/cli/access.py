"""``storyboard passcode set`` and ``storyboard serve``: the editor passcode, and the app itself.

``serve`` builds its ``streamlit run`` command in the core (``access.serve_plan``) and executes it;
before a share it makes sure an editor passcode is set, asking for one (twice, without echo).
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from .commands import command
from .options import FAILED, Context, arg, complain


def ask_passcode(workspace: Path) -> int:
    """Say the rule, read the passcode twice without echo; store its hash. Returns the exit status."""
    from ..access import check_new_passcode, set_passcode
    from ..access.passcode import RULE

    print(
        f"The editor passcode: {RULE}. Nothing is echoed; only a salted hash is kept.",
        file=sys.stderr,
    )
    first = check_new_passcode(getpass.getpass("New passcode: "))  # refused before the retyping
    if getpass.getpass("Once more: ") != first:
        complain("the two differ; nothing was changed")
        return FAILED
    set_passcode(workspace, first)
    print("editor passcode set", file=sys.stderr)
    return 0


@command(
    "passcode",
    help="set the editor passcode that opens the app when it is shared",
    description="Ask for the editor passcode twice (nothing is echoed) and store only its "
    "salted scrypt hash in <workspace>/settings.json. Once a passcode is set, the app asks for it.",
    example="storyboard passcode set",
    arguments=(arg("action", choices=["set"]),),
)
def passcode(ctx: Context) -> int:
    """``storyboard passcode set``."""
    return ask_passcode(ctx.workspace)


@command(
    "serve",
    help="run the app: on this machine, or with --share on the local network behind a passcode",
    description="Start the app with streamlit run. Without --share it listens on 127.0.0.1 only; "
    "with --share (or an --address beyond this machine) it listens on the network, prints the "
    "address to open, and asks every visitor for the editor passcode or a review link (set the "
    "passcode first, or answer the prompt).",
    example="storyboard serve --share --port 8502",
    arguments=(
        arg("--share", action="store_true", help="serve to the local network"),
        arg("--address", help="address to listen on (default 127.0.0.1, 0.0.0.0 with --share)"),
        arg("--port", type=int, help="port (default 8501)"),
    ),
)
def serve(ctx: Context) -> int:
    """Make sure of a passcode before a share, then exec the app."""
    from ..access import passcode_is_set, serve_plan

    args, workspace = ctx.args, ctx.workspace
    plan = serve_plan(share=args.share, address=args.address, port=args.port)
    if plan.gated and not passcode_is_set(workspace):
        if not sys.stdin.isatty():
            complain("sharing needs an editor passcode: run `storyboard passcode set` first")
            return FAILED
        print("Sharing needs an editor passcode first.", file=sys.stderr)
        status = ask_passcode(workspace)
        if status:
            return status
    where = "on the local network" if plan.gated else "on this machine only"
    print(f"Storyboard Studio {where}: open {plan.url}", flush=True)
    env = {**os.environ, "STORYBOARD_WORKSPACE": str(workspace.absolute())}
    os.chdir(plan.folder)  # the app's own Streamlit config, wherever `storyboard serve` is run
    os.execve(plan.command[0], plan.command, env)
    return 0  # pragma: no cover (execve does not return)
