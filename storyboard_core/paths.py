"""Names and paths: what a project folder, sequence or shot may be called, and nothing outside the workspace.

Every path the store touches is built here from checked names and then confirmed, after resolving
symlinks, to lie inside the workspace.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .errors import UnsafePathError

PROJECT_FILE = "project.json"
SEQUENCES_DIR = "sequences"
#: The app's render queue inside a project (``comfyui/journal.py``): bookkeeping, git-ignored.
RENDER_QUEUE_DIR = ".renders"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_SEQUENCE_ID = re.compile(r"^[0-9]{3,6}$")
_SEQUENCE_FILE = re.compile(r"^sequence_([0-9]{3,6})\.json$")
_SHOT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def slugify(name: str) -> str:
    """A folder-safe slug of a project name: ``"L'Orage d'été"`` -> ``"l-orage-d-ete"``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")
    return slug or "project"


def _refuse_raw(kind: str, value: str) -> None:
    if "\x00" in value:
        raise UnsafePathError(f"{kind} contains a NUL byte")
    if "/" in value or "\\" in value or value in {".", ".."} or value.startswith(".."):
        raise UnsafePathError(f"{kind} {value!r} is not a plain name (no '/', '\\\\' or '..')")


def check_project_slug(slug: str) -> str:
    """Return ``slug`` if it is a valid project folder name, else raise ``UnsafePathError``."""
    _refuse_raw("project name", slug)
    if not _SLUG.match(slug):
        raise UnsafePathError(
            f"project {slug!r} is not a valid project folder name (lowercase letters, digits and '-')"
        )
    return slug


def check_sequence_id(seq_id: str) -> str:
    """Return ``seq_id`` if it looks like ``001``, else raise ``UnsafePathError``."""
    _refuse_raw("sequence id", seq_id)
    if not _SEQUENCE_ID.match(seq_id):
        raise UnsafePathError(f"sequence {seq_id!r} is not a sequence number such as 001")
    return seq_id


def check_shot_id(shot_id: str) -> str:
    """Return ``shot_id`` if it is a plain id, else raise ``UnsafePathError``."""
    _refuse_raw("shot id", shot_id)
    if not _SHOT_ID.match(shot_id):
        raise UnsafePathError(f"shot {shot_id!r} is not a valid shot id")
    return shot_id


def sequence_file(seq_id: str) -> str:
    """The path of a sequence's file relative to its project: ``sequences/sequence_001.json``."""
    return f"{SEQUENCES_DIR}/sequence_{check_sequence_id(seq_id)}.json"


def sequence_id_of(filename: str) -> str | None:
    """The sequence id in a file name such as ``sequence_001.json``, or None for other files."""
    found = _SEQUENCE_FILE.match(filename)
    return found.group(1) if found else None


def inside(root: Path, path: Path, *, what: str = "the workspace") -> Path:
    """``path``, if it (after following symlinks) is ``root`` or lies below it.

    Else ``UnsafePathError`` saying that it points outside ``what`` (the name of ``root``'s role).
    """
    real_root = root.resolve()
    real = path.resolve()
    if real != real_root and not real.is_relative_to(real_root):
        raise UnsafePathError(f"{path} points outside {what} {root}")
    return path


def image_in_project(project_dir: Path, image: str) -> Path | None:
    """The file a shot's ``render.image`` (or a take's ``image``) names, if it is one inside the project.

    The name comes from a file that may have travelled: an absolute path, ``..`` or a symlink leading
    out of the project folder is never followed, so a project cannot make the app show (or export)
    some other file of this machine. ``None`` when it is missing, not a file, or outside.
    """
    if not image or "\x00" in image or Path(image).is_absolute():
        return None
    path = project_dir / image
    try:
        inside(project_dir, path, what="the project")
    except (UnsafePathError, OSError, ValueError):
        return None
    return path if path.is_file() else None
