"""The one-file player: the present page's playback as a single ``.html`` that opens from a file.

The same player as the present page (``storyboard_core/player.py``: arrows, space, Play by durations,
title and notes), with every frame inlined as a ``data:`` URI and no request of any kind, so the file
can be mailed or put on a USB stick and opened in any recent browser. Each file is a recorded
hand-out whose player lets the reviewer answer shot by shot and export that feedback
(``storyboard_core/feedback.py``).
"""

from __future__ import annotations

from typing import BinaryIO

from ..feedback import handout_feedback
from ..player import Slide, player_document, shot_slides
from .handout import Handout, Progress
from .options import ExportOptions


def write_html(handout: Handout, out: BinaryIO, options: ExportOptions, progress: Progress) -> None:
    """Write ``handout`` as a self-contained player document (the present page's slides)."""
    slides: list[Slide] = []
    takes: dict[str, str] = {}
    for done, section in enumerate(handout.sections, start=1):
        shots = [s.shot for s in section.shots]
        for item in section.shots:
            render = item.shot.render
            takes[f"{section.id}/{item.id}"] = render.image if render else ""
        slides += shot_slides(handout.folder, shots, seq=section.id, seq_name=section.name)
        progress(done / len(handout.sections), f"sequence {done} of {len(handout.sections)}")
    feedback = handout_feedback(handout.folder.parent, handout.folder.name, takes)
    out.write(player_document(slides, title=handout.title, feedback=feedback).encode("utf-8"))
