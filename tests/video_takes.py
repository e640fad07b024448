"""Video takes made on disk as the renderer makes them, for the tests of the pages that play clips.

A red-then-blue clip (``tests/fake_comfyui/video_clips.py``) is checked (``video.check_clip``), kept
with its poster and last frame (``clips.keep_clip``) and recorded as a take (``takes.render_take`` +
``record_takes``) through the store: what a finished video render leaves behind.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from storyboard_core import Shot, Store
from storyboard_core.media.clips import keep_clip
from storyboard_core.media.video import check_clip
from storyboard_core.takes import record_takes, render_take, take_inputs
from tests.fake_comfyui.video_clips import video_clip

_stems = itertools.count(1)


def add_video_take(
    store: Store,
    project: str,
    seq_id: str | None,
    shot_id: str,
    *,
    frames: int = 48,
    fps: int = 24,
    width: int = 320,
    height: int = 192,
) -> Shot:
    """Record a new MP4 take of ``frames`` frames on the shot and make it its frame; the saved shot."""
    data = video_clip("mp4", frames=frames, fps=fps, width=width, height=height)
    checked = check_clip(data, "clip.mp4")
    stem = f"20261207T0{next(_stems):05d}Z-video"
    poster, facts = keep_clip(store.project_dir(project), shot_id, stem, data, checked)
    shot = store.read_shot(project, seq_id, shot_id)
    inputs = take_inputs(shot, seed=7, workflow="wan-i2v", server="http://fake.invalid")
    take = render_take(
        shot, inputs, image=poster, prompt_id=stem, at=datetime.now(UTC), video=facts
    )
    return record_takes(store, project, seq_id, shot_id, [take])
