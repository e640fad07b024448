"""Checking sound files by decoding them: every format accepted whatever its name; text, images,
damaged, cut-short and oversized files refused with a message naming the file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from storyboard_core.audio import decode
from storyboard_core.audio.decode import MIX_RATE, check_audio, decode_stereo
from storyboard_core.errors import InvalidDataError, NotFoundError

from .tones import FORMATS, frequency, onset, write_tone


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_each_format_decodes_to_its_length(tmp_path: Path, kind: str) -> None:
    path = write_tone(tmp_path / f"tone.{kind}", kind, seconds=1.0)
    info = check_audio(path)
    # AAC pads its last frame (up to 1024 samples); the others decode exactly what was written.
    assert info.duration == pytest.approx(1.0, abs=0.025 if kind == "m4a" else 0.001)
    assert info.channels == 2
    assert info.sample_rate == FORMATS[kind][2]


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_decoded_at_48_khz_stereo_with_the_tone_where_it_was(tmp_path: Path, kind: str) -> None:
    path = write_tone(tmp_path / f"tone.{kind}", kind, seconds=1.0, freq=440)
    samples = np.concatenate(list(decode_stereo(path)), axis=1)
    assert samples.dtype == np.float32
    assert samples.shape[0] == 2
    assert samples.shape[1] == pytest.approx(MIX_RATE, abs=1100)
    # The encoders' priming is skipped: the tone starts at the very beginning.
    assert onset(samples[0]) < 0.005
    assert frequency(samples[0, : MIX_RATE // 2]) == pytest.approx(440, abs=3)


def test_a_mono_file_plays_on_both_sides(tmp_path: Path) -> None:
    path = write_tone(tmp_path / "mono.wav", "wav", layout="mono")
    samples = np.concatenate(list(decode_stereo(path)), axis=1)
    np.testing.assert_allclose(samples[0], samples[1])
    assert np.abs(samples[0]).max() > 0.3


def test_the_name_proves_nothing_a_wav_called_mp3_is_accepted(tmp_path: Path) -> None:
    path = write_tone(tmp_path / "really-a-wav.mp3", "wav")
    assert check_audio(path).codec == "pcm_s16le"


def _refusal(path: Path, name: str | None = None) -> str:
    with pytest.raises(InvalidDataError) as caught:
        check_audio(path, name)
    [problem] = caught.value.problems
    assert problem.field == (name or path.name)
    return problem.message


def test_a_text_file_called_mp3_is_not_a_sound(tmp_path: Path) -> None:
    path = tmp_path / "song.mp3"
    path.write_text("these are the lyrics, not the song\n" * 20)
    message = _refusal(path)
    assert "not a sound file" in message
    with pytest.raises(InvalidDataError, match=r"song\.mp3"):
        check_audio(path)


def test_an_image_called_wav_has_no_sound(tmp_path: Path) -> None:
    path = tmp_path / "board.wav"
    Image.new("RGB", (8, 8)).save(path, format="PNG")
    assert "has no sound" in _refusal(path)


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.ogg"
    path.write_bytes(b"")
    assert "not a sound file" in _refusal(path)


@pytest.mark.parametrize(
    ("kind", "keep"), [("wav", 0.5), ("flac", 0.5), ("flac", 0.97), ("m4a", 0.5), ("ogg", 0.6)]
)
def test_a_file_cut_short_is_refused(tmp_path: Path, kind: str, keep: float) -> None:
    whole = write_tone(tmp_path / f"whole.{kind}", kind, seconds=1.0).read_bytes()
    path = tmp_path / f"cut.{kind}"
    path.write_bytes(whole[: int(len(whole) * keep)])
    message = _refusal(path)
    assert "cut short" in message or "damaged" in message


def test_garbage_in_the_middle_of_a_flac_is_damage(tmp_path: Path) -> None:
    data = bytearray(write_tone(tmp_path / "t.flac", "flac", seconds=1.0).read_bytes())
    middle = len(data) // 2
    data[middle : middle + 2000] = bytes(range(256)) * 7 + bytes(208)
    path = tmp_path / "damaged.flac"
    path.write_bytes(bytes(data))
    message = _refusal(path)
    assert "damaged" in message or "cut short" in message


def test_a_file_over_the_size_limit_is_refused_before_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_tone(tmp_path / "long.wav", "wav", seconds=1.0)
    monkeypatch.setattr(decode, "MAX_AUDIO_BYTES", 2**17)
    assert _refusal(path) == "0.2 MB; a sound file can be at most 0.125 MB"


def test_messages_use_the_name_given(tmp_path: Path) -> None:
    path = tmp_path / "upload-1234.tmp"
    path.write_text("not audio")
    _refusal(path, "Theme.mp3")


def test_a_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=r"gone\.wav does not exist"):
        check_audio(tmp_path / "gone.wav")
