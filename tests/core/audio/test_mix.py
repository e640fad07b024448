"""The mix: each sound where it plays (a tone placed at 2.0 s is heard from 2.0 s), at its gain,
cut at the end of its shot or sequence, clipped; missing or broken files are warned about."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from storyboard_core.audio.decode import MIX_RATE
from storyboard_core.audio.mix import mix, peaks, placements, read_mix
from storyboard_core.audio.placing import add_soundtrack, set_shot_sound
from storyboard_core.models import Project
from storyboard_core.store import Store
from storyboard_core.timeline.running_order import read_running_order

from .tones import frequency, onset, write_tone

TOLERANCE = 0.010  # seconds


def _at(seconds: float) -> int:
    return round(seconds * MIX_RATE)


def _loudness(samples: np.ndarray, start: float, end: float) -> float:
    """The peak amplitude of the left side between two times."""
    return float(np.abs(samples[0, _at(start) : _at(end)]).max())


def test_a_silent_project_mixes_to_silence_of_its_length(store: Store, small: Project) -> None:
    result = read_mix(store, small.id)
    assert result.samples.shape == (2, 8 * MIX_RATE)
    assert result.samples.dtype == np.float32
    assert not result.samples.any()
    assert result.warnings == ()
    assert result.duration == 8.0


@pytest.mark.parametrize("kind", ["wav", "mp3", "m4a"])
def test_a_tone_placed_at_2_s_is_heard_from_2_s(
    store: Store, small: Project, tmp_path: Path, kind: str
) -> None:
    tone = write_tone(tmp_path / f"la.{kind}", kind, seconds=1.0, freq=440)
    add_soundtrack(store, small.id, tone, start=2.0)
    samples = read_mix(store, small.id).samples
    assert onset(samples[0]) == pytest.approx(2.0, abs=TOLERANCE)
    assert frequency(samples[0, _at(2.1) : _at(2.9)]) == pytest.approx(440, abs=3)
    assert _loudness(samples, 3.1, 8.0) < 0.01  # and it ends after its second


def test_a_shot_sound_starts_at_its_offset_and_stops_at_the_cut(
    store: Store, small: Project, tmp_path: Path
) -> None:
    shot = store.read_sequence(small.id, "001").shots[1]  # from 2 s to 4 s
    tone = write_tone(tmp_path / "line.wav", "wav", seconds=3.0, freq=660)
    set_shot_sound(store, small.id, "001", shot.id, tone, start=0.5)
    samples = read_mix(store, small.id).samples
    assert onset(samples[0]) == pytest.approx(2.5, abs=TOLERANCE)
    assert frequency(samples[0, _at(2.6) : _at(3.9)]) == pytest.approx(660, abs=3)
    assert _loudness(samples, 4.0 + TOLERANCE, 8.0) < 0.01


def test_a_sequence_soundtrack_plays_under_its_sequence_only(
    store: Store, small: Project, tmp_path: Path
) -> None:
    tone = write_tone(tmp_path / "bed.wav", "wav", seconds=6.0)
    add_soundtrack(store, small.id, tone, seq_id="002", start=1.0)  # from 5 s, cut at 8 s
    samples = read_mix(store, small.id).samples
    assert onset(samples[0]) == pytest.approx(5.0, abs=TOLERANCE)
    alone = read_mix(store, small.id, ["002"]).samples
    assert alone.shape[1] == 4 * MIX_RATE
    assert onset(alone[0]) == pytest.approx(1.0, abs=TOLERANCE)


def test_a_sequence_played_alone_hears_the_project_soundtrack_from_its_place(
    store: Store, small: Project, tmp_path: Path
) -> None:
    tone = write_tone(tmp_path / "score.wav", "wav", seconds=1.0, freq=550)
    add_soundtrack(store, small.id, tone, start=5.0)  # inside sequence 002, which starts at 4 s
    alone = read_mix(store, small.id, ["002"]).samples
    assert onset(alone[0]) == pytest.approx(1.0, abs=TOLERANCE)
    swapped = read_mix(store, small.id, ["002", "001"]).samples
    assert onset(swapped[0]) == pytest.approx(1.0, abs=TOLERANCE)
    assert _loudness(swapped, 2.1, 8.0) < 0.01  # not heard again under 001


def test_a_soundtrack_that_started_earlier_is_joined_in_its_middle(
    store: Store, small: Project, tmp_path: Path
) -> None:
    tone = write_tone(tmp_path / "long.wav", "wav", seconds=6.0)
    add_soundtrack(store, small.id, tone)
    order = read_running_order(store, small.id, ["002"])
    [placed] = placements(order)
    assert (placed.at, placed.skip, placed.length) == (0.0, 4.0, 2.0)
    samples = mix(store.project_dir(small.id), order).samples
    assert _loudness(samples, 0.0, 0.01) > 0.4  # already playing at the first sample
    assert _loudness(samples, 2.0 + TOLERANCE, 4.0) < 0.01


def test_gains_are_applied_in_decibels(store: Store, small: Project, tmp_path: Path) -> None:
    tone = write_tone(tmp_path / "half.wav", "wav", seconds=1.0, amplitude=0.5)
    add_soundtrack(store, small.id, tone, start=1.0, gain_db=-6.0206)
    add_soundtrack(store, small.id, tone, start=5.0, gain_db=0)
    samples = read_mix(store, small.id).samples
    assert _loudness(samples, 1.1, 1.9) == pytest.approx(0.25, rel=0.02)
    assert _loudness(samples, 5.1, 5.9) == pytest.approx(0.5, rel=0.02)


def test_loud_sounds_together_are_clipped(store: Store, small: Project, tmp_path: Path) -> None:
    tone = write_tone(tmp_path / "loud.wav", "wav", seconds=1.0, amplitude=0.9)
    add_soundtrack(store, small.id, tone, start=1.0, gain_db=6)
    add_soundtrack(store, small.id, tone, start=1.0, gain_db=6)
    samples = read_mix(store, small.id).samples
    assert float(np.abs(samples).max()) == 1.0


def test_a_missing_or_broken_file_is_left_out_with_a_warning(
    store: Store, small: Project, tmp_path: Path
) -> None:
    tone = write_tone(tmp_path / "t.wav", "wav", seconds=1.0)
    add_soundtrack(store, small.id, tone, start=1.0)
    add_soundtrack(store, small.id, tone, start=3.0)
    add_soundtrack(store, small.id, tone, start=5.0)
    folder = store.project_dir(small.id)
    (folder / "audio/t.wav").unlink()
    (folder / "audio/t-2.wav").write_text("overwritten with text")
    result = read_mix(store, small.id)
    assert result.warnings == (
        "project soundtrack 1: audio/t.wav is missing, so it is not heard",
        "project soundtrack 2: audio/t-2.wav: not a sound file, or a damaged one "
        "(WAV, MP3, OGG/Opus, FLAC or M4A/AAC expected; Invalid data found when processing input)",
    )
    assert _loudness(result.samples, 0.0, 4.9) < 0.01
    assert onset(result.samples[0]) == pytest.approx(5.0, abs=TOLERANCE)


def test_peaks_draw_the_waveform(store: Store, small: Project, tmp_path: Path) -> None:
    tone = write_tone(tmp_path / "t.wav", "wav", seconds=2.0, amplitude=0.5)
    add_soundtrack(store, small.id, tone, start=4.0)
    drawn = peaks(read_mix(store, small.id).samples, 8)
    assert drawn.shape == (8,)
    assert drawn[:4].max() == 0.0
    np.testing.assert_allclose(drawn[4:6], 0.5, rtol=0.02)
    assert drawn[6:].max() == 0.0
    assert peaks(np.zeros((2, 3), np.float32), 8).shape == (8,)
