"""The PDF storyboard: a cover page, then the frames in a grid with the chosen text under each.

Laid out with ReportLab's Platypus (paragraph wrapping, tables, page templates) in DejaVu Sans,
embedded as a subset so that every accented letter and typographic mark prints as written. Frames are
embedded as JPEG at their own pixel size (a JPEG file is copied as is), which keeps them sharp in
print and the file small; a shot without a frame gets a placeholder box of the same size.
"""

from __future__ import annotations

import io
from collections import Counter
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape, letter, portrait
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepInFrame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ..models import Comment
from ..review.drawing_image import annotated_png
from ..timeline.captions import caption_text
from ..types import clock
from .fonts import BOLD as BOLD_FONT
from .fonts import REGULAR, font_file
from .handout import Handout, HandoutSection, HandoutShot, Progress, no_progress, open_frame
from .options import TEXT_FIELDS, ExportOptions

FONT, BOLD = REGULAR, BOLD_FONT
PAPERS = {"a4": A4, "letter": letter}
MARGIN = 12 * mm
HEADER = 9 * mm  # the band above and below the frames for the header and the footer
GUTTER = 4 * mm
JPEG_QUALITY = 92  # print quality: no visible loss at the frame's own size
GREY = colors.HexColor("#64748b")

# Binary streams: ASCII85 would make every frame a quarter bigger, and ReportLab's encoder is slow
# pure Python without its C accelerator.
rl_config.useA85 = 0


def _register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for name in (FONT, BOLD):
        pdfmetrics.registerFont(TTFont(name, str(font_file(name))))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def _styles(columns: int) -> dict[str, ParagraphStyle]:
    size = {1: 10.5, 2: 9.0}.get(columns, 7.5)
    body = ParagraphStyle("body", fontName=FONT, fontSize=size, leading=size * 1.25)
    return {
        "body": body,
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=size + 1.5),
        "muted": ParagraphStyle("muted", parent=body, textColor=GREY),
        "cover": ParagraphStyle("cover", fontName=BOLD, fontSize=28, leading=34, spaceAfter=8 * mm),
        "lead": ParagraphStyle("lead", fontName=FONT, fontSize=12, leading=16, spaceAfter=6 * mm),
    }


def _text(value: str) -> str:
    """Untrusted text for a Paragraph: its markup made literal, line breaks kept."""
    return escape(value).replace("\n", "<br/>")


class _FrameBox(Flowable):
    """A shot's frame, as large as fits in ``width`` × ``height`` at its aspect, or a placeholder box.

    A placeholder has the 16:9 of a storyboard frame, so that it lines up with its neighbours.
    """

    def __init__(self, shot: HandoutShot, width: float, height: float) -> None:
        super().__init__()
        self.image, aspect = _image(shot)
        self.width = min(width, height * aspect)
        self.height = self.width / aspect

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        if self.image is None:
            canvas.setFillColor(colors.HexColor("#f1f5f9"))
            canvas.setStrokeColor(colors.HexColor("#cbd5e1"))
            canvas.rect(0, 0, self.width, self.height, fill=1, stroke=1)
            canvas.setFillColor(GREY)
            canvas.setFont(FONT, 9)
            canvas.drawCentredString(self.width / 2, self.height / 2, "No frame yet")
            return
        canvas.drawImage(self.image, 0, 0, self.width, self.height)


class _JpegReader(ImageReader):
    """A JPEG in memory that ReportLab embeds as it is, without decoding it.

    ReportLab decodes an ``ImageReader`` to RGB only to name it by a digest of its pixels (and keeps
    those pixels, 1.7 MB a frame); the digest of the JPEG's own bytes names it just as well.
    """

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self._jpeg = data
        self._dataA = None  # no alpha channel: set where ReportLab would while decoding

    def getRGBData(self) -> bytes:
        return self._jpeg


def _image(shot: HandoutShot) -> tuple[ImageReader | str | None, float]:
    """What ReportLab embeds (a JPEG file as is, any other image re-encoded as JPEG) and its aspect."""
    if shot.frame is None:
        return None, 16 / 9
    image = open_frame(shot)  # decoded even for a JPEG: a broken file is named here, not mid-PDF
    aspect = image.width / image.height
    if shot.frame.suffix.lower() in {".jpg", ".jpeg"}:
        return str(shot.frame), aspect
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY)
    return _JpegReader(buffer.getvalue()), aspect


