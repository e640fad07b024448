"""Keeping a checked clip in a project: the clip, its poster and its last frame, side by side.

A video take is three files under ``renders/<shot id>/`` named by one stem::

    20261207T002500Z-1a2b3c4d.mp4         the clip as the server made it
    20261207T002500Z-1a2b3c4d.jpg         its poster (first frame): the take's ``image``
    20261207T002500Z-1a2b3c4d-last.jpg    its last frame, for "continue from the previous shot"

All or nothing: if one cannot be written, the others are removed and nothing is recorded.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from ..files import write_atomic
from ..models import ClipFacts, Shot
from ..paths import check_shot_id, image_in_project, inside
from ..takes import RENDERS_DIR
from .video import CheckedClip


def keep_clip(
    project_dir: Path, shot_id: str, stem: str, data: bytes, clip: CheckedClip
) -> tuple[str, ClipFacts]:
    """Write ``data`` (checked as ``clip``) with its poster and last frame; the poster's path and
    the clip's facts, paths relative to the project, ready for ``takes.render_take``.

    ``stem`` names the files (``<UTC stamp>-<prompt id>``). Raises ``WriteError`` when the disk
    refuses a write; then no file of the three is left.
    """
    folder = inside(project_dir, project_dir / RENDERS_DIR / check_shot_id(shot_id))
    relative = f"{RENDERS_DIR}/{shot_id}"
    files = (
        (f"{stem}{clip.suffix}", data),
        (f"{stem}.jpg", clip.poster),
        (f"{stem}-last.jpg", clip.last_frame),
    )
    written: list[Path] = []
    try:
        for name, content in files:
            path = folder / name
            write_atomic(path, content)
            written.append(path)
    except BaseException:
        for path in written:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    facts = ClipFacts(
        clip=f"{relative}/{files[0][0]}",
        fps=clip.fps,
        frames=clip.frames,
        duration=clip.duration,
        width=clip.width,
        height=clip.height,
        last_frame=f"{relative}/{files[2][0]}",
    )
    return f"{relative}/{files[1][0]}", facts


#: What a browser's ``<video>`` plays, by suffix (animated WebP/PNG are shown by their poster).
PLAYABLE = {".mp4": "video/mp4", ".webm": "video/webm"}


def playable_clip(project_dir: Path, video: ClipFacts | None) -> tuple[Path, str] | None:
    """A take's clip file (``Render.video`` / ``Take.video``) and its MIME type, when a browser plays it.

    ``None`` for a still, an animated image, or a clip that is missing or outside the project.
    """
    if video is None:
        return None
    mime = PLAYABLE.get(Path(video.clip).suffix.lower())
    path = image_in_project(project_dir, video.clip)
    return None if mime is None or path is None else (path, mime)


def clip_audible(shot: Shot, video: ClipFacts | None) -> bool:
    """True when ``shot``'s own sound is the clip ``video`` (one of its takes'): it then plays its
    sound track. A clip is muted otherwise; a shot's separate sound (a line, an effect) plays instead.
    """
    return video is not None and shot.sound is not None and shot.sound.file == video.clip


__all__ = ["PLAYABLE", "clip_audible", "keep_clip", "playable_clip"]
