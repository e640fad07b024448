"""Test sounds made on the spot with PyAV: a sine tone of a known frequency in each format."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.audio.stream import AudioStream

from storyboard_core.audio.decode import MIX_RATE

#: Format name -> (container format, codec, sample rate): the formats a person brings.
FORMATS = {
    "wav": ("wav", "pcm_s16le", 44_100),
    "mp3": ("mp3", "libmp3lame", 44_100),
    "ogg": ("ogg", "libopus", 48_000),
    "flac": ("flac", "flac", 44_100),
    "m4a": ("mp4", "aac", 44_100),
}


def sine(
    seconds: float, freq: float = 440.0, rate: int = 44_100, amplitude: float = 0.5
) -> np.ndarray:
    """A sine tone starting at phase 0, mono float32."""
    t = np.arange(round(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def write_tone(
    path: Path,
    kind: str = "wav",
    *,
    seconds: float = 1.0,
    freq: float = 440.0,
    amplitude: float = 0.5,
    layout: str = "stereo",
) -> Path:
    """Write a tone to ``path`` as ``kind`` (a key of ``FORMATS``), whatever the path's suffix."""
    container_format, codec, rate = FORMATS[kind]
    mono = sine(seconds, freq, rate, amplitude)
    channels = 2 if layout == "stereo" else 1
    with av.open(str(path), mode="w", format=container_format) as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        assert isinstance(stream, AudioStream)
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(np.tile(mono, (channels, 1))), format="fltp", layout=layout
        )
        frame.sample_rate = rate
        frame.time_base = Fraction(1, rate)
        frame.pts = 0  # so the encoder's priming is marked as such (an edit list in M4A)
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def onset(samples: np.ndarray, threshold: float = 0.1) -> float:
    """When the sound first rises above ``threshold``, in seconds of a ``MIX_RATE`` signal."""
    loud = np.flatnonzero(np.abs(samples) > threshold)
    assert loud.size, "no sound above the threshold"
    return float(loud[0]) / MIX_RATE


def frequency(samples: np.ndarray, rate: int = MIX_RATE) -> float:
    """The strongest frequency of a mono signal, from its spectrum (to about 1 Hz for 1 s)."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.argmax(spectrum)) * rate / samples.size
