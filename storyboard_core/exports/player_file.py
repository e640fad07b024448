"""The one-file player: the present page's playback as a single ``.html`` that opens from a file.

The same player as the present page (``storyboard_core/player/document.py``: arrows, space, Play by durations,
title and notes, sound, captions and camera moves), with every frame and the sound's mix inlined as
``data:`` URIs and no request of any kind, so the file can be mailed or put on a USB stick and
opened in any recent browser. The mix is what the hand-out plays, end to end: its chosen shots, with
the project's soundtracks placed on the project's timeline (as Present does). Each file is a
recorded hand-out whose player lets the reviewer answer shot by shot and export that feedback
(``storyboard_core/review/feedback.py``).
"""

from __future__ import annotations

from typing import BinaryIO

from ..player.document import Slide, player_document, shot_slides
from ..review.feedback import handout_feedback
from ..store import Store
from .handout import Handout, Progress
from .options import ExportOptions

#: Above this size the hand-out UI warns: most mail refuses it and it opens slowly.
LARGE_PLAYER_BYTES = 50 * 1000 * 1000


def size_warning(size: int) -> str | None:
    """What the hand-out says of a one-file player of ``size`` bytes: a warning above 50 MB, else nothing."""
    if size <= LARGE_PLAYER_BYTES:
        return None
    return (
        f"This file is {size / 1e6:.0f} MB, over 50 MB: most mail refuses it and it opens slowly. "
        "Share it as a file (a drive, a link) or choose fewer shots."
    )


def write_html(handout: Handout, out: BinaryIO, options: ExportOptions, progress: Progress) -> None:
    """Write ``handout`` as a self-contained player document (the present page's slides and sound)."""
    # Imported here: PyAV comes with the sound, and a hand-out in another format needs none of it.
    from ..player.sound import audio_option, section_starts

    store = Store(handout.folder.parent)
    # The hand-out's running order: its chosen shots, the other sequences whole on the project's
    # timeline (where the soundtracks sit), as the MP4's sound and captions have it.
    order = handout.running_order()
    starts = section_starts(order)
    slides: list[Slide] = []
    steps = len(handout.sections) + 1
    takes: dict[str, str] = {}
    for done, section in enumerate(handout.sections, start=1):
        for item in section.shots:
            render = item.shot.render
            takes[f"{section.id}/{item.id}"] = render.image if render else ""
        slides += shot_slides(
            handout.folder,
            [item.shot for item in section.shots],
            seq=section.id,
            seq_name=section.name,
            at=starts[section.id],
            inline_clips=True,
        )
        progress(done / steps, f"sequence {done} of {len(handout.sections)}")
    progress(len(handout.sections) / steps, "mixing the sound")
    audio = audio_option(order, store, handout.project.id)
    feedback = handout_feedback(handout.folder.parent, handout.folder.name, takes)
    document = player_document(slides, title=handout.title, audio=audio, feedback=feedback)
    out.write(document.encode("utf-8"))
