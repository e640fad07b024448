"""A drawing rasterised over its frame: the PNG that the review Markdown, the PDF and tests show.

The frame (or a grey 16:9 card when the comment's take is gone) is scaled to ``width`` pixels and
the strokes are drawn over it with Pillow; a label is drawn as text, never interpreted.
"""

from __future__ import annotations

import base64
import io
import math
from pathlib import Path

from ..models import Comment
from ..paths import image_in_project
from ..store import StoreView
from .comments import ReviewSummary
from .drawing import COLOURS, LINE_WIDTH, TEXT_SIZE, Drawing, Stroke

WIDTH = 640
CARD = "#334155"


def annotated_png(drawing: Drawing, frame: Path | None, *, width: int = WIDTH) -> bytes:
    """The frame at ``width`` pixels with ``drawing`` over it, as PNG bytes."""
    from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

    base = None
    if frame is not None:
        try:
            with Image.open(frame) as opened:
                base = opened.convert("RGB")
        except (OSError, UnidentifiedImageError):
            base = None  # the take is gone or broken: the marks still say something
    if base is None:
        base = Image.new("RGB", (16, 9), CARD)
    height = max(1, round(width * base.height / base.width))
    image = base.resize((width, height))
    pen = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(8, round(TEXT_SIZE * height)))
    line = max(2, round(LINE_WIDTH * width))
    for stroke in drawing.strokes:
        _stroke(pen, stroke, width, height, line, font)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _stroke(pen: object, stroke: Stroke, w: int, h: int, line: int, font: object) -> None:
    from PIL import ImageDraw, ImageFont

    assert isinstance(pen, ImageDraw.ImageDraw)
    assert isinstance(font, ImageFont.FreeTypeFont | ImageFont.ImageFont)
    colour = COLOURS[stroke.colour]
    xy = [(x * w, y * h) for x, y in stroke.points]
    if stroke.tool == "text":
        pen.text(xy[0], stroke.text, fill=colour, font=font, stroke_width=1, stroke_fill="#000000")
    elif stroke.tool == "rect":
        (x0, y0), (x1, y1) = xy
        pen.rectangle(
            (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)), outline=colour, width=line
        )
    elif len(xy) == 1:
        x, y = xy[0]
        pen.ellipse((x - line, y - line, x + line, y + line), fill=colour)
    else:
        pen.line(xy, fill=colour, width=line, joint="curve")
        if stroke.tool == "arrow":
            pen.polygon(_head(xy[0], xy[1], line * 4), fill=colour)


def _head(
    start: tuple[float, float], end: tuple[float, float], size: float
) -> list[tuple[float, float]]:
    """The arrow's head at ``end``: a triangle pointing away from ``start``."""
    angle = math.atan2(end[1] - start[1], end[0] - start[0])
    left, right = angle + math.radians(150), angle - math.radians(150)
    return [
        end,
        (end[0] + size * math.cos(left), end[1] + size * math.sin(left)),
        (end[0] + size * math.cos(right), end[1] + size * math.sin(right)),
    ]


def comment_png(project_dir: Path, comment: Comment, *, width: int = WIDTH) -> bytes | None:
    """The comment's drawing over the take it is about (``None`` when it has no drawing)."""
    if comment.drawing is None:
        return None
    frame = image_in_project(project_dir, comment.take) if comment.take else None
    return annotated_png(comment.drawing, frame, width=width)


def data_uri(png: bytes) -> str:
    """PNG bytes as a ``data:`` URI (for Markdown and HTML that must stand alone)."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def summary_drawings(store: StoreView, summary: ReviewSummary) -> dict[str, str]:
    """Each drawn comment of ``summary``, as its annotated frame's ``data:`` URI (by comment id)."""
    remarks = [r for r in summary.remarks if r.comment.drawing is not None]
    if not remarks:
        return {}
    project_dir = store.project_dir(summary.project)
    out: dict[str, str] = {}
    for remark in remarks:
        png = comment_png(project_dir, remark.comment)
        if png is not None:
            out[remark.comment.id] = data_uri(png)
    return out
