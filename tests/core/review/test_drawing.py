"""Notes drawn on the frame: the model's limits, hostile labels, the rasterised frame, and where a
drawing goes (the comment on disk, the reviewer's store, the review Markdown, the PDF)."""

from __future__ import annotations

import base64
import io
import json
import re
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from storyboard_core import InvalidDataError, Project, Store
from storyboard_core.access import Access, guarded
from storyboard_core.exports import ExportOptions, export_bytes
from storyboard_core.review.comments import add_comment, review_summary, summary_markdown
from storyboard_core.review.drawing import LABEL_MAX_CHARS, MAX_POINTS, MAX_STROKES, Drawing
from storyboard_core.review.drawing_image import annotated_png, summary_drawings
from storyboard_core.takes import upload_take

from ..helpers import png_bytes

HOSTILE = "<script>alert(1)</script> ![x](https://evil.invalid/p.png) &amp;"
MARKS: dict[str, Any] = {
    "strokes": [
        {"tool": "rect", "colour": "red", "points": [[0.1, 0.1], [0.5, 0.5]]},
        {"tool": "pen", "colour": "blue", "points": [[0.6, 0.2], [0.7, 0.3], [0.8, 0.2]]},
        {"tool": "arrow", "colour": "yellow", "points": [[0.9, 0.9], [0.6, 0.6]]},
        {"tool": "text", "colour": "white", "points": [[0.1, 0.8]], "text": HOSTILE},
    ]
}


def first_shot(store: Store, project: Project) -> str:
    return store.read_shots(project.id, "001")[0].id


def test_a_drawing_is_kept_with_the_comment_and_absent_when_none(
    store: Store, project: Project
) -> None:
    shot = first_shot(store, project)
    add_comment(store, project.id, "001", shot, author="Ana", text="plain")
    drawn = add_comment(store, project.id, "001", shot, author="Ana", text="here", drawing=MARKS)
    assert drawn.drawing is not None and drawn.drawing.strokes[3].text == HOSTILE
    data = json.loads(store.sequence_path(project.id, "001").read_text("utf-8"))
    plain, marked = data["shots"][0]["comments"]
    assert "drawing" not in plain
    assert marked["drawing"]["strokes"][0] == MARKS["strokes"][0] | {
        "points": [[0.1, 0.1], [0.5, 0.5]]
    }
    assert "text" not in marked["drawing"]["strokes"][0]  # no empty label written


@pytest.mark.parametrize(
    ("strokes", "words"),
    [
        ([{"tool": "pen", "points": [[0.1, 0.1]]}] * (MAX_STROKES + 1), "drawing.strokes"),
        ([{"tool": "pen", "points": [[0.5, 0.5]] * (MAX_POINTS + 1)}], "drawing.strokes"),
        (
            [{"tool": "pen", "points": [[0.5, 0.5]] * (MAX_POINTS // 2 + 1)}] * 2,
            f"at most {MAX_POINTS:,}",
        ),
        ([{"tool": "pen", "points": [[1.5, 0.5]]}], "drawing.strokes"),
        ([{"tool": "text", "points": [[0.5, 0.5]], "text": "x" * (LABEL_MAX_CHARS + 1)}], "text"),
        ([{"tool": "text", "points": [[0.5, 0.5]], "text": "  "}], "needs its text"),
        ([{"tool": "arrow", "points": [[0.5, 0.5]]}], "2 point"),
        ([{"tool": "pen", "colour": "url(x)", "points": [[0.5, 0.5]]}], "colour"),
        ([], "drawing.strokes"),
    ],
)
def test_a_drawing_past_its_limits_is_refused_naming_the_field(
    store: Store, project: Project, strokes: list[Any], words: str
) -> None:
    shot = first_shot(store, project)
    before = store.sequence_path(project.id, "001").read_bytes()
    with pytest.raises(InvalidDataError) as caught:
        add_comment(
            store, project.id, "001", shot, author="A", text="t", drawing={"strokes": strokes}
        )
    message = str(caught.value)
    assert "drawing" in message and words in message
    assert store.sequence_path(project.id, "001").read_bytes() == before


def test_strokes_are_drawn_where_they_are_in_frame_coordinates(tmp_path: Any) -> None:
    frame = tmp_path / "f.png"
    frame.write_bytes(png_bytes(size=(320, 180), color=(0, 0, 0)))
    png = annotated_png(Drawing.model_validate(MARKS), frame, width=640)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (640, 360)
    assert image.getpixel((64, 100)) == (0xEF, 0x44, 0x44)  # the rectangle's left side at x=0.1
    assert image.getpixel((200, 200)) == (0, 0, 0)  # inside the rectangle: the frame
    assert image.getpixel((448, 108)) == (0x3B, 0x82, 0xF6)  # the pen passes (0.7, 0.3)
    label = image.crop((64, 288, 640, 340))
    assert (255, 255, 255) in set(label.get_flattened_data())  # the label, drawn as text


def test_a_drawing_without_its_frame_is_drawn_on_a_card() -> None:
    png = annotated_png(Drawing.model_validate(MARKS), None, width=320)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (320, 180) and image.getpixel((5, 5)) == (0x33, 0x41, 0x55)


def test_a_reviewers_store_accepts_a_comment_with_a_drawing(store: Store, project: Project) -> None:
    ana = guarded(store, Access("reviewer", project=project.id, link_id="x").named("Ana"))
    shot = first_shot(store, project)
    comment = add_comment(ana, project.id, "001", shot, author="Ana", text="look", drawing=MARKS)
    assert store.read_shot(project.id, "001", shot).comments[0].drawing == comment.drawing


def test_the_review_markdown_holds_the_annotated_frame(store: Store, project: Project) -> None:
    shot = first_shot(store, project)
    upload_take(store, project.id, "001", shot, png_bytes(size=(64, 36)), "f.png")
    add_comment(store, project.id, "001", shot, author="Ana", text="here", drawing=MARKS)
    summary = review_summary(store, project.id)
    text = summary_markdown(summary, summary_drawings(store, summary))
    found = re.findall(
        r"!\[Drawing on the frame\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", text
    )
    assert len(found) == 1
    assert Image.open(io.BytesIO(base64.b64decode(found[0]))).size == (640, 360)
    assert "<script>" not in text  # the label is only in the pixels
    assert "![x]" not in text


def test_the_pdf_shows_the_annotated_frame(store: Store, project: Project) -> None:
    shot = first_shot(store, project)
    add_comment(store, project.id, "001", shot, author="Ana", text="here", drawing=MARKS)
    options = ExportOptions.parse(fields=["title", "comments"])
    plain = PdfReader(
        io.BytesIO(export_bytes(store, project.id, "pdf", sequences=["002"], options=options))
    )
    data = export_bytes(store, project.id, "pdf", sequences=["001"], options=options)
    reader = PdfReader(io.BytesIO(data))
    assert sum(len(p.images) for p in reader.pages) == sum(len(p.images) for p in plain.pages) + 1
    assert "Open comment: Ana: here" in reader.pages[1].extract_text()
