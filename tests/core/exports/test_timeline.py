"""The editor's timeline read back by OpenTimelineIO and by the FCP XML and EDL adapters."""

from __future__ import annotations

import re
from pathlib import Path

import opentimelineio as otio
import pytest

from storyboard_core.audio import add_soundtrack, set_shot_sound
from storyboard_core.exports import ExportOptions, export_bytes
from storyboard_core.exports.timecode import frame_lengths

from ..audio.tones import write_tone
from .conftest import Board

TITLES = [
    "1.1 Léa à la fenêtre",
    "1.2 Le cœur « battant »",
    "2.1 Sans image",
    "2.2 L’éclair — enfin",
]


def read_back(board: Board, format_id: str, adapter: str, fps: int = 24) -> otio.schema.Timeline:
    data = export_bytes(board.store, board.project, format_id, options=ExportOptions(fps=fps))
    extra = {"rate": fps} if adapter == "cmx_3600" else {}
    return otio.adapters.read_from_string(data.decode("utf-8"), adapter_name=adapter, **extra)


def test_otio_has_one_clip_per_shot_with_its_frame_and_notes(board: Board) -> None:
    timeline = read_back(board, "otio", "otio_json")
    clips = list(timeline.find_clips())
    assert [c.name for c in clips] == TITLES
    assert [c.duration().value for c in clips] == [48, 48, 36, 36]
    assert all(c.duration().rate == 24 for c in clips)
    first = clips[0].media_reference
    assert isinstance(first, otio.schema.ExternalReference)
    assert (
        first.target_url
        == (board.folder / "renders" / f"{board.shots['Léa à la fenêtre']}.png").as_uri()
    )
    assert isinstance(clips[2].media_reference, otio.schema.MissingReference)
    assert [m.name for m in clips[1].markers] == ["note : Le cœur « battant »"]
    assert clips[0].metadata["storyboard"]["shot_id"] == board.shots["Léa à la fenêtre"]
    assert timeline.duration().to_seconds() == pytest.approx(7.0)


def test_the_frame_rate_is_an_option(board: Board) -> None:
    clips = list(read_back(board, "otio", "otio_json", fps=25).find_clips())
    assert [c.duration().value for c in clips] == [50, 50, 38, 37]  # cuts at 0, 2, 4, 5.5 and 7 s


@pytest.mark.parametrize(("format_id", "adapter"), [("fcpxml", "fcp_xml"), ("edl", "cmx_3600")])
def test_fcp_xml_and_edl_read_back_with_the_same_clips(
    board: Board, format_id: str, adapter: str
) -> None:
    clips = list(read_back(board, format_id, adapter).find_clips())
    assert [c.name for c in clips] == TITLES
    assert [c.duration().value for c in clips] == [48, 48, 36, 36]
    assert clips[1].markers, "the notes are lost"


def test_multi_line_notes_stay_one_edl_comment(board: Board) -> None:
    shot_id = board.shots["Léa à la fenêtre"]
    board.store.update_shot(
        board.project, board.sequences[0], shot_id, {"notes": "ligne un\nligne deux"}
    )
    clips = list(read_back(board, "edl", "cmx_3600").find_clips())
    assert len(clips) == 4
    assert "LIGNE UN LIGNE DEUX" in clips[0].markers[0].name.upper()


def test_frame_lengths_never_drift() -> None:
    assert frame_lengths([1 / 3] * 30, 24) == [8] * 30
    assert sum(frame_lengths([0.7] * 100, 24)) == 1680
    assert frame_lengths([0, 0.01], 24) == [1, 1]  # every shot is seen


@pytest.fixture
def sounded(board: Board, tmp_path: Path) -> Board:
    """The board with a 6-second project soundtrack from 0.5 s and a sound 1 s into shot 1.2."""
    store, project = board.store, board.project
    add_soundtrack(store, project, write_tone(tmp_path / "Thème.wav", seconds=6.0), start=0.5)
    seq, shot = board.sequences[0], board.shots["Le cœur « battant »"]
    set_shot_sound(store, project, seq, shot, write_tone(tmp_path / "bip.wav"), start=1.0)
    return board


def audio_clips(timeline: otio.schema.Timeline) -> list[tuple[str, float, float]]:
    """Each audio clip's name, where it starts and how long it lasts (seconds), by start."""
    found = []
    for track in timeline.audio_tracks():
        for clip in track.find_clips():
            where = clip.range_in_parent()
            found.append((clip.name, where.start_time.to_seconds(), where.duration.to_seconds()))
    return sorted(found, key=lambda c: (c[1], c[0]))


@pytest.mark.parametrize(("format_id", "adapter"), [("otio", "otio_json"), ("fcpxml", "fcp_xml")])
def test_sounds_are_audio_clips_at_their_times(
    sounded: Board, format_id: str, adapter: str
) -> None:
    timeline = read_back(sounded, format_id, adapter)
    assert len(timeline.audio_tracks()) == 2  # the sound of 1.2 overlaps the soundtrack
    # The soundtrack plays on across the cut between the sequences: one clip in each.
    assert audio_clips(timeline) == [
        ("Theme.wav", 0.5, 3.5),
        ("bip.wav", 3.0, 1.0),
        ("Theme.wav", 4.0, 2.5),
    ]
    last = max(
        (c for t in timeline.audio_tracks() for c in t.find_clips()),
        key=lambda c: c.range_in_parent().start_time.to_seconds(),
    )
    assert last.source_range.start_time.to_seconds() == 3.5  # from where the first one stopped
    assert [c.name for c in timeline.video_tracks()[0].find_clips()] == TITLES


def test_the_edl_has_the_sounds_as_stereo_events(sounded: Board) -> None:
    edl = export_bytes(sounded.store, sounded.project, "edl").decode()
    # Event 5, the first after the four shots: the soundtrack's first 3.5 s, from 0.5 s on.
    first = r"^005  \S+ +AA +C +00:00:00:00 00:00:03:12 00:00:00:12 00:00:04:00$"
    assert re.search(first, edl, re.M), edl
    assert re.search(
        r"^007  \S+ +A3 +C +00:00:00:00 00:00:01:00 00:00:03:00 00:00:04:00$", edl, re.M
    )
    timeline = read_back(sounded, "edl", "cmx_3600")
    assert [c.name for c in timeline.video_tracks()[0].find_clips()] == TITLES
    heard = sorted((t.name, c.name) for t in timeline.audio_tracks() for c in t.find_clips())
    assert heard == [  # AA is read as the pair A1 and A2
        ("A1", "Theme.wav"),
        ("A1", "Theme.wav"),
        ("A2", "Theme.wav"),
        ("A2", "Theme.wav"),
        ("A3", "bip.wav"),
    ]


def test_a_video_take_is_the_clip_s_media(board: Board) -> None:
    shot = board.shots["Léa à la fenêtre"]
    (board.folder / "renders" / "clip.mp4").write_bytes(b"not checked here")
    facts = {"clip": "renders/clip.mp4", "fps": 24, "frames": 24, "duration": 1.0}
    board.store.update_shot(
        board.project,
        board.sequences[0],
        shot,
        {"render": {"image": f"renders/{shot}.png", "video": {**facts, "width": 8, "height": 8}}},
    )
    for format_id, adapter in [("otio", "otio_json"), ("fcpxml", "fcp_xml")]:
        first = read_back(board, format_id, adapter).find_clips()[0]
        assert first.media_reference.target_url.endswith("renders/clip.mp4")
