"""Reading sound files: what a file really is (decoded, whatever its name says) and its samples.

PyAV (FFmpeg) reads WAV, MP3, OGG/Opus and Vorbis, FLAC, M4A/AAC and most other sound files. A file
is only accepted once all of it has decoded: a name proves nothing, and a file cut short or damaged
half-way fails here rather than in the middle of a presentation.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from av.audio.stream import AudioStream
from av.container import InputContainer

from ..errors import InvalidDataError, NotFoundError

#: A sound file may be at most this many bytes (200 MB: twenty minutes of CD-quality WAV).
MAX_AUDIO_BYTES = 200 * 2**20
#: The sample rate of every mix, in Hz; mixes are stereo.
MIX_RATE = 48_000
_ACCEPTED = "WAV, MP3, OGG/Opus, FLAC or M4A/AAC"
# Containers whose header gives the exact length: a file that decodes shorter was cut short.
_EXACT_LENGTH = frozenset({"flac", "ogg", "mov,mp4,m4a,3gp,3g2,mj2"})
_CUT_TOLERANCE = 0.05  # seconds: encoders' padding differs from the header by a frame or so


@dataclass(frozen=True)
class AudioInfo:
    """What a checked sound file holds: its decoded length in seconds, codec, rate and channels."""

    duration: float
    codec: str
    sample_rate: int
    channels: int


def check_size(size: int, name: str, *, so_far: bool = False) -> None:
    """Refuse a file of ``size`` bytes over ``MAX_AUDIO_BYTES`` (``so_far``: the bytes read until
    it ran over, of a file whose size was not known)."""
    limit = MAX_AUDIO_BYTES / 2**20
    if size > MAX_AUDIO_BYTES:
        said = f"more than {limit:g} MB" if so_far else f"{size / 2**20:.1f} MB"
        raise InvalidDataError.about(name, f"{said}; a sound file can be at most {limit:g} MB")


@contextlib.contextmanager
def _opened(path: Path, name: str) -> Iterator[tuple[InputContainer, AudioStream]]:
    """The file opened with its first sound stream; FFmpeg's and the OS's errors named by the file."""
    try:
        with av.open(str(path), mode="r") as container:
            if not container.streams.audio:
                raise InvalidDataError.about(name, f"has no sound in it ({_ACCEPTED} expected)")
            yield container, container.streams.audio[0]
    except FileNotFoundError as exc:  # av's own FileNotFoundError is one too
        raise NotFoundError(f"{name} does not exist") from exc
    except av.error.FFmpegError as exc:
        raise InvalidDataError.about(
            name, f"not a sound file, or a damaged one ({_ACCEPTED} expected; {exc.strerror})"
        ) from exc
    except OSError as exc:
        raise InvalidDataError.about(name, f"cannot be read ({exc.strerror or exc})") from exc


def check_audio(path: Path, name: str | None = None) -> AudioInfo:
    """Decode all of ``path`` and say what it holds, or why it cannot be used as a sound.

    ``name`` is how messages call the file (default: its name). Refused with ``InvalidDataError``
    naming the file: over ``MAX_AUDIO_BYTES``, not a sound file (whatever its name), no sound in
    it, damaged or cut short. ``NotFoundError`` when there is no such file.
    """
    name = name or path.name
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise NotFoundError(f"{name} does not exist") from exc
    check_size(size, name)
    with _opened(path, name) as (container, stream):
        samples = sum(frame.samples for frame in container.decode(stream))
        rate = stream.rate or stream.codec_context.sample_rate
        if not samples or not rate:
            raise InvalidDataError.about(
                name, f"no sound could be decoded from it ({_ACCEPTED} expected)"
            )
        duration = samples / rate
        base = stream.time_base
        declared = float(stream.duration * base) if stream.duration and base else 0.0
        if container.format.name in _EXACT_LENGTH and duration < declared - _CUT_TOLERANCE:
            raise InvalidDataError.about(
                name, f"cut short: {duration:.2f} s of the {declared:.2f} s it announces"
            )
        info = AudioInfo(duration, stream.codec_context.name, rate, stream.codec_context.channels)
    if container.format.name == "wav":
        _check_riff_length(path, name, size)
    return info


def _check_riff_length(path: Path, name: str, size: int) -> None:
    """Refuse a WAV file shorter than its RIFF header says (FFmpeg plays what is there, silently)."""
    with path.open("rb") as file:
        head = file.read(8)
    if head[:4] != b"RIFF":
        return  # RF64 and other variants: FFmpeg's reading is all there is to go by
    announced = int.from_bytes(head[4:8], "little") + 8
    # Recorders that stream write 0 or the largest size while they do not know the length yet.
    if announced < size or head[4:8] in (b"\0\0\0\0", b"\xff\xff\xff\xff"):
        return
    if announced > size:
        raise InvalidDataError.about(
            name, f"cut short: {size} of the {announced} bytes its header announces"
        )


def decode_stereo(path: Path, name: str | None = None) -> Iterator[np.ndarray]:
    """The sound of ``path`` as ``MIX_RATE`` Hz stereo float32 blocks of shape (2, n), in order.

    Mono is played on both sides; more channels are mixed down by FFmpeg. Decodes as it goes: only
    one block is in memory at a time. Raises like ``check_audio`` when the file cannot be read.
    """
    name = name or path.name
    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=MIX_RATE)
    with _opened(path, name) as (container, stream):
        for frame in container.decode(stream):
            frame.pts = None  # the samples are laid end to end; FFmpeg's own clock is not needed
            for out in resampler.resample(frame):
                yield out.to_ndarray()
        for out in resampler.resample(None):
            yield out.to_ndarray()


__all__ = [
    "MAX_AUDIO_BYTES",
    "MIX_RATE",
    "AudioInfo",
    "check_audio",
    "check_size",
    "decode_stereo",
]
