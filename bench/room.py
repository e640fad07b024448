"""Row 14: a review room in Chromium: how long until 8 followers see the presenter's move.

``streamlit run app.py`` on a project of one sequence (no gate: everyone is an editor). A presenter
and ``FOLLOWERS`` followers open Present in browser contexts of their own; the presenter starts a
room and moves to the next shot ``moves`` times. Each page stamps ``Date.now()`` (one machine, one
clock) when its player's ``data-shot`` changes: a follower's latency is its stamp minus the
presenter's. Target: p90 at most 1 s.

    PYTHONPATH=$PWD python -m bench.room [--moves 12]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from storyboard_core import Store
from tests.e2e.launch import CHROMIUM, CHROMIUM_ARGS, free_port, wait_healthy

from .clicks import p90
from .report import Row, cells
from .server import start, stop

FOLLOWERS = 8
TARGET_S = 1.0
PROJECT = "room"
# Each page keeps when its player showed each shot (the player's "sb-place" event, by shot id).
STAMPS = """
window.__shown = {};
window.addEventListener("sb-place", (event) => { window.__shown[event.detail.shot] = Date.now(); });
"""


def prepare(workspace: Path, shots: int) -> list[str]:
    """A project of one sequence of ``shots`` shots; their ids in order."""
    store = Store(workspace)
    project = store.create_project(
        "Room",
        format_id="custom",
        sequences=1,
        seconds_per_sequence=shots,
        shots_per_sequence=shots,
    )
    assert project.id == PROJECT
    return [s.id for s in store.read_shots(PROJECT, "001")]


def measure(moves: int) -> list[float]:
    """Every follower's latency (seconds) for each of ``moves`` moves."""
    from playwright.sync_api import expect, sync_playwright

    workspace = Path(tempfile.mkdtemp(prefix="storyboard-room-bench-"))
    shots = prepare(workspace, moves + 1)
    port = free_port()
    server = start(workspace, port)
    url = f"http://127.0.0.1:{port}/present?project={PROJECT}&seq=001"
    latencies: list[float] = []
    try:
        wait_healthy(server, f"http://127.0.0.1:{port}", 120)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                pages = []
                for _ in range(FOLLOWERS + 1):
                    page = browser.new_context(viewport={"width": 1200, "height": 800}).new_page()
                    page.add_init_script(STAMPS)
                    page.goto(url, timeout=120_000)
                    expect(page.locator(".sb-player")).to_be_visible(timeout=120_000)
                    pages.append(page)
                lead, followers = pages[0], pages[1:]
                lead.get_by_role("button", name="Start a review room").click()
                for page in followers:
                    expect(page.locator(".sb-player")).to_have_attribute(
                        "data-room", "following", timeout=60_000
                    )
                for shot in shots[1:]:
                    lead.keyboard.press("ArrowRight")
                    for page in followers:
                        expect(page.locator(".sb-player")).to_have_attribute(
                            "data-shot", shot, timeout=30_000
                        )
                    led = lead.evaluate(f"window.__shown[{shot!r}]")
                    for page in followers:
                        latencies.append((page.evaluate(f"window.__shown[{shot!r}]") - led) / 1000)
                    lead.wait_for_timeout(500)
            finally:
                browser.close()
    finally:
        stop(server)
    return latencies


def room_rows(moves: int) -> list[Row]:
    """One row: the median and p90 of a follower's latency."""
    seen = measure(moves)
    late = p90(seen)
    return [
        Row(
            f"review room: a follower sees the presenter's move (p90 {late * 1000:.0f} ms)",
            f"{FOLLOWERS} followers",
            statistics.median(seen),
            target=f"p90 ≤ {TARGET_S * 1000:.0f} ms",
            ok=late <= TARGET_S,
            n=len(seen),
        )
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.room", description=__doc__)
    parser.add_argument("--moves", type=int, default=12)
    args = parser.parse_args(argv)
    rows = room_rows(args.moves)
    print(" | ".join(cells(rows[0])), file=sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
