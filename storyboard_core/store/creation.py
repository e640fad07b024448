"""A new project: built in memory from a format, then written whole into a folder of its own."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..errors import FieldProblem, InvalidDataError, StoryboardError
from ..files import HISTORY_DIR, LOCK_DIR, dumps
from ..formats import resolve_format, split_duration
from ..models import Project, Sequence, Shot, now, to_json_dict
from ..paths import PROJECT_FILE, RENDER_QUEUE_DIR, check_project_slug, sequence_file, slugify
from ..summaries import ShotCounts
from .parsing import new_shot_id

#: Shown to people who keep a project in git: the app's own bookkeeping need not be committed.
PROJECT_GITIGNORE = f"{LOCK_DIR}/\n{HISTORY_DIR}/\n{RENDER_QUEUE_DIR}/\n"


def new_project(
    name: str,
    *,
    format_id: str,
    shots_per_sequence: int,
    sequences: int | None,
    seconds_per_sequence: float | None,
    description: str,
) -> tuple[Project, list[Sequence]]:
    """A project named ``name`` and its sequences of empty shots, as the format lays them out."""
    if not name.strip():
        raise InvalidDataError([FieldProblem("name", "a project needs a name")])
    fmt = resolve_format(format_id, sequences=sequences, seconds_per_sequence=seconds_per_sequence)
    durations = split_duration(fmt.seconds_per_sequence, shots_per_sequence)
    stamp = now()
    built = [
        Sequence(
            id=f"{n:03d}",
            name=f"Sequence {n}",
            order=n,
            created_at=stamp,
            updated_at=stamp,
            shots=[
                Shot(
                    id=new_shot_id(),
                    title=f"Shot {i}",
                    position=i,
                    duration=d,
                    updated_at=stamp,
                )
                for i, d in enumerate(durations, start=1)
            ],
        )
        for n in range(1, fmt.sequences + 1)
    ]
    meta = Project(
        id=slugify(name),
        name=name.strip(),
        format=fmt.id,
        description=description,
        created_at=stamp,
        updated_at=stamp,
    )
    return meta, built


def write_new_project(root: Path, meta: Project, sequences: list[Sequence], base: str) -> Project:
    """Write a project into the first free folder of ``root`` named ``base``, ``base-2``, … .

    Built in a hidden temporary folder and renamed into place: a crash never leaves half a project,
    and two processes creating the same name get two folders. Returns ``meta`` with its slug as id.
    """
    root.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{base}.creating-", dir=root))
    try:
        for seq in sequences:
            seq.duration = ShotCounts.of(seq.shots).duration
            path = build / sequence_file(seq.id)
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(dumps(to_json_dict(seq)))
        (build / ".gitignore").write_text(PROJECT_GITIGNORE, encoding="utf-8")
        build.chmod(0o755)  # mkdtemp made it private; a project folder is an ordinary folder
        for attempt in range(1, 1000):
            slug = base if attempt == 1 else f"{base}-{attempt}"
            meta = meta.model_copy(update={"id": check_project_slug(slug)})
            (build / PROJECT_FILE).write_bytes(dumps(to_json_dict(meta)))
            try:
                # rename() onto a name that exists fails: that is how the slug is claimed.
                os.rename(build, root / slug)
            except OSError:
                if (root / slug).exists():
                    continue
                raise
            return meta
        raise StoryboardError(f"too many projects named like {meta.name!r}")
    finally:
        if build.exists():
            shutil.rmtree(build, ignore_errors=True)
