"""Present on a sequence of 50 video shots: how soon it opens and how much memory the server holds.

Each shot's take is a 5 s 1280×720 h264 clip of a few MB (a moving gradient over noise, so the
encoder cannot shrink it to nothing), kept as the renderer keeps one (``clips.keep_clip``); the 50
clips are one encode re-muxed with a different title, so no two files are alike. In Chromium on a
fresh ``streamlit run`` (its dashboard served once first): the time from ``goto`` to the player
showing shot 1 with its clip ready to play, on the first visit (the present page's first run) and
on a reload, next to the same 50 posters as still takes (the floor: Present without clips, opened
after the clips); then Next through all 50 shots (the served window moves) while the server's
resident memory (with its children) is sampled.

The MP4 export of the same two projects (1280 wide at 24 fps, the default options: burn-in on)
follows, stills then clips: every clip frame is decoded, resampled and encoded where a still is
one sample a second.

``python -m bench.present_clips [ROUNDS]`` runs it alone and prints the rows.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from storyboard_core import Store
from storyboard_core.media.clips import keep_clip
from storyboard_core.media.video import check_clip
from storyboard_core.takes import record_takes, render_take, take_inputs
from tests.e2e.launch import free_port, wait_healthy

from .report import Row
from .server import in_chromium, rss_tree, start, stop
from .timing import median

SHOTS = 50
OPEN_LIMIT = 2.0
RSS_LIMIT = 400 * 2**20
MP4_RATIO_LIMIT = 2.0  # the clips' export against the stills'

_W, _H, _FPS, _FRAMES = 1280, 720, 24, 120


def _encode() -> bytes:
    import av

    rows, cols = np.mgrid[0:_H, 0:_W]
    noise = np.random.default_rng(1).integers(0, 16, (_H, _W, 3), dtype=np.uint8)
    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=_FPS)
        stream.width, stream.height, stream.pix_fmt = _W, _H, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "23"}
        for i in range(_FRAMES):
            red = ((cols + i * 8) % _W * 255 // _W).astype(np.uint8)
            green = ((rows + i * 3) % _H * 255 // _H).astype(np.uint8)
            blue = np.full((_H, _W), i * 2 % 255, np.uint8)
            image = np.stack([red, green, blue], -1) // 2 + np.roll(noise, i * 5, axis=1)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


def _retitled(data: bytes, title: str) -> bytes:
    """The same clip re-muxed (no re-encode) with another title: other bytes, same pictures."""
    import av

    out = io.BytesIO()
    with av.open(io.BytesIO(data)) as source, av.open(out, "w", format="mp4") as target:
        target.metadata["title"] = title
        inp = source.streams.video[0]
        stream = target.add_stream_from_template(inp)
        for packet in source.demux(inp):
            if packet.dts is not None:
                packet.stream = stream
                target.mux(packet)
    return out.getvalue()


def make_projects(workspace: Path) -> dict[str, tuple[str, str, str]]:
    """Two projects of one sequence of ``SHOTS`` shots: "clips" (a video take each) and "stills"
    (the same posters as still takes, the floor); each one's id, its sequence's and shot 1's."""
    store = Store(workspace)
    clip = _encode()
    checked = check_clip(clip, "clip.mp4")
    places = {}
    for kind in ("clips", "stills"):
        project = store.create_project(
            kind.title(),
            format_id="custom",
            sequences=1,
            seconds_per_sequence=SHOTS * 5,
            shots_per_sequence=SHOTS,
        )
        seq = store.list_sequences(project.id)[0].id
        folder = store.project_dir(project.id)
        for n, shot in enumerate(store.read_shots(project.id, seq), start=1):
            data = _retitled(clip, f"shot {n}")
            stem = f"20261207T000000Z-bench{n:03d}"
            poster, facts = keep_clip(folder, shot.id, stem, data, checked)
            inputs = take_inputs(shot, seed=n, workflow="wan-i2v", server="http://bench.invalid")
            video = facts if kind == "clips" else None
            take = render_take(
                shot, inputs, image=poster, prompt_id=stem, at=datetime.now(UTC), video=video
            )
            record_takes(store, project.id, seq, shot.id, [take])
        places[kind] = (project.id, seq, store.read_shots(project.id, seq)[0].id)
    return places


# Shot ``%s`` on screen with its clip ready to play (for stills: its frame decoded).
_READY = """() => {
  const host = [...document.querySelectorAll('[data-testid="stBidiComponentIsolated"]')]
    .map((h) => h.shadowRoot && h.shadowRoot.querySelector('.sb-player')).find(Boolean);
  if (!host || host.dataset.index !== '%s') return false;
  const clip = host.querySelector('video.sb-clip');
  if (%s) return Boolean(clip && clip.dataset.shot === host.dataset.shot && clip.readyState >= 2);
  const frame = host.querySelector('.sb-frame');
  return Boolean(frame && frame.complete && frame.naturalWidth > 0);
}"""


