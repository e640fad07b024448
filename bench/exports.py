"""Row 9: the hand-outs of a 100-shot sequence with 1024×576 frames (PDF 3×2, MP4, HTML, timelines, CSV).

Each format runs in a child process of its own (``python -m bench.exports FORMAT WORKSPACE``), so
that its peak memory is its own: the child times ``repeats`` exports to a file and prints the
median, the file's size and its peak RSS as JSON.

The "mp4-moving" row is issue 19's animatic: the same 100 shots made 1.8 s long (three minutes in
all) under a 3-minute soundtrack, each with a sound of its own and a camera move, 1280 wide at 24
fps (``python -m bench.exports mp4-moving WORKSPACE 1`` after ``make_project``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from storyboard_core import Store
from storyboard_core.exports import ExportOptions, export_file

from .report import Row
from .timing import median

SHOTS = 100
FRAME = (1024, 576)
TARGETS = {
    "pdf": 5.0,
    "mp4": 10.0,
    "html": 3.0,
    "otio": 1.0,
    "fcpxml": 1.0,
    "edl": 1.0,
    "csv": 1.0,
    "mp4-moving": 15.0,
}
#: The moving animatic's project: every shot this long, under a soundtrack of their length.
MOVING_SHOT_SECONDS = 1.8
MEMORY_MB = 500
PROJECT = "exports-bench"


def photo_like(n: int, rng: np.random.Generator) -> Image.Image:
    """A frame with what a render has: soft gradients, shapes with edges, and grain."""
    w, h = FRAME
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack(
        [(x * 200 // w + n * 13) % 256, y * 180 // h + 40, np.full_like(x, (n * 37) % 256)], -1
    ).astype(np.uint8)
    image = Image.fromarray(base)
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
        size = int(rng.integers(30, 250))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        draw.ellipse((x0, y0, x0 + size, y0 + size * 0.7), fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    grain = rng.normal(0, 4, (h, w, 3))
    return Image.fromarray(np.clip(np.asarray(image) + grain, 0, 255).astype(np.uint8))


def make_project(root: Path) -> tuple[str, str]:
    """The bench project: one sequence of 100 five-second shots, each with its frame and text."""
    store = Store(root)
    project = store.create_project(
        "Exports bench",
        format_id="custom",
        sequences=1,
        seconds_per_sequence=SHOTS * 5,
        shots_per_sequence=SHOTS,
    )
    seq_id = store.list_sequences(project.id)[0].id
    folder = store.project_dir(project.id) / "renders"
    folder.mkdir()
    rng = np.random.default_rng(8)
    patches = {}
    for n, shot in enumerate(store.read_shots(project.id, seq_id)):
        photo_like(n, rng).save(folder / f"{shot.id}.png")
        patches[shot.id] = {
            "render": {"image": f"renders/{shot.id}.png"},
            "title": f"Plan {n + 1} — « l’orage »",
            "prompt": "cinematic wide shot of a Breton harbour at dusk, heavy clouds, 35 mm " * 2,
            "notes": "Léa entre dans le champ ; garder la pluie.",
        }
    store.update_shots(project.id, seq_id, patches)
    return project.id, seq_id


def _write_tone(path: Path, seconds: float, freq: float) -> Path:
    """A stereo 48 kHz sine tone as WAV (soundtracks and shot sounds of the bench)."""
    import wave

    t = np.arange(round(seconds * 48_000)) / 48_000
    mono = (0.3 * 32767 * np.sin(2 * np.pi * freq * t)).astype(np.int16)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(48_000)
        out.writeframes(np.repeat(mono, 2).tobytes())
    return path


def make_moving_project(root: Path) -> str:
    """The moving animatic's project (a copy of the bench's, in a folder of its own): shots of
    ``MOVING_SHOT_SECONDS``, a soundtrack as long as them all, and on every shot a sound and a move."""
    from storyboard_core.audio import add_soundtrack, set_shot_sound
    from storyboard_core.timeline.camera import CAMERA_PRESETS, preset

    store = Store(root)
    project, seq_id = make_project(root)
    shots = store.read_shots(project, seq_id)
    moves = [preset(name).model_dump(mode="json") for name in CAMERA_PRESETS]
    store.update_shots(
        project,
        seq_id,
        {
            s.id: {"duration": MOVING_SHOT_SECONDS, "camera_move": moves[n % len(moves)]}
            for n, s in enumerate(shots)
        },
    )
    sounds = Path(root) / "sounds"
    sounds.mkdir()
    theme = _write_tone(sounds / "theme.wav", SHOTS * MOVING_SHOT_SECONDS, 220.0)
    add_soundtrack(store, project, theme)
    line = _write_tone(sounds / "line.wav", 1.0, 660.0)
    for shot in shots:
        set_shot_sound(store, project, seq_id, shot.id, line, start=0.4)
    return project


def child(format_id: str, root: Path, repeats: int) -> dict[str, float]:
    """In the child process: ``repeats`` exports, their median, the file's size, the peak RSS."""
    moving = format_id == "mp4-moving"
    if moving:  # its own project, made in this folder, as its sounds are a cost of their own
        root = root / "moving"
    store = Store(root)
    target = root / f"out-{format_id}"
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        export_file(
            store,
            PROJECT,
            "mp4" if moving else format_id,
            target,
            options=ExportOptions(layout="3x2"),
        )
        times.append(time.perf_counter() - start)
    return {"median": median(times), "bytes": target.stat().st_size, "rss": peak_rss()}


def peak_rss() -> int:
    """This process's peak resident memory in bytes: VmHWM, its own since exec.

    (``getrusage``'s ``ru_maxrss`` keeps the parent's peak across fork and exec.)
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def export_rows(repeats: int) -> list[Row]:
    """Row 9: one timing row per format (with the file's size) and one peak-memory row each."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="storyboard-bench-exports-") as tmp:
        root = Path(tmp)
        project, _ = make_project(root)
        assert project == PROJECT
        assert make_moving_project(root / "moving") == PROJECT
        for format_id, target in TARGETS.items():
            out = subprocess.run(
                [sys.executable, "-m", "bench.exports", format_id, str(root), str(repeats)],
                check=True,
                capture_output=True,
                text=True,
                timeout=900,
            )
            got = json.loads(out.stdout.strip().splitlines()[-1])
            shots = "100 shots" if format_id != "mp4-moving" else "100 shots × 1.8 s, sound + moves"
            size = f"{shots}, file {got['bytes'] / 2**20:.1f} MB"
            rows.append(
                Row(
                    f"hand-out {format_id}" + (" 3×2" if format_id == "pdf" else ""),
                    size,
                    got["median"],
                    target=f"≤ {target:g} s",
                    ok=got["median"] <= target,
                    unit="ms",
                    n=repeats,
                )
            )
            rows.append(
                Row(
                    f"hand-out {format_id}: peak memory of the process",
                    shots,
                    got["rss"],
                    target=f"< {MEMORY_MB} MB",
                    ok=got["rss"] < MEMORY_MB * 2**20,
                    unit="MB",
                )
            )
    return rows


if __name__ == "__main__":
    print(json.dumps(child(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]))))
