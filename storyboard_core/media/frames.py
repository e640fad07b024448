"""Frames made small enough to inline: JPEG copies of a shot's image, cached on disk.

The player inlines every frame as a ``data:`` URI (it must open from ``file://`` and request nothing),
so each image is scaled down once per size and kept in ``<project>/.cache/frames/``, keyed by the
source's path, modification time and size: a re-render or an edited file makes a new entry, and a
page that shows the same frames again does not decode or encode anything. The present page serves
its stage-size frames by URL instead (``served_frame``): a JPEG that already fits, as it is.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from ..files import write_atomic

CACHE_DIR = ".cache"
FRAMES_DIR = "frames"
# The cache is rebuilt from the renders at will: a .gitignore inside it keeps it out of git without
# touching the project's own .gitignore.
_CACHE_GITIGNORE = "# made by Storyboard Studio: scaled copies of frames, rebuilt when missing\n*\n"
_BACKDROP = (16, 16, 20)  # transparent pixels are shown on the player's dark background
_ORIENTATION = 0x0112  # the EXIF tag a camera turns a picture by
_JPEG = (".jpg", ".jpeg")  # the suffixes a page serves as image/jpeg


@dataclass(frozen=True)
class FrameSize:
    """A target box (the image is scaled down to fit, never up) and its JPEG quality."""

    name: str
    width: int
    height: int
    quality: int


STAGE = FrameSize("stage", 1920, 1080, 82)
"""The frame on the player's stage: screen-sized."""
THUMB = FrameSize("thumb", 320, 180, 70)
"""A thumbnail in the player's strip."""


class FrameError(Exception):
    """An image file that cannot be read as a picture (missing, broken, not an image)."""


def frame_uri(project_dir: Path, image: Path, size: FrameSize) -> str:
    """``image`` scaled to fit ``size``, as a ``data:image/jpeg;base64,…`` URI (cached on disk).

    Raises ``FrameError`` naming the file when it is missing or cannot be decoded.
    """
    return "data:image/jpeg;base64," + base64.b64encode(
        frame_bytes(project_dir, image, size)
    ).decode("ascii")


def frame_bytes(project_dir: Path, image: Path, size: FrameSize) -> bytes:
    """The JPEG bytes of ``image`` scaled to fit ``size``, from ``<project>/.cache/frames/`` when there."""
    return frame_file(project_dir, image, size).read_bytes()


def frame_file(project_dir: Path, image: Path, size: FrameSize) -> Path:
    """The file in ``<project>/.cache/frames/`` holding ``image`` scaled to fit ``size`` (made if
    missing): what a page serves by URL instead of inlining it.

    Raises ``FrameError`` naming the file when it is missing or cannot be decoded.
    """
    try:
        info = image.stat()
    except OSError as exc:
        raise FrameError(f"{image.name}: the file cannot be read ({exc.strerror or exc})") from exc
    key = hashlib.sha256(
        f"{image.resolve()}|{info.st_mtime_ns}|{info.st_size}|{size}".encode()
    ).hexdigest()[:32]
    cached = project_dir / CACHE_DIR / FRAMES_DIR / f"{key}.jpg"
    if not cached.is_file():
        data = _scaled_jpeg(image, size)
        _ensure_cache_dir(project_dir)
        write_atomic(cached, data)
    return cached


def served_frame(project_dir: Path, image: Path, size: FrameSize) -> Path:
    """The file a page serves by URL for ``image`` at ``size``: the image itself when it is already
    an upright JPEG within the box (a clip's poster), else its scaled copy (``frame_file``).

    Raises ``FrameError`` as ``frame_file`` does.
    """
    from PIL import Image

    try:
        with Image.open(image) as opened:
            upright = opened.getexif().get(_ORIENTATION, 1) == 1
            fits = opened.width <= size.width and opened.height <= size.height
            if opened.format == "JPEG" and upright and fits and image.suffix.lower() in _JPEG:
                return image
    except (OSError, ValueError, Image.DecompressionBombError):
        pass  # frame_file names what is wrong with it
    return frame_file(project_dir, image, size)


def _scaled_jpeg(image: Path, size: FrameSize) -> bytes:
    # Imported here: only a frame missing from the cache needs Pillow, and the player loads without it.
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(image) as opened:
            # A JPEG (a clip's poster) is decoded at the smallest DCT scale still larger than the
            # box: a thumbnail of a 1280×720 poster decodes an eighth of its pixels.
            opened.draft("RGB", (size.width, size.height))
            picture = ImageOps.exif_transpose(opened)
            picture.thumbnail((size.width, size.height), Image.Resampling.LANCZOS)
            if picture.mode in ("RGBA", "LA", "P"):
                rgba = picture.convert("RGBA")
                picture = Image.new("RGB", rgba.size, _BACKDROP)
                picture.paste(rgba, mask=rgba.getchannel("A"))
            elif picture.mode != "RGB":
                picture = picture.convert("RGB")
            out = BytesIO()
            picture.save(out, "JPEG", quality=size.quality, optimize=True, progressive=True)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise FrameError(f"{image.name}: not a readable image ({exc})") from exc


def _ensure_cache_dir(project_dir: Path) -> None:
    cache = project_dir / CACHE_DIR
    (cache / FRAMES_DIR).mkdir(parents=True, exist_ok=True)
    ignore = cache / ".gitignore"
    if not ignore.exists():
        write_atomic(ignore, _CACHE_GITIGNORE.encode())
