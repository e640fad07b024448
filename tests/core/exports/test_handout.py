"""What a hand-out shows: the choice of sequences and shots, numbers, frames, open comments, bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from storyboard_core import InvalidDataError, NotFoundError
from storyboard_core.errors import BrokenFileError
from storyboard_core.exports import ExportOptions, export_bytes, gather_handout

from ..helpers import child_env
from .conftest import Board


def test_a_project_handout_has_every_sequence_in_order(board: Board) -> None:
    handout = gather_handout(board.store, board.project)
    assert [s.id for s in handout.sections] == list(board.sequences)
    assert [s.number for s in handout.shots] == ["1.1", "1.2", "2.1", "2.2"]
    assert [s.title for s in handout.shots] == list(board.shots)
    assert handout.duration == pytest.approx(7.0)
    frameless = handout.shots[2]
    assert frameless.title == "Sans image" and frameless.frame is None
    assert handout.shots[0].frame == board.folder / "renders" / f"{handout.shots[0].id}.png"


def test_chosen_sequences_and_shots(board: Board) -> None:
    second = gather_handout(board.store, board.project, [board.sequences[1]])
    assert [s.title for s in second.shots] == ["Sans image", "L’éclair — enfin"]
    assert second.title == "L'Orage d'été — Sequence 2"
    picked = gather_handout(board.store, board.project, shots=[board.shots["Le cœur « battant »"]])
    assert [s.number for s in picked.shots] == ["1.2"]


def test_loose_shots_come_last_in_a_project_handout(board: Board) -> None:
    loose = board.store.add_shot(board.project, None, {"title": "Hors séquence"})
    handout = gather_handout(board.store, board.project)
    assert handout.sections[-1].id == "-"
    assert handout.shots[-1].id == loose.id and handout.shots[-1].number == "1"


def test_open_comments_are_the_unresolved_ones(board: Board) -> None:
    shot_id = board.shots["Léa à la fenêtre"]
    comments = [
        {"id": "c1", "author": "Zoé", "text": "Plus de pluie « svp »", "resolved": False},
        {"id": "c2", "author": "Max", "text": "déjà fait", "resolved": True},
    ]
    # Written into the file by hand, as someone editing it would.
    path = board.store.sequence_path(board.project, board.sequences[0])
    data = json.loads(path.read_text(encoding="utf-8"))
    next(s for s in data["shots"] if s["id"] == shot_id)["comments"] = comments
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    shot = gather_handout(board.store, board.project, shots=[shot_id]).shots[0]
    assert [(c.author, c.text) for c in shot.open_comments] == [("Zoé", "Plus de pluie « svp »")]


def test_unknown_sequence_is_named(board: Board) -> None:
    with pytest.raises(NotFoundError, match="no sequence 042"):
        gather_handout(board.store, board.project, ["042"])


def test_unknown_shot_is_named(board: Board) -> None:
    with pytest.raises(NotFoundError, match="shot-000000000000"):
        gather_handout(board.store, board.project, shots=["shot-000000000000"])


def test_an_empty_selection_says_there_is_nothing_to_export(board: Board) -> None:
    empty = board.store.add_sequence(board.project, "Vide", shots=0)
    with pytest.raises(InvalidDataError, match="no shot to export"):
        gather_handout(board.store, board.project, [empty.id])


@pytest.mark.parametrize("image", ["../../../etc/passwd", "/etc/passwd", "renders/gone.png"])
def test_a_frame_outside_the_project_or_missing_is_no_frame(board: Board, image: str) -> None:
    shot_id = board.shots["Léa à la fenêtre"]
    board.store.update_shot(
        board.project, board.sequences[0], shot_id, {"render": {"image": image}}
    )
    assert gather_handout(board.store, board.project).shots[0].frame is None


@pytest.mark.parametrize("broken", [0, 1])
@pytest.mark.parametrize("format_id", ["pdf", "mp4"])
def test_a_broken_frame_file_is_named_with_its_shot(
    board: Board, format_id: str, broken: int
) -> None:
    shot = gather_handout(board.store, board.project).shots[broken]
    shot.frame.write_bytes(b"\x89PNG\r\n\x1a\n not an image")  # type: ignore[union-attr]
    with pytest.raises(BrokenFileError) as caught:
        export_bytes(board.store, board.project, format_id, options=ExportOptions(width=320))
    message = str(caught.value)
    assert f"{shot.id}.png" in message
    assert f"{shot.label} is not a readable image" in message


def test_bad_options_are_named() -> None:
    with pytest.raises(InvalidDataError) as caught:
        ExportOptions.parse(layout="4x4", fps=0)
    assert set(caught.value.by_field()) == {"layout", "fps"}


def test_an_unknown_format_lists_the_known_ones(board: Board) -> None:
    with pytest.raises(InvalidDataError, match="pdf, mp4, otio"):
        export_bytes(board.store, board.project, "docx")


def test_the_heavy_libraries_load_only_when_a_hand_out_is_made() -> None:
    """The CLI's other commands and the app's start do not pay for PyAV, ReportLab and OTIO."""
    code = "import sys, storyboard_core; print(sorted({'av', 'reportlab', 'opentimelineio'} & set(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=child_env(),
    )
    assert out.stdout.strip() == "[]"
