"""Present with sound, in Chromium: the page with a 3-minute soundtrack opens as fast as without it,
Play starts sound and picture within 150 ms of the click, and the sound keeps to the shots.

Row 13 of ``python -m bench``; ``python -m bench.present_sound [ROUNDS] [DRIFT_SECONDS]`` prints it
alone. Two projects of the same shape (3 sequences of
20 shots of 3 s: three minutes), one silent and one with a 3-minute soundtrack under the project;
the two pages are opened in turns in fresh tabs (a new session each: the worst case, the mix sent by
the page's second run), timed from the navigation to the player's first shot on screen. Play is
timed in the page from the click event to the ``<audio>`` element's ``playing`` event (sound) and
to the player's ``data-playing`` (picture). The drift row plays the soundtrack's project for
``DRIFT_SECONDS`` and reads, at every change of shot, how far the sound is from that shot's start.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from storyboard_core import Store
from storyboard_core.audio import add_soundtrack
from storyboard_core.timeline.running_order import read_running_order
from tests.core.audio.tones import write_tone
from tests.e2e.launch import CHROMIUM, CHROMIUM_ARGS, free_port, wait_healthy

from .report import Row, cells
from .server import start, stop

SEQUENCES, SHOTS, SECONDS = 3, 20, 3.0  # three minutes
OPEN_RATIO = 1.10
PLAY_TARGET_MS = 150.0
DRIFT_TARGET_S = 0.1
TIMEOUT_MS = 60_000

_PLAYER = ".sb-player[data-index='0'] .sb-title"
# Installed before the click: the click's time, then the sound's and the picture's start.
_ARM = """() => {
  const root = [...document.querySelectorAll('[data-testid="stBidiComponentIsolated"]')]
    .map((h) => h.shadowRoot && h.shadowRoot.querySelector('.sb-player')).find(Boolean);
  const audio = root.querySelector('audio');
  const play = root.querySelector('[data-action=play]');
  window.__sb = {};
  play.addEventListener('click', () => { window.__sb.click = performance.now(); },
    { capture: true, once: true });
  audio.addEventListener('playing', () => { window.__sb.sound = performance.now(); }, { once: true });
  new MutationObserver((_, obs) => {
    if (root.dataset.playing === 'true') { window.__sb.picture = performance.now(); obs.disconnect(); }
  }).observe(root, { attributes: true, attributeFilter: ['data-playing'] });
}"""
# Every change of shot while playing: how far the sound is from the ideal (the shot's start).
_DRIFT = """() => {
  const root = [...document.querySelectorAll('[data-testid="stBidiComponentIsolated"]')]
    .map((h) => h.shadowRoot && h.shadowRoot.querySelector('.sb-player')).find(Boolean);
  const audio = root.querySelector('audio');
  window.__drift = [];
  root.addEventListener('sb-place', (event) => {
    const at = window.__sbAt[event.detail.shot];
    if (at === undefined) return;
    if (window.__t0 === undefined) window.__t0 = event.detail.at - at * 1000;
    // How far the sound is from the shot's start, and how late the picture changed (timer).
    window.__drift.push([audio.currentTime - at, (event.detail.at - window.__t0) / 1000 - at]);
  });
}"""


def make_projects(root: Path) -> tuple[str, str]:
    """The silent project and the one with a 3-minute soundtrack, of the same shape."""
    store = Store(root)
    ids = []
    for name in ("Silent", "Soundtrack"):
        project = store.create_project(
            name,
            format_id="custom",
            sequences=SEQUENCES,
            seconds_per_sequence=int(SHOTS * SECONDS),
            shots_per_sequence=SHOTS,
        )
        ids.append(project.id)
    tone = write_tone(root / "theme.wav", seconds=SEQUENCES * SHOTS * SECONDS)
    add_soundtrack(store, ids[1], tone)
    return ids[0], ids[1]


def _open(page: Any, url: str, *, sound: bool) -> float:
    """Milliseconds from the navigation to the player's first shot (and, with sound, wait for the mix)."""
    page.goto("about:blank")
    page.goto(url, wait_until="commit")
    page.locator(_PLAYER).wait_for(timeout=TIMEOUT_MS)
    shown: float = page.evaluate("() => performance.now()")
    if sound:
        page.locator("audio.sb-audio").wait_for(state="attached", timeout=TIMEOUT_MS)
        page.wait_for_function(
            "() => document.querySelector('[data-testid=stApp]').dataset.testScriptState"
            " === 'notRunning'"
        )
    return shown


