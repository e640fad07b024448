"""Pictures that change during a shot: a still under a camera move, or a video take's clip.

Each source gives, for every output frame of its shot, a *key* (frames with the same key show the
same picture, so the MP4 holds one sample for all of them) and the picture for a key, in yuv420p.
A camera move has a key per frame; a clip has one per clip frame it shows, resampled to the
export's rate (the clip frame on screen at that moment), held on its last frame when it is shorter
than the shot and cut when longer.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol, cast

import av
import cv2
import numpy as np
from av.video.reformatter import VideoReformatter
from PIL import Image

from ..errors import BrokenFileError
from ..models import CameraMove, ClipFacts
from ..timeline.camera import crop, fitted, view_at
from .handout import ExportWarning, HandoutShot
from .yuv import Planes, planes, to_yuv

BACKGROUND = (15, 23, 42)
# A camera move's pictures are warped on the MP4 writer's pool, one per core: OpenCV's own
# worker threads would only wait and spin beside them (a second of CPU on issue 19's animatic).
cv2.setNumThreads(1)


class Motion(Protocol):
    """A picture source for one shot of ``length`` output frames."""

    #: Whether pictures may be asked out of order and from several threads at once.
    independent: bool

    def key(self, offset: int) -> int:
        """Which picture the ``offset``-th frame of the shot shows."""

    def paint(self, key: int, into: Planes) -> None:
        """Paint the picture for ``key`` on ``into``, the output's planes (keys asked in increasing
        order, unless ``independent``)."""


class CameraMotion:
    """A still cropped and scaled per frame along its move, plane by plane in yuv420p.

    The frame is scaled once to what the closest view needs (so each crop resamples a source near
    the output's size) and converted to yuv420p once; then each picture maps the sub-pixel box of
    ``camera.crop`` onto the Y plane and the half-size U and V planes with one affine warp each
    (OpenCV, bilinear), written straight into the encoder's planes: a slow move glides instead of
    stepping a pixel at a time, and the warp lets go of the GIL. A wide view shrinks the source
    by more than 2 (bilinear would alias): its picture is warped from a copy of the planes halved
    as many times as keeps the shrink between 1 and 2 (``_LEVELS`` of them at most).
    Each picture is made from the key alone, reading the planes only: several at once may be made.
    """

    independent = True

    def __init__(
        self, frame: Image.Image, move: CameraMove, length: int, output: tuple[int, int]
    ) -> None:
        self._move, self._length, self._output = move, length, output
        size, _ = fitted(frame.size, output)
        closest = min(view_at(move, 0.0).size, view_at(move, 1.0).size)
        wanted = (math.ceil(size[0] / closest), math.ceil(size[1] / closest))
        if wanted[0] < frame.width:
            frame = frame.resize(wanted, Image.Resampling.BILINEAR, reducing_gap=2.0)
        even = (frame.width - frame.width % 2, frame.height - frame.height % 2)
        if even != frame.size:
            frame = frame.crop((0, 0, *even))
        self._source = even
        widest = max(view_at(move, 0.0).size, view_at(move, 1.0).size)
        shrink = widest * even[0] / size[0]  # source pixels per output pixel at the widest view
        levels = 0  # how many halvings the widest view needs to shrink by 2 at most
        while levels < _LEVELS and shrink >= 2 ** (levels + 1):
            levels += 1
        level = planes(to_yuv(frame, VideoReformatter()))
        self._levels: list[Planes] = [level]
        for _ in range(levels):
            level = _halved(level)
            self._levels.append(level)
        # The background's Y, U and V values (it is one colour).

    def key(self, offset: int) -> int:
        """Every frame has a picture of its own."""
        return offset

    def paint(self, key: int, into: Planes) -> None:
        """The view at frame ``key`` of the shot (its first frame the move's start, its last the end)."""
        progress = key / (self._length - 1) if self._length > 1 else 0.0
        how = crop(view_at(self._move, progress), self._source, self._output)
        (w, h), (x, y) = how.size, how.offset
        if (w, h) != self._output:  # the picture does not cover it all: the background shows
            for target, colour in zip(into, _backdrop(), strict=True):
                target[:] = colour
        shrink = (how.box[2] - how.box[0]) / w  # source pixels per output pixel
        level = min(max(math.floor(math.log2(shrink)), 0), len(self._levels) - 1) if shrink else 0
        width, height = self._source
        for n, (source, target) in enumerate(zip(self._levels[level], into, strict=True)):
            # The box in this plane's pixels (it may be halved: chroma, levels), its size in the
            # target's (the chroma's are half the picture's).
            across, down = width / source.shape[1], height / source.shape[0]
            left, upper, right, lower = how.box
            box = (left / across, upper / down, right / across, lower / down)
            fit = 1 if n == 0 else 2
            room = target[y // fit : y // fit + -(-h // fit), x // fit : x // fit + -(-w // fit)]
            _warp(source, box, (w / fit, h / fit), room)


@functools.cache
def _backdrop() -> tuple[int, int, int]:
    """The background's Y, U and V values (one colour: a plane is filled, not copied)."""
    y, u, v = planes(to_yuv(Image.new("RGB", (4, 4), BACKGROUND), VideoReformatter()))
    return int(y[0, 0]), int(u[0, 0]), int(v[0, 0])


#: How many times a camera move's planes may be halved for its widest views.
_LEVELS = 4


def _halved(picture: Planes) -> Planes:
    """The planes at half their size (each side rounded up), averaged by areas."""
    return cast(
        Planes,
        tuple(
            cv2.resize(p, (-(-p.shape[1] // 2), -(-p.shape[0] // 2)), interpolation=cv2.INTER_AREA)
            for p in picture
        ),
    )


def _warp(
    source: np.ndarray,
    box: tuple[float, float, float, float],
    size: tuple[float, float],
    into: np.ndarray,
) -> None:
    """Map ``box`` (left, upper, right, lower, sub-pixel) of ``source`` onto a picture of
    ``size`` whose top-left part is ``into``, bilinearly, the edges' pixels held beyond it.

    Pixel centres map as Pillow's ``resize(box=…)`` maps them: output pixel ``i`` samples the
    source at ``left + (i + 0.5) * step - 0.5``.
    """
    left, upper, right, lower = box
    sx, sy = (right - left) / size[0], (lower - upper) / size[1]
    to_source = np.array([[sx, 0.0, left + 0.5 * sx - 0.5], [0.0, sy, upper + 0.5 * sy - 0.5]])
    cv2.warpAffine(
        source,
        to_source,
        (into.shape[1], into.shape[0]),
        dst=into,
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )


class ClipMotion:
    """A clip's frames, decoded as the shot advances, fitted in the output.

    A decoded frame goes to yuv420p at its fitted size in one scaler pass (none at all for a
    yuv420p clip at the output's size, the usual case), never through RGB and Pillow; a frame the
    export skips (a clip faster than the export) is decoded, as the next ones need it, but never
    converted; decoding stops at the last frame the shot shows.
    """

    independent = False  # decoded as it goes: one picture after the other

    def __init__(
        self, path: Path, facts: ClipFacts, export_fps: int, output: tuple[int, int], label: str
    ) -> None:
        self._step = facts.fps / export_fps  # clip frames per output frame
        self._last = facts.frames - 1
        self._output = output
        self._reformatter = VideoReformatter()
        self._label = label
        self._path = path
        self._frames = self._decode()
        self._index = -1
        self._current: av.VideoFrame | None = None

    def _decode(self) -> Iterator[av.VideoFrame]:
        try:
            with av.open(str(self._path)) as container:
                stream = container.streams.video[0]
                stream.thread_type = "AUTO"  # frame threads: the decoder keeps up with the encoder
                yield from container.decode(stream)
        except (av.FFmpegError, OSError, IndexError) as exc:
            if self._current is None:  # nothing to show: the export stops, naming the file
                raise BrokenFileError(
                    self._path, f"the clip of shot {self._label} is not a readable video ({exc})"
                ) from exc
            warnings.warn(
                f"the clip of shot {self._label} ({self._path.name}) could not be read to its end "
                f"({exc}); its last readable frame is held",
                ExportWarning,
                stacklevel=2,
            )

    def key(self, offset: int) -> int:
        """The clip frame on screen when the ``offset``-th output frame starts."""
        return min(math.floor(offset * self._step + 1e-9), self._last)

    def paint(self, key: int, into: Planes) -> None:
        """Clip frame ``key`` (or the last one when the clip is shorter)."""
        while self._index < key:
            nxt = next(self._frames, None)
            if nxt is None:
                break
            self._current, self._index = nxt, self._index + 1
        if self._current is None:
            raise BrokenFileError(self._path, f"the clip of shot {self._label} has no frame")
        (w, h), (x, y) = fitted((self._current.width, self._current.height), self._output)
        # yuv420p halves the chroma: an even width, a height of whole chroma rows (``planes``),
        # at an even place: a few pixels off at most.
        w, h, x, y = max(2, w - w % 2), max(4, h - h % 4), x - x % 2, y - y % 2
        frame = self._reformatter.reformat(self._current, width=w, height=h, format="yuv420p")
        picture = planes(frame.to_ndarray())
        if (w, h) == self._output:
            for target, part in zip(into, picture, strict=True):
                target[:] = part
            return
        for n, (part, target, colour) in enumerate(zip(picture, into, _backdrop(), strict=True)):
            scale = 1 if n == 0 else 2
            target[:] = colour
            target[y // scale : (y + h) // scale, x // scale : (x + w) // scale] = part


def clip_of(shot: HandoutShot, folder: Path) -> tuple[Path, ClipFacts] | None:
    """The shot's clip file and its facts, when its take is a video whose file is there."""
    from ..paths import image_in_project

    render = shot.shot.render
    if render is None or render.video is None:
        return None
    path = image_in_project(folder, render.video.clip)
    if path is None:
        warnings.warn(
            f"the clip of shot {shot.label} ({render.video.clip}) is missing: its poster is shown",
            ExportWarning,
            stacklevel=2,
        )
        return None
    return path, render.video
