"""Pictures in yuv420p as PyAV lays them out (the Y rows, then the U and the V planes), and back;
and frames whose planes are written in place (``new_frame``), without a copy to hand them over."""

from __future__ import annotations

import av
import numpy as np
from av.video.reformatter import VideoReformatter
from PIL import Image


def to_yuv(picture: Image.Image, reformatter: VideoReformatter) -> np.ndarray:
    """``picture`` (RGB, even sides) in yuv420p.

    Each size has its reformatter: a reformatter rebuilds its scaler whenever the size changes.
    """
    frame = av.VideoFrame.from_ndarray(np.asarray(picture))
    return reformatter.reformat(frame, format="yuv420p").to_ndarray()


#: The Y, U and V planes of a picture (U and V half as wide and half as high).
Planes = tuple[np.ndarray, np.ndarray, np.ndarray]


def planes(yuv: np.ndarray) -> Planes:
    """Views of the Y, U and V planes of a yuv420p array (its height a multiple of 4)."""
    h = yuv.shape[0] * 2 // 3
    w = yuv.shape[1]
    quarter = h // 4
    u = yuv[h : h + quarter].reshape(h // 2, w // 2)
    v = yuv[h + quarter :].reshape(h // 2, w // 2)
    return yuv[:h], u, v


def new_frame(size: tuple[int, int]) -> tuple[av.VideoFrame, Planes]:
    """A yuv420p frame of ``size`` (even sides) and writable views of its planes (garbage until
    written): what is painted there is encoded as it is, with no copy from another array."""
    frame = av.VideoFrame(size[0], size[1], "yuv420p")
    views = [
        np.frombuffer(memoryview(plane), np.uint8).reshape(plane.height, plane.line_size)[
            :, : plane.width
        ]
        for plane in frame.planes
    ]
    return frame, (views[0], views[1], views[2])


class Overlay:
    """An RGBA strip laid over the bottom rows of yuv420p pictures, converted once.

    Blending in yuv420p (each plane weighted by the strip's alpha, halved for the chroma) gives
    the picture an RGB composite would, without taking every frame to RGB and back.
    """

    def __init__(self, strip: Image.Image, reformatter: VideoReformatter) -> None:
        self.height = strip.height  # a multiple of 4, as the rows it covers start on one
        colour = to_yuv(strip.convert("RGB"), reformatter)
        alpha = np.asarray(strip.getchannel("A"), dtype=np.uint16)
        h, w = alpha.shape
        chroma = alpha.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3)).round().astype(np.uint16)
        # Per plane, what stays of the picture (255 - alpha) and what the strip adds (with the
        # rounding): both in 16 bits, as under * (255 - a) + colour * a + 127 <= 255 * 255 + 127.
        self._layers = [
            (255 - a, c.astype(np.uint16) * a + 127)
            for c, a in zip(planes(colour), (alpha, chroma, chroma), strict=True)
        ]

    def apply(self, picture: Planes) -> None:
        """Lay the strip over the bottom rows of ``picture``, in place."""
        top = picture[0].shape[0] - self.height
        for plane, (keep, add), scale in zip(picture, self._layers, (1, 2, 2), strict=True):
            under = plane[top // scale :]
            mixed = under * keep
            mixed += add
            mixed //= 255
            under[:] = mixed