def _lines(
    shot: HandoutShot, fields: tuple[str, ...], styles: dict[str, ParagraphStyle]
) -> list[Any]:
    """The chosen text of one shot, in the order of ``TEXT_FIELDS``."""
    out: list[Any] = []
    facts = []
    for field in TEXT_FIELDS:
        if field not in fields:
            continue
        if field == "title":
            out.append(Paragraph(_text(shot.label), styles["title"]))
        elif field == "duration":
            facts.append(f"{shot.duration:g} s")
        elif field == "status":
            facts.append(shot.status)
        elif field == "prompt" and shot.prompt:
            out.append(Paragraph(_text(shot.prompt), styles["body"]))
        elif field == "notes" and shot.notes:
            out.append(Paragraph("<b>Notes:</b> " + _text(shot.notes), styles["body"]))
        elif field == "dialogue" and shot.shot.dialogue.strip():
            line = caption_text(shot.shot.dialogue, shot.shot.speaker)
            out.append(Paragraph(f"<i>{_text(line)}</i>", styles["body"]))
        elif field == "comments":
            for comment in shot.open_comments:
                out.append(
                    Paragraph(
                        f"<b>Open comment:</b> {_text(comment.author)}: {_text(comment.text)}",
                        styles["muted"],
                    )
                )
                out += _drawn(shot, comment)
    if facts:
        out.insert(
            1 if "title" in fields else 0, Paragraph(_text(" · ".join(facts)), styles["muted"])
        )
    return out


DRAWN_WIDTH = 45 * mm


def _drawn(shot: HandoutShot, comment: Comment) -> list[Any]:
    """A comment's drawing as an annotated frame (its own take's when that is the current frame)."""
    if comment.drawing is None:
        return []
    current = shot.shot.render is not None and comment.take == shot.shot.render.image
    png = annotated_png(comment.drawing, shot.frame if current else None, width=480)
    reader = ImageReader(io.BytesIO(png))
    w, h = reader.getSize()
    return [Image(io.BytesIO(png), width=DRAWN_WIDTH, height=DRAWN_WIDTH * h / w, hAlign="LEFT")]


def _cell(
    shot: HandoutShot,
    width: float,
    height: float,
    fields: tuple[str, ...],
    styles: dict[str, ParagraphStyle],
    side_by_side: bool,
) -> Any:
    """One shot: the frame box and, below or beside it, its text shrunk to fit the space left."""
    lines = _lines(shot, fields, styles)
    if side_by_side:
        frame_w = width * 0.64
        frame = _FrameBox(shot, frame_w, height)
        text = KeepInFrame(width - frame_w - GUTTER, height, lines, mode="shrink")
        table = Table([[frame, text]], colWidths=[frame_w + GUTTER, width - frame_w - GUTTER])
        table.setStyle(_CELL)
        return table
    frame = _FrameBox(shot, width, height * 0.62)
    text = KeepInFrame(width, height - frame.height - 2 * mm, lines, mode="shrink")
    return [frame, Spacer(1, 2 * mm), text]


_CELL = TableStyle(
    [
        ("FONTNAME", (0, 0), (-1, -1), FONT),  # the empty cells of a last page, too
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]
)


def _section_pages(
    section: HandoutSection,
    options: ExportOptions,
    frame_size: tuple[float, float],
    progress: Progress,
    done: list[int],
    total: int,
) -> list[Any]:
    """The pages of one sequence: a grid table per page, the section named in the running header."""
    columns, rows = options.grid
    big = columns == 1
    fields = TEXT_FIELDS if big else options.fields
    styles = _styles(columns)
    width, height = frame_size
    cell_w = (width - GUTTER * (columns - 1)) / columns
    cell_h = (height - GUTTER * (rows - 1)) / rows
    per_page = columns * rows
    shots = list(section.shots)
    story: list[Any] = [_SectionMark(section)]
    for start in range(0, len(shots), per_page):
        page = shots[start : start + per_page]
        cells = []
        for shot in page:
            cells.append(_cell(shot, cell_w, cell_h, fields, styles, big and width > height))
            done[0] += 1
            progress(done[0] / total, f"laid out shot {shot.label}")
        cells += [""] * (per_page - len(cells))
        table = Table(
            [cells[r * columns : (r + 1) * columns] for r in range(rows)],
            colWidths=[cell_w + GUTTER] * (columns - 1) + [cell_w],
            rowHeights=[cell_h + GUTTER] * (rows - 1) + [cell_h],
        )
        table.setStyle(_CELL)
        story += [table, PageBreak()]
    return story


class _SectionMark(Flowable):
    """Tells the running header which sequence the following pages show."""

    def __init__(self, section: HandoutSection) -> None:
        super().__init__()
        self.name = section.name

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv._storyboard_section = self.name  # type: ignore[attr-defined]


