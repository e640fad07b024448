"""The page rows: ``AppTest`` runs of each page on a big project, and the hanging-ComfyUI probe.

Steady state is measured: one ``AppTest`` per page, its first run discarded (imports, caches), then
reruns timed in turns with the other pages and the empty page, which is what a user pays on every
click. ``python -m bench.pages probe WORKSPACE PROJECT REPEATS`` is the child process of row 5.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.app.serving import as_running_server, scripts_compiled_once

from .projects import BenchProject
from .report import Row
from .timing import interleaved, median

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
EMPTY_PAGE = Path(__file__).resolve().parent / "empty_page.py"
TIMEOUT = 120.0
#: The app's frame (page config, navigation, sidebar, status badge) around a page that only says
#: what is missing: how much of each page's time is the frame's.
FRAME = "app frame only (shot editor, no shot in the URL)"


def _quiet() -> None:
    # AppTest's bare-mode "missing ScriptRunContext" warnings would drown the table.
    from streamlit.logger import set_log_level

    set_log_level("error")


def _app_test(script: Path) -> Any:
    from streamlit.testing.v1 import AppTest

    _quiet()

    return AppTest.from_file(str(script), default_timeout=TIMEOUT)


def _run(at: Any) -> None:
    at.run()
    if at.exception:
        raise RuntimeError(f"the page raised: {[e.message for e in at.exception]}")


def page_tests(project: BenchProject) -> dict[str, tuple[Any, Callable[[Any], bool]]]:
    """One prepared ``AppTest`` per page, and a check that the run drew what it should."""
    seq = project.middle_sequence
    shot = next(s for q, s in project.shot_ids if q == seq)
    dashboard = _app_test(APP)
    dashboard.query_params["project"] = project.slug
    sequence = _app_test(APP)
    sequence.switch_page("pages/sequence.py")
    sequence.query_params.update(project=project.slug, seq=seq)
    editor = _app_test(APP)
    editor.switch_page("pages/shot.py")
    editor.query_params.update(project=project.slug, seq=seq, shot=shot)
    frame = _app_test(APP)
    frame.switch_page("pages/shot.py")  # no shot in the URL: one message and a link back

    def titled(text: str) -> Callable[[Any], bool]:
        return lambda at: any(text in t.value for t in at.title)

    return {
        "dashboard ?project=": (dashboard, titled(project.name)),
        f"sequence page (seq {seq}, 100 shots)": (sequence, titled(f"Sequence {int(seq)}")),
        "shot editor": (editor, titled("#")),
        FRAME: (frame, lambda at: bool(at.error)),
    }


def apptest_rows(project: BenchProject, repeats: int, *, cached: bool = False) -> list[Row]:
    """Row 4: each page's steady-state rerun vs the empty page's, in turns.

    ``cached``: with ``scripts_compiled_once`` (report-only rows, closer to a real rerun).
    """
    # As on a running server (see tests/app/serving.py): without it, every switched page would run
    # twice per rerun (alone from pages/, then again through app.py).
    with as_running_server():
        if cached:
            with scripts_compiled_once():
                return _apptest_rows(project, repeats, cached=True)
        return _apptest_rows(project, repeats, cached=False)


def _apptest_rows(project: BenchProject, repeats: int, *, cached: bool) -> list[Row]:
    tests = page_tests(project)
    empty = _app_test(EMPTY_PAGE)
    for name, (at, check) in tests.items():
        _run(at)  # first run: imports and caches, not timed
        if not check(at):
            raise RuntimeError(f"{name} did not draw its title: {[t.value for t in at.title]}")
    _run(empty)

    def runner(at: Any) -> Callable[[int], object]:
        return lambda i: _run(at)

    subjects = {name: runner(at) for name, (at, _) in tests.items()}
    subjects["empty page"] = runner(empty)
    times = interleaved(subjects, repeats, warmup=1)
    floor = median(times["empty page"])
    rows = []
    for name in tests:
        m = median(times[name])
        suffix = ", compiled once (as streamlit run)" if cached else ""
        rows.append(
            Row(
                f"AppTest rerun: {name} vs empty page{suffix}",
                project.label,
                m,
                floor=floor,
                ratio=m / floor,
                # A diagnostic (issue 15): the target is a click's wait in the browser, row 8.
                target="report",
                ok=None,
                n=repeats,
            )
        )
    return rows


# ------------------------------------------------------------------------------ row 5: hanging server
class HangingServer:
    """A TCP server on 127.0.0.1 that accepts every connection and never answers."""

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._sock.getsockname()[1]
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="hanging-comfyui", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self._sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._held.append(conn)  # read nothing, answer nothing, keep it open

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        for conn in self._held:
            conn.close()
        self._sock.close()


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused at once)."""
    with socket.create_server(("127.0.0.1", 0)) as sock:
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _probe_child(workspace: Path, url: str, project: str, repeats: int) -> dict[str, Any]:
    env = {
        **os.environ,
        "STORYBOARD_WORKSPACE": str(workspace),
        "STORYBOARD_COMFYUI_URL": url,
        "STREAMLIT_LOGGER_LEVEL": "error",
    }
    out = subprocess.run(
        [sys.executable, "-m", "bench.pages", "probe", str(workspace), project, str(repeats)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"probe failed ({out.returncode}): {out.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def hanging_rows(workspace: Path, project: BenchProject, repeats: int, rounds: int) -> list[Row]:
    """Row 5: the dashboard with ``STORYBOARD_COMFYUI_URL`` on a hanging server vs a closed port.

    Each configuration runs in its own process (a monitor cached by the app cannot leak from one to
    the other), alternating hanging / closed ``rounds`` times. Reruns are spread over more than the
    status client's read timeout, so a page that waited on the network would show it.
    """
    server = HangingServer()
    closed = closed_port_url()
    runs: dict[str, list[float]] = {"hanging": [], "closed": []}
    firsts: dict[str, list[float]] = {"hanging": [], "closed": []}
    try:
        for _ in range(rounds):
            for name, url in (("hanging", server.url), ("closed", closed)):
                result = _probe_child(workspace, url, project.slug, repeats)
                runs[name] += result["runs"]
                firsts[name].append(result["first"])
    finally:
        server.close()
    h, c = median(runs["hanging"]), median(runs["closed"])
    fh, fc = median(firsts["hanging"]), median(firsts["closed"])
    return [
        Row(
            "dashboard rerun, ComfyUI hanging vs no server (closed port)",
            project.label,
            h,
            floor=c,
            ratio=h / c,
            target="≤ 1.1×",
            ok=h / c <= 1.1,
            n=len(runs["hanging"]),
        ),
        Row(
            "dashboard first run in a fresh process, hanging vs no server",
            project.label,
            fh,
            floor=fc,
            ratio=fh / fc,
            n=len(firsts["hanging"]),
        ),
    ]


def probe(workspace: str, project: str, repeats: int) -> dict[str, Any]:
    """In a child process: the dashboard's first run, then ``repeats`` reruns ~50 ms apart."""
    os.environ["STORYBOARD_WORKSPACE"] = workspace
    at = _app_test(APP)
    at.query_params["project"] = project
    start = time.perf_counter()
    _run(at)
    first = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        time.sleep(0.05)
        start = time.perf_counter()
        _run(at)
        times.append(time.perf_counter() - start)
    return {"first": first, "runs": times, "median": statistics.median(times)}


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] != "probe":
        sys.exit("usage: python -m bench.pages probe WORKSPACE PROJECT REPEATS")
    print(json.dumps(probe(sys.argv[2], sys.argv[3], int(sys.argv[4]))))
