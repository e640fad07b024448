"""Row 11: video takes and routing (issue 20).

* A 5 s 1280×720 h264 clip (24 fps, moving content) becomes a take after the server finished: what
  the renderer does once history lists the clip (``kept_files.keep_outputs``: ``/view``, the decode
  check, poster and last frame written, facts) and recording the take on the shot. ``/view`` is a
  stand-in client handing over the clip's bytes, so the row measures our side, not the network.
* Choosing a server for a shot with 5 servers configured: what ``Renderer.submit`` does before
  queueing (``routing.shot_requirements``: the shot and its workflow read and filled, the
  requirements listed; each server's candidate from the warm capability cache; ``choose_server``).
  Each stand-in server offers 900 node types and 60 files per model folder, as a well-stocked
  ComfyUI does; only the third has the Wan model.
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import time
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

import av
import numpy as np

from storyboard_core import Store
from storyboard_core.comfyui.capabilities import choose_server
from storyboard_core.comfyui.catalog import ServerCatalog
from storyboard_core.comfyui.kept_files import keep_outputs
from storyboard_core.comfyui.routing import Router, loaded, shot_requirements
from storyboard_core.comfyui.workflows import workflows_dir
from storyboard_core.models import now
from storyboard_core.settings import ServerConfig
from storyboard_core.takes import record_takes, render_take, take_inputs

from .report import Row
from .timing import median

CLIP_SIZE = (1280, 720)
CLIP_SECONDS = 5
CLIP_FPS = 24
TAKE_TARGET_S = 1.5
CHOOSE_TARGET_S = 0.005
SERVERS = 5
EXAMPLE = Path(__file__).resolve().parent.parent / "storyboard_core/examples/workflows"
WAN = "wan2.1_i2v_480p_14B_fp8_e4m3fn.safetensors"


def make_clip() -> bytes:
    """A 5 s 1280×720 h264 MP4 whose content moves (a sliding gradient and a moving block)."""
    width, height = CLIP_SIZE
    out = io.BytesIO()
    ramp = np.tile(np.arange(width, dtype=np.uint16), (height, 1))
    with av.open(out, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=CLIP_FPS)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "23"}
        for n in range(CLIP_SECONDS * CLIP_FPS):
            frame = np.empty((height, width, 3), np.uint8)
            frame[..., 0] = (ramp + n * 8) % 256
            frame[..., 1] = (ramp // 3 + 60) % 256
            frame[..., 2] = 255 - frame[..., 0]
            x = (n * 9) % (width - 200)
            frame[200:400, x : x + 200] = (250, 240, 20)
            video_frame = av.VideoFrame.from_ndarray(frame, format="rgb24")
            video_frame.time_base = Fraction(1, CLIP_FPS)
            for packet in stream.encode(video_frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


class ViewOnly:
    """A stand-in ComfyUI client whose ``/view`` hands over one clip; what the rows need of it."""

    display_url = "http://studio-3.invalid:8188"

    def __init__(self, clip: bytes) -> None:
        self.clip = clip

    def view(self, filename: str, subfolder: str, type: str) -> bytes:
        return self.clip


class Stocked:
    """A stand-in client that answers ``/object_info`` and ``/models`` like a well-stocked server."""

    def __init__(self, index: int) -> None:
        self.index = index

    def __enter__(self) -> Stocked:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        return None

    def object_info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            f"CustomNode{n}": {"input": {"required": {"x": [["a", "b"]]}}} for n in range(880)
        }
        example = json.loads((EXAMPLE / "wan2.1-i2v.json").read_text("utf-8"))
        for key, node in example.items():
            if key != "storyboard":
                info.setdefault(node["class_type"], {"input": {"required": {}}})
        return info

    def model_folders(self) -> list[str]:
        return ["checkpoints", "diffusion_models", "loras", "vae", "text_encoders", "clip_vision"]

    def model_files(self, folder: str) -> list[str]:
        files = [f"{folder}-{n}.safetensors" for n in range(60)]
        if folder == "diffusion_models" and self.index == 2:
            files.append(WAN)
        shared = [
            "wan_2.1_vae.safetensors",
            "umt5_xxl_fp8_e4m3fn_scaled.safetensors",
            "clip_vision_h.safetensors",
        ]
        return files + shared


def take_row(repeats: int) -> Row:
    """Seconds from "history lists the clip" to the take recorded on the shot (median)."""
    clip = make_clip()
    root = Path(tempfile.mkdtemp(prefix="bench-video-"))
    try:
        store = Store(root)
        project = store.create_project(
            "Video bench", format_id="custom", sequences=1, seconds_per_sequence=10
        )
        shot = store.read_sequence(project.id, "001").shots[0]
        entry = {
            "outputs": {
                "13": {
                    "images": [{"filename": "wan_00001_.mp4", "subfolder": "video"}],
                    "animated": [True],
                }
            }
        }
        client = ViewOnly(clip)
        inputs = take_inputs(shot, seed=1, workflow="wan2.1-i2v", server=client.display_url)
        times = []
        for n in range(repeats):
            started = time.perf_counter()
            kept = keep_outputs(
                client,  # type: ignore[arg-type]
                entry,
                project_dir=store.project_dir(project.id),
                shot_id=shot.id,
                prompt_id=f"{n:08d}-bench",
                graph={},
                values={},
                what="the workflow",
            )
            take = render_take(
                shot, inputs, image=kept[0].image, prompt_id=str(n), at=now(), video=kept[0].video
            )
            record_takes(store, project.id, "001", shot.id, [take])
            times.append(time.perf_counter() - started)
        got = median(times)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return Row(
        f"video take: {CLIP_SECONDS} s {CLIP_SIZE[0]}×{CLIP_SIZE[1]} clip kept and recorded",
        f"{len(clip) // 1024} kB mp4",
        got,
        target=f"≤ {TAKE_TARGET_S:g} s",
        ok=got <= TAKE_TARGET_S,
        n=repeats,
    )


def choose_row(repeats: int) -> Row:
    """Seconds to choose a server for one shot with ``SERVERS`` servers (median)."""
    root = Path(tempfile.mkdtemp(prefix="bench-route-"))
    try:
        store = Store(root)
        project = store.create_project(
            "Route bench", format_id="custom", sequences=1, seconds_per_sequence=10
        )
        shot = store.read_sequence(project.id, "001").shots[0]
        folder = workflows_dir(root)
        folder.mkdir()
        shutil.copy(EXAMPLE / "wan2.1-i2v.json", folder)
        store.update_shot(project.id, "001", shot.id, {"generation": {"workflow": "wan2.1-i2v"}})
        servers = [
            ServerConfig(name=f"studio-{n + 1}", url=f"http://studio-{n + 1}.invalid:8188")
            for n in range(SERVERS)
        ]
        index = {s.url: n for n, s in enumerate(servers)}
        catalog = ServerCatalog(lambda s: Stocked(index[s.url]))  # type: ignore[arg-type,return-value]
        for server in servers:
            catalog.get(server)
            catalog.wait(server, 30)
        router = Router(catalog)
        times = []
        chosen = None
        for _ in range(repeats):
            started = time.perf_counter()
            needs = shot_requirements(store, root, project.id, "001", shot.id)
            base = [router.candidate(s) for s in servers]
            chosen = choose_server(needs, loaded(base, {}, {}), what=f"shot {shot.id}")
            times.append(time.perf_counter() - started)
        assert chosen is not None and chosen.name == "studio-3"
        got = median(times)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return Row(
        f"choose a server for a shot ({SERVERS} servers, 900 node types each)",
        "1 shot",
        got,
        target=f"≤ {CHOOSE_TARGET_S * 1000:g} ms",
        ok=got <= CHOOSE_TARGET_S,
        n=repeats,
    )


def video_rows(repeats: int) -> list[Row]:
    """Row 11: a clip becoming a take, and choosing a server."""
    return [take_row(max(3, repeats)), choose_row(200)]


if __name__ == "__main__":
    from .report import text_table

    print(text_table(video_rows(3)))
