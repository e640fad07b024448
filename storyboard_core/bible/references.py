"""Reference images: pictures of a bible entry or of one shot, for workflows that take an image in.

They are checked like uploaded takes (``images.check_image``: decoded, PNG/JPEG/WebP, size limits)
and saved under ``<project>/references/``; the entry or shot records the path relative to the
project. A file whose record fails is removed again, so none lies there unknown. Taking a reference
off leaves the file (history may bring the record back).
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from pathlib import PurePath

from ..files import write_atomic
from ..media.images import check_image
from ..models import Shot
from ..paths import check_shot_id, inside
from ..store import Store
from ..types import Patch

#: Reference images are saved below ``<project>/references/``.
REFERENCES_DIR = "references"


def save_reference(
    store: Store,
    project: str,
    data: bytes,
    original_name: str,
    stem: str,
    record: Callable[[str], object],
) -> str:
    """Check ``data``, save it as ``references/<stem>-<random><suffix>`` and ``record`` its path.

    Raises ``InvalidDataError`` naming ``original_name`` for a file that is not a usable image
    (nothing is written then). Returns the path relative to the project.
    """
    kind = check_image(data, PurePath(original_name.replace("\\", "/")).name or "reference")
    project_dir = store.project_dir(project)
    folder = inside(project_dir, project_dir / REFERENCES_DIR)
    file_name = f"{stem}-{secrets.token_hex(4)}{kind.suffix}"
    path = folder / file_name
    write_atomic(path, data)
    relative = f"{REFERENCES_DIR}/{file_name}"
    try:
        record(relative)
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()  # not recorded: no file nobody knows about
        raise
    return relative


def set_shot_reference(
    store: Store, project: str, seq_id: str | None, shot_id: str, data: bytes, original_name: str
) -> Shot:
    """Give a shot its own reference image (``{{reference_image}}`` when no mentioned entry has
    one); return the saved shot. The image is checked as ``save_reference`` says."""
    store.read_shot(project, seq_id, shot_id)  # an unknown shot fails before anything is written
    saved: list[Shot] = []

    def record(relative: str) -> None:
        saved.append(
            store.change_shot(project, seq_id, shot_id, lambda _s: {"reference": relative})
        )

    save_reference(store, project, data, original_name, f"shot-{check_shot_id(shot_id)}", record)
    return saved[0]


def clear_shot_reference(store: Store, project: str, seq_id: str | None, shot_id: str) -> Shot:
    """Take a shot's own reference image off (the file stays); return the saved shot."""
    patch: Patch = {"reference": None}
    return store.change_shot(project, seq_id, shot_id, lambda _s: patch)


__all__ = ["REFERENCES_DIR", "clear_shot_reference", "save_reference", "set_shot_reference"]
