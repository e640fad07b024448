"""The mix encoded: an AAC stream inside the animatic's MP4, or a small file for the browser.

``MixTrack`` adds the mix as a stream of any PyAV output container and encodes it as the caller's
picture advances (``write_until``), so the MP4's sound and picture are interleaved as they are
written. ``mix_file`` encodes a mix alone: AAC in M4A (plays everywhere) or Opus in WebM (about
half the size at the same quality) for the player to carry inline.
"""

from __future__ import annotations

import io
from fractions import Fraction
from typing import Literal

import av
import numpy as np
from av.audio.stream import AudioStream
from av.container import OutputContainer

from .decode import MIX_RATE
from .mix import Mix

#: Samples per frame handed to the encoder: a second at a time keeps the copies small.
_BLOCK = MIX_RATE
#: The kinds of file ``mix_file`` makes: (container format, codec, bits per second).
MIX_FILES = {
    "m4a": ("mp4", "aac", 160_000),
    "webm": ("webm", "libopus", 96_000),
}
MixFile = Literal["m4a", "webm"]
#: What each kind is called in a ``data:`` URI or an HTTP answer.
MIX_MIME = {"m4a": "audio/mp4", "webm": "audio/webm"}


class MixTrack:
    """A mix as a stereo audio stream of ``container``, encoded up to where the caller has got.

    Add it before the first packet is muxed (the container writes its header then), call
    ``write_until(seconds)`` as the picture advances and ``close()`` before closing the container.
    The first sample is at time 0: the encoder's priming delay is written as such (an edit list in
    MP4), so players start the sound exactly with the picture.
    """

    def __init__(
        self, container: OutputContainer, mix: Mix, *, codec: str = "aac", bit_rate: int = 192_000
    ) -> None:
        self._container = container
        self._samples = mix.samples
        stream = container.add_stream(codec, rate=MIX_RATE, layout="stereo")
        assert isinstance(stream, AudioStream)  # PyAV types it by the codec's name
        stream.bit_rate = bit_rate
        self._stream = stream
        self._done = 0  # samples already handed to the encoder

    def write_until(self, seconds: float) -> None:
        """Encode and mux the mix up to ``seconds`` (or its end)."""
        end = min(round(seconds * MIX_RATE), self._samples.shape[1])
        while self._done < end:
            stop = min(end, self._done + _BLOCK)
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(self._samples[:, self._done : stop]),
                format="fltp",
                layout="stereo",
            )
            frame.sample_rate = MIX_RATE
            frame.time_base = Fraction(1, MIX_RATE)
            frame.pts = self._done
            self._container.mux(self._stream.encode(frame))
            self._done = stop

    def close(self) -> None:
        """Encode the rest of the mix and flush the encoder."""
        self.write_until(self._samples.shape[1] / MIX_RATE)
        self._container.mux(self._stream.encode(None))


def mix_file(mix: Mix, kind: MixFile = "m4a") -> bytes:
    """The mix alone as a sound file: ``"m4a"`` (AAC) or ``"webm"`` (Opus); its bytes."""
    container_format, codec, bit_rate = MIX_FILES[kind]
    out = io.BytesIO()
    with av.open(out, mode="w", format=container_format) as container:
        track = MixTrack(container, mix, codec=codec, bit_rate=bit_rate)
        track.close()
    return out.getvalue()


__all__ = ["MIX_FILES", "MIX_MIME", "MixFile", "MixTrack", "mix_file"]
