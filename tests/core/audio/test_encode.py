"""The mix encoded: AAC in M4A and Opus in WebM read back at 48 kHz stereo with the tone in its
place, and the mix as a track of an MP4 written alongside its picture."""

from __future__ import annotations

import io
from fractions import Fraction

import av
import numpy as np
import pytest

from storyboard_core.audio.decode import MIX_RATE
from storyboard_core.audio.encode import MixTrack, mix_file
from storyboard_core.audio.mix import Mix

from .tones import frequency, onset, sine


def _tone_mix(seconds: float = 3.0, at: float = 1.0) -> Mix:
    samples = np.zeros((2, round(seconds * MIX_RATE)), dtype=np.float32)
    tone = sine(seconds - at, 440, MIX_RATE)
    samples[:, round(at * MIX_RATE) :] = tone
    return Mix(samples)


def _decode(data: bytes) -> tuple[av.audio.stream.AudioStream, np.ndarray, str]:
    with av.open(io.BytesIO(data), mode="r") as container:
        stream = container.streams.audio[0]
        samples = np.concatenate([f.to_ndarray() for f in container.decode(stream)], axis=1)
        return stream, samples, stream.codec_context.name


@pytest.mark.parametrize(("kind", "codec"), [("m4a", "aac"), ("webm", "opus")])
def test_a_mix_file_reads_back_with_the_tone_in_its_place(kind: str, codec: str) -> None:
    data = mix_file(_tone_mix(), kind)  # type: ignore[arg-type]
    stream, samples, name = _decode(data)
    assert name == codec
    assert stream.rate == MIX_RATE
    assert samples.shape[0] == 2
    assert samples.shape[1] == pytest.approx(3 * MIX_RATE, abs=1024)
    assert onset(samples[0]) == pytest.approx(1.0, abs=0.010)
    assert frequency(samples[0, MIX_RATE + 2400 : 2 * MIX_RATE]) == pytest.approx(440, abs=3)


def test_a_mix_file_is_compact() -> None:
    assert len(mix_file(_tone_mix(10.0), "webm")) < 10 * 96_000 / 8 * 1.2


def test_the_mix_is_a_track_of_an_mp4_written_with_its_picture() -> None:
    out = io.BytesIO()
    fps = 24
    with av.open(out, mode="w", format="mp4") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        track = MixTrack(container, _tone_mix(2.0, at=0.5))
        for n in range(2 * fps):
            frame = av.VideoFrame.from_ndarray(
                np.full((48, 64, 3), n * 5, np.uint8), format="rgb24"
            )
            frame.pts, frame.time_base = n, Fraction(1, fps)
            container.mux(video.encode(frame))
            track.write_until((n + 1) / fps)
        container.mux(video.encode(None))
        track.close()
    with av.open(io.BytesIO(out.getvalue()), mode="r") as container:
        assert [s.type for s in container.streams] == ["video", "audio"]
        audio = container.streams.audio[0]
        assert (audio.codec_context.name, audio.rate, audio.codec_context.channels) == (
            "aac",
            MIX_RATE,
            2,
        )
        samples = np.concatenate([f.to_ndarray() for f in container.decode(audio)], axis=1)
    assert samples.shape[1] == pytest.approx(2 * MIX_RATE, abs=1024)
    assert onset(samples[0]) == pytest.approx(0.5, abs=0.010)
