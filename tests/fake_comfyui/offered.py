"""What one fake ComfyUI offers: its node types (``/object_info``) and model files (``/models``).

The image nodes come from ``object_info.py``, the video nodes and loaders from the recordings
(95-103); ``UNETLoader``'s ``unet_name`` choices are the fake's ``diffusion_models`` files, as the real
loader lists that folder. Each fake may offer fewer node types (``node_types``) and other model
files, so two fakes can differ. ``/models`` lists the recorded folder names (131); a folder outside
them answers 404 as ``/models/unet`` did (138).

``VHS_VideoCombine`` (Video Helper Suite, a custom node) was not recorded; its definition is trimmed
to the inputs the fake reads, and it reports its clip under ``gifs`` as that node does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .object_info import build_object_info
from .recorded import recorded_models, transcript
from .video_nodes import video_object_info

#: The folders ``GET /models`` listed (131).
MODEL_FOLDERS: list[str] = list(transcript("131")["json"])

VHS_VIDEO_COMBINE: dict[str, Any] = {
    "input": {
        "required": {
            "images": ["IMAGE", {}],
            "frame_rate": ["FLOAT", {"default": 8, "min": 1, "step": 1}],
            "loop_count": ["INT", {"default": 0, "min": 0, "max": 100, "step": 1}],
            "filename_prefix": ["STRING", {"default": "AnimateDiff"}],
            "format": [["image/gif", "image/webp", "video/h264-mp4", "video/webm"], {}],
            "pingpong": ["BOOLEAN", {"default": False}],
            "save_output": ["BOOLEAN", {"default": True}],
        },
    },
    "input_order": {
        "required": [
            "images",
            "frame_rate",
            "loop_count",
            "filename_prefix",
            "format",
            "pingpong",
            "save_output",
        ]
    },
    "output": ["VHS_FILENAMES"],
    "output_is_list": [False],
    "output_name": ["Filenames"],
    "name": "VHS_VideoCombine",
    "display_name": "Video Combine 🎥🅥🅗🅢",
    "description": "",
    "python_module": "custom_nodes.ComfyUI-VideoHelperSuite",
    "category": "Video Helper Suite 🎥🅥🅗🅢",
    "output_node": True,
}


def default_models(checkpoints: Iterable[str]) -> dict[str, list[str]]:
    """The recorded folders (all empty there), with ``checkpoints`` in ``checkpoints``."""
    models = {folder: [] for folder in MODEL_FOLDERS}
    models.update(recorded_models())
    models["checkpoints"] = list(checkpoints)
    return models


def offered_object_info(
    checkpoints: list[str],
    input_images: list[str],
    models: dict[str, list[str]],
    node_types: frozenset[str] | None,
) -> dict[str, Any]:
    """The fake's ``/object_info``: every node it offers (all when ``node_types`` is ``None``)."""
    info: dict[str, Any] = {**video_object_info(), "VHS_VideoCombine": VHS_VIDEO_COMBINE}
    info.update(build_object_info(checkpoints, input_images))
    info["UNETLoader"]["input"]["required"]["unet_name"][0] = list(
        models.get("diffusion_models", [])
    )
    if node_types is not None:
        info = {name: node for name, node in info.items() if name in node_types}
    return dict(sorted(info.items()))


__all__ = ["MODEL_FOLDERS", "VHS_VIDEO_COMBINE", "default_models", "offered_object_info"]
