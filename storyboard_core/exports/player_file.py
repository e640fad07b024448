"""The one-file player: the present page's playback as a single ``.html`` that opens from a file.

The same player as the present page (``storyboard_core/player.py``: arrows, space, Play by durations,
title and notes), with every frame inlined as a ``data:`` URI and no request of any kind, so the file
can be mailed or put on a USB stick and opened in any recent browser.
"""

from __future__ import annotations

from typing import BinaryIO

from ..player import frame_slide, player_document
from .handout import Handout, Progress
from .options import ExportOptions


def write_html(handout: Handout, out: BinaryIO, options: ExportOptions, progress: Progress) -> None:
    """Write ``handout`` as a self-contained player document."""
    shots = handout.shots
    slides = []
    done = 0
    for section in handout.sections:
        for shot in section.shots:
            slides.append(
                frame_slide(
                    handout.folder,
                    shot.frame,
                    seq=section.id,
                    seq_name=section.name,
                    shot=shot.id,
                    number=shot.position,
                    title=shot.title,
                    duration=shot.duration,
                    prompt=shot.prompt,
                    notes=shot.notes,
                )
            )
            done += 1
            progress(done / len(shots), f"frame {done} of {len(shots)}")
    out.write(player_document(slides, title=handout.title).encode("utf-8"))