def _ready(index: int, clips: bool) -> str:
    return _READY % (index, "true" if clips else "false")


def _open(page: Any, url: str, clips: bool) -> float:
    began = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_function(_ready(0, clips), timeout=120_000)
    return time.perf_counter() - began


def _url(port: int, place: tuple[str, str, str]) -> str:
    project, seq, first = place
    return f"http://127.0.0.1:{port}/present?project={project}&seq={seq}&shot={first}"


def _one_round(
    browser: Any, workspace: Path, places: dict[str, tuple[str, str, str]]
) -> dict[str, float]:
    port = free_port()
    proc = start(workspace, port)
    try:
        wait_healthy(proc, f"http://127.0.0.1:{port}", 120)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        # The app once on the dashboard first: its first run's imports are not Present's cost.
        page.goto(f"http://127.0.0.1:{port}/", wait_until="commit")
        page.get_by_text("Clips").first.wait_for(state="visible", timeout=120_000)
        result = {}
        # The clips' first visit first: it pays the present page's own first run, as a person's
        # first Present does; the stills (the floor) after it; the clips again last, for the walk.
        for kind, visit in (("clips", "cold"), ("stills", "cold"), ("stills", "warm")):
            result[f"{kind} {visit}"] = _open(page, _url(port, places[kind]), kind == "clips")
        result["clips warm"] = _open(page, _url(port, places["clips"]), True)
        peak = rss_tree(proc.pid)
        for i in range(1, SHOTS):
            page.keyboard.press("ArrowRight")
            page.wait_for_function(_ready(i, True), timeout=60_000)
            page.wait_for_timeout(100)  # let the run that moves the URL (and the window) land
            peak = max(peak, rss_tree(proc.pid))
        page.close()
        return {**result, "rss": float(peak)}
    finally:
        stop(proc)


def clip_rows(rounds: int, exports: int) -> list[Row]:
    """Row 12: the Present rows (``rounds`` fresh servers) and the MP4 row (``exports`` repeats),
    on one generated pair of projects."""
    with tempfile.TemporaryDirectory(prefix="storyboard-bench-clips-") as folder:
        workspace = Path(folder)
        places = make_projects(workspace)
        return present_rows(workspace, places, rounds) + mp4_rows(workspace, places, exports)


def mp4_rows(workspace: Path, places: dict[str, tuple[str, str, str]], repeats: int) -> list[Row]:
    """The MP4 export of the 50 clips against the same 50 posters as stills (medians)."""
    from storyboard_core.exports import ExportOptions, export_file

    store = Store(workspace)
    times: dict[str, list[float]] = {"stills": [], "clips": []}
    for _ in range(repeats):
        for kind, took in times.items():
            started = time.perf_counter()
            target = workspace / f"{kind}.mp4"
            export_file(store, places[kind][0], "mp4", target, options=ExportOptions())
            took.append(time.perf_counter() - started)
    clips, stills = median(times["clips"]), median(times["stills"])
    return [
        Row(
            "MP4 export, 50 video shots (5 s clips, 1280 wide, 24 fps)",
            f"{SHOTS} shots",
            clips,
            floor=stills,
            floor_label="stills",
            ratio=clips / stills,
            target=f"≤ {MP4_RATIO_LIMIT:g}× stills",
            ok=clips <= MP4_RATIO_LIMIT * stills,
            n=repeats,
        )
    ]


def present_rows(
    workspace: Path, places: dict[str, tuple[str, str, str]], rounds: int
) -> list[Row]:
    """The Present rows, medians over ``rounds`` fresh servers on the generated projects."""
    results = in_chromium(rounds, lambda browser: _one_round(browser, workspace, places))

    def med(key: str) -> float:
        return median([r[key] for r in results])

    size = f"{SHOTS} shots"
    return [
        Row(
            "Present, 50 video shots: goto → shot 1's clip ready (first visit)",
            size,
            med("clips cold"),
            floor=med("stills cold"),
            floor_label="stills",
            ratio=med("clips cold") / med("stills cold"),
            target=f"≤ {OPEN_LIMIT:g} s",
            ok=med("clips cold") <= OPEN_LIMIT,
            n=rounds,
        ),
        Row(
            "  the same page reloaded",
            size,
            med("clips warm"),
            floor=med("stills warm"),
            floor_label="stills",
            ratio=med("clips warm") / med("stills warm"),
            n=rounds,
        ),
        Row(
            "  server RSS (incl. children), peak while stepping through all 50",
            size,
            med("rss"),
            unit="MB",
            target="≤ 400 MB",
            ok=med("rss") <= RSS_LIMIT,
            n=rounds,
        ),
    ]


if __name__ == "__main__":
    from .report import text_table

    print(text_table(clip_rows(int(sys.argv[1]) if len(sys.argv) > 1 else 1, 1)))
