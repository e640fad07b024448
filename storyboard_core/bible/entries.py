"""The project bible: characters, places, props and styles that prompts mention as ``@Name``.

The bible lives in ``project.json`` under ``"bible"``::

    "bible": {"characters": [{"name": "Léa", "description": "a woman of 30, short black hair",
                              "negative": "long hair", "references": ["references/lea-1a2b3c4d.png"]}],
              "places": [...], "props": [...], "styles": [...]}

Names are unique across all four kinds (compared as ``mentions.name_key`` does). Every change is
one locked write of ``project.json`` (``Store.edit_container``); renaming an entry rewrites its
mentions everywhere in the project (``storyboard_core.bible.rewrite``: a preview, one write per file).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import FieldProblem, InvalidDataError, NotFoundError
from ..models import BIBLE_KINDS, Bible, BibleEntry, Project
from ..paths import slugify
from ..store import Store, StoreView
from ..validation import validate
from .mentions import mention_of, mentions_name, name_key, rename_mentions
from .references import save_reference
from .rewrite import TextChange, apply_changes, preview_changes


def entry_map(bible: Bible) -> dict[str, BibleEntry]:
    """The entries by ``name_key`` of their names (what ``mentions.expand`` looks names up in)."""
    return {name_key(e.name): e for _kind, e in bible.entries()}


def find_entry(bible: Bible, name: str) -> tuple[str, BibleEntry] | None:
    """The kind and entry called ``name`` (any case or normalisation), or ``None``."""
    key = name_key(name)
    return next(((k, e) for k, e in bible.entries() if name_key(e.name) == key), None)


def _entry(bible: Bible, name: str) -> tuple[str, BibleEntry]:
    found = find_entry(bible, name)
    if found is None:
        raise NotFoundError(f"the bible has no entry {mention_of(name)}")
    return found


def _check_free(bible: Bible, name: str, *, but: BibleEntry | None = None) -> None:
    found = find_entry(bible, name)
    if found is not None and found[1] is not but:
        raise InvalidDataError(
            [FieldProblem("name", f"{mention_of(found[1].name)} is already in the {found[0]}")]
        )


def _check_kind(kind: str) -> None:
    if kind not in BIBLE_KINDS:
        raise InvalidDataError([FieldProblem("kind", f"must be one of {', '.join(BIBLE_KINDS)}")])


def add_entry(
    store: Store, project: str, kind: str, name: str, description: str = "", negative: str = ""
) -> BibleEntry:
    """Add an entry of ``kind`` (``characters``, ``places``, ``props`` or ``styles``); return it.

    Raises ``InvalidDataError`` for a bad or taken name (field ``name``) or an unknown kind.
    """
    _check_kind(kind)
    entry = validate(
        BibleEntry, {"name": name.strip(), "description": description, "negative": negative}
    )

    def change(meta: Project) -> bool:
        _check_free(meta.bible, entry.name)
        getattr(meta.bible, kind).append(entry)
        return True

    store.edit_container(project, None, change)
    return entry


def update_entry(store: Store, project: str, name: str, **fields: Any) -> BibleEntry:
    """Change an entry's ``description``, ``negative`` or ``kind`` (moves it); return it as saved."""
    bad = [FieldProblem(k, "cannot be changed here") for k in fields if k not in _EDITABLE]
    if bad:
        raise InvalidDataError(bad)
    kind_to = fields.pop("kind", None)
    if kind_to is not None:
        _check_kind(kind_to)
    saved: list[BibleEntry] = []

    def change(meta: Project) -> bool:
        kind, entry = _entry(meta.bible, name)
        new = validate(BibleEntry, {**entry.model_dump(mode="json"), **fields})
        entries: list[BibleEntry] = getattr(meta.bible, kind)
        if kind_to is None or kind_to == kind:
            entries[entries.index(entry)] = new
        else:
            entries.remove(entry)
            getattr(meta.bible, kind_to).append(new)
        saved.append(new)
        return True

    store.edit_container(project, None, change)
    return saved[0]


_EDITABLE = frozenset({"description", "negative", "kind"})


def _renamer(old: str, new: str) -> Any:
    return lambda text: rename_mentions(text, old, new)


