"""A note drawn on a frame: pen strokes, arrows, rectangles and short text labels, kept as data.

Points are in frame coordinates (0..1 from the left and from the top), so a drawing fits the frame
at any display size. A drawing is limited (``MAX_STROKES``, ``MAX_POINTS`` in all, ``LABEL_MAX_CHARS``
a label); past a limit pydantic names the field (``drawing.strokes``). A label is untrusted text:
it is only ever drawn as text (``textContent``, escaped SVG, Pillow's ``text``).
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

Tool = Literal["pen", "arrow", "rect", "text"]
Colour = Literal["red", "yellow", "green", "blue", "white"]
TOOLS: tuple[str, ...] = get_args(Tool)
#: The colours a stroke may have, as CSS / Pillow colours.
COLOURS: dict[str, str] = {
    "red": "#ef4444",
    "yellow": "#facc15",
    "green": "#22c55e",
    "blue": "#3b82f6",
    "white": "#ffffff",
}
MAX_STROKES = 60
MAX_POINTS = 4000
"""Points of all strokes together."""
LABEL_MAX_CHARS = 80
LINE_WIDTH = 0.006
"""A stroke's width, as a fraction of the frame's width."""
TEXT_SIZE = 0.045
"""A label's height, as a fraction of the frame's height."""

Coordinate = Annotated[float, Field(ge=0.0, le=1.0)]
Point = tuple[Coordinate, Coordinate]
_POINTS_OF = {"arrow": 2, "rect": 2, "text": 1}


class Stroke(BaseModel):
    """One mark: a pen line through ``points``, an arrow or a rectangle from the first point to the
    second, or a label whose top-left is its one point."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tool: Tool
    colour: Colour = "red"
    points: list[Point] = Field(min_length=1, max_length=MAX_POINTS)
    text: str = Field("", max_length=LABEL_MAX_CHARS, exclude_if=lambda v: not v)

    @model_validator(mode="after")
    def _shape(self) -> Stroke:
        wanted = _POINTS_OF.get(self.tool)
        if wanted is not None and len(self.points) != wanted:
            raise ValueError(f"a {self.tool} has {wanted} point(s), not {len(self.points)}")
        if self.tool == "text" and not self.text.strip():
            raise ValueError("a text label needs its text")
        return self


class Drawing(BaseModel):
    """The strokes drawn on a frame, oldest first (undo removes the last)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    strokes: list[Stroke] = Field(min_length=1, max_length=MAX_STROKES)

    @model_validator(mode="after")
    def _size(self) -> Drawing:
        points = sum(len(s.points) for s in self.strokes)
        if points > MAX_POINTS:
            raise ValueError(
                f"the drawing has {points:,} points, at most {MAX_POINTS:,}: draw fewer or shorter lines"
            )
        return self
