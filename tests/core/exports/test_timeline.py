"""The editor's timeline read back by OpenTimelineIO and by the FCP XML and EDL adapters."""

from __future__ import annotations

import opentimelineio as otio
import pytest

from storyboard_core.exports import ExportOptions, export_bytes
from storyboard_core.exports.timecode import frame_lengths

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
