"""The server rows: ``streamlit run app.py`` to the first page served, and its resident memory.

Chromium is launched before the server starts, so its own start-up is not counted. Each round starts
a fresh server on a free port with the bench workspace, times ``/_stcore/health`` answering 200 and
then the 10k project's dashboard heading becoming visible, opens the sequence page, and reads the
resident memory (RSS) of the server process and its children with psutil.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

from tests.e2e.launch import CHROMIUM, CHROMIUM_ARGS, free_port, streamlit_command, wait_healthy

from .projects import BenchProject
from .report import Row
from .timing import median

ROOT = Path(__file__).resolve().parent.parent
RSS_LIMIT = 300 * 2**20


def rss_tree(pid: int) -> int:
    """Resident memory of a process and all of its children, in bytes."""
    proc = psutil.Process(pid)
    total: int = proc.memory_info().rss
    for child in proc.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


def start(workspace: Path, port: int, script: str = "app.py") -> subprocess.Popen[bytes]:
    """``streamlit run`` of ``script`` on the bench workspace, in a process group of its own."""
    env = {
        **os.environ,
        "STORYBOARD_WORKSPACE": str(workspace),
        "BENCH_MINIMAL_OUT": str(workspace),
    }
    env.pop("STORYBOARD_COMFYUI_URL", None)
    return subprocess.Popen(
        streamlit_command(port, script),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: stopped with it, never by name
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def _one_round(browser: Any, workspace: Path, project: BenchProject) -> dict[str, float]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    began = time.perf_counter()
    proc = start(workspace, port)
    try:
        wait_healthy(proc, f"http://127.0.0.1:{port}", 120)
        health = time.perf_counter() - began
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(120_000)
        opened = time.perf_counter()
        page.goto(f"{base}/?project={project.slug}", wait_until="commit")
        page.get_by_role("heading", name=project.name).first.wait_for(state="visible")
        first = time.perf_counter()
        seq = project.middle_sequence
        page.goto(f"{base}/sequence?project={project.slug}&seq={seq}", wait_until="commit")
        page.get_by_role("heading", name=f"Sequence {int(seq)}").first.wait_for(state="visible")
        page.get_by_text("Export CSV").first.wait_for(state="visible")
        time.sleep(1.0)  # let the grid's data arrive and the server settle
        rss = rss_tree(proc.pid)
        page.close()
        return {
            "health": health,
            "first": first - began,
            "first_after_goto": first - opened,
            "rss": float(rss),
        }
    finally:
        stop(proc)


def in_chromium(
    rounds: int, one_round: Callable[[Any], dict[str, float]]
) -> list[dict[str, float]]:
    """``one_round(browser)``'s figures, ``rounds`` times in one Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            return [one_round(browser) for _ in range(rounds)]
        finally:
            browser.close()


def server_rows(workspace: Path, project: BenchProject, rounds: int) -> list[Row]:
    """Rows 6 and 7, each a median over ``rounds`` fresh servers."""
    results = in_chromium(rounds, lambda browser: _one_round(browser, workspace, project))

    def med(key: str) -> float:
        return median([r[key] for r in results])

    rss = med("rss")
    return [
        Row("streamlit run app.py → /_stcore/health 200", "—", med("health"), n=rounds),
        Row(
            f"streamlit run app.py → dashboard heading visible in Chromium (?project={project.label})",
            project.label,
            med("first"),
            n=rounds,
        ),
        Row(
            "  of which: page load → heading visible (server already up)",
            project.label,
            med("first_after_goto"),
            n=rounds,
        ),
        Row(
            "server RSS (incl. children), dashboard + sequence page open",
            project.label,
            rss,
            unit="MB",
            target="≤ 300 MB",
            ok=rss <= RSS_LIMIT,
            n=rounds,
        ),
    ]
