"""ComfyUI workflows: the built-in text-to-image graph and the user's own API-format files.

A workflow is a graph in ComfyUI's *API format* (what ComfyUI's "Save (API)" exports): an object
mapping node ids to ``{"class_type": str, "inputs": {...}}``. The user's workflows live in
``<workspace>/workflows/NAME.json``. Any string value in a graph that is exactly one placeholder such
as ``"{{steps}}"`` is replaced by the shot's value, with its proper type (``"{{steps}}"`` becomes the
number ``20``, not the text ``"20"``), so one file serves every shot.

>>> inputs = take_inputs(shot, seed=7, workflow=BUILTIN, server="")               # doctest: +SKIP
>>> graph = fill_workflow(builtin_workflow(), placeholder_values(inputs, filename_prefix="sb/x"))  # doctest: +SKIP
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BrokenFileError, NotFoundError, StoryboardError, UnsafePathError
from ..files import parse_json, read_bytes
from ..models import BUILTIN
from ..types import JsonDict
from .frame_rule import DECLARATION_KEY, MalformedDeclaration, VideoSettings, parse_declaration

WORKFLOWS_DIR = "workflows"
WORKFLOW_SUFFIX = ".json"

#: Every placeholder a workflow may use, each standing for one value of the shot.
PLACEHOLDERS: tuple[str, ...] = (
    "{{prompt}}",
    "{{negative_prompt}}",
    "{{checkpoint}}",
    "{{steps}}",
    "{{cfg_scale}}",
    "{{sampler}}",
    "{{scheduler}}",
    "{{seed}}",
    "{{width}}",
    "{{height}}",
    "{{denoise}}",
    "{{filename_prefix}}",
    "{{reference_image}}",
    "{{init_image}}",
    "{{fps}}",
    "{{frames}}",
    "{{last_image}}",
    "{{previous_frame}}",
)
#: The placeholders that stand for an image: uploaded to the server before the prompt is queued.
IMAGE_PLACEHOLDERS: tuple[str, ...] = (
    "reference_image",
    "init_image",
    "last_image",
    "previous_frame",
)
#: The placeholders of a video workflow's clip: its frames per second and frame count.
VIDEO_PLACEHOLDERS: tuple[str, ...] = ("fps", "frames")


@dataclass(frozen=True)
class Workflow:
    """A loaded workflow: its graph as sent to ComfyUI, and its declared video settings, if any."""

    graph: JsonDict
    video: VideoSettings | None = None

    def video_settings(self) -> VideoSettings:
        """The declared settings, else the defaults (24 fps, any frame count)."""
        return self.video or VideoSettings()


@dataclass(frozen=True)
class WorkflowInfo:
    """One workflow file: its name (the file name without ``.json``), path, and why it is unusable."""

    name: str
    path: Path
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the file is valid API-format JSON and can be rendered."""
        return self.error is None


def builtin_workflow() -> JsonDict:
    """The built-in text-to-image graph (a fresh copy, with placeholders), as in ComfyUI's txt2img.

    CheckpointLoaderSimple → two CLIPTextEncode → EmptyLatentImage → KSampler → VAEDecode → SaveImage;
    node ids are those of ComfyUI's default workflow, so server-side errors name familiar nodes.
    """
    return {
        "3": {
            "class_type": "KSampler",
            "inputs": {
                "seed": "{{seed}}",
                "steps": "{{steps}}",
                "cfg": "{{cfg_scale}}",
                "sampler_name": "{{sampler}}",
                "scheduler": "{{scheduler}}",
                "denoise": "{{denoise}}",
                "model": ["4", 0],
                "positive": ["6", 0],
                "negative": ["7", 0],
                "latent_image": ["5", 0],
            },
        },
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "{{checkpoint}}"}},
        "5": {
            "class_type": "EmptyLatentImage",
            "inputs": {"width": "{{width}}", "height": "{{height}}", "batch_size": 1},
        },
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "{{prompt}}", "clip": ["4", 1]}},
        "7": {
            "class_type": "CLIPTextEncode",
            "inputs": {"text": "{{negative_prompt}}", "clip": ["4", 1]},
        },
        "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
        "9": {
            "class_type": "SaveImage",
            "inputs": {"filename_prefix": "{{filename_prefix}}", "images": ["8", 0]},
        },
    }


