"""Importing sound files into ``<project>/audio/``: a checked copy under a safe, unique name; a
refused file leaves nothing behind."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from storyboard_core.audio import decode
from storyboard_core.audio.folder import AUDIO_DIR, import_sound, safe_file_name
from storyboard_core.errors import InvalidDataError, NotFoundError

from .tones import write_tone


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    return folder


def _audio_files(project_dir: Path) -> list[str]:
    folder = project_dir / AUDIO_DIR
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_sound_is_copied_into_the_audio_folder(tmp_path: Path, project_dir: Path) -> None:
    source = write_tone(tmp_path / "Thème d'Orage.flac", "flac", seconds=0.5)
    imported = import_sound(project_dir, source)
    assert imported.file == "audio/Theme-d-Orage.flac"
    assert imported.copied
    assert imported.info.duration == pytest.approx(0.5)
    assert (project_dir / imported.file).read_bytes() == source.read_bytes()
    assert source.exists()  # copied, not moved
    assert _audio_files(project_dir) == ["Theme-d-Orage.flac"]
    assert (project_dir / imported.file).stat().st_mode & 0o777 == 0o644


def test_a_name_already_taken_gets_a_number(tmp_path: Path, project_dir: Path) -> None:
    (tmp_path / "a").mkdir()
    first = write_tone(tmp_path / "a" / "line.wav", "wav", seconds=0.2)
    second = write_tone(tmp_path / "line.wav", "wav", seconds=0.3)
    files = [import_sound(project_dir, p).file for p in (first, second, first)]
    assert files == ["audio/line.wav", "audio/line-2.wav", "audio/line-3.wav"]
    assert (project_dir / "audio/line-2.wav").read_bytes() == second.read_bytes()


def test_an_upload_is_read_from_its_stream(tmp_path: Path, project_dir: Path) -> None:
    data = write_tone(tmp_path / "x.ogg", "ogg", seconds=0.4).read_bytes()
    imported = import_sound(project_dir, io.BytesIO(data), "Voice over.OGG")
    assert imported.file == "audio/Voice-over.ogg"
    assert imported.info.codec == "opus"


def test_a_file_already_in_the_audio_folder_stays_where_it_is(project_dir: Path) -> None:
    (project_dir / AUDIO_DIR).mkdir()
    kept = write_tone(project_dir / AUDIO_DIR / "music.mp3", "mp3", seconds=0.3)
    imported = import_sound(project_dir, kept)
    assert (imported.file, imported.copied) == ("audio/music.mp3", False)
    assert _audio_files(project_dir) == ["music.mp3"]


def test_a_refused_file_leaves_nothing_behind(tmp_path: Path, project_dir: Path) -> None:
    source = tmp_path / "notes.mp3"
    source.write_text("not a song")
    with pytest.raises(InvalidDataError, match=r"notes\.mp3"):
        import_sound(project_dir, source)
    assert _audio_files(project_dir) == []  # no copy, no temporary file


def test_an_upload_over_the_limit_stops_being_read(
    tmp_path: Path, project_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(decode, "MAX_AUDIO_BYTES", 2**17)
    upload = io.BytesIO(write_tone(tmp_path / "x.wav", "wav", seconds=2.0).read_bytes())
    with pytest.raises(
        InvalidDataError,
        match=r"big\.wav: more than 0\.125 MB; a sound file can be at most 0\.125 MB",
    ):
        import_sound(project_dir, upload, "big.wav")
    assert _audio_files(project_dir) == []


def test_a_missing_source_is_not_found(tmp_path: Path, project_dir: Path) -> None:
    with pytest.raises(NotFoundError, match=r"nowhere\.wav does not exist"):
        import_sound(project_dir, tmp_path / "nowhere.wav")


def test_a_folder_is_not_a_sound(tmp_path: Path, project_dir: Path) -> None:
    (tmp_path / "album.mp3").mkdir()
    with pytest.raises(InvalidDataError, match=r"album\.mp3: cannot be read"):
        import_sound(project_dir, tmp_path / "album.mp3")


@pytest.mark.parametrize(
    ("original", "safe"),
    [
        ("Thème d'Orage (v2).MP3", "Theme-d-Orage-v2.mp3"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\léa\\voix.wav", "voix.wav"),
        ("....wav", "sound.wav"),
        ("雨.flac", "sound.flac"),
        ("noext", "noext"),
        ("weird.suffix!!", "weird"),
    ],
)
def test_safe_file_names(original: str, safe: str) -> None:
    assert safe_file_name(original) == safe
