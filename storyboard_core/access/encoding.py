"""URL-safe base64 without padding: how salts, hashes, token payloads and signatures are written."""

from __future__ import annotations

import base64


def b64(data: bytes) -> str:
    """``data`` as URL-safe base64, without the ``=`` padding."""
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def unb64(text: str) -> bytes:
    """The bytes of ``b64`` text (``binascii.Error`` or ``ValueError`` when it is not base64)."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
