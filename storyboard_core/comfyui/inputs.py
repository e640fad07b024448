"""Images a workflow takes in: which file each image placeholder stands for, and its upload.

``{{reference_image}}`` is the first reference image of the first bible entry the shot mentions
that has one, else the shot's own reference (``Shot.reference``); ``{{init_image}}`` is the shot's current frame (a render, or an uploaded sketch), for
image-to-image, and the first frame of an image-to-video clip. For first/last-frame video models,
``{{last_image}}`` is the next shot's frame (a clip's poster); to continue from the previous shot,
``{{previous_frame}}`` is the previous shot's last frame (its clip's last frame, or its still). Before a prompt is queued, each image the graph uses is uploaded with
``POST /upload/image`` and the placeholder becomes the name the server gave it. An image already
uploaded to a server (same bytes: SHA-256) is not sent again: ``UploadCache`` remembers, per server,
the name each content got.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from ..bible.entries import entry_map
from ..bible.mentions import mention_of, name_key
from ..bible.style import Effective, ShotContext
from ..errors import FieldProblem, InvalidDataError
from ..models import Shot
from ..paths import inside
from .client import ComfyUIClient
from .workflows import IMAGE_PLACEHOLDERS, used_placeholders

#: Uploaded images go to ``input/storyboard/`` on the server.
UPLOAD_SUBFOLDER = "storyboard"

_NEEDS = {
    "reference_image": (
        "a reference image; mention a bible entry that has one (add one on the Bible page) "
        "or give the shot its own"
    ),
    "init_image": "a starting image; render the shot or upload an image as a take first",
    "last_image": "the next shot's frame; render the next shot first (or this is the last shot)",
    "previous_frame": (
        "the previous shot's last frame; render the previous shot first (or this is the first shot)"
    ),
}


@dataclass(frozen=True)
class Neighbours:
    """The shots before and after a shot in its sequence (``None`` at either end)."""

    previous: Shot | None = None
    next: Shot | None = None


def neighbours_of(shots: list[Shot], shot_id: str) -> Neighbours:
    """The shots just before and after ``shot_id`` in ``shots`` (its sequence, in order)."""
    ids = [s.id for s in shots]
    if shot_id not in ids:
        return Neighbours()
    at = ids.index(shot_id)
    return Neighbours(
        previous=shots[at - 1] if at > 0 else None,
        next=shots[at + 1] if at + 1 < len(shots) else None,
    )


def workflow_images(
    graph: dict[str, object],
    shot: Shot,
    made: Effective,
    context: ShotContext,
    project_dir: Path,
    neighbours: Neighbours = Neighbours(),
) -> dict[str, Path]:
    """The image file of each image placeholder ``graph`` uses, checked to exist.

    ``neighbours`` gives ``{{last_image}}`` and ``{{previous_frame}}`` their shots.

    Raises ``InvalidDataError`` naming the placeholder when the shot has no such image (nothing is
    queued then), or when the file named in the project is missing.
    """
    wanted = [p for p in IMAGE_PLACEHOLDERS if p in used_placeholders(graph)]
    found: dict[str, Path] = {}
    problems = []
    for name in wanted:
        relative, owner = _image_of(name, shot, made, context, neighbours)
        if relative is None:
            problems.append(FieldProblem(f"{{{{{name}}}}}", f"the workflow needs {_NEEDS[name]}"))
            continue
        path = inside(project_dir, project_dir / relative, what="the project")
        if not path.is_file():
            problems.append(
                FieldProblem(f"{{{{{name}}}}}", f"{owner}'s image {relative} is missing")
            )
            continue
        found[name] = path
    if problems:
        raise InvalidDataError(problems, where=f"shot {shot.id}")
    return found


def _image_of(
    name: str, shot: Shot, made: Effective, context: ShotContext, neighbours: Neighbours
) -> tuple[str | None, str]:
    if name == "init_image":
        return (shot.render.image if shot.render else None), "the shot"
    if name == "last_image":
        after = neighbours.next
        return (after.render.image if after and after.render else None), "the next shot"
    if name == "previous_frame":
        return _last_frame(neighbours.previous), "the previous shot"
    entries = entry_map(context.bible)
    for used in made.used:
        entry = entries.get(name_key(used))
        if entry is not None and entry.references:
            return entry.references[0], mention_of(entry.name)
    return shot.reference or None, "the shot"


def _last_frame(shot: Shot | None) -> str | None:
    """The image a shot ends on: its clip's last frame, else its still frame."""
    if shot is None or shot.render is None:
        return None
    clip = shot.render.video
    return (clip.last_frame if clip is not None else "") or shot.render.image


class UploadCache:
    """The server-side name of every image content uploaded, per server. Thread-safe."""

    def __init__(self) -> None:
        self._names: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def upload(self, client: ComfyUIClient, path: Path) -> str:
        """The ``LoadImage`` name of ``path`` on ``client``'s server, uploading it only if new."""
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        key = (client.base_url, digest)
        with self._lock:
            known = self._names.get(key)
        if known is not None:
            return known
        # Named by content: the same image keeps one name on the server, whoever uploads it.
        name = client.upload_image(
            data, f"{digest[:24]}{path.suffix.lower()}", subfolder=UPLOAD_SUBFOLDER
        )
        with self._lock:
            self._names[key] = name
        return name

    def forget(self) -> None:
        """Forget every upload (the next render sends its images again)."""
        with self._lock:
            self._names.clear()


#: The process-wide memory of uploads, shared by every render.
UPLOADS = UploadCache()


def upload_images(
    client: ComfyUIClient, images: dict[str, Path], cache: UploadCache = UPLOADS
) -> dict[str, str]:
    """Each placeholder's value: the server's name of its image, uploaded if not already there."""
    return {name: cache.upload(client, path) for name, path in images.items()}


__all__ = [
    "UPLOADS",
    "UPLOAD_SUBFOLDER",
    "Neighbours",
    "UploadCache",
    "neighbours_of",
    "upload_images",
    "workflow_images",
]
