"""``storyboard export``: each format to a file, the options, and clear messages for bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import opentimelineio as otio
import pytest
from pypdf import PdfReader

from storyboard_core.cli import main

from .conftest import Board


def run(board: Board, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--workspace", str(board.store.root), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_pdf_with_layout_paper_and_fields(
    board: Board, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "board.pdf"
    code, out, err = run(
        board, capsys, "export", board.project, board.sequences[0], "--format", "pdf", "-o", str(target),
        "--layout", "2x2", "--paper", "letter", "--orientation", "portrait", "--fields", "title,notes",
    )  # fmt: skip
    assert code == 0, err
    assert out.strip() == str(target)
    reader = PdfReader(io.BytesIO(target.read_bytes()))
    assert len(reader.pages) == 2
    assert round(float(reader.pages[0].mediabox.width)) == 612
    page = reader.pages[1].extract_text()
    assert "note : Le cœur « battant »" in page and "ça déchire" not in page


@pytest.mark.parametrize(("format_id", "adapter"), [("otio", "otio_json"), ("fcpxml", "fcp_xml")])
def test_timelines_at_a_frame_rate(
    board: Board, capsys: pytest.CaptureFixture[str], tmp_path: Path, format_id: str, adapter: str
) -> None:
    target = tmp_path / f"cut.{format_id}"
    code, _, err = run(
        board,
        capsys,
        "export",
        board.project,
        "--format",
        format_id,
        "-o",
        str(target),
        "--fps",
        "25",
    )
    assert code == 0, err
    timeline = otio.adapters.read_from_file(str(target), adapter_name=adapter)
    assert [c.duration().value for c in timeline.find_clips()] == [50, 50, 38, 37]


def test_mp4_and_json_output(
    board: Board, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "animatic.mp4"
    code, out, err = run(
        board, capsys, "--json", "export", board.project, "--format", "mp4", "-o", str(target),
        "--width", "320", "--no-burn-in", "--shots", board.shots["Sans image"],
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out) == {"format": "mp4", "path": str(target.absolute()), "warnings": []}
    assert target.read_bytes()[4:8] == b"ftyp"


def test_default_output_is_named_for_the_project(
    board: Board,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(board, capsys, "export", board.project, "--format", "edl")
    assert code == 0, err
    assert (tmp_path / f"{board.project}.edl").read_text(encoding="utf-8").startswith("TITLE:")


def test_unknown_sequence_fails_with_its_name_and_writes_nothing(
    board: Board, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code, _, err = run(
        board,
        capsys,
        "export",
        board.project,
        "042",
        "--format",
        "pdf",
        "-o",
        str(out_dir / "b.pdf"),
    )
    assert code == 1
    assert "no sequence 042" in err
    assert list(out_dir.iterdir()) == [], "a failed export left a file behind"


def test_a_broken_frame_leaves_an_earlier_file_untouched(
    board: Board, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "board.pdf"
    target.write_bytes(b"the earlier board")
    (board.folder / "renders" / f"{board.shots['Léa à la fenêtre']}.png").write_bytes(b"garbage")
    code, _, err = run(board, capsys, "export", board.project, "--format", "pdf", "-o", str(target))
    assert code == 1
    assert "1.1 Léa à la fenêtre is not a readable image" in err
    assert target.read_bytes() == b"the earlier board"
    assert sorted(p.name for p in out_dir.iterdir()) == ["board.pdf"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "docx"], "invalid choice: 'docx'"),
        (["--format", "pdf", "--layout", "4x4"], "invalid choice: '4x4'"),
        (["--format", "pdf", "--fields", "title,colour"], "fields are a comma-separated list"),
    ],
)
def test_usage_errors(
    board: Board, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        run(board, capsys, "export", board.project, *args)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_a_bad_option_value_names_the_option(
    board: Board, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(
        board,
        capsys,
        "export",
        board.project,
        "--format",
        "mp4",
        "--fps",
        "0",
        "-o",
        str(tmp_path / "a.mp4"),
    )
    assert code == 1
    assert "fps" in err and "from 1 to 120" in err


def test_a_missing_sound_is_a_warning_and_captions_burn_on_request(
    board: Board, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    seq, shot = board.sequences[0], board.shots["Le cœur « battant »"]
    board.store.update_shot(board.project, seq, shot, {"dialogue": "Où étais-tu ?"})
    gone = {"file": "audio/gone.wav", "duration": 1.0}
    board.store.update_shot(board.project, seq, shot, {"sound": gone})
    target = tmp_path / "animatic.mp4"
    code, out, err = run(
        board, capsys, "--json", "export", board.project, "--format", "mp4", "-o", str(target),
        "--width", "320", "--burn-captions",
    )  # fmt: skip
    assert code == 0, err
    [warning] = json.loads(out)["warnings"]
    assert "audio/gone.wav is missing" in warning
    assert f"warning: {warning}" in err
    assert target.stat().st_size > 0
    code, _, err = run(
        board, capsys, "export", board.project, "--format", "srt", "-o", str(tmp_path / "c.srt")
    )
    assert code == 0, err
    assert "Où étais-tu ?" in (tmp_path / "c.srt").read_text("utf-8")