def rows(rounds: int = 5, drift_seconds: float = 180.0) -> list[Row]:
    """The present-with-sound rows."""
    from playwright.sync_api import sync_playwright

    workspace = Path(tempfile.mkdtemp(prefix="storyboard-bench-sound-"))
    silent, loud = make_projects(workspace)
    port = free_port()
    proc = start(workspace, port)
    base = f"http://127.0.0.1:{port}/present"
    opened: dict[str, list[float]] = {silent: [], loud: []}
    sound_ms: list[float] = []
    picture_ms: list[float] = []
    out: list[Row] = []
    try:
        wait_healthy(proc, f"http://127.0.0.1:{port}", 120)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                for i in range(rounds + 1):  # round 0 warms the server (and builds the mix)
                    for project in (silent, loud) if i % 2 else (loud, silent):
                        page = browser.new_page(viewport={"width": 1400, "height": 900})
                        took = _open(page, f"{base}?project={project}", sound=project == loud)
                        if i:
                            opened[project].append(took)
                        if project == loud and i:
                            page.evaluate(_ARM)
                            page.locator("[data-action=play]").click()
                            page.wait_for_function("() => window.__sb.sound && window.__sb.picture")
                            marks = page.evaluate("() => window.__sb")
                            sound_ms.append(marks["sound"] - marks["click"])
                            picture_ms.append(marks["picture"] - marks["click"])
                        page.close()
                if drift_seconds > 0:
                    starts = {
                        placed.shot.id: placed.start
                        for placed in read_running_order(Store(workspace), loud).shots
                    }
                    out.append(_drift_row(browser, f"{base}?project={loud}", starts, drift_seconds))
            finally:
                browser.close()
    finally:
        stop(proc)
    size = f"{SEQUENCES}×{SHOTS} shots, 3 min"
    median_silent, median_loud = (statistics.median(opened[p]) for p in (silent, loud))
    ratio = median_loud / median_silent
    out[:0] = [
        Row(
            "Present opens with a 3-min soundtrack (vs silent)",
            size,
            median_loud / 1000,
            floor=median_silent / 1000,
            floor_label="silent",
            ratio=ratio,
            target=f"≤ {OPEN_RATIO}×",
            ok=ratio <= OPEN_RATIO,
            n=rounds,
        ),
        _play_row("Play → sound (audio playing)", size, sound_ms),
        _play_row("Play → picture (player playing)", size, picture_ms),
    ]
    return out


def _play_row(what: str, size: str, values: list[float]) -> Row:
    median = statistics.median(values)
    worst = max(values)
    return Row(
        f"{what} (worst {worst:.0f} ms)",
        size,
        median / 1000,
        target=f"≤ {PLAY_TARGET_MS:.0f} ms",
        ok=worst <= PLAY_TARGET_MS,
        n=len(values),
    )


def _drift_row(browser: Any, url: str, starts: dict[str, float], seconds: float) -> Row:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        _open(page, url, sound=True)
        page.evaluate("(at) => { window.__sbAt = at; }", starts)
        page.evaluate(_DRIFT)
        page.locator("[data-action=play]").click()
        page.wait_for_timeout(seconds * 1000)
        marks: list[list[float]] = page.evaluate("() => window.__drift")
    finally:
        page.close()
    drift = [abs(sound) for sound, _ in marks]
    late = [abs(picture) for _, picture in marks]
    print(f"[bench] sound - shot per cut: {[round(d, 3) for d, _ in marks]}", file=sys.stderr)
    print(f"[bench] picture lateness per cut: {[round(x, 3) for x in late]}", file=sys.stderr)
    worst = max(drift) if drift else float("inf")
    return Row(
        f"Sound vs shot changes over {seconds:.0f} s of play (worst of {len(drift)} cuts)",
        "3 min",
        worst,
        target=f"< {DRIFT_TARGET_S} s",
        ok=worst < DRIFT_TARGET_S,
        n=len(drift),
    )


if __name__ == "__main__":
    args = sys.argv[1:]
    found = rows(int(args[0]) if args else 5, float(args[1]) if len(args) > 1 else 180.0)
    for row in found:
        print(" | ".join(cells(row)))
