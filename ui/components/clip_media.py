"""Clip and poster files served to the browser by Streamlit's media server, a few at a time.

A clip is never inlined in a page: its file is handed to Streamlit's media file manager (the one
``st.video`` uses), which serves it by URL with range requests, so the browser fetches what it plays.
The manager forgets a file at the next full run that does not add it again, so a page adds only the
clips it shows: the editor its take, the present page the shot on screen and its neighbours.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from streamlit import runtime

from storyboard_core.clips import PLAYABLE
from storyboard_core.paths import image_in_project

#: The present page serves the clips of this many shots either side of the one on screen: Next
#: and Play reach them before the URL (and so the next run) has caught up.
NEAR = 2
_IMAGES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


def media_url(path: Path, where: str) -> str:
    """The URL the browser fetches ``path`` from; ``where`` names its place on the page (one file each)."""
    mime = PLAYABLE.get(path.suffix.lower()) or _IMAGES.get(path.suffix.lower(), "image/jpeg")
    return str(runtime.get_instance().media_file_mgr.add(str(path), mime, f"storyboard:{where}"))


def clips_near(
    project_dir: Path, slides: Sequence[dict[str, Any]], seq: str, shot: str
) -> list[dict[str, Any]]:
    """``slides`` with the clips of the shot on screen (``seq``/``shot``) and its neighbours served.

    The slides come from a cache: the ones given a clip URL are copies, the rest are the same dicts.
    """
    here = next(
        (i for i, s in enumerate(slides) if s["seq"] == seq and s["shot"] == shot),
        0,
    )
    served: list[dict[str, Any]] = []
    for i, slide in enumerate(slides):
        path = image_in_project(project_dir, slide.get("clip_file", ""))
        if path is not None and abs(i - here) <= NEAR:
            slide = {**slide, "clip": media_url(path, f"present:{i - here}")}
        served.append(slide)
    return served
