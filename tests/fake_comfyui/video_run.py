"""Running a video save node in the fake: its clip made from what the graph asks, then stored.

The frames, size and fps are read from the nodes upstream of the save node, as the recorded graphs
wire them (104-130): ``EmptyImage`` (``width``, ``height``, ``batch_size`` = frames) or
``WanImageToVideo`` (``width``, ``height``, ``length``), ``CreateVideo`` (``fps``), or the save node's
own ``fps`` (``SaveWEBM``, ``SaveAnimated*``) or ``frame_rate`` (``VHS_VideoCombine``). Every clip is
red then blue (``video_clips.py``). History reports ComfyUI's own nodes under ``images`` with
``"animated": [true]`` and ``VHS_VideoCombine`` under ``gifs``.
"""

from __future__ import annotations

from typing import Any

from storyboard_core.types import JsonDict

from .state import FakeState, Job
from .video_nodes import VIDEO_SAVE_NODES, history_output, save_video, saved_name

#: Video Helper Suite's combine node: its ``format`` choices and the file each writes.
VHS_FORMATS = {"video/h264-mp4": "mp4", "video/webm": "webm", "image/webp": "webp"}
#: The facts a clip takes from upstream nodes, by the input names that carry them.
_FACTS = {
    "width": ("width",),
    "height": ("height",),
    "frames": ("length", "batch_size"),
    "fps": ("fps", "frame_rate"),
}


def clip_facts(prompt: JsonDict, node_id: str) -> dict[str, float]:
    """Frames, width, height and fps for the save node ``node_id``: nearest upstream value first."""
    found: dict[str, float] = {}
    seen: set[str] = set()
    layer = [node_id]
    while layer:
        after: list[str] = []
        for current in layer:
            if current in seen or current not in prompt:
                continue
            seen.add(current)
            inputs = prompt[current].get("inputs") or {}
            for fact, names in _FACTS.items():
                for name in names:
                    value = inputs.get(name)
                    if fact not in found and isinstance(value, int | float):
                        found[fact] = float(value)
            after.extend(str(v[0]) for v in inputs.values() if isinstance(v, list))
        layer = after
    return {"frames": 24.0, "fps": 24.0, "width": 320.0, "height": 192.0, **found}


def save_clip(state: FakeState, job: Job, node_id: str) -> JsonDict:
    """Write the clip of save node ``node_id`` (``RunError`` for a bad V3 combo); its history output."""
    node = job.prompt[node_id]
    inputs: dict[str, Any] = dict(node.get("inputs") or {})
    facts = clip_facts(job.prompt, node_id)
    shape = {
        "frames": int(facts["frames"]),
        "fps": facts["fps"],
        "width": int(facts["width"]),
        "height": int(facts["height"]),
    }
    prefix = str(inputs.get("filename_prefix", "ComfyUI"))
    if node["class_type"] == "VHS_VideoCombine":
        suffix = VHS_FORMATS.get(str(inputs.get("format")), "mp4")
        node_type = {"mp4": "SaveVideo", "webm": "SaveWEBM", "webp": "SaveAnimatedWEBP"}[suffix]
        data, _ = save_video(node_type, {"fps": facts["fps"]}, **shape)
    else:
        data, suffix = save_video(node["class_type"], inputs, **shape)
    subfolder, _, stem = prefix.rpartition("/")
    counter = state.counters.get((subfolder, stem), 0) + 1
    state.counters[(subfolder, stem)] = counter
    filename, subfolder = saved_name(prefix, counter, suffix)
    state.files[("output", subfolder, filename)] = data
    state.made_by[("output", subfolder, filename)] = job.prompt_id
    if node["class_type"] == "VHS_VideoCombine":
        entry = {"filename": filename, "subfolder": subfolder, "type": "output"}
        return {"gifs": [{**entry, "format": inputs.get("format"), "frame_rate": facts["fps"]}]}
    return history_output(filename, subfolder)


def is_video_save(class_type: str) -> bool:
    """True for a node the fake saves a clip for."""
    return class_type in VIDEO_SAVE_NODES or class_type == "VHS_VideoCombine"


__all__ = ["VHS_FORMATS", "clip_facts", "is_video_save", "save_clip"]
