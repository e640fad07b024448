"""Camera moves over stills: where the view is at each moment of a shot, in the MP4 and in the browser.

A framing (``models.Framing``: a zoom and a centre) is turned into a *view*: the rectangle of the
frame that fills the picture, in fractions of the frame's width and height. A move's view at any
moment is the eased blend of its start and end views, edge by edge, so every edge of the rectangle
moves monotonically and smoothly for any move, and the view never leaves the frame (both ends are
inside it, and so is every blend of them).

The MP4 crops the frame to the view (``crop``, sub-pixel exact: the box is in floating-point pixels
and the picture's size never changes) and the player sets a CSS transform (``css_transform``) on
the frame's box: the same view makes the same picture in both.

The easings are polynomials the player computes the same way: linear ``p``, ease-in ``p²``,
ease-out ``1 - (1 - p)²``, ease-in-out ``p²(3 - 2p)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from ..models import CameraMove, Easing, Framing
from ..types import JsonDict

#: The moves a person picks by name; ``preset`` makes each one.
CameraPreset = Literal["push-in", "pull-out", "pan-left", "pan-right", "tilt-up", "tilt-down"]
CAMERA_PRESETS: tuple[str, ...] = get_args(CameraPreset)
#: How close the presets go: the zoom of a push in's end, and the zoom a pan or tilt travels at.
PRESET_ZOOM = 1.25


@dataclass(frozen=True)
class View:
    """The part of the frame that fills the picture: left and top edges and size, as fractions.

    ``size`` is the same fraction of the frame's width and of its height (the view keeps the
    frame's shape): ``1 / zoom``.
    """

    left: float
    top: float
    size: float

    @property
    def framing(self) -> Framing:
        """The view as a zoom and a centre."""
        return Framing(zoom=1 / self.size, x=self.left + self.size / 2, y=self.top + self.size / 2)


WHOLE = View(0.0, 0.0, 1.0)
"""The whole frame: what a shot without a move shows."""


def view_of(framing: Framing) -> View:
    """The view a framing shows, its centre moved in as little as needed to keep it inside the frame."""
    size = 1 / framing.zoom
    half = size / 2
    return View(
        left=min(max(framing.x, half), 1 - half) - half,
        top=min(max(framing.y, half), 1 - half) - half,
        size=size,
    )


def ease(easing: Easing, progress: float) -> float:
    """How far along its way a move is (0 to 1) when ``progress`` (0 to 1) of its shot has run."""
    p = min(max(progress, 0.0), 1.0)
    if easing == "ease-in":
        return p * p
    if easing == "ease-out":
        return 1 - (1 - p) * (1 - p)
    if easing == "ease-in-out":
        return p * p * (3 - 2 * p)
    return p


def view_at(move: CameraMove | None, progress: float) -> View:
    """The view when ``progress`` (0 at the shot's start, 1 at its end) of the shot has run."""
    if move is None:
        return WHOLE
    a, b = view_of(move.start), view_of(move.end)
    k = ease(move.easing, progress)
    # a + (b - a)·k stays put when a == b and only moves one way as k grows, to the last bit;
    # the clamps only absorb rounding (a size of 1 + 1e-16).
    size = min(a.size + (b.size - a.size) * k, 1.0)
    return View(
        left=min(max(a.left + (b.left - a.left) * k, 0.0), 1 - size),
        top=min(max(a.top + (b.top - a.top) * k, 0.0), 1 - size),
        size=size,
    )


def framing_at(move: CameraMove | None, progress: float) -> Framing:
    """The framing (zoom and centre) when ``progress`` (0 to 1) of the shot has run."""
    return view_at(move, progress).framing


@dataclass(frozen=True)
class Crop:
    """How one picture of the MP4 is made from a frame: scale ``box`` of the frame to ``size``
    and place it at ``offset`` in the picture (Pillow: ``frame.resize(size, box=box)``).

    ``box`` is (left, top, right, bottom) in the frame's pixels, not rounded: a slow move shifts
    it by fractions of a pixel, and the resampling follows, so the picture glides instead of
    stepping. ``size`` and ``offset`` are the frame fitted in the picture; they do not change
    during a shot.
    """

    box: tuple[float, float, float, float]
    size: tuple[int, int]
    offset: tuple[int, int]


def fitted(
    frame: tuple[int, int], output: tuple[int, int]
) -> tuple[tuple[int, int], tuple[int, int]]:
    """The size and offset of a ``frame`` (width, height) fitted whole and centred in ``output``."""
    (fw, fh), (ow, oh) = frame, output
    scale = min(ow / fw, oh / fh)
    size = (max(1, round(fw * scale)), max(1, round(fh * scale)))
    return size, ((ow - size[0]) // 2, (oh - size[1]) // 2)


def crop(view: View, frame: tuple[int, int], output: tuple[int, int]) -> Crop:
    """How to make an ``output`` (width, height) picture of ``view`` of a ``frame`` (width, height)."""
    width, height = frame
    size, offset = fitted(frame, output)
    box = (
        view.left * width,
        view.top * height,
        (view.left + view.size) * width,
        (view.top + view.size) * height,
    )
    return Crop(box, size, offset)


@dataclass(frozen=True)
class CssTransform:
    """The CSS transform that shows a view in the frame's box (``transform-origin: 0 0``, and
    the box clips what overflows): scale by ``scale``, after moving by ``x`` and ``y`` per cent of
    the box."""

    scale: float
    x: float
    y: float

    @property
    def css(self) -> str:
        """The value of the ``transform`` property: ``scale(1.25) translate(-10%, -10%)``."""
        return f"scale({self.scale:.6g}) translate({self.x:.6g}%, {self.y:.6g}%)"


def css_transform(view: View) -> CssTransform:
    """The transform of the frame's box that shows ``view`` (the same picture as ``crop``)."""
    return CssTransform(scale=1 / view.size, x=-100 * view.left, y=-100 * view.top)


def player_camera(move: CameraMove | None) -> JsonDict | None:
    """What the player needs to play a move: both views as ``[left, top, size]`` and the easing.

    The player blends the two views with ``ease`` at each animation frame and applies the
    ``css_transform`` of the result (``None``: the shot has no move).
    """
    if move is None:
        return None
    a, b = view_of(move.start), view_of(move.end)
    return {
        "from": [a.left, a.top, a.size],
        "to": [b.left, b.top, b.size],
        "easing": move.easing,
    }


def preset(
    name: CameraPreset, *, zoom: float = PRESET_ZOOM, easing: Easing = "ease-in-out"
) -> CameraMove:
    """The move a preset name stands for.

    A push in goes from the whole frame to ``zoom`` on its centre, a pull out back; a pan or a tilt
    travels at ``zoom`` from one edge of the frame to the other (left: the view moves left).
    """
    edge = round(1 / (2 * zoom), 6)  # the centre nearest an edge that keeps the view inside
    whole, close = Framing(), Framing(zoom=zoom)
    ends = {
        "push-in": (whole, close),
        "pull-out": (close, whole),
        "pan-left": (Framing(zoom=zoom, x=1 - edge), Framing(zoom=zoom, x=edge)),
        "pan-right": (Framing(zoom=zoom, x=edge), Framing(zoom=zoom, x=1 - edge)),
        "tilt-up": (Framing(zoom=zoom, y=1 - edge), Framing(zoom=zoom, y=edge)),
        "tilt-down": (Framing(zoom=zoom, y=edge), Framing(zoom=zoom, y=1 - edge)),
    }
    start, end = ends[name]
    return CameraMove(start=start, end=end, easing=easing)


__all__ = [
    "CAMERA_PRESETS",
    "PRESET_ZOOM",
    "WHOLE",
    "CameraPreset",
    "Crop",
    "CssTransform",
    "View",
    "crop",
    "css_transform",
    "ease",
    "fitted",
    "framing_at",
    "player_camera",
    "preset",
    "view_at",
    "view_of",
]
