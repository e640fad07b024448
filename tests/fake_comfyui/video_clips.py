"""Small clips made in the test, like ComfyUI's video nodes make them: red frames, then blue.

``SaveVideo`` and ``SaveWEBM`` encode with PyAV (h264 in MP4, vp9 in WebM); ``SaveAnimatedWEBP`` and
``SaveAnimatedPNG`` save with Pillow, which merges identical frames (API.md, "Video outputs").
"""

from __future__ import annotations

import io

import av
from PIL import Image, ImageStat

RED = (255, 0, 0)
BLUE = (0, 0, 255)
#: The codec and PyAV format of each container a clip can be made in.
_CONTAINERS = {"mp4": ("libx264", "mp4"), "webm": ("libvpx-vp9", "webm")}


def colours(frames: int) -> list[tuple[int, int, int]]:
    """The first half of ``frames`` red, the rest blue (the recorded "two-colour" clip)."""
    return [RED if i < frames // 2 else BLUE for i in range(frames)]


def video_clip(
    kind: str = "mp4", *, frames: int = 24, fps: int = 24, width: int = 320, height: int = 192
) -> bytes:
    """An MP4 (h264) or WebM (vp9) clip: red then blue."""
    codec, container_format = _CONTAINERS[kind]
    out = io.BytesIO()
    with av.open(out, "w", format=container_format) as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if kind == "mp4":
            stream.options = {"preset": "ultrafast"}
        for colour in colours(frames):
            frame = av.VideoFrame.from_image(Image.new("RGB", (width, height), colour))
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


def animated_image(
    kind: str = "webp",
    *,
    frames: int = 24,
    fps: int = 24,
    size: tuple[int, int] = (320, 192),
    same: bool = False,
) -> bytes:
    """An animated WebP or PNG as ComfyUI's nodes save it (``same``: every frame red)."""
    images = [Image.new("RGB", size, RED if same else c) for c in colours(frames)]
    out = io.BytesIO()
    images[0].save(
        out,
        format=kind.upper(),
        save_all=True,
        append_images=images[1:],
        duration=int(1000 / fps),
        loop=0,
    )
    return out.getvalue()


def mean_rgb(jpeg: bytes) -> tuple[int, int, int]:
    """The mean colour of an image (a poster or last frame)."""
    with Image.open(io.BytesIO(jpeg)) as image:
        r, g, b = (round(v) for v in ImageStat.Stat(image.convert("RGB")).mean)
    return r, g, b