def _cover(
    handout: Handout, styles: dict[str, ParagraphStyle], frame_size: tuple[float, float]
) -> list[Any]:
    shots = handout.shots
    statuses = Counter(shot.status for shot in shots)
    facts = [
        ["Made on", f"{handout.made_at:%Y-%m-%d %H:%M} UTC"],
        ["Sequences", str(sum(1 for s in handout.sections if s.id != "-"))],
        ["Shots", str(len(shots))],
        ["Running time", clock(handout.duration)],
        ["With a frame", f"{sum(1 for s in shots if s.frame)} of {len(shots)}"],
        ["Status", ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))],
    ]
    body = ParagraphStyle("cell", fontName=FONT, fontSize=11, leading=14)
    table = Table(
        [[Paragraph(_text(k), body), Paragraph(_text(v), body)] for k, v in facts]
        + [
            [
                Paragraph(_text(s.name), body),
                Paragraph(
                    _text(f"{len(s.shots)} shots · {clock(sum(x.duration for x in s.shots))}"), body
                ),
            ]
            for s in handout.sections
        ],
        colWidths=[60 * mm, None],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#e2e8f0")),
                ("LINEBELOW", (0, len(facts) - 1), (-1, len(facts) - 1), 1, GREY),
                ("TEXTCOLOR", (0, 0), (0, -1), GREY),
            ]
        )
    )
    story: list[Any] = [Paragraph(_text(handout.project.name), styles["cover"])]
    if handout.project.description:
        # However long the description, the totals stay on the cover.
        width, height = frame_size
        description = Paragraph(_text(handout.project.description), styles["lead"])
        story.append(KeepInFrame(width, height * 0.4, [description], mode="shrink"))
    return [*story, table, NextPageTemplate("board"), PageBreak()]


def _numbered_canvas(handout: Handout) -> type[Canvas]:
    """A canvas that holds its pages until the end, to write "page N of M" and the running header."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # Else every page would name Helvetica, a font that is not embedded.
            super().__init__(*args, **{**kwargs, "initialFontName": FONT})
            self._pages: list[dict[str, Any]] = []
            self.setTitle(handout.title)
            self.setAuthor("Storyboard Studio")

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined]  # ReportLab's own page reset

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._decorate(state, number, total)
                super().showPage()
            super().save()

        def _decorate(self, page: dict[str, Any], number: int, total: int) -> None:
            width, height = page["_pagesize"]
            self.setFont(FONT, 8)
            self.setFillColor(GREY)
            if page.get("_storyboard_board"):  # no running header on the cover
                top = height - MARGIN + 2 * mm
                self.drawString(MARGIN, top, handout.project.name)
                self.drawRightString(width - MARGIN, top, page.get("_storyboard_section", ""))
            self.drawString(MARGIN, MARGIN - 4 * mm, f"{handout.made_at:%Y-%m-%d}")
            self.drawRightString(width - MARGIN, MARGIN - 4 * mm, f"Page {number} of {total}")

    return NumberedCanvas


def _mark_board(canvas: Canvas, doc: Any) -> None:
    canvas._storyboard_board = True  # type: ignore[attr-defined]


def write_pdf(
    handout: Handout, out: BinaryIO, options: ExportOptions, progress: Progress = no_progress
) -> None:
    """Write the storyboard of ``handout`` as a PDF to ``out``."""
    _register_fonts()
    size = PAPERS[options.paper]
    page = landscape(size) if options.orientation == "landscape" else portrait(size)
    doc = BaseDocTemplate(
        out,
        pagesize=page,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + HEADER,
        bottomMargin=MARGIN + HEADER / 2,
        title=handout.title,
        author="Storyboard Studio",
        creator="Storyboard Studio",
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, 0, 0, 0, 0, id="body")
    doc.addPageTemplates(
        [
            PageTemplate("cover", [frame]),
            PageTemplate("board", [frame], onPage=_mark_board),
        ]
    )
    # Tables need a hair of slack under the frame's height or Platypus pushes them to the next page.
    frame_size = (doc.width, doc.height - 1)
    styles = _styles(3)
    story: list[Any] = _cover(handout, styles, frame_size)
    total = max(1, len(handout.shots))
    done = [0]
    for section in handout.sections:
        story += _section_pages(section, options, frame_size, progress, done, total)
    story.pop()  # no blank page after the last grid
    progress(1.0, "writing the PDF")
    doc.build(story, canvasmaker=_numbered_canvas(handout))
