"""The font hand-outs are set in: DejaVu Sans, from Debian's fonts-dejavu-core (``make install``).

It covers every Latin, Greek and Cyrillic letter and the typographic marks (« » — ’ œ), and its licence
lets a PDF embed it.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import StoryboardError

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"


def font_file(name: str) -> Path:
    """The TrueType file of ``REGULAR`` or ``BOLD``; a ``StoryboardError`` saying what to install if missing."""
    path = FONT_DIR / f"{name}.ttf"
    if not path.is_file():
        raise StoryboardError(
            f"the font {path} is missing: install Debian's fonts-dejavu-core (make install does)"
        )
    return path
