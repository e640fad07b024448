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


def to_rgb(yuv: np.ndarray) -> Image.Image:
    """A yuv420p array as an RGB picture."""
    frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
    return Image.fromarray(frame.to_ndarray(format="rgb24"))


def planes(yuv: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views of the Y, U and V planes of a yuv420p array (its height a multiple of 4)."""
    h = yuv.shape[0] * 2 // 3
    w = yuv.shape[1]
    quarter = h // 4
    u = yuv[h : h + quarter].reshape(h // 2, w // 2)
    v = yuv[h + quarter :].reshape(h // 2, w // 2)
    return yuv[:h], u, v


def rows(yuv: np.ndarray, top: int) -> np.ndarray:
    """A copy of the rows from ``top`` (a multiple of 4) to the bottom, as a yuv420p array."""
    y, u, v = planes(yuv)
    w = yuv.shape[1]
    return np.concatenate([y[top:], u[top // 2 :].reshape(-1, w), v[top // 2 :].reshape(-1, w)])


def put_rows(yuv: np.ndarray, top: int, strip: np.ndarray) -> None:
    """Write ``strip`` (from ``rows``) back over the rows from ``top``."""
    for plane, part, scale in zip(planes(yuv), planes(strip), (1, 2, 2), strict=True):
        plane[top // scale :] = part
