"""The animatic: an H.264 MP4 where each shot's frame (or a title card) is held for its duration.

A shot with a camera move or a video take changes picture during the shot (``motion``): those
frames are made one by one; every other shot stays one sample. The mix plays as an AAC track and
the dialogue is a soft subtitle track (``soundtrack``), burned into the picture on request.

A still is encoded once and held by its sample's duration in the MP4 (the time base is one frame at
the chosen rate, so every cut falls on a frame), rather than re-encoding the same picture 24 times
a second: a 100-shot, 8-minute animatic is a few hundred samples instead of twelve thousand. With the
burn-in on, the timecode is refreshed every second, one more sample each. A moving shot's pictures
are made on a few threads a little ahead of the encoder (``AHEAD`` of them in memory at most), and
the encoder writes as it goes.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from fractions import Fraction
from itertools import groupby
from pathlib import Path
from typing import Any, BinaryIO

import av
from av.video.reformatter import VideoReformatter
from PIL import Image, ImageDraw, ImageFont

from ..timeline.captions import caption_text
from .fonts import BOLD, REGULAR, font_file
from .handout import Handout, HandoutShot, Progress, frame_aspect, no_progress, open_frame
from .motion import BACKGROUND, CameraMotion, ClipMotion, Motion, clip_of
from .options import ExportOptions
from .soundtrack import SoundAndCaptions
from .timecode import frame_lengths, timecode
from .yuv import Overlay, new_frame, planes, to_yuv

BAND_DARKNESS = 0.6  # the burn-in's band: the picture under it 60 % darker
# ultrafast: twice the speed of veryfast on these stills for a few percent more bytes.
X264 = {"preset": "ultrafast", "tune": "stillimage", "crf": "21", "bf": "0"}
#: Pictures of a moving shot made at once (one per core, at most 4: the encoder has its threads too),
#: and how many are made ahead of the one being encoded (each 1.5 bytes a pixel held meanwhile).
PICTURE_THREADS = min(4, os.cpu_count() or 1)
AHEAD = 2 * PICTURE_THREADS


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
        self.full, self.corner, self.strip = (
            VideoReformatter(),
            VideoReformatter(),
            VideoReformatter(),
        )

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

    def overlay(self, shot: HandoutShot, burn_in: bool, captions: bool) -> Image.Image | None:
        """What is laid over the bottom of each picture of the shot: the burn-in's band with the
        shot's number and title, and the dialogue above it; ``None`` when there is nothing.

        An RGBA strip as wide as the picture, its bottom on the picture's bottom.
        """
        text = caption_text(shot.shot.dialogue, shot.shot.speaker) if captions else ""
        if not burn_in and not text:
            return None
        w, h = self.size
        band = self.band if burn_in else 0
        lines = text.splitlines()
        line_height = self.band * 0.6
        caption = round(len(lines) * line_height + self.band * 0.4) if lines else 0
        height = min(h, band + caption)
        strip = Image.new("RGBA", (w, height), (0, 0, 0, 0))
        draw = ImageDraw.Draw(strip)
        shade = (0, 0, 0, round(255 * BAND_DARKNESS))
        if band:
            draw.rectangle((0, height - band, w, height), fill=shade)
            draw.text(
                (band / 3, height - band / 2), shot.label, font=self.text, fill="white", anchor="lm"
            )
        for n, line in enumerate(lines):
            y = height - band - self.band * 0.2 - (len(lines) - n - 0.5) * line_height
            box = draw.textbbox((w / 2, y), line, font=self.text, anchor="mm")
            draw.rectangle((box[0] - 6, box[1] - 3, box[2] + 6, box[3] + 3), fill=shade)
            draw.text((w / 2, y), line, font=self.text, fill="white", anchor="mm")
        return strip

    def dressed(self, picture: Image.Image, overlay: Image.Image | None) -> Image.Image:
        """``picture`` with ``overlay`` laid over its bottom (a copy; only the strip is blended)."""
        if overlay is None:
            return picture
        w, h = picture.size  # the whole picture, or the strip at its bottom
        box = (0, h - overlay.height, w, h)
        under = picture.crop(box).convert("RGBA")
        dressed = picture.copy()
        dressed.paste(Image.alpha_composite(under, overlay).convert("RGB"), box)
        return dressed

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


#: One sample of a shot: its first frame (from the shot's start), how many frames it is shown, its picture.
Sample = tuple[int, int, av.VideoFrame]


def _held(
    painter: _Painter, shot: HandoutShot, start: int, length: int, fps: int, options: ExportOptions
) -> Iterator[Sample]:
    """A still held for the shot: one sample, or with the burn-in one a second.

    The still is converted to yuv420p once; for each second only the timecode's corner is drawn,
    converted and written over it.
    """
    overlay = painter.overlay(shot, options.burn_in, options.burn_captions)
    dressed = painter.dressed(painter.still(shot), overlay)
    base = to_yuv(dressed, painter.full)
    if not options.burn_in:
        yield 0, length, av.VideoFrame.from_ndarray(base, format="yuv420p")
        return
    box = painter.clock_box()
    x0, y0, x1, y1 = box
    for offset in range(0, length, fps):
        strip = painter.clock_strip(dressed, box, timecode(start + offset, fps))
        strip_planes = planes(to_yuv(strip, painter.corner))
        for plane, part, scale in zip(planes(base), strip_planes, (1, 2, 2), strict=True):
            plane[y0 // scale : y1 // scale, x0 // scale : x1 // scale] = part
        yield offset, min(fps, length - offset), av.VideoFrame.from_ndarray(base, format="yuv420p")


def _moving(
    painter: _Painter,
    shot: HandoutShot,
    motion: Motion,
    start: int,
    length: int,
    fps: int,
    options: ExportOptions,
    pool: Executor,
) -> Iterator[Sample]:
    """The shot's frames from ``motion``: one sample per run of frames showing the same picture
    (and, with the burn-in, the same second of timecode).

    When the motion allows it (``independent``: a camera move), the next ``AHEAD`` pictures are
    made on the pool's threads (OpenCV's warp lets go of the GIL) while this one is encoded, and
    they come out in order.
    """
    overlay = painter.overlay(shot, options.burn_in, options.burn_captions)
    box = painter.clock_box()
    w, h = painter.size
    # The rows the overlay and the clock cover, from a multiple of 4 (whole chroma rows).
    top = min(h - (overlay.height if overlay else 0), box[1] if options.burn_in else h) // 4 * 4
    strip = Image.new("RGBA", (w, h - top), (0, 0, 0, 0))
    if overlay is not None:
        strip.paste(overlay, (0, strip.height - overlay.height))
    laid: Overlay | None = None
    laid_second = -1

    def run(offset: int) -> tuple[int, int]:
        second = (start + offset) // fps if options.burn_in else 0
        return motion.key(offset), second

    def make(key: int, over: Overlay | None) -> av.VideoFrame:
        frame, picture = new_frame(painter.size)
        motion.paint(key, picture)
        if over is not None:
            over.apply(picture)
        return frame

    waiting: deque[tuple[int, int, Future[av.VideoFrame]]] = deque()
    for (key, second), offsets in groupby(range(length), key=run):
        first, *rest = offsets
        if top < h and (laid is None or second != laid_second):
            # Made again only when the timecode changes: once a second.
            laid_second = second
            dressed = strip
            if options.burn_in:
                clock = (box[0], box[1] - top, box[2], box[3] - top)
                dressed = strip.copy()
                text = painter.clock_strip(strip, clock, timecode(start + first, fps))
                dressed.paste(text, clock[:2])
            laid = Overlay(dressed, painter.strip)
        if not motion.independent:
            yield first, 1 + len(rest), make(key, laid)
            continue
        waiting.append((first, 1 + len(rest), pool.submit(make, key, laid)))
        if len(waiting) > AHEAD:
            at, shown, made = waiting.popleft()
            yield at, shown, made.result()
    while waiting:
        at, shown, made = waiting.popleft()
        yield at, shown, made.result()


def _samples(
    painter: _Painter,
    shot: HandoutShot,
    folder: Path,
    start: int,
    length: int,
    fps: int,
    options: ExportOptions,
    pool: Executor,
) -> Iterator[Sample]:
    """The samples of one shot: its clip's frames, its still along its camera move, or its still held."""
    clip = clip_of(shot, folder) if length else None
    if clip is not None:
        motion: Motion = ClipMotion(clip[0], clip[1], fps, painter.size, shot.label)
        return _moving(painter, shot, motion, start, length, fps, options, pool)
    move = shot.shot.camera_move
    if move is not None and shot.frame is not None and length > 1:
        motion = CameraMotion(open_frame(shot), move, length, painter.size)
        return _moving(painter, shot, motion, start, length, fps, options, pool)
    return _held(painter, shot, start, length, fps, options)


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
    with (
        ThreadPoolExecutor(max_workers=PICTURE_THREADS, thread_name_prefix="mp4-pictures") as pool,
        av.open(out, "w", format="mp4") as container,
    ):
        stream = container.add_stream("libx264", rate=fps, options=X264)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        # Frame threads (x264's threads=auto): the encoder works on the last frames while this
        # thread mixes the sound and opens the next shot's still; PyAV's default, slices, makes
        # each encode() wait for its own frame, and the rest of the export waits with it.
        stream.thread_type = "FRAME"
        sound = SoundAndCaptions(container, handout, fps)
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
            for offset, shown, video_frame in _samples(
                painter, shot, handout.folder, start, length, fps, options, pool
            ):
                video_frame.pts = start + offset
                video_frame.time_base = one_frame
                if offset == 0:
                    video_frame.pict_type = av.video.frame.PictureType.I  # seek to any cut
                held[start + offset] = shown
                mux(stream.encode(video_frame))
            start += length
            sound.write_until(start / fps)
            progress(n / len(shots), f"encoded shot {shot.label}")
        mux(stream.encode(None))
        sound.close()
