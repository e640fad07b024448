"""Pictures in yuv420p as PyAV lays them out (the Y rows, then the U and the V planes), and back."""

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


def planes(yuv: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views of the Y, U and V planes of a yuv420p array (its height a multiple of 4)."""
    h = yuv.shape[0] * 2 // 3
    w = yuv.shape[1]
    quarter = h // 4
    u = yuv[h : h + quarter].reshape(h // 2, w // 2)
    v = yuv[h + quarter :].reshape(h // 2, w // 2)
    return yuv[:h], u, v


class Overlay:
    """An RGBA strip laid over the bottom rows of yuv420p pictures, converted once.

    Blending in yuv420p (each plane weighted by the strip's alpha, halved for the chroma) gives
    the picture an RGB composite would, without taking every frame to RGB and back.
    """

    def __init__(self, strip: Image.Image, reformatter: VideoReformatter) -> None:
        self.height = strip.height  # a multiple of 4, as the rows it covers start on one
        self.colour = to_yuv(strip.convert("RGB"), reformatter)
        alpha = np.asarray(strip.getchannel("A"), dtype=np.uint32)
        h, w = alpha.shape
        chroma = alpha.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3)).round().astype(np.uint32)
        self._alphas = (alpha, chroma, chroma)

    def apply(self, yuv: np.ndarray) -> None:
        """Lay the strip over the bottom rows of ``yuv``, in place."""
        top = yuv.shape[0] * 2 // 3 - self.height
        for plane, colour, alpha, scale in zip(
            planes(yuv), planes(self.colour), self._alphas, (1, 2, 2), strict=True
        ):
            under = plane[top // scale :]
            under[:] = (under * (255 - alpha) + colour * alpha + 127) // 255
