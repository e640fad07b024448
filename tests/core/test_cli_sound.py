"""``storyboard sound`` and the sound, dialogue and camera fields of ``storyboard set``."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyboard_core import Project, Store

from .audio.tones import write_tone
from .conftest import snapshot
from .helpers import Run, assert_one_line_error


@pytest.fixture
def tone(tmp_path: Path) -> Path:
    return write_tone(tmp_path / "Thème.wav", seconds=2.0)


def too_big(path: Path) -> None:
    """A sparse file of 201 MB: over the limit without writing it."""
    with path.open("wb") as out:
        out.truncate(201 * 2**20)


def first_shot(store: Store, project: Project) -> str:
    return store.read_sequence(project.id, "001").shots[0].id


def test_add_list_and_remove_soundtracks(
    cli: Run, store: Store, project: Project, tone: Path
) -> None:
    added = cli.json("sound", "add", project.id, str(tone), "--start", "1.5", "--gain-db", "-6")
    assert added["file"] == "audio/Theme.wav" and added["duration"] == pytest.approx(2.0, abs=0.01)
    assert cli("sound", "add", project.id, str(tone), "--sequence", "002") == 0
    assert "sequence 002" in cli.out
    assert store.read_project(project.id).soundtracks[0].gain_db == -6
    listed = cli.json("sound", "list", project.id)
    assert [(u["where"], u["index"], u["missing"]) for u in listed] == [
        ("soundtrack 1 of the project", 1, False),
        ("soundtrack 1 of sequence 002", 1, False),
    ]
    assert cli("sound", "remove", project.id, "1", "--sequence", "002") == 0
    assert store.read_sequence(project.id, "002").soundtracks == []
    assert len(store.read_project(project.id).soundtracks) == 1


def test_a_shot_sound_is_set_and_cleared(
    cli: Run, store: Store, project: Project, tone: Path
) -> None:
    shot = first_shot(store, project)
    assert cli("sound", "shot", project.id, "001", shot, str(tone), "--start", "0.5") == 0
    sound = store.read_shot(project.id, "001", shot).sound
    assert sound is not None and sound.start == 0.5
    assert cli("sound", "shot", project.id, "001", shot, "--clear") == 0
    assert store.read_shot(project.id, "001", shot).sound is None


def test_a_sound_deleted_by_hand_is_flagged(
    cli: Run, store: Store, project: Project, tone: Path
) -> None:
    cli.json("sound", "add", project.id, str(tone))
    (store.project_dir(project.id) / "audio" / "Theme.wav").unlink()
    assert cli("sound", "list", project.id) == 0
    assert "audio/Theme.wav" in cli.out and "MISSING" in cli.out


@pytest.mark.parametrize(
    ("make", "args", "words"),
    [
        (lambda p: p.write_bytes(b"\x89PNG not sound at all" * 50), [], ["noise.wav"]),
        (lambda p: p.write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt "), [], ["noise.wav"]),
        (too_big, [], ["noise.wav", "200 MB"]),
        (lambda p: write_tone(p, seconds=1.0), ["--start", "400"], ["soundtracks[0].start"]),
        (lambda p: write_tone(p, seconds=1.0), ["--gain-db", "99"], ["gain_db"]),
    ],
    ids=["not-audio", "damaged", "too-big", "past-the-end", "gain"],
)
def test_bad_sounds_are_refused_and_nothing_changes(
    cli: Run,
    store: Store,
    project: Project,
    tmp_path: Path,
    make: object,
    args: list[str],
    words: list[str],
) -> None:
    path = tmp_path / "noise.wav"
    make(path)  # type: ignore[operator]
    before = snapshot(store.project_dir(project.id))
    assert cli("sound", "add", project.id, str(path), *args) == 1
    assert_one_line_error(cli, *words)
    after = snapshot(store.project_dir(project.id))
    assert {k: v for k, v in after.items() if not k.startswith(".locks/")} == {
        k: v for k, v in before.items() if not k.startswith(".locks/")
    }


def test_set_dialogue_speaker_and_a_camera_preset(cli: Run, store: Store, project: Project) -> None:
    shot = first_shot(store, project)
    assert (
        cli(
            "set",
            project.id,
            "001",
            shot,
            "dialogue=2049",
            "speaker=Léa",
            "camera_move=push-in",
        )
        == 0
    )
    saved = store.read_shot(project.id, "001", shot)
    assert (saved.dialogue, saved.speaker) == ("2049", "Léa")  # text as typed, not a number
    assert saved.camera_move is not None and saved.camera_move.end.zoom == 1.25
    assert cli("set", project.id, "001", shot, "camera_move.start.zoom=1.1") == 0
    moved = store.read_shot(project.id, "001", shot).camera_move
    assert moved is not None and (moved.start.zoom, moved.end.zoom) == (1.1, 1.25)


@pytest.mark.parametrize(
    ("assignment", "words"),
    [
        ("camera_move=spin", ["camera_move", "push-in"]),
        ("camera_move.start.zoom=9", ["camera_move.start.zoom"]),
        ("camera_move.end.x=1.5", ["camera_move.end.x"]),
    ],
)
def test_a_camera_move_out_of_range_is_refused(
    cli: Run, store: Store, project: Project, assignment: str, words: list[str]
) -> None:
    shot = first_shot(store, project)
    before = store.read_shot(project.id, "001", shot)
    assert cli("set", project.id, "001", shot, assignment) == 1
    assert_one_line_error(cli, *words)
    assert store.read_shot(project.id, "001", shot) == before
