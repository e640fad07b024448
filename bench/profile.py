"""``python -m bench.profile [dashboard|sequence|shot|settings|empty] [RUNS]``: where a rerun goes.

Generates the 10k-shot project in a temporary workspace, runs the page once (not profiled), then
profiles ``RUNS`` reruns with pyinstrument and prints the call tree. ``AppTest`` runs the script in
its own thread, so the profiler is started inside every thread started during the reruns and their
sessions are combined.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")


def main(argv: list[str]) -> int:
    """Profile ``RUNS`` reruns of one page on the 10k-shot project and print the call tree."""
    from tests.app.serving import as_running_server

    which = argv[0] if argv else "dashboard"
    runs = int(argv[1]) if len(argv) > 1 and argv[1].isdigit() else 20
    workspace = Path(tempfile.mkdtemp(prefix="storyboard-profile-"))
    os.environ["STORYBOARD_WORKSPACE"] = str(workspace)
    with as_running_server():
        return _profile(workspace, which, runs, "--flat" in argv)


def _profile(workspace: Path, which: str, runs: int, flat: bool) -> int:
    import threading

    from pyinstrument import Profiler
    from pyinstrument.renderers import ConsoleRenderer
    from pyinstrument.session import Session

    from . import pages
    from .projects import generate

    try:
        project = generate(workspace, "10k")
        tests = {name.split()[0]: at for name, (at, _) in pages.page_tests(project).items()}
        tests["empty"] = pages._app_test(pages.EMPTY_PAGE)
        at = tests[which]
        pages._run(at)
        sessions: list[Session] = []
        original = threading.Thread.run

        def profiled(self: threading.Thread) -> None:
            profiler = Profiler(interval=0.0005)
            profiler.start()
            try:
                original(self)
            finally:
                session = profiler.stop()
                sessions.append(session)

        threading.Thread.run = profiled  # type: ignore[method-assign]
        try:
            for _ in range(runs):
                pages._run(at)
        finally:
            threading.Thread.run = original  # type: ignore[method-assign]
        combined = sessions[0]
        for other in sessions[1:]:
            combined = Session.combine(combined, other)
        print(
            ConsoleRenderer(unicode=True, flat=flat, flat_time="total" if flat else "self").render(
                combined
            )
        )
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