def workflows_dir(workspace: Path) -> Path:
    """The folder of the user's workflows: ``<workspace>/workflows``."""
    return Path(workspace) / WORKFLOWS_DIR


def check_workflow_name(name: str) -> str:
    """Return ``name`` if it is a plain workflow name, else raise ``UnsafePathError``."""
    if "\x00" in name:
        raise UnsafePathError("workflow name contains a NUL byte")
    # os.sep is one of "/" and "\\", so no platform's separator gets through.
    if (
        not name.strip()
        or "/" in name
        or "\\" in name
        or name.startswith(".")  # "..", and hidden files such as editor backups
    ):
        raise UnsafePathError(
            f"workflow {name!r} is not a plain name (no '/', '\\\\', or leading '.')"
        )
    return name


def api_format_problem(data: Any) -> str | None:
    """Why ``data`` is not an API-format graph, or ``None`` when it is one.

    The reasons say what to do: a UI-format export (``nodes``/``links``) needs "Save (API)" instead.
    """
    if isinstance(data, dict) and isinstance(data.get("nodes"), list) and "links" in data:
        return (
            "this is ComfyUI's UI format (nodes and links); "
            'export the workflow with "Save (API)" instead'
        )
    if not isinstance(data, dict):
        return f"must be a JSON object of nodes, not {type(data).__name__}"
    if not data:
        return "has no nodes"
    for node_id, node in data.items():
        if not isinstance(node, dict):
            return f"node {node_id!r} is not an object"
        if not isinstance(node.get("class_type"), str) or not node["class_type"]:
            return f'node {node_id!r} has no "class_type"; is this an API-format export?'
        if not isinstance(node.get("inputs", {}), dict):
            return f'node {node_id!r} has "inputs" that are not an object'
    return None


def _read_workflow(path: Path) -> Workflow:
    data = parse_json(read_bytes(path), path)
    video = None
    if isinstance(data, dict) and DECLARATION_KEY in data:
        data = dict(data)
        try:
            video = parse_declaration(data.pop(DECLARATION_KEY))
        except MalformedDeclaration as exc:
            raise BrokenFileError(path, f'its "{DECLARATION_KEY}" settings: {exc}') from exc
    problem = api_format_problem(data)
    if problem is not None:
        raise BrokenFileError(path, f"not an API-format workflow: {problem}")
    return Workflow(graph=data, video=video)


def list_workflows(workspace: Path) -> list[WorkflowInfo]:
    """The user's workflow files, by name; an unusable file is listed with ``error`` saying why."""
    folder = workflows_dir(workspace)
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob(f"*{WORKFLOW_SUFFIX}"), key=lambda p: p.name.casefold()):
        name = path.name[: -len(WORKFLOW_SUFFIX)]
        if name.startswith(".") or not path.is_file():
            continue  # hidden files (editor swap files, our own temporaries) and folders
        error: str | None = None
        if name == BUILTIN:
            error = f"the name '{BUILTIN}' is reserved for the built-in workflow; rename the file"
        else:
            try:
                _read_workflow(path)
            except StoryboardError as exc:
                error = str(exc)
        found.append(WorkflowInfo(name=name, path=path, error=error))
    return found


def load_workflow(workspace: Path, name: str) -> JsonDict:
    """The graph of workflow ``name`` (``BUILTIN`` or a file in ``<workspace>/workflows``).

    Raises ``NotFoundError`` for a missing file, ``UnsafePathError`` for a name with a path in it,
    and ``BrokenFileError`` (naming the file, with line and column for a JSON syntax error) for a
    file that is not valid API-format JSON or whose ``"storyboard"`` video settings are malformed.
    """
    return load_workflow_file(workspace, name).graph


