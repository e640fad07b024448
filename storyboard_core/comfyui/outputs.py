"""The files a finished prompt made, as its ``/history`` entry lists them: images and video clips.

ComfyUI 0.3.64 reports every file under ``images``; its video and animation nodes (``SaveVideo``,
``SaveWEBM``, ``SaveAnimatedWEBP``, ``SaveAnimatedPNG``) add ``"animated": [true]`` to the node's
output, even for a file that ends up a single frame. Video Helper Suite's ``VHS_VideoCombine``
reports its clips under ``gifs``. ``fetch_clip`` fetches one clip with ``/view`` and checks it by
decoding (``storyboard_core.media.video``), ``fetch_image`` one image; either refuses a bad file with a
message that names server, shot and file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from ..errors import ComfyUIUnavailableError, InvalidDataError, RenderFailedError
from ..media.images import check_image
from ..media.video import CheckedClip, ClipExpectation, check_clip
from ..types import JsonDict
from .client import ComfyUIClient
from .workflows import used_placeholders

OutputKind = Literal["image", "video"]
T = TypeVar("T")
#: A file under ``images`` with one of these suffixes is a clip even without ``animated``.
VIDEO_SUFFIXES: tuple[str, ...] = (".mp4", ".webm", ".mov", ".mkv", ".gif")


@dataclass(frozen=True)
class OutputFile:
    """One file a prompt made: where ``/view`` finds it, its kind and the node that saved it."""

    filename: str
    subfolder: str
    type: str
    kind: OutputKind
    node: str

    @property
    def where(self) -> str:
        """``subfolder/filename`` as messages name it."""
        return f"{self.subfolder}/{self.filename}" if self.subfolder else self.filename


def _animated(node_output: JsonDict) -> bool:
    flags = node_output.get("animated")
    # One flag per node in 0.3.64 (``[true]``); any true flag makes the node's files clips.
    return isinstance(flags, list) and any(flag is True for flag in flags)


def _files(entries: Any) -> list[JsonDict]:
    return [
        e
        for e in (entries if isinstance(entries, list) else [])
        if isinstance(e, dict) and isinstance(e.get("filename"), str) and e["filename"]
    ]


def output_files(entry: JsonDict) -> list[OutputFile]:
    """Every file a history ``entry`` lists, node by node in history order, each with its kind.

    ``images`` entries are clips when the node says ``"animated": [true]`` (or the name ends in a
    video suffix), else images; ``gifs`` entries (``VHS_VideoCombine``) are always clips.
    """
    outputs = entry.get("outputs")
    found: list[OutputFile] = []
    for node, node_output in (outputs if isinstance(outputs, dict) else {}).items():
        if not isinstance(node_output, dict):
            continue
        animated = _animated(node_output)
        for key in ("images", "gifs"):
            for item in _files(node_output.get(key)):
                name = str(item["filename"])
                video = key == "gifs" or animated or name.lower().endswith(VIDEO_SUFFIXES)
                found.append(
                    OutputFile(
                        filename=name,
                        subfolder=str(item.get("subfolder") or ""),
                        type=str(item.get("type") or "output"),
                        kind="video" if video else "image",
                        node=str(node),
                    )
                )
    return found


def kept_outputs(entry: JsonDict) -> list[OutputFile]:
    """The files worth keeping as takes: the saved ones (type ``output``), else the previews.

    Clips come first when there are any: a workflow that saves a clip and a still of it makes a
    video take.
    """
    files = output_files(entry)
    saved = [f for f in files if f.type == "output"] or files
    return [f for f in saved if f.kind == "video"] + [f for f in saved if f.kind == "image"]


def expected_clip(graph: JsonDict, values: Mapping[str, Any]) -> ClipExpectation:
    """What a clip made from ``graph`` (unfilled) with placeholder ``values`` was asked to be.

    Only what the graph takes from the shot is checked: its fps when it uses ``{{fps}}``, its size
    when it uses ``{{width}}`` and ``{{height}}``, its frame count when it uses ``{{frames}}`` (only
    for an animation whose identical frames were merged into one still, see ``video.py``).
    """
    used = used_placeholders(graph)

    def asked(name: str) -> Any:
        return values.get(name) if name in used else None

    sized = {"width", "height"} <= used
    return ClipExpectation(
        fps=asked("fps"),
        width=values.get("width") if sized else None,
        height=values.get("height") if sized else None,
        frames=asked("frames"),
    )


def _fetch_checked(
    client: ComfyUIClient, file: OutputFile, shot_id: str, noun: str, check: Callable[[bytes], T]
) -> tuple[bytes, T]:
    """Fetch ``file`` with ``/view`` and ``check`` its bytes (raising ``InvalidDataError``); the
    bytes and what ``check`` found. Either failure is a ``RenderFailedError`` naming the server, the
    shot and the file (``noun``: what it was meant to be)."""
    url = client.display_url
    try:
        data = client.view(file.filename, file.subfolder, file.type)
    except ComfyUIUnavailableError as exc:
        reason = getattr(exc, "reason", str(exc))
        raise RenderFailedError(
            f"ComfyUI at {url} rendered shot {shot_id} but could not send the {noun} "
            f"'{file.where}': {reason}; nothing was saved"
        ) from exc
    try:
        return data, check(data)
    except InvalidDataError as exc:
        problem = "; ".join(p.message for p in exc.problems)
        raise RenderFailedError(
            f"ComfyUI at {url} sent '{file.where}' for shot {shot_id}, which cannot be kept: "
            f"{problem}; nothing was saved"
        ) from exc


def fetch_clip(
    client: ComfyUIClient, file: OutputFile, *, shot_id: str, expect: ClipExpectation | None = None
) -> tuple[bytes, CheckedClip]:
    """Fetch one clip with ``/view`` and check it by decoding; its bytes and what it is.

    Raises ``RenderFailedError`` naming the server, the shot and the file when the server cannot send
    it or it cannot be kept (not a video, damaged, too big, not the fps or size asked for).
    """
    return _fetch_checked(
        client, file, shot_id, "clip", lambda data: check_clip(data, file.where, expect)
    )


def fetch_image(client: ComfyUIClient, file: OutputFile, *, shot_id: str) -> tuple[bytes, str]:
    """Fetch one image with ``/view`` and check that it is a whole image; its bytes and suffix.

    Raises ``RenderFailedError`` as ``fetch_clip`` does.
    """
    return _fetch_checked(
        client, file, shot_id, "image", lambda data: check_image(data, file.where).suffix
    )


__all__ = [
    "VIDEO_SUFFIXES",
    "OutputFile",
    "OutputKind",
    "expected_clip",
    "fetch_clip",
    "fetch_image",
    "kept_outputs",
    "output_files",
]
