"""The choices a person makes for a hand-out: layout, paper, text under each frame, frame rate…"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from ..validation import validate

Layout = Literal["1x1", "2x2", "3x2", "3x3"]
Paper = Literal["a4", "letter"]
Orientation = Literal["landscape", "portrait"]
#: The text a PDF may show under each frame; "title" is the shot's number and title.
TextField = Literal["title", "prompt", "notes", "dialogue", "duration", "status", "comments"]

LAYOUTS: tuple[str, ...] = get_args(Layout)
PAPERS: tuple[str, ...] = get_args(Paper)
ORIENTATIONS: tuple[str, ...] = get_args(Orientation)
TEXT_FIELDS: tuple[str, ...] = get_args(TextField)


class ExportOptions(BaseModel):
    """How to make a hand-out; each format reads the options that concern it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    layout: Layout = Field(
        "3x2", description="PDF: columns x rows of frames per page; 1x1 shows all text"
    )
    paper: Paper = "a4"
    orientation: Orientation = "landscape"
    fields: tuple[TextField, ...] = Field(
        ("title", "duration", "prompt", "notes"), description="PDF: the text under each frame"
    )
    fps: int = Field(24, ge=1, le=120, description="video and timelines: frames per second")
    width: int = Field(1280, ge=160, le=3840, description="video: width in pixels")
    burn_in: bool = Field(True, description="video: burn in the shot number, title and timecode")
    burn_captions: bool = Field(
        False, description="video: burn the dialogue into the picture (it is a subtitle track too)"
    )

    @classmethod
    def parse(cls, **values: object) -> ExportOptions:
        """Options from loose values (CLI, app); ``InvalidDataError`` naming each bad option."""
        return validate(cls, values, where="export options")

    @property
    def grid(self) -> tuple[int, int]:
        """Columns and rows of the PDF layout."""
        columns, rows = self.layout.split("x")
        return int(columns), int(rows)
