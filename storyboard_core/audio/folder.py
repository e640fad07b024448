"""The project's ``audio/`` folder: sound files copied in, checked, under a safe name of their own.

A file is copied to a hidden temporary name in ``<project>/audio/``, checked by decoding the copy
(so what was checked is what is kept), then given its name: the original's, made safe, with ``-2``,
``-3``… when taken. The name is claimed with a hard link, which fails rather than replaces, so two
imports of files with the same name never overwrite each other, and a crash leaves no half file
under a real name.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import BinaryIO

from ..errors import InvalidDataError, NotFoundError
from ..files import fsync_dir, refused_as_write_error
from ..paths import inside
from .decode import AudioInfo, check_audio, check_size

#: Sound files are kept below ``<project>/audio/``.
AUDIO_DIR = "audio"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,8}$")
_COPY_CHUNK = 1 << 20


@dataclass(frozen=True)
class ImportedSound:
    """A sound file in the project: its path relative to the project, what it holds, and whether
    this import made the copy (so a caller whose record then fails knows to remove it)."""

    file: str
    info: AudioInfo
    copied: bool


def safe_file_name(original: str) -> str:
    """A plain file name for ``original``: ASCII letters, digits, ``-`` and ``_``, its suffix kept.

    ``"Thème d'Orage (v2).MP3"`` -> ``"Theme-d-Orage-v2.mp3"``; an empty stem becomes ``sound``.
    """
    pure = PurePath(original.replace("\\", "/").replace("\x00", ""))
    ascii_stem = unicodedata.normalize("NFKD", pure.stem).encode("ascii", "ignore").decode()
    stem = _UNSAFE.sub("-", ascii_stem).strip("-_")[:60].strip("-_") or "sound"
    suffix = pure.suffix.lower() if _SUFFIX.match(pure.suffix) else ""
    return stem + suffix


def import_sound(
    project_dir: Path, source: Path | BinaryIO, name: str | None = None
) -> ImportedSound:
    """Check a sound file and copy it into ``project_dir/audio/``; return where it is kept.

    ``source`` is a path or an open binary file (an upload); ``name`` is the original file name
    (default: the path's), used for messages and the kept name. A path already inside the
    project's ``audio/`` folder is checked and kept where it is. Raises ``InvalidDataError`` naming
    the file when it is not a usable sound (``decode.check_audio``), ``WriteError`` when the disk
    refuses; nothing is left in the folder then.
    """
    folder = inside(project_dir, project_dir / AUDIO_DIR, what="the project")
    if isinstance(source, Path):
        name = name or source.name
        if source.resolve().parent == folder.resolve():
            return ImportedSound(f"{AUDIO_DIR}/{source.name}", check_audio(source, name), False)
        try:
            with source.open("rb") as stream:
                return _copy_in(folder, stream, name)
        except FileNotFoundError as exc:
            raise NotFoundError(f"{name} does not exist") from exc
        except OSError as exc:  # a folder, no permission: opening the source failed
            raise InvalidDataError.about(name, f"cannot be read ({exc.strerror or exc})") from exc
    return _copy_in(folder, source, name or "sound")


def _copy_in(folder: Path, stream: BinaryIO, name: str) -> ImportedSound:
    with refused_as_write_error(folder):
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".import-", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        with refused_as_write_error(folder / name), os.fdopen(fd, "wb") as out:
            _copy_limited(stream, out, name)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)  # mkstemp made it private; a sound file is an ordinary file
        info = check_audio(tmp, name)
        kept = _claim(folder, tmp, safe_file_name(name))
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return ImportedSound(f"{AUDIO_DIR}/{kept}", info, True)


def _copy_limited(stream: BinaryIO, out: BinaryIO, name: str) -> None:
    """Copy ``stream`` to ``out``, refusing as soon as it runs past the size limit."""
    copied = 0
    while chunk := stream.read(_COPY_CHUNK):
        copied += len(chunk)
        check_size(copied, name, so_far=True)
        out.write(chunk)


def _claim(folder: Path, tmp: Path, wanted: str) -> str:
    """Give ``tmp`` the first free name like ``wanted`` (``-2``, ``-3``… before the suffix)."""
    stem, suffix = os.path.splitext(wanted)
    with refused_as_write_error(folder / wanted):
        for n in range(1, 10_000):
            candidate = wanted if n == 1 else f"{stem}-{n}{suffix}"
            try:
                os.link(tmp, folder / candidate)  # fails, never replaces, when the name is taken
            except FileExistsError:
                continue
            fsync_dir(folder)
            return candidate
    raise InvalidDataError.about(wanted, f"too many sound files named like it in {AUDIO_DIR}/")


def remove_copy(project_dir: Path, imported: ImportedSound) -> None:
    """Remove a file this import copied in (its record failed); a file that was there stays."""
    if imported.copied:
        with contextlib.suppress(OSError):
            (project_dir / imported.file).unlink()


__all__ = ["AUDIO_DIR", "ImportedSound", "import_sound", "remove_copy", "safe_file_name"]
