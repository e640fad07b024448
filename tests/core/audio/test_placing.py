"""Placing sounds: soundtracks of the project and of a sequence, a shot's sound; refusals name the
field and change nothing; a file deleted by hand is reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyboard_core.audio.placing import (
    add_soundtrack,
    clear_shot_sound,
    missing_sounds,
    project_duration,
    remove_soundtrack,
    set_shot_sound,
    sound_uses,
    update_soundtrack,
)
from storyboard_core.errors import InvalidDataError, NotFoundError
from storyboard_core.models import Project
from storyboard_core.store import Store

from ..conftest import snapshot
from .tones import write_tone


@pytest.fixture
def tone(tmp_path: Path) -> Path:
    return write_tone(tmp_path / "Theme.wav", "wav", seconds=1.0)


def saved(store: Store, project: Project) -> dict[str, bytes]:
    """Every file of the project but its locks (taking a lock is not a change)."""
    kept = snapshot(store.project_dir(project.id)).items()
    return {name: data for name, data in kept if not name.startswith(".locks/")}


def _shot_ids(store: Store, project: Project, seq_id: str) -> list[str]:
    return [s.id for s in store.read_sequence(project.id, seq_id).shots]


def test_the_project_timeline_is_its_sequences_end_to_end(store: Store, small: Project) -> None:
    assert project_duration(store, small.id) == 8.0


def test_a_project_soundtrack_is_copied_and_recorded(
    store: Store, small: Project, tone: Path
) -> None:
    sound = add_soundtrack(store, small.id, tone, start=1.5, gain_db=-6)
    assert (sound.file, sound.start, sound.gain_db) == ("audio/Theme.wav", 1.5, -6)
    assert sound.duration == pytest.approx(1.0)
    assert store.read_project(small.id).soundtracks == [sound]
    assert (store.project_dir(small.id) / "audio/Theme.wav").is_file()
    raw = (store.project_dir(small.id) / "project.json").read_text()
    assert '"soundtracks"' in raw and '"gain_db": -6.0' in raw


def test_a_sequence_soundtrack_is_recorded_in_its_file(
    store: Store, small: Project, tone: Path
) -> None:
    sound = add_soundtrack(store, small.id, tone, seq_id="002", start=3)
    assert store.read_sequence(small.id, "002").soundtracks == [sound]
    assert store.read_sequence(small.id, "001").soundtracks == []
    assert store.read_project(small.id).soundtracks == []


@pytest.mark.parametrize(
    ("seq_id", "start", "field", "end"),
    [
        (None, 8.0, "soundtracks[0].start", "the project (8 s)"),
        ("001", 4.5, "soundtracks[0].start", "sequence 001 (4 s)"),
    ],
)
def test_a_soundtrack_past_the_end_is_refused_and_nothing_changes(
    store: Store, small: Project, tone: Path, seq_id: str | None, start: float, field: str, end: str
) -> None:
    before = saved(store, small)
    with pytest.raises(InvalidDataError) as caught:
        add_soundtrack(store, small.id, tone, seq_id=seq_id, start=start)
    assert caught.value.by_field() == {field: f"{start:g} s is past the end of {end}"}
    assert saved(store, small) == before  # not even the copy is left


def test_a_gain_out_of_range_is_refused_naming_the_field(
    store: Store, small: Project, tone: Path
) -> None:
    before = saved(store, small)
    with pytest.raises(InvalidDataError) as caught:
        add_soundtrack(store, small.id, tone, gain_db=40)
    assert list(caught.value.by_field()) == ["soundtracks[0].gain_db"]
    assert "from -60 to 24" in caught.value.by_field()["soundtracks[0].gain_db"]
    assert saved(store, small) == before


def test_a_soundtrack_may_start_at_zero_in_an_empty_project(store: Store, tone: Path) -> None:
    empty = store.create_project("Empty", format_id="custom", sequences=1, seconds_per_sequence=4)
    store.delete_shot(empty.id, "001", store.read_sequence(empty.id, "001").shots[0].id)
    assert project_duration(store, empty.id) == 0
    assert add_soundtrack(store, empty.id, tone).start == 0


def test_a_soundtrack_is_moved_and_taken_off(store: Store, small: Project, tone: Path) -> None:
    add_soundtrack(store, small.id, tone)
    add_soundtrack(store, small.id, tone, start=2)
    moved = update_soundtrack(store, small.id, 1, start=6, gain_db=3)
    assert (moved.start, moved.gain_db) == (6, 3)
    with pytest.raises(InvalidDataError, match=r"soundtracks\[1\]\.start: 9 s is past the end"):
        update_soundtrack(store, small.id, 1, start=9)
    with pytest.raises(InvalidDataError, match=r"soundtracks\[1\]\.gain_db: .* from -60 to 24"):
        update_soundtrack(store, small.id, 1, gain_db=99)
    assert store.read_project(small.id).soundtracks[1] == moved
    removed = remove_soundtrack(store, small.id, 0)
    assert removed.file == "audio/Theme.wav"
    assert [s.file for s in store.read_project(small.id).soundtracks] == ["audio/Theme-2.wav"]
    assert (store.project_dir(small.id) / "audio/Theme.wav").is_file()  # the file stays
    with pytest.raises(NotFoundError, match=r"no soundtrack 2 in project\.json"):
        remove_soundtrack(store, small.id, 1)


def test_a_shot_sound_starts_inside_its_shot(store: Store, small: Project, tone: Path) -> None:
    shot_id = _shot_ids(store, small, "001")[1]
    shot = set_shot_sound(store, small.id, "001", shot_id, tone, start=0.5, gain_db=-3)
    assert shot.sound is not None
    assert (shot.sound.file, shot.sound.start, shot.sound.gain_db) == ("audio/Theme.wav", 0.5, -3)
    assert store.read_shot(small.id, "001", shot_id).sound == shot.sound
    cleared = clear_shot_sound(store, small.id, "001", shot_id)
    assert cleared.sound is None
    assert '"sound"' not in store.sequence_path(small.id, "001").read_text()


def test_a_shot_sound_past_the_shot_is_refused(store: Store, small: Project, tone: Path) -> None:
    shot_id = _shot_ids(store, small, "001")[0]
    before = saved(store, small)
    with pytest.raises(InvalidDataError) as caught:
        set_shot_sound(store, small.id, "001", shot_id, tone, start=2.0)
    assert caught.value.by_field() == {
        "sound.start": f"2 s is past the end of shot {shot_id} (2 s)"
    }
    with pytest.raises(InvalidDataError, match=r"sound\.gain_db: .* from -60 to 24"):
        set_shot_sound(store, small.id, "001", shot_id, tone, gain_db=-70)
    assert saved(store, small) == before


def test_an_upload_is_added_under_its_own_name(store: Store, small: Project, tone: Path) -> None:
    with tone.open("rb") as upload:
        sound = add_soundtrack(store, small.id, upload, name="Générique.wav", seq_id="001")
    assert sound.file == "audio/Generique.wav"


def test_an_unknown_shot_fails_before_anything_is_copied(
    store: Store, small: Project, tone: Path
) -> None:
    with pytest.raises(NotFoundError):
        set_shot_sound(store, small.id, "001", "shot-nope", tone)
    assert not (store.project_dir(small.id) / "audio").exists()


def test_a_sound_deleted_by_hand_is_reported(store: Store, small: Project, tone: Path) -> None:
    add_soundtrack(store, small.id, tone)
    add_soundtrack(store, small.id, tone, seq_id="002")
    shot_id = _shot_ids(store, small, "002")[0]
    set_shot_sound(store, small.id, "002", shot_id, tone)
    assert [str(u) for u in sound_uses(store, small.id)] == [
        "soundtrack 1 of the project: audio/Theme.wav",
        "soundtrack 1 of sequence 002: audio/Theme-2.wav",
        "shot 2.1 Shot 1: audio/Theme-3.wav",
    ]
    assert missing_sounds(store, small.id) == []
    (store.project_dir(small.id) / "audio/Theme-2.wav").unlink()
    [missing] = missing_sounds(store, small.id)
    assert (missing.seq, missing.index, missing.sound.file) == ("002", 0, "audio/Theme-2.wav")


def test_a_sound_file_leading_out_of_the_project_counts_as_missing(
    store: Store, small: Project, tone: Path
) -> None:
    add_soundtrack(store, small.id, tone)
    outside = store.root / "elsewhere.wav"
    outside.write_bytes(tone.read_bytes())
    (store.project_dir(small.id) / "audio/Theme.wav").unlink()
    (store.project_dir(small.id) / "audio/Theme.wav").symlink_to(outside)
    assert [u.sound.file for u in missing_sounds(store, small.id)] == ["audio/Theme.wav"]
