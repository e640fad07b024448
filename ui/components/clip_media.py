"""Clip and poster files served to the browser by Streamlit's media server, a few at a time.

A clip is never inlined in a page: its file is handed to Streamlit's media file manager (the one
``st.video`` uses), which serves it by URL with range requests, so the browser fetches what it plays.
The manager forgets a file at the next full run that does not add it again, so a page adds only the
clips it shows: the editor its take, the present page the shot on screen and its neighbours.

On the present page the slides (and so the player's data) stay the same from move to move: the URLs
of the clips near the shot on screen travel in a tiny component of their own, which hands them to
the player's clip extension (``assets/player-clip.js``) as ``window.__sbClips`` and an ``sb-clips``
event. Moving one shot then sends a few URLs, not every slide again.

The present page's stage frames are served the same way (``serve_frames``), all of them: a frame is
a hundred kB, and the browser fetches one only when the player shows or preloads it, where inlined
frames made every run send megabytes of ``data:`` URIs that the browser parsed before painting.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit import runtime

from storyboard_core.media.clips import PLAYABLE
from storyboard_core.media.frames import STAGE, FrameError, served_frame
from storyboard_core.paths import image_in_project

#: The present page serves the clips of this many shots either side of the one on screen: Next
#: and Play reach them before the URL (and so the next run) has caught up.
NEAR = 2
_IMAGES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}
_HAND_OVER = """
export default function (component) {
  const win = (component.parentElement.ownerDocument || document).defaultView || window;
  win.__sbClips = component.data.clips;
  win.dispatchEvent(new win.CustomEvent("sb-clips"));
}
"""
_served_clips = st.components.v2.component("storyboard_served_clips", js=_HAND_OVER)


def media_url(path: Path, where: str) -> str:
    """The URL the browser fetches ``path`` from; ``where`` names its place on the page (one file each)."""
    mime = PLAYABLE.get(path.suffix.lower()) or _IMAGES.get(path.suffix.lower(), "image/jpeg")
    return str(runtime.get_instance().media_file_mgr.add(str(path), mime, f"storyboard:{where}"))


def clips_near(
    project_dir: Path, slides: Sequence[dict[str, Any]], seq: str, shot: str
) -> dict[str, str]:
    """The served URLs of the clips of the shot on screen (``seq``/``shot``) and its neighbours in
    ``slides``, by ``"<seq>/<shot>"`` (the key the player's clip extension looks them up by)."""
    here = next((i for i, s in enumerate(slides) if (s["seq"], s["shot"]) == (seq, shot)), 0)
    urls: dict[str, str] = {}
    for i in range(max(0, here - NEAR), min(len(slides), here + NEAR + 1)):
        slide = slides[i]
        path = image_in_project(project_dir, slide.get("clip_file", ""))
        if path is not None:
            urls[f"{slide['seq']}/{slide['shot']}"] = media_url(path, f"present:{i - here}")
    return urls


def serve_clips_near(
    project_dir: Path, slides: Sequence[dict[str, Any]], seq: str, shot: str
) -> None:
    """Serve the clips near the shot on screen and hand their URLs to the player (nothing for stills)."""
    urls = clips_near(project_dir, slides, seq, shot)
    if urls:
        _served_clips(key="present_clips", data={"clips": urls})


def serve_frames(project_dir: Path, slides: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``slides`` with the frame each names (``frame_source``) served at stage size (a JPEG that fits
    as it is), its URL in ``image``; a frame gone since the slides were made becomes the "not
    shown" placeholder."""
    served = []
    for slide in slides:
        source = image_in_project(project_dir, slide.get("frame_source", ""))
        if source is None:
            served.append(slide)
            continue
        try:
            stage = served_frame(project_dir, source, STAGE)
        except FrameError as exc:
            served.append({**slide, "missing": f"Frame not shown: {exc}"})
            continue
        where = f"present-frame:{slide['seq']}/{slide['shot']}"
        served.append({**slide, "image": media_url(stage, where)})
    return served
