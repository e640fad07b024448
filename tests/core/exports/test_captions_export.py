"""``--format srt`` and ``--format vtt``: each shot's dialogue on its times, read back."""

from __future__ import annotations

import re

import pytest

from storyboard_core.exports import EXPORT_FORMATS, ExportOptions, export_bytes

from .conftest import Board

STAMP = r"(\d\d):(\d\d):(\d\d)[,.](\d\d\d)"


def read_back(text: str) -> list[tuple[float, float, str]]:
    """The cues of an SRT or VTT file: start, end, text."""
    found = []
    for block in re.split(r"\n\n+", text.strip()):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            m = re.fullmatch(f"{STAMP} --> {STAMP}", line)
            if m:
                n = [int(g) for g in m.groups()]
                start = n[0] * 3600 + n[1] * 60 + n[2] + n[3] / 1000
                end = n[4] * 3600 + n[5] * 60 + n[6] + n[7] / 1000
                found.append((start, end, "\n".join(lines[i + 1 :])))
    return found


@pytest.fixture
def spoken(board: Board) -> Board:
    """The board with dialogue on its second and fourth shots (2–4 s and 5.5–7 s)."""
    store, project = board.store, board.project
    store.update_shot(
        project,
        board.sequences[0],
        board.shots["Le cœur « battant »"],
        {"dialogue": "Où étais-tu ?", "speaker": "Léa"},
    )
    store.update_shot(
        project,
        board.sequences[1],
        board.shots["L’éclair — enfin"],
        {"dialogue": "Sous la pluie.\nEt toi <là-bas> ?"},
    )
    return board


def test_srt_has_a_cue_per_spoken_shot_on_its_times(spoken: Board) -> None:
    assert EXPORT_FORMATS["srt"].suffix == ".srt"
    text = export_bytes(spoken.store, spoken.project, "srt").decode("utf-8")
    assert text.startswith("1\n")
    assert read_back(text) == [
        (2.0, 4.0, "Léa: Où étais-tu ?"),
        (5.5, 7.0, "Sous la pluie.\nEt toi <là-bas> ?"),
    ]


def test_vtt_escapes_markup_and_follows_the_frame_rate(spoken: Board) -> None:
    options = ExportOptions(fps=4)  # 1.5 s is 6 frames at 4 fps: the same times
    text = export_bytes(spoken.store, spoken.project, "vtt", options=options).decode("utf-8")
    assert text.startswith("WEBVTT\n")
    assert read_back(text)[1] == (5.5, 7.0, "Sous la pluie.\nEt toi &lt;là-bas&gt; ?")


def test_captions_of_one_sequence_start_at_zero(spoken: Board) -> None:
    text = export_bytes(
        spoken.store, spoken.project, "srt", sequences=[spoken.sequences[1]]
    ).decode("utf-8")
    assert read_back(text) == [(1.5, 3.0, "Sous la pluie.\nEt toi <là-bas> ?")]
