"""Feedback from the one-file player: the hand-out's data, and the answers imported back whole or not at all."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from storyboard_core import Store
from storyboard_core.errors import InvalidDataError
from storyboard_core.exports import export_bytes
from storyboard_core.review import feedback
from storyboard_core.review.feedback import (
    FeedbackFile,
    FeedbackPlan,
    apply_feedback,
    export_key,
    plan_feedback,
    problem_lines,
    sign,
)

from ..helpers import Run
from .conftest import Board


def handout_data(board: Board) -> dict[str, Any]:
    """The ``feedback`` part of a freshly exported one-file player of the board."""
    document = export_bytes(board.store, board.project, "html").decode("utf-8")
    (data,) = re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', document, re.S)
    found: dict[str, Any] = json.loads(data)["feedback"]
    return found


def answers(board: Board, given: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A feedback file as the player writes it: a retake with a note, an approval without one."""
    seq1, seq2 = board.sequences
    lea, eclair = board.shots["Léa à la fenêtre"], board.shots["L’éclair — enfin"]
    body: dict[str, Any] = {
        "format": "storyboard-feedback",
        "version": 1,
        "reviewer": "Ana",
        "project": given["project"],
        "export": given["export"],
        "exported_at": "2026-12-07T01:00:00Z",
        "shots": [
            {
                "seq": seq1,
                "shot": lea,
                "verdict": "retake",
                "note": "ciel « trop » sombre\nplus de pluie",
                "take": given["takes"][f"{seq1}/{lea}"],
            },
            {
                "seq": seq2,
                "shot": eclair,
                "verdict": "approve",
                "note": "",
                "take": given["takes"][f"{seq2}/{eclair}"],
            },
        ],
        **changes,
    }
    body["signature"] = sign(given["key"], FeedbackFile.model_validate({**body, "signature": "-"}))
    return body


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")


def test_the_hand_out_carries_its_export_id_project_key_and_takes(board: Board) -> None:
    given = handout_data(board)
    assert given["project"] == board.project
    assert given["key"] == export_key(board.store.root, given["export"])
    lea = board.shots["Léa à la fenêtre"]
    assert given["takes"][f"{board.sequences[0]}/{lea}"] == f"renders/{lea}.png"
    assert given["takes"][f"{board.sequences[1]}/{board.shots['Sans image']}"] == ""
    assert handout_data(board)["export"] != given["export"]  # each hand-out is its own


def test_a_good_file_is_previewed_then_imported_as_comments_and_verdicts(board: Board) -> None:
    given = handout_data(board)
    data = encode(answers(board, given))
    plan = plan_feedback(board.store, board.project, data)
    assert plan.ok and plan.reviewer == "Ana"
    assert [s.state for s in plan.shots] == ["new", "new"]
    lea = board.shots["Léa à la fenêtre"]
    assert not board.store.read_shot(board.project, board.sequences[0], lea).comments
    apply_feedback(board.store, board.project, data)
    shot = board.store.read_shot(board.project, board.sequences[0], lea)
    (comment,) = shot.comments
    assert (comment.author, comment.verdict, comment.take) == (
        "Ana",
        "retake",
        f"renders/{lea}.png",
    )
    assert comment.text == "ciel « trop » sombre\nplus de pluie"
    assert shot.status == "rejected"
    eclair = board.store.read_shot(
        board.project, board.sequences[1], board.shots["L’éclair — enfin"]
    )
    assert (
        eclair.status == "approved" and eclair.comments[0].text == "Approved in the offline player"
    )
    # A second import adds nothing: every answer is already in its thread.
    again = apply_feedback(board.store, board.project, data)
    assert [s.state for s in again.shots] == ["already", "already"] and not again.to_add
    assert len(board.store.read_shot(board.project, board.sequences[0], lea).comments) == 1


def refused(board: Board, data: bytes) -> list[str]:
    """The problems of ``data``; and proof that applying it writes nothing."""
    plan = plan_feedback(board.store, board.project, data)
    assert not plan.ok
    before = [s.comments for s in board.store.read_shots(board.project, board.sequences[0])]
    with pytest.raises(InvalidDataError, match="nothing was imported"):
        apply_feedback(board.store, board.project, data)
    assert [s.comments for s in board.store.read_shots(board.project, board.sequences[0])] == before
    return problem_lines(plan)


