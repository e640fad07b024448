"""Changing texts across a whole project: every prompt, negative prompt, note, bible text and style.

Used by find and replace and by renaming a bible entry. First a preview (``preview_changes``: what
each text is and would become), then ``apply_changes``: one locked write per file that changes, each
recomputed from the file as it is at that moment (an edit made since the preview is kept, not
overwritten), each keeping the previous version in the project's history (undo = restore it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pydantic import BaseModel

from ..models import Project, Sequence
from ..paths import PROJECT_FILE, sequence_file
from ..store import Store, StoreView

#: A change of one text: the old text in, the new text out (the same text for "no change").
Transform = Callable[[str], str]


@dataclass(frozen=True)
class TextChange:
    """One text that changes: its file (relative to the project), where it is, before and after."""

    file: str
    where: str
    field: str
    before: str
    after: str


def _slots(container: Project | Sequence) -> Iterator[tuple[BaseModel, str, str, str]]:
    """Every text of a container: (model holding it, attribute, where it is, field label)."""
    label = "project" if isinstance(container, Project) else f"sequence {container.id}"
    for attr in ("prompt_suffix", "negative_suffix"):
        if getattr(container.style, attr) is not None:
            yield container.style, attr, f"{label} style", attr
    if isinstance(container, Project):
        for kind, entry in container.bible.entries():
            where = f"bible ({kind}) {entry.name}"
            yield entry, "description", where, "description"
            yield entry, "negative", where, "negative"
    for shot in container.shots:
        where = f"{label}, shot {shot.position}" + (f" ({shot.title})" if shot.title else "")
        for attr in ("prompt", "negative_prompt", "notes"):
            yield shot, attr, where, attr


def _change(container: Project | Sequence, file: str, transform: Transform) -> list[TextChange]:
    """Apply ``transform`` to every text of ``container`` in place; the changes made."""
    changes = []
    for owner, attr, where, field in _slots(container):
        before = getattr(owner, attr)
        after = transform(before)
        if after != before:
            setattr(owner, attr, after)
            changes.append(TextChange(file, where, field, before, after))
    return changes


def _files(store: StoreView, project: str) -> list[tuple[str | None, str]]:
    ids = [s.id for s in store.list_sequences(project) if not s.error]
    return [(None, PROJECT_FILE)] + [(sid, sequence_file(sid)) for sid in ids]


def preview_changes(store: StoreView, project: str, transform: Transform) -> list[TextChange]:
    """Every text of ``project`` that ``transform`` would change, file by file; nothing is written."""
    changes: list[TextChange] = []
    for seq_id, file in _files(store, project):
        container = (
            store.read_project(project) if seq_id is None else store.read_sequence(project, seq_id)
        )
        changes += _change(container.model_copy(deep=True), file, transform)
    return changes


def apply_changes(
    store: Store,
    project: str,
    transform: Transform,
    *,
    project_change: Callable[[Project], object] | None = None,
) -> list[TextChange]:
    """Change every text of ``project`` with ``transform``: one locked write per file that changes.

    ``project_change`` is a further change of ``project.json`` made in the same write (renaming a
    bible entry together with its mentions). Returns the changes made.
    """
    changes: list[TextChange] = []
    for seq_id, file in _files(store, project):

        def change(container: Project | Sequence, file: str = file) -> bool:
            more = isinstance(container, Project) and project_change is not None
            if isinstance(container, Project) and project_change is not None:
                project_change(container)
            made = _change(container, file, transform)
            changes.extend(made)
            return more or bool(made)

        store.edit_container(project, seq_id, change)
    return changes


def replacer(find: str, replace: str, *, match_case: bool = True) -> Transform:
    """The transform of find and replace: every ``find`` (plain text, not a pattern) becomes ``replace``."""
    if not find:
        raise ValueError("nothing to find")
    pattern = re.compile(re.escape(find), 0 if match_case else re.IGNORECASE)
    return lambda text: pattern.sub(lambda _m: replace, text)


__all__ = ["TextChange", "Transform", "apply_changes", "preview_changes", "replacer"]
