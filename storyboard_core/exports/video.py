"""The animatic: an H.264 MP4 where each shot's frame (or a title card) is held for its duration.

A still is encoded once and held by its sample's duration in the MP4 (the time base is one frame at
the chosen rate, so every cut falls on a frame), rather than re-encoding the same picture 24 times
a second: a 100-shot, 8-minute animatic is a few hundred samples instead of twelve thousand. With the
burn-in on, the timecode is refreshed every second, one more sample each. One picture is in memory
at a time and the encoder writes as it goes.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, BinaryIO

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .fonts import BOLD, REGULAR, font_file
from .handout import Handout, HandoutShot, Progress, no_progress, open_frame
from .options import ExportOptions
from .timecode import frame_lengths, timecode

BACKGROUND = (15, 23, 42)
BAND = (0, 0, 0, 150)  # the burn-in's band: black at 60 %
X264 = {"preset": "veryfast", "tune": "stillimage", "crf": "20", "bf": "0"}


def frame_size(handout: Handout, width: int) -> tuple[int, int]:
    """``width`` by the first frame's aspect (16:9 when no shot has a frame), both even for yuv420p."""
    aspect = 16 / 9
    for shot in handout.shots:
        if shot.frame is not None:
            with Image.open(shot.frame) as first:
                aspect = first.width / first.height
            break
    even_width = width - width % 2
    return even_width, max(2, round(even_width / aspect / 2) * 2)


class _Painter:
    """Draws the pictures of the animatic at one size, with fonts scaled to it."""

    def __init__(self, size: tuple[int, int]) -> None:
        self.size = size
        height = size[1]
        self.band = max(24, height // 12)
        self.text = ImageFont.truetype(str(font_file(REGULAR)), max(12, self.band // 2))
        self.big = ImageFont.truetype(str(font_file(BOLD)), max(16, height // 14))

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
            frame = frame.resize(_fit(frame.size, self.size), Image.Resampling.BICUBIC)
        picture.paste(
            frame, ((self.size[0] - frame.width) // 2, (self.size[1] - frame.height) // 2)
        )
        return picture

    def banded(self, still: Image.Image, shot: HandoutShot) -> Image.Image:
        """``still`` under the burn-in's band, with the shot's number and title on its left."""
        overlay = Image.new("RGBA", self.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(overlay)
        w, h = self.size
        draw.rectangle((0, h - self.band, w, h), fill=BAND)
        draw.text(
            (self.band / 3, h - self.band / 2),
            shot.label,
            font=self.text,
            fill="white",
            anchor="lm",
        )
        return Image.alpha_composite(still.convert("RGBA"), overlay).convert("RGB")

    def timecode(self, banded: Image.Image, clock: str) -> Image.Image:
        """A copy of a banded still with ``clock`` on the band's right."""
        picture = banded.copy()
        w, h = self.size
        ImageDraw.Draw(picture).text(
            (w - self.band / 3, h - self.band / 2), clock, font=self.text, fill="white", anchor="rm"
        )
        return picture


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
            still = painter.still(shot)
            if options.burn_in:
                still = painter.banded(still, shot)
            # With a burn-in, one sample a second so that the timecode runs; else one per shot.
            step = fps if options.burn_in else length
            for offset in range(0, length, step):
                picture = (
                    painter.timecode(still, timecode(start + offset, fps))
                    if options.burn_in
                    else still
                )
                video_frame = av.VideoFrame.from_ndarray(np.asarray(picture)).reformat(
                    format="yuv420p"
                )
                video_frame.pts = start + offset
                video_frame.time_base = one_frame
                if offset == 0:
                    video_frame.pict_type = av.video.frame.PictureType.I  # seek to any cut
                held[start + offset] = min(step, length - offset)
                mux(stream.encode(video_frame))
            start += length
            progress(n / len(shots), f"encoded shot {shot.label}")
        mux(stream.encode(None))
