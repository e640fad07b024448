"""The one-file player export: every shot as a slide, frames inlined, nothing fetched from anywhere."""

from __future__ import annotations

import json
import re

from storyboard_core.exports import export_bytes
from storyboard_core.shotlist import plan_import

from .conftest import Board


def slides_of(document: str) -> list[dict[str, object]]:
    (data,) = re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', document, re.S)
    found: list[dict[str, object]] = json.loads(data)["slides"]
    return found


def test_every_chosen_shot_is_a_slide_with_its_frame_inlined(board: Board) -> None:
    document = export_bytes(board.store, board.project, "html").decode("utf-8")
    slides = slides_of(document)
    assert [s["title"] for s in slides] == [
        "Léa à la fenêtre",
        "Le cœur « battant »",
        "Sans image",
        "L’éclair — enfin",
    ]
    assert [s["duration"] for s in slides] == [2.0, 2.0, 1.5, 1.5]
    framed = [bool(s["image"]) for s in slides]
    assert framed == [True, True, False, True]
    assert all(str(s["image"]).startswith("data:image/") for s in slides if s["image"])
    assert slides[0]["notes"] == "note : Léa à la fenêtre"
    # Nothing to fetch: no URL but data: ones, and a policy that forbids loading anything else.
    assert not re.search(r"(src|href)=\"(?!data:)", document)
    assert "http://" not in document and "https://" not in document
    assert "default-src 'none'" in document


def test_chosen_shots_only(board: Board) -> None:
    chosen = [board.shots["Sans image"]]
    document = export_bytes(board.store, board.project, "html", shots=chosen).decode("utf-8")
    assert [s["shot"] for s in slides_of(document)] == chosen


def test_the_shot_list_csv_is_a_hand_out_that_imports_back_unchanged(board: Board) -> None:
    raw = export_bytes(board.store, board.project, "csv")
    assert raw.startswith(b"\xef\xbb\xbf") and "Léa à la fenêtre".encode() in raw
    plan = plan_import(board.store, board.project, raw)
    assert plan.ok and not plan.changes and plan.unchanged == 4
