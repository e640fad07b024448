"""Small video workflows for the fake: one per video save node, fed by an ``EmptyImage`` batch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from storyboard_core.comfyui.workflows import workflows_dir

#: The declaration every test workflow carries: 8 fps, 4n+1 frames (a 1 s shot asks for 9).
DECLARATION = {"fps": 8, "frames": "4n+1"}
SOURCE = {
    "class_type": "EmptyImage",
    "inputs": {
        "width": "{{width}}",
        "height": "{{height}}",
        "batch_size": "{{frames}}",
        "color": 0xFF0000,
    },
}


def save_video(fps: float | str = "{{fps}}") -> dict[str, Any]:
    """Nodes 2 and 3: ``CreateVideo`` at ``fps`` from node 1's images, saved by ``SaveVideo``."""
    return {
        "2": {"class_type": "CreateVideo", "inputs": {"images": ["1", 0], "fps": fps}},
        "3": {
            "class_type": "SaveVideo",
            "inputs": {
                "video": ["2", 0],
                "filename_prefix": "{{filename_prefix}}",
                "format": "auto",
                "codec": "auto",
            },
        },
    }


SAVE_NODES: dict[str, dict[str, Any]] = {
    "SaveVideo": save_video(),
    "SaveWEBM": {
        "3": {
            "class_type": "SaveWEBM",
            "inputs": {
                "images": ["1", 0],
                "filename_prefix": "{{filename_prefix}}",
                "codec": "vp9",
                "fps": "{{fps}}",
                "crf": 32.0,
            },
        }
    },
    "SaveAnimatedWEBP": {
        "3": {
            "class_type": "SaveAnimatedWEBP",
            "inputs": {
                "images": ["1", 0],
                "filename_prefix": "{{filename_prefix}}",
                "fps": "{{fps}}",
                "lossless": False,
                "quality": 80,
                "method": "default",
            },
        }
    },
    "SaveAnimatedPNG": {
        "3": {
            "class_type": "SaveAnimatedPNG",
            "inputs": {
                "images": ["1", 0],
                "filename_prefix": "{{filename_prefix}}",
                "fps": "{{fps}}",
                "compress_level": 4,
            },
        }
    },
    "VHS_VideoCombine": {
        "3": {
            "class_type": "VHS_VideoCombine",
            "inputs": {
                "images": ["1", 0],
                "frame_rate": "{{fps}}",
                "loop_count": 0,
                "filename_prefix": "{{filename_prefix}}",
                "format": "video/h264-mp4",
                "pingpong": False,
                "save_output": True,
            },
        }
    },
}


def video_graph(save_node: str, **extra: Any) -> dict[str, Any]:
    """The workflow file's content for ``save_node`` (``extra``: more nodes, by id)."""
    return {"storyboard": dict(DECLARATION), "1": SOURCE, **SAVE_NODES[save_node], **extra}


def write_workflow(workspace: Path, name: str, content: Any) -> str:
    """Write ``content`` as workflow ``name`` of ``workspace``; its name."""
    folder = workflows_dir(workspace)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(content), "utf-8")
    return name
