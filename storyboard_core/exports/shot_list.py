"""The shot list as CSV, as a hand-out: the chosen shots with every field, for a spreadsheet.

The file is the one ``storyboard import-csv`` and the app's Import CSV read back (``shotlist.py``).
"""

from __future__ import annotations

from typing import BinaryIO

from ..shotlist import shot_list_csv
from .handout import Handout, Progress
from .options import ExportOptions


def write_csv(handout: Handout, out: BinaryIO, options: ExportOptions, progress: Progress) -> None:
    """Write the hand-out's shots, section by section, as the shot list CSV."""
    out.write(
        shot_list_csv((section.id, [s.shot for s in section.shots]) for section in handout.sections)
    )
    progress(1.0, "shot list written")