def rename_preview(store: StoreView, project: str, old: str, new: str) -> list[TextChange]:
    """The mentions of ``old`` that renaming it to ``new`` rewrites, text by text (nothing written).

    Raises ``NotFoundError`` for an unknown entry and ``InvalidDataError`` for a bad or taken name.
    """
    bible = store.read_project(project).bible
    _, entry = _entry(bible, old)
    validate(BibleEntry, {"name": new})
    _check_free(bible, new, but=entry)
    return preview_changes(store, project, _renamer(entry.name, new))


def rename_entry(
    store: Store, project: str, old: str, new: str, *, rewrite: bool = True
) -> list[TextChange]:
    """Rename an entry; with ``rewrite`` also every mention of it in the project; the changes made.

    The entry and the mentions in ``project.json`` change in one write, then each sequence file in
    one write of its own. Without ``rewrite`` the old mentions become unknown names.
    """
    new = new.strip()
    validate(BibleEntry, {"name": new})

    def change(meta: Project) -> bool:
        _kind, entry = _entry(meta.bible, old)
        _check_free(meta.bible, new, but=entry)
        entry.name = new
        return True

    if not rewrite:
        store.edit_container(project, None, change)
        return []
    return apply_changes(store, project, _renamer(old, new), project_change=change)


@dataclass(frozen=True)
class MentionPlace:
    """Where a text mentions an entry: the file (relative to the project), the place and the field."""

    file: str
    where: str
    field: str

    def __str__(self) -> str:
        return f"{self.where} ({self.field})"


def mentioned_in(store: StoreView, project: str, name: str) -> list[MentionPlace]:
    """Every text of the project that mentions ``name``."""

    def probe(text: str) -> str:
        # Any text that mentions the name "changes": the preview then lists exactly those.
        return text + "\x00" if mentions_name(text, name) else text

    return [MentionPlace(c.file, c.where, c.field) for c in preview_changes(store, project, probe)]


def delete_entry(store: Store, project: str, name: str, *, force: bool = False) -> None:
    """Delete an entry (its reference images stay in ``references/`` and in history).

    An entry that is still mentioned is only deleted with ``force``; otherwise ``InvalidDataError``
    says where it is mentioned (the mentions would become unknown names and stop renders).
    """
    if not force:
        places = mentioned_in(store, project, name)
        if places:
            listed = "; ".join(str(p) for p in places[:10])
            more = f" and {len(places) - 10} more" if len(places) > 10 else ""
            raise InvalidDataError(
                [
                    FieldProblem(
                        "name",
                        f"{mention_of(name)} is mentioned in {listed}{more}; "
                        "rewrite those first or delete anyway",
                    )
                ]
            )

    def change(meta: Project) -> bool:
        kind, entry = _entry(meta.bible, name)
        getattr(meta.bible, kind).remove(entry)
        return True

    store.edit_container(project, None, change)


def add_reference(
    store: Store, project: str, name: str, data: bytes, original_name: str
) -> BibleEntry:
    """Add a reference image to an entry; return the entry as saved.

    The file is checked and saved by ``references.save_reference`` (decoded like an uploaded take;
    ``InvalidDataError`` naming the file) as ``references/<entry slug>-<random><suffix>``.
    """
    entry = _entry(store.read_project(project).bible, name)[1]
    saved: list[BibleEntry] = []

    def record(relative: str) -> None:
        def change(meta: Project) -> bool:
            found = _entry(meta.bible, name)[1]
            found.references.append(relative)
            saved.append(found)
            return True

        store.edit_container(project, None, change)

    save_reference(store, project, data, original_name, slugify(entry.name), record)
    return saved[0]


def remove_reference(store: Store, project: str, name: str, reference: str) -> BibleEntry:
    """Take a reference image off an entry (the file stays, so history can bring it back)."""
    saved: list[BibleEntry] = []

    def change(meta: Project) -> bool:
        found = _entry(meta.bible, name)[1]
        if reference not in found.references:
            raise NotFoundError(f"{mention_of(found.name)} has no reference {reference!r}")
        found.references.remove(reference)
        saved.append(found)
        return True

    store.edit_container(project, None, change)
    return saved[0]


__all__ = [
    "MentionPlace",
    "add_entry",
    "add_reference",
    "delete_entry",
    "entry_map",
    "find_entry",
    "mentioned_in",
    "remove_reference",
    "rename_entry",
    "rename_preview",
    "update_entry",
]