def test_a_file_for_another_project_is_refused(board: Board) -> None:
    given = handout_data(board)
    other = board.store.create_project(
        "Autre", format_id="custom", sequences=1, seconds_per_sequence=10, shots_per_sequence=1
    )
    problems = refused(board, encode(answers(board, {**given, "project": other.id})))
    assert f"this feedback is for project {other.id!r}, not {board.project!r}" in problems
    # ...and this project's file, imported into the other project, is refused there.
    plan = plan_feedback(board.store, other.id, encode(answers(board, given)))
    assert plan.problems[0] == f"this feedback is for project {board.project!r}, not {other.id!r}"


def test_a_file_from_an_unknown_export_is_refused(board: Board) -> None:
    given = handout_data(board)
    problems = refused(board, encode(answers(board, {**given, "export": "0123456789abcdef"})))
    assert problems == [
        f"hand-out '0123456789abcdef' was not made from project {board.project!r} in this workspace"
    ]


def test_a_deleted_shot_is_reported_and_nothing_is_imported(board: Board) -> None:
    given = handout_data(board)
    seq2, eclair = board.sequences[1], board.shots["L’éclair — enfin"]
    board.store.delete_shot(board.project, seq2, eclair)
    problems = refused(board, encode(answers(board, given)))
    assert problems == [f"{eclair}: no longer in sequence {seq2}: deleted since"]


def test_a_file_edited_by_hand_is_refused(board: Board) -> None:
    given = handout_data(board)
    body = answers(board, given)
    body["shots"][1]["verdict"] = "retake"  # the signature was made over "approve"
    problems = refused(board, encode(body))
    assert problems[0].startswith("the file was changed after the player wrote it")


def test_a_malformed_file_names_the_line_or_the_field(board: Board) -> None:
    given = handout_data(board)
    text = encode(answers(board, given)).decode("utf-8")
    broken = text.replace('"reviewer": "Ana",', '"reviewer": "Ana"', 1)
    with pytest.raises(InvalidDataError, match=r"not valid JSON: line 5 column \d+"):
        plan_feedback(board.store, board.project, broken)
    body = answers(board, given)
    body["shots"][0]["verdict"] = "maybe"
    with pytest.raises(InvalidDataError, match=r"shots\[0\]\.verdict: 'maybe' is not allowed"):
        plan_feedback(board.store, board.project, encode(body))


def test_cli_previews_then_applies(
    board: Board, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Run(board.store.root, capsys)
    given = handout_data(board)
    path = tmp_path / "feedback.json"
    path.write_bytes(encode(answers(board, given)))
    assert cli("import-feedback", board.project, str(path)) == 0
    assert "nothing written: run again with --apply" in cli.out
    assert "add\t" in cli.out and "Ana" in cli.out
    lea = board.shots["Léa à la fenêtre"]
    assert not board.store.read_shot(board.project, board.sequences[0], lea).comments
    assert cli("import-feedback", board.project, str(path), "--apply") == 0
    assert "applied: 2 comment(s) added" in cli.out
    assert board.store.read_shot(board.project, board.sequences[0], lea).comments
    body = answers(board, given)
    body["reviewer"] = "Bob"
    path.write_bytes(encode(body))
    assert cli("import-feedback", board.project, str(path), "--apply") == 1
    assert "REFUSED: the file was changed" in cli.out
    assert "nothing written" in cli.out


def test_a_shot_deleted_between_the_check_and_the_writes_leaves_nothing_written(
    board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The two answers are in two sequence files; the second shot goes just after apply's own check."""
    data = encode(answers(board, handout_data(board)))
    lea, eclair = board.shots["Léa à la fenêtre"], board.shots["L’éclair — enfin"]
    checked = feedback.plan_feedback

    def check_then_delete(store: Store, project: str, raw: bytes | str) -> FeedbackPlan:
        plan = checked(store, project, raw)
        board.store.delete_shot(board.project, board.sequences[1], eclair)
        return plan

    monkeypatch.setattr(feedback, "plan_feedback", check_then_delete)
    with pytest.raises(InvalidDataError, match="nothing was imported") as refusal:
        apply_feedback(board.store, board.project, data)
    (problem,) = refusal.value.problems
    assert "L’éclair — enfin" in problem.message
    assert f"no longer in sequence {board.sequences[1]}: deleted since" in problem.message
    shot = board.store.read_shot(board.project, board.sequences[0], lea)
    assert not shot.comments and shot.status != "rejected"
