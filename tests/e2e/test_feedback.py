"""The one-file player opened from ``file://``: a reviewer's answers, exported, imported back."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, expect

from storyboard_core import Store, export_file
from storyboard_core.review.feedback import apply_feedback, plan_feedback
from tests.core.exports.conftest import make_board


def test_feedback_exported_from_the_file_player_imports_back(page: Page, tmp_path: Path) -> None:
    board = make_board(Store(tmp_path / "workspace"))
    document = export_file(board.store, board.project, "html", tmp_path / "handout.html")
    page.goto(document.as_uri())
    view = page.locator(".sb-player")
    expect(view).to_have_attribute("data-index", "0")
    panel = view.locator(".sb-feedback")
    panel.locator(".sb-feedback-name").fill("Ana  Lopes")
    view.locator("[data-action=approve]").click()
    expect(panel).to_have_attribute("data-verdict", "approve")
    view.locator("[data-action=next]").click()
    expect(view).to_have_attribute("data-index", "1")
    expect(panel).to_have_attribute("data-verdict", "")
    view.locator("[data-action=retake]").click()
    panel.locator(".sb-feedback-note").fill("Plus de pluie, <b>moins</b> de ciel")
    expect(panel.locator(".sb-feedback-count")).to_have_text("2 of 4 shots answered")
    # Typing in the note is not a player key: the arrow moves the caret, not the shot.
    page.keyboard.press("ArrowLeft")
    expect(view).to_have_attribute("data-index", "1")

    # Closing and opening the file again keeps the answers (the browser's storage, by export id).
    page.reload()
    expect(view).to_have_attribute("data-index", "0")
    expect(panel).to_have_attribute("data-verdict", "approve")
    expect(panel.locator(".sb-feedback-name")).to_have_value("Ana  Lopes")
    page.keyboard.press("ArrowRight")
    expect(panel.locator(".sb-feedback-note")).to_have_value("Plus de pluie, <b>moins</b> de ciel")

    with page.expect_download() as info:
        view.locator("[data-action=export-feedback]").click()
    saved = tmp_path / "feedback.json"
    info.value.save_as(saved)
    expect(panel.locator(".sb-feedback-message")).to_contain_text("Saved 2 answer(s)")
    body = json.loads(saved.read_text("utf-8"))
    assert body["reviewer"] == "Ana Lopes" and body["project"] == board.project
    lea = board.shots["Léa à la fenêtre"]
    assert body["shots"][0] == {
        "seq": board.sequences[0],
        "shot": lea,
        "verdict": "approve",
        "note": "",
        "take": f"renders/{lea}.png",
    }

    plan = plan_feedback(board.store, board.project, saved.read_bytes())
    assert plan.ok, plan.problems  # the browser's signature is the one the core computes
    apply_feedback(board.store, board.project, saved.read_bytes())
    coeur = board.store.read_shot(
        board.project, board.sequences[0], board.shots["Le cœur « battant »"]
    )
    (comment,) = coeur.comments
    assert (comment.author, comment.verdict, comment.text) == (
        "Ana Lopes",
        "retake",
        "Plus de pluie, <b>moins</b> de ciel",
    )
    assert coeur.status == "rejected"
    assert board.store.read_shot(board.project, board.sequences[0], lea).status == "approved"
