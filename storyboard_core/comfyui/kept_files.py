"""Turning a finished prompt's files into takes on disk: its clips, else its images.

Everything is fetched and checked before anything is written (a bad file leaves the shot as it
was), and writing is all or nothing: if one file cannot be written, the ones already written are
removed. A clip is kept with its poster and last frame (``clips.keep_clip``); an image as it came.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import RenderFailedError
from ..files import write_atomic
from ..media.clips import keep_clip
from ..media.video import CheckedClip
from ..models import ClipFacts
from ..paths import check_shot_id, inside
from ..takes import RENDERS_DIR
from ..types import JsonDict
from .client import ComfyUIClient
from .outputs import expected_clip, fetch_clip, fetch_image, kept_outputs


@dataclass(frozen=True)
class KeptFile:
    """One file kept for a take: its image (a clip's poster) and, for a clip, its facts."""

    image: str
    video: ClipFacts | None = None


def keep_outputs(
    client: ComfyUIClient,
    entry: JsonDict,
    *,
    project_dir: Path,
    shot_id: str,
    prompt_id: str,
    graph: JsonDict,
    values: Mapping[str, Any],
    what: str,
) -> list[KeptFile]:
    """Fetch, check and write what the history ``entry`` lists; one ``KeptFile`` per take.

    A prompt that made clips gives video takes (its stills are left on the server); else its
    images give image takes. ``graph`` (unfilled) and ``values`` say what a clip was asked to be
    (fps, size); ``what`` names the workflow in the error for a prompt that made nothing.
    Raises ``RenderFailedError`` (naming server, shot and file) and ``OSError`` from the disk.
    """
    files = kept_outputs(entry)
    if not files:
        raise RenderFailedError(
            f"{what} made no image or clip for shot {shot_id} on {client.display_url} "
            "(it needs a SaveImage or a video save node)"
        )
    folder = inside(project_dir, project_dir / RENDERS_DIR / check_shot_id(shot_id))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    stem = f"{stamp}-{prompt_id[:8]}"
    clips = [f for f in files if f.kind == "video"]
    if clips:
        expect = expected_clip(graph, values)
        checked = [fetch_clip(client, f, shot_id=shot_id, expect=expect) for f in clips]
        return _write_clips(project_dir, shot_id, stem, checked)
    images = [fetch_image(client, f, shot_id=shot_id) for f in files]
    written: list[Path] = []
    try:
        for n, (data, suffix) in enumerate(images, start=1):
            path = folder / f"{_numbered(stem, n)}{suffix}"
            write_atomic(path, data)
            written.append(path)
    except OSError:
        _remove(written)
        raise
    return [KeptFile(image=f"{RENDERS_DIR}/{shot_id}/{p.name}") for p in written]


def _numbered(stem: str, n: int) -> str:
    """The stem of the ``n``-th file of one prompt (the first keeps the plain stem)."""
    return f"{stem}-{n}" if n > 1 else stem


def _write_clips(
    project_dir: Path, shot_id: str, stem: str, checked: list[tuple[bytes, CheckedClip]]
) -> list[KeptFile]:
    kept: list[KeptFile] = []
    try:
        for n, (data, clip) in enumerate(checked, start=1):
            poster, facts = keep_clip(project_dir, shot_id, _numbered(stem, n), data, clip)
            kept.append(KeptFile(image=poster, video=facts))
    except BaseException:
        for made in kept:
            clip_facts = made.video
            assert clip_facts is not None  # every KeptFile made here is a clip
            files = (made.image, clip_facts.clip, clip_facts.last_frame)
            _remove([project_dir / p for p in files])
        raise
    return kept


def _remove(paths: list[Path]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink()


__all__ = ["KeptFile", "keep_outputs"]
