"""``storyboard render``: one shot rendered on ComfyUI, waited for, saved and recorded."""

from __future__ import annotations

import sys
import threading
from dataclasses import asdict
from typing import TYPE_CHECKING

from .commands import command
from .options import FAILED, PROJECT, Context, arg, complain, seq_id, sequence_arg

if TYPE_CHECKING:
    from ..comfyui.render import RenderJob

#: Exit status after Ctrl-C (the shell's 128 + SIGINT).
INTERRUPTED = 130


@command(
    "render",
    help="render one shot on ComfyUI and print the absolute path of the saved image",
    description="Render one shot on ComfyUI, wait for it, save the image in the project's "
    "renders/ folder and record it on the shot. Prints the image's absolute path; exit 1 "
    "with the reason when the render fails.",
    example="storyboard render l-orage 001 shot-1a2b3c4d5e6f --workflow portrait",
    arguments=(
        PROJECT,
        sequence_arg(help='sequence id, or "-" for a loose shot'),
        arg("shot"),
        arg(
            "--workflow",
            metavar="NAME",
            help='"built-in" or a file NAME.json in <workspace>/workflows (default: the shot\'s choice)',
        ),
        arg(
            "--server",
            metavar="URL",
            help="ComfyUI server to use, with its token if it is in the settings "
            "(default: with several servers in the settings, the least busy one that can run "
            "the shot's workflow; else the active server, or $STORYBOARD_COMFYUI_URL)",
        ),
    ),
)
def render(ctx: Context) -> int:
    """One synchronous render; Ctrl-C takes the prompt back from ComfyUI."""
    from ..comfyui.render import render_shot
    from ..comfyui.routing import route_once
    from ..settings import active_server, configured_servers, load_settings, server_for_url

    args, store = ctx.args, ctx.store
    settings = load_settings(store.root)
    servers = configured_servers(settings)
    if args.server:
        server = server_for_url(args.server, settings.comfyui.servers)
    elif len(servers) > 1:
        # Routed as the app routes: refused here, naming what is missing where, if none can.
        shot_seq = seq_id(args.sequence)
        server = route_once(
            store, store.root, args.project, shot_seq, args.shot, args.workflow, servers
        )
    else:
        server = active_server(settings)
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
                seq_id(args.sequence),
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
        complain("cancelled")
        return INTERRUPTED
    if failures:
        raise failures[0]
    job = result[0]
    if job.state != "done" or job.image is None:
        complain(job.message)
        return FAILED
    path = (store.project_dir(args.project) / job.image).absolute()
    ctx.emit({**asdict(job), "path": str(path)}, str(path))
    return 0
