"""Checking an image file someone hands us: what it really is, decoded, not what its name says."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from ..errors import InvalidDataError

#: An uploaded image may be at most this many bytes…
MAX_IMAGE_BYTES = 20 * 2**20
#: …and this many pixels on either side.
MAX_IMAGE_SIDE = 8192
#: The formats accepted, as Pillow names them, and the suffix a saved file gets.
IMAGE_FORMATS = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp"}
_ACCEPTED = "PNG, JPEG or WebP"


@dataclass(frozen=True)
class ImageKind:
    """What a checked image is: its format (``"PNG"``), the suffix to save it with, its size."""

    format: str
    suffix: str
    width: int
    height: int


def check_image(data: bytes, name: str) -> ImageKind:
    """Decode ``data`` (a file called ``name``) and say what it is, or why it cannot be a take.

    Accepted: PNG, JPEG or WebP, at most ``MAX_IMAGE_BYTES`` and ``MAX_IMAGE_SIDE`` pixels a side,
    that decodes completely. Anything else raises ``InvalidDataError`` whose one problem is named by
    the file (``"board.png: a GIF image, not PNG, JPEG or WebP"``): not an image, another format than its name claims, too big in bytes or pixels,
    truncated or corrupt. The size is checked from the header before any pixel is decoded, so a
    decompression bomb costs nothing.
    """
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidDataError.about(
            name,
            f"{len(data) / 2**20:.1f} MB; an image can be at most {MAX_IMAGE_BYTES // 2**20} MB",
        )
    if not data:
        raise InvalidDataError.about(name, "an empty file")
    # Imported here: Pillow costs ~20 ms, which `import storyboard_core` (via takes) must not pay.
    from PIL import Image, UnidentifiedImageError

    kind = ""
    with warnings.catch_warnings():
        # Pillow only warns below twice its pixel limit; here any bomb is refused the same way.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format or ""
                width, height = image.size
                if kind not in IMAGE_FORMATS:
                    raise InvalidDataError.about(
                        name, f"a {kind or 'unknown'} image, not {_ACCEPTED}"
                    )
                if max(width, height) > MAX_IMAGE_SIDE:
                    raise InvalidDataError.about(
                        name,
                        f"{width}×{height} pixels; at most {MAX_IMAGE_SIDE} on a side",
                    )
                image.load()  # decode every pixel: a truncated or corrupt file fails here
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise InvalidDataError.about(
                name, f"claims far too many pixels (at most {MAX_IMAGE_SIDE} on a side)"
            ) from exc
        except UnidentifiedImageError as exc:
            raise InvalidDataError.about(name, f"not an image ({_ACCEPTED} expected)") from exc
        except (OSError, SyntaxError, ValueError) as exc:
            # Pillow reports broken data as OSError ("image file is truncated"), SyntaxError
            # (a bad PNG chunk) or ValueError, depending on the format and where it breaks.
            raise InvalidDataError.about(
                name, f"a damaged image that cannot be decoded ({exc})"
            ) from exc
    return ImageKind(kind, IMAGE_FORMATS[kind], width, height)


__all__ = ["IMAGE_FORMATS", "MAX_IMAGE_BYTES", "MAX_IMAGE_SIDE", "ImageKind", "check_image"]
