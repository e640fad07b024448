"""The Review page's "Import feedback": the preview of a feedback file, then its comments and verdicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from storyboard_core import Project, Store
from storyboard_core.review.feedback import FeedbackFile, handout_feedback, sign
from ui.frame.registry import REVIEW
from ui.views.feedback import FEEDBACK_FILE

from .conftest import OpenPage, click


def feedback(workspace: Path, project: str, shot: str, **changes: Any) -> bytes:
    """A signed feedback file from a recorded hand-out: a retake on ``shot`` of sequence 001."""
    given = handout_feedback(workspace, project, {})
    body: dict[str, Any] = {
        "format": "storyboard-feedback",
        "version": 1,
        "reviewer": "Zoé <b>Client</b>",
        "project": project,
        "export": given["export"],
        "shots": [{"seq": "001", "shot": shot, "verdict": "retake", "note": "**plus** sombre"}],
    }
    body["signature"] = sign(given["key"], FeedbackFile.model_validate({**body, "signature": "-"}))
    body.update(changes)
    return json.dumps(body).encode("utf-8")


def preview(at: AppTest) -> list[dict[str, str]]:
    (table,) = [d for d in at.dataframe if "why not" in d.value.columns]
    rows: list[dict[str, str]] = table.value.to_dict("records")
    return rows


def test_the_preview_then_the_import(
    demo: Project, store: Store, workspace: Path, app: AppTest, open_page: OpenPage
) -> None:
    shot = store.read_shots(demo.id, "001")[1]
    app.session_state[FEEDBACK_FILE] = {demo.id: ("f.json", feedback(workspace, demo.id, shot.id))}
    at = open_page(REVIEW, project=demo.id)
    (row,) = preview(at)
    assert (row["verdict"], row["comment"], row["import"]) == ("retake", "**plus** sombre", "add")
    assert not store.read_shot(demo.id, "001", shot.id).comments  # a preview writes nothing
    assert at.button(key="feedback_apply").label == "Import 1 comment(s)"
    click(at, "feedback_apply")
    (comment,) = Store(workspace).read_shot(demo.id, "001", shot.id).comments
    assert (comment.author, comment.verdict) == ("Zoé <b>Client</b>", "retake")
    assert Store(workspace).read_shot(demo.id, "001", shot.id).status == "rejected"


def test_a_file_edited_by_hand_is_refused_whole(
    demo: Project, store: Store, workspace: Path, app: AppTest, open_page: OpenPage
) -> None:
    shot = store.read_shots(demo.id, "001")[1]
    raw = feedback(workspace, demo.id, shot.id, reviewer="Someone else")
    app.session_state[FEEDBACK_FILE] = {demo.id: ("f.json", raw)}
    at = open_page(REVIEW, project=demo.id)
    assert any("changed after the player wrote it" in e.value for e in at.error)
    assert at.button(key="feedback_apply").disabled
    assert [r["import"] for r in preview(at)] == ["add"]


def test_malformed_json_names_its_line(
    demo: Project, workspace: Path, app: AppTest, open_page: OpenPage
) -> None:
    app.session_state[FEEDBACK_FILE] = {demo.id: ("f.json", b'{\n"format": \n}')}
    at = open_page(REVIEW, project=demo.id)
    shown = [e.value.replace("\\", "") for e in at.error]  # as read, without md's escapes
    assert (
        "f.json cannot be imported: feedback file: is not valid JSON: line 3 column 1: " in shown[0]
    )
