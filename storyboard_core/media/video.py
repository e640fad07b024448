"""Checking a video clip someone hands us by decoding it, and what it is: fps, frames, size, poster.

ComfyUI 0.3.64's video nodes write MP4 (h264), WebM (vp9) and animated WebP or PNG
(``/work/shared/comfyui/API.md``, "Video outputs and capabilities"). What each needs:

* **MP4**: the container's frame count is reliable, so its packets are only demuxed (cheap) to check
  that every frame is there; the first frame is decoded for the poster and the last one for
  "continue from the previous shot". A 5 s 1280×720 clip takes well under a second.
* **WebM**: the stream header says 0 frames, so every frame is decoded to count them.
* **Animated WebP and PNG**: the encoder merges identical frames (24 red frames become one still),
  so their frame timing cannot tell the fps; the fps asked for is taken as theirs and the frame
  count is their duration at that fps. FFmpeg cannot decode animated WebP, so Pillow reads both.

``check_clip`` refuses, with a message naming the file: what is not a video, a damaged clip, a clip
over ``MAX_CLIP_BYTES``, and one whose fps or size is not what was asked for.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from PIL import Image, ImageSequence, UnidentifiedImageError

from ..errors import InvalidDataError

#: A clip may be at most this many bytes.
MAX_CLIP_BYTES = 500 * 2**20
#: Container names as FFmpeg gives them, and the suffix a kept clip gets.
_CONTAINERS = {"mov,mp4,m4a,3gp,3g2,mj2": ".mp4", "matroska,webm": ".webm"}
#: Animated image formats as Pillow names them, and their suffix.
_ANIMATED = {"WEBP": ".webp", "PNG": ".png"}
#: The fps a clip may differ from the asked one by (containers round the time base).
FPS_TOLERANCE = 0.01
#: Posters and last frames are JPEG at this quality: fast to write, small on disk.
JPEG_QUALITY = 88
_ACCEPTED = "MP4, WebM, or animated WebP or PNG"


@dataclass(frozen=True)
class ClipExpectation:
    """What a clip was asked to be; ``None`` leaves that fact unchecked."""

    fps: float | None = None
    width: int | None = None
    height: int | None = None
    #: Only for an animation merged into one still frame, whose length the file cannot tell.
    frames: int | None = None


@dataclass(frozen=True)
class CheckedClip:
    """A decoded clip: its suffix, codec and facts, and its first and last frames as JPEG bytes."""

    suffix: str
    codec: str
    fps: float
    frames: int
    duration: float
    width: int
    height: int
    poster: bytes
    last_frame: bytes


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def check_clip(data: bytes, name: str, expect: ClipExpectation | None = None) -> CheckedClip:
    """Decode ``data`` (a file called ``name``) and say what clip it is, or why it cannot be kept.

    Raises ``InvalidDataError`` whose one problem is named by the file: over ``MAX_CLIP_BYTES``,
    empty, not a video, damaged, or not the fps or size ``expect`` asks for.
    """
    if len(data) > MAX_CLIP_BYTES:
        raise InvalidDataError.about(
            name, f"{len(data) / 2**20:.0f} MB; a clip can be at most {MAX_CLIP_BYTES // 2**20} MB"
        )
    if not data:
        raise InvalidDataError.about(name, "an empty file")
    clip = _animated_image(data, name, expect) or _container(data, name)
    _check_expected(clip, name, expect or ClipExpectation())
    return clip


def _check_expected(clip: CheckedClip, name: str, expect: ClipExpectation) -> None:
    problems = []
    if expect.fps is not None and abs(clip.fps - expect.fps) > FPS_TOLERANCE * max(1, expect.fps):
        problems.append(f"{clip.fps:g} fps, but {expect.fps:g} fps was asked for")
    width, height = expect.width or clip.width, expect.height or clip.height
    if (clip.width, clip.height) != (width, height):
        problems.append(f"{clip.width}×{clip.height} pixels, but {width}×{height} was asked for")
    if problems:
        raise InvalidDataError.about(name, "; ".join(problems))


# -- MP4 and WebM, with PyAV -----------------------------------------------------------------------


def _container(data: bytes, name: str) -> CheckedClip:
    import av  # imported here: only renders of video workflows need it

    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            suffix = _CONTAINERS.get(container.format.name)
            if suffix is None or not container.streams.video:
                raise InvalidDataError.about(name, f"not a video ({_ACCEPTED} expected)")
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            if suffix == ".mp4" and stream.frames > 0:
                return _mp4(container, stream, suffix, name)
            return _decoded(container, stream, suffix, name)
    except av.error.FFmpegError as exc:
        # Not a container FFmpeg knows (InvalidDataError), or one whose data breaks off.
        raise InvalidDataError.about(
            name, f"not a video, or a damaged one that cannot be decoded ({exc})"
        ) from exc


def _fps(stream: Any) -> float:
    rate = stream.average_rate or stream.guessed_rate or Fraction(0)
    return round(float(rate), 3)


def _facts(stream: Any, suffix: str, frames: int, duration: float) -> dict[str, Any]:
    return {
        "suffix": suffix,
        "codec": str(stream.codec_context.name),
        "fps": _fps(stream),
        "frames": frames,
        "duration": round(duration, 3),
        "width": int(stream.codec_context.width),
        "height": int(stream.codec_context.height),
    }


def _mp4(container: Any, stream: Any, suffix: str, name: str) -> CheckedClip:
    """An MP4 whose header counts its frames: demux every packet, decode only the first and last."""
    expected = int(stream.frames)
    # Demuxing reads every packet without decoding: a clip cut short fails here or comes up short.
    present = sum(1 for packet in container.demux(stream) if packet.size)
    if present != expected:
        raise InvalidDataError.about(
            name, f"a damaged video: its header counts {expected} frames, but {present} are there"
        )
    container.seek(0)
    first = next(container.decode(stream))
    poster = _jpeg(first.to_image())
    # Jump to the last key frame, decode to the end: the last frame without decoding them all.
    last = first
    container.seek(int(stream.duration or 0) + (stream.start_time or 0), stream=stream)
    for frame in container.decode(stream):
        last = frame
    duration = float(stream.duration * stream.time_base) if stream.duration else 0.0
    fps = _fps(stream)
    facts = _facts(stream, suffix, expected, duration or expected / (fps or 1))
    return CheckedClip(**facts, poster=poster, last_frame=_jpeg(last.to_image()))


def _decoded(container: Any, stream: Any, suffix: str, name: str) -> CheckedClip:
    """A clip whose header does not count its frames (WebM): decode every frame to count them."""
    first = last = None
    frames = 0
    for frame in container.decode(stream):
        if first is None:
            first = frame
        last = frame
        frames += 1
    if first is None or last is None:
        raise InvalidDataError.about(name, "a video without a single frame")
    fps = _fps(stream)
    end = (last.time or 0.0) + (1 / fps if fps else 0.0)
    duration = float(container.duration) / 1_000_000 if container.duration else end
    # A clip cut short still decodes, up to where it breaks off: its frames end before its duration.
    if fps and end < duration - 1.5 / fps:
        raise InvalidDataError.about(
            name,
            f"a damaged video: it lasts {duration:g} s, but its frames stop at {end:.2f} s",
        )
    facts = _facts(stream, suffix, frames, duration)
    return CheckedClip(**facts, poster=_jpeg(first.to_image()), last_frame=_jpeg(last.to_image()))


# -- animated WebP and PNG, with Pillow --------------------------------------------------------------


def _animated_image(data: bytes, name: str, expect: ClipExpectation | None) -> CheckedClip | None:
    """The clip in an animated WebP or PNG, or ``None`` when ``data`` is not one of those formats."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            suffix = _ANIMATED.get(image.format or "")
            if suffix is None:
                return None
            durations: list[float] = []
            first = last = None
            for frame in ImageSequence.Iterator(image):
                frame.load()  # decode every pixel: a truncated file fails here
                durations.append(float(frame.info.get("duration") or 0))
                if first is None:
                    first = frame.convert("RGB")
                last = frame
            width, height = image.size
    except UnidentifiedImageError:
        return None  # not an image: maybe a video container
    except (OSError, SyntaxError, ValueError) as exc:
        raise InvalidDataError.about(
            name, f"a damaged animation that cannot be decoded ({exc})"
        ) from exc
    if first is None or last is None:
        raise InvalidDataError.about(name, "an animation without a single frame")
    # Identical frames were merged, so the timing cannot tell the fps: the asked one is assumed.
    expect = expect or ClipExpectation()
    fps = expect.fps or _fps_of(durations)
    duration = sum(durations) / 1000 or (expect.frames or len(durations)) / fps
    return CheckedClip(
        suffix=suffix,
        codec=suffix[1:],
        fps=fps,
        frames=max(len(durations), round(duration * fps)),
        duration=round(duration, 3),
        width=width,
        height=height,
        poster=_jpeg(first),
        last_frame=_jpeg(last),
    )


def _fps_of(durations: list[float]) -> float:
    """The fps an animation's shortest frame suggests (1 for a still)."""
    shortest = min((d for d in durations if d > 0), default=0.0)
    return round(1000 / shortest, 3) if shortest else 1.0


__all__ = ["FPS_TOLERANCE", "MAX_CLIP_BYTES", "CheckedClip", "ClipExpectation", "check_clip"]