def load_workflow_file(workspace: Path, name: str) -> Workflow:
    """Workflow ``name`` with its declared video settings (``load_workflow`` says what it raises).

    The ``"storyboard"`` key of the file (``frame_rule.py``) is taken out of the graph.
    """
    if name == BUILTIN or not name:
        return Workflow(graph=builtin_workflow())
    folder = workflows_dir(workspace)
    path = folder / f"{check_workflow_name(name)}{WORKFLOW_SUFFIX}"
    if not path.is_file():
        raise NotFoundError(
            f"there is no workflow '{name}' (expected the file {path}); "
            f'export it from ComfyUI with "Save (API)" into {folder}'
        )
    return _read_workflow(path)


def video_values(workflow: Workflow, duration: float) -> JsonDict:
    """``{{fps}}`` and ``{{frames}}`` of a shot of ``duration`` seconds rendered with ``workflow``."""
    return workflow.video_settings().placeholder_values(duration)


def placeholder_values(inputs: Mapping[str, Any], *, filename_prefix: str) -> JsonDict:
    """The value of each placeholder (name without braces), typed as ComfyUI wants.

    ``inputs`` is what the render is made from (``storyboard_core.takes.take_inputs``: the final
    prompt, the settings and the seed actually used), so the graph sent is exactly what is recorded.
    """
    gen = inputs["generation"]
    return {
        "prompt": inputs["prompt"],
        "negative_prompt": inputs["negative_prompt"],
        "checkpoint": gen["checkpoint"],
        "steps": int(gen["steps"]),
        "cfg_scale": float(gen["cfg_scale"]),
        "sampler": gen["sampler"],
        "scheduler": gen["scheduler"],
        "seed": int(gen["seed"]),
        "width": int(gen["width"]),
        "height": int(gen["height"]),
        "denoise": float(gen["denoise"]),
        "filename_prefix": filename_prefix,
    }


def placeholder_name(value: Any) -> str | None:
    """``"steps"`` for the string ``"{{steps}}"`` (a known placeholder, exactly); else ``None``."""
    if isinstance(value, str) and value in PLACEHOLDERS:
        return value[2:-2]
    return None


def used_placeholders(graph: Any) -> set[str]:
    """The placeholder names (without braces) that occur anywhere in ``graph``."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        name = placeholder_name(value)
        if name is not None:
            found.add(name)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(graph)
    return found


def fill_workflow(graph: JsonDict, values: dict[str, Any]) -> JsonDict:
    """A deep copy of ``graph`` with every string that is exactly a placeholder replaced by its value.

    ``values`` maps placeholder names without braces (``"steps"``) to values, as ``placeholder_values``
    gives them; the value keeps its type, so numbers stay numbers. Other strings, including ones that
    merely contain a placeholder, are left alone, and so is a placeholder ``values`` does not name.
    """

    def fill(value: Any) -> Any:
        name = placeholder_name(value)
        if name is not None and name in values:
            return copy.deepcopy(values[name])
        if isinstance(value, dict):
            return {key: fill(item) for key, item in value.items()}
        if isinstance(value, list):
            return [fill(item) for item in value]
        return value

    filled: JsonDict = fill(graph)
    return filled


__all__ = [
    "BUILTIN",
    "IMAGE_PLACEHOLDERS",
    "PLACEHOLDERS",
    "VIDEO_PLACEHOLDERS",
    "Workflow",
    "WorkflowInfo",
    "api_format_problem",
    "builtin_workflow",
    "check_workflow_name",
    "fill_workflow",
    "list_workflows",
    "load_workflow",
    "load_workflow_file",
    "placeholder_name",
    "placeholder_values",
    "used_placeholders",
    "video_values",
    "workflows_dir",
]
