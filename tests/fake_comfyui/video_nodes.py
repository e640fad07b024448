"""ComfyUI 0.3.64's video save nodes as the fake can run them, from the recordings (API.md,
"Video outputs and capabilities"): what they write, how they name it, how history reports it, and
the run-time error of a V3 combo value that was not checked at POST.

Pure functions over explicit values, so the fake server only has to find a save node's upstream
frames, fps and size and call ``save_video``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .recorded import transcript
from .video_clips import animated_image, video_clip

#: Each video save node and the file suffix it writes (SaveVideo: "auto" and "mp4" both give .mp4).
VIDEO_SAVE_NODES = {
    "SaveVideo": "mp4",
    "SaveWEBM": "webm",
    "SaveAnimatedWEBP": "webp",
    "SaveAnimatedPNG": "png",
}
#: ``/object_info/<node>`` of the recorded video nodes and loaders (95-103).
VIDEO_NODE_PREFIXES = tuple(str(n) for n in range(95, 104))
#: SaveVideo's V3 combos and the enum ComfyUI checks their value against only while running.
_RUNTIME_CHECKED = {"format": "VideoContainer", "codec": "VideoCodec"}


@dataclass(frozen=True)
class RunError(Exception):
    """What ``execution_error`` reports when a save node fails while running (145)."""

    node_type: str
    exception_type: str
    exception_message: str


def video_object_info() -> dict[str, Any]:
    """The recorded definitions of the video nodes, as one ``/object_info`` fragment."""
    merged: dict[str, Any] = {}
    for prefix in VIDEO_NODE_PREFIXES:
        merged.update(transcript(prefix)["json"])
    return merged


def saved_name(filename_prefix: str, counter: int, suffix: str) -> tuple[str, str]:
    """``(filename, subfolder)`` of a save: ``"video/clip"`` → ``("clip_00001_.mp4", "video")``."""
    subfolder, _, stem = filename_prefix.rpartition("/")
    return f"{stem}_{counter:05d}_.{suffix}", subfolder


def history_output(filename: str, subfolder: str) -> dict[str, Any]:
    """The node's entry in history ``outputs`` and in ``executed.output`` (105, 106)."""
    return {
        "images": [{"filename": filename, "subfolder": subfolder, "type": "output"}],
        "animated": [True],
    }


def check_runtime_values(node_type: str, inputs: dict[str, Any]) -> None:
    """Raise ``RunError`` for a V3 combo value ComfyUI accepted at POST but fails on (144-146)."""
    if node_type != "SaveVideo":
        return
    options = video_object_info()["SaveVideo"]["input"]["required"]
    for name, enum in _RUNTIME_CHECKED.items():
        value = inputs.get(name, "auto")
        if value not in options[name][1]["options"]:
            raise RunError(node_type, "ValueError", f"'{value}' is not a valid {enum}\n")


def save_video(
    node_type: str, inputs: dict[str, Any], *, frames: int, fps: float, width: int, height: int
) -> tuple[bytes, str]:
    """The bytes a save node writes for ``frames`` red-then-blue frames, and its suffix.

    The animated WebP and PNG merge identical frames as the real nodes do (Pillow).
    """
    check_runtime_values(node_type, inputs)
    suffix = VIDEO_SAVE_NODES[node_type]
    if suffix in ("mp4", "webm"):
        rate = round(float(inputs.get("fps", fps)))
        data = video_clip(suffix, frames=frames, fps=rate, width=width, height=height)
    else:
        data = animated_image(suffix, frames=frames, fps=round(fps), size=(width, height))
    return data, suffix


__all__ = [
    "VIDEO_SAVE_NODES",
    "RunError",
    "check_runtime_values",
    "history_output",
    "save_video",
    "saved_name",
    "video_object_info",
]
