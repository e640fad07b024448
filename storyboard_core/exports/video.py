"""The animatic: an H.264 MP4 where each shot's frame (or a title card) is held for its duration.

A still is encoded once and held by its sample's duration in the MP4 (the time base is one frame at
the chosen rate, so every cut falls on a frame), rather than re-encoding the same picture 24 times
a second: a 100-shot, 8-minute animatic is a few hundred samples instead of twelve thousand. With the
burn-in on, the timecode is refreshed every second, one more sample each. One picture is in memory
at a time and the encoder writes as it goes.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any, BinaryIO

import av
import numpy as np
from av.video.reformatter import VideoReformatter
from PIL import Image, ImageDraw, ImageFont

from .fonts import BOLD, REGULAR, font_file
from .handout import Handout, HandoutShot, Progress, frame_aspect, no_progress, open_frame
from .options import ExportOptions
from .timecode import frame_lengths, timecode

BACKGROUND = (15, 23, 42)
BAND_DARKNESS = 0.6  # the burn-in's band: the picture under it 60 % darker
# ultrafast: twice the speed of veryfast on these stills for a few percent more bytes.
X264 = {"preset": "ultrafast", "tune": "stillimage", "crf": "21", "bf": "0"}


def frame_size(handout: Handout, width: int) -> tuple[int, int]:
    """``width`` by the first frame's aspect (16:9 when no shot has a frame), both multiples of 4.

    yuv420p needs even sizes; multiples of 4 keep the chroma planes' rows whole for the burn-in.
    """
    aspect = 16 / 9
    for shot in handout.shots:
        if shot.frame is not None:
            aspect = frame_aspect(shot)
            break
    width -= width % 4
    return width, max(4, round(width / aspect / 4) * 4)


class _Painter:
    """Draws the pictures of the animatic at one size, with fonts scaled to it."""

    def __init__(self, size: tuple[int, int]) -> None:
        self.size = size
        height = size[1]
        self.band = max(24, height // 12)
        self.text = ImageFont.truetype(str(font_file(REGULAR)), max(12, self.band // 2))
        self.big = ImageFont.truetype(str(font_file(BOLD)), max(16, height // 14))
        self.full, self.corner = VideoReformatter(), VideoReformatter()

    def still(self, shot: HandoutShot) -> Image.Image:
        """The shot's frame fitted in the picture (letterboxed), or a title card."""
        picture = Image.new("RGB", self.size, BACKGROUND)
        if shot.frame is None:
            draw = ImageDraw.Draw(picture)
            w, h = self.size
            draw.text((w / 2, h / 2), shot.label, font=self.big, fill="white", anchor="md")
            draw.text(
                (w / 2, h / 2 + self.band / 2),
                f"{shot.duration:g} s",
                font=self.text,
                fill=(148, 163, 184),
                anchor="ma",
            )
            return picture
        frame = open_frame(shot)
        if frame.size != self.size:
            frame = frame.resize(_fit(frame.size, self.size), Image.Resampling.BILINEAR)
        picture.paste(
            frame, ((self.size[0] - frame.width) // 2, (self.size[1] - frame.height) // 2)
        )
        return picture

    def banded(self, still: Image.Image, shot: HandoutShot) -> Image.Image:
        """``still`` under the burn-in's band, with the shot's number and title on its left."""
        w, h = self.size
        box = (0, h - self.band, w, h)
        band = Image.blend(still.crop(box), Image.new("RGB", (w, self.band)), BAND_DARKNESS)
        picture = still.copy()
        picture.paste(band, box)
        ImageDraw.Draw(picture).text(
            (self.band / 3, h - self.band / 2),
            shot.label,
            font=self.text,
            fill="white",
            anchor="lm",
        )
        return picture

    def clock_box(self) -> tuple[int, int, int, int]:
        """Where the timecode goes: the band's right end, on multiples of 4 (whole chroma rows)."""
        w, h = self.size
        left, _, right, _ = self.text.getbbox("00:00:00:00")
        width = (int(right - left + self.band) + 3) // 4 * 4
        return w - width, (h - self.band) // 4 * 4, w, h

    def clock_strip(
        self, banded: Image.Image, box: tuple[int, int, int, int], clock: str
    ) -> Image.Image:
        """The part of a banded still under ``box``, with ``clock`` written on it."""
        strip = banded.crop(box)
        ImageDraw.Draw(strip).text(
            (strip.width - self.band / 3, strip.height - self.band / 2),
            clock,
            font=self.text,
            fill="white",
            anchor="rm",
        )
        return strip


def _yuv(picture: Image.Image, reformatter: VideoReformatter) -> np.ndarray:
    """``picture`` in yuv420p as PyAV lays it out: the Y rows, then the U and the V planes.

    Each size has its reformatter: a reformatter rebuilds its scaler whenever the size changes.
    """
    frame = av.VideoFrame.from_ndarray(np.asarray(picture))
    return reformatter.reformat(frame, format="yuv420p").to_ndarray()


def _planes(yuv: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views of the Y, U and V planes of a yuv420p array (its height a multiple of 4)."""
    h = yuv.shape[0] * 2 // 3
    w = yuv.shape[1]
    quarter = h // 4
    u = yuv[h : h + quarter].reshape(h // 2, w // 2)
    v = yuv[h + quarter :].reshape(h // 2, w // 2)
    return yuv[:h], u, v


def _pictures(
    painter: _Painter, shot: HandoutShot, starts: range, fps: int, burn_in: bool
) -> Iterator[av.VideoFrame]:
    """The pictures of one shot, one per start: the still, or the banded still with each timecode.

    The still is converted to yuv420p once; for each second only the timecode's corner is drawn,
    converted and written over it.
    """
    still = painter.still(shot)
    if not burn_in:
        yield av.VideoFrame.from_ndarray(_yuv(still, painter.full), format="yuv420p")
        return
    banded = painter.banded(still, shot)
    base = _yuv(banded, painter.full)
    box = painter.clock_box()
    x0, y0, x1, y1 = box
    for start in starts:
        strip = painter.clock_strip(banded, box, timecode(start, fps))
        strip_planes = _planes(_yuv(strip, painter.corner))
        for plane, part, scale in zip(_planes(base), strip_planes, (1, 2, 2), strict=True):
            plane[y0 // scale : y1 // scale, x0 // scale : x1 // scale] = part
        yield av.VideoFrame.from_ndarray(base, format="yuv420p")


def _fit(inner: tuple[int, int], outer: tuple[int, int]) -> tuple[int, int]:
    scale = min(outer[0] / inner[0], outer[1] / inner[1])
    return max(1, round(inner[0] * scale)), max(1, round(inner[1] * scale))


def write_mp4(
    handout: Handout, out: BinaryIO, options: ExportOptions, progress: Progress = no_progress
) -> None:
    """Write the animatic of ``handout`` as an MP4 (H.264, yuv420p) to ``out``."""
    fps = options.fps
    size = frame_size(handout, options.width)
    painter = _Painter(size)
    shots = handout.shots
    with av.open(out, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps, options=X264)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        one_frame = Fraction(1, fps)
        stream.time_base = one_frame  # the muxer makes it finer when it starts: keep ours apart
        held: dict[int, int] = {}  # the pts of each sample -> how many frames it is shown

        def mux(packets: list[av.Packet[Any]]) -> None:
            for packet in packets:
                # The muxer may choose a finer time base than one frame once it has started.
                if packet.pts is not None and packet.time_base is not None:
                    tick = one_frame / packet.time_base
                    shown = held.pop(round(packet.pts / tick))
                    packet.duration = round(shown * tick)
                container.mux(packet)

        start = 0
        lengths = frame_lengths((shot.duration for shot in shots), fps)
        for n, (shot, length) in enumerate(zip(shots, lengths, strict=True), start=1):
            # With a burn-in, one sample a second so that the timecode runs; else one per shot.
            step = fps if options.burn_in else length
            offsets = range(0, length, step)
            pictures = _pictures(
                painter, shot, range(start, start + length, step), fps, options.burn_in
            )
            for offset, video_frame in zip(offsets, pictures, strict=True):
                video_frame.pts = start + offset
                video_frame.time_base = one_frame
                if offset == 0:
                    video_frame.pict_type = av.video.frame.PictureType.I  # seek to any cut
                held[start + offset] = min(step, length - offset)
                mux(stream.encode(video_frame))
            start += length
            progress(n / len(shots), f"encoded shot {shot.label}")
        mux(stream.encode(None))
