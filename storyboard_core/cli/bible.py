"""``storyboard bible``: the project bible's characters, places, props and styles.

The same calls as the app's Bible page (``storyboard_core.bible.entries``): a rename previews every mention
it rewrites before ``--apply`` writes them; a removal refuses, saying where, while the entry is still
mentioned. An entry is named by its kind and name, so a typo in either is an error, not a guess.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import FieldProblem, InvalidDataError, NotFoundError
from ..types import JsonDict
from .commands import group
from .options import (
    FAILED,
    PROJECT,
    Context,
    arg,
    assignment,
    change_lines,
    complain,
    json_option,
)

if TYPE_CHECKING:
    from ..models import BibleEntry

bible = group(
    "bible",
    help="the project bible: list, add, change, rename, remove entries, add reference images",
    description="The characters, places, props and styles that prompts mention as @Name.",
    example='storyboard bible add l-orage characters "Léa" --description "a woman of 30"',
)


def _kind(parser: argparse.ArgumentParser) -> None:
    from ..models import BIBLE_KINDS

    parser.add_argument("kind", metavar="KIND", help=", ".join(BIBLE_KINDS))


def _only_kind(parser: argparse.ArgumentParser) -> None:
    from ..models import BIBLE_KINDS

    parser.add_argument("--kind", metavar="KIND", help=f"only this kind: {', '.join(BIBLE_KINDS)}")


def _check_kind(kind: str) -> None:
    """Refuse a kind that is none of ``BIBLE_KINDS``, naming the field and the choices."""
    from ..models import BIBLE_KINDS

    if kind not in BIBLE_KINDS:
        choices = ", ".join(BIBLE_KINDS)
        raise InvalidDataError([FieldProblem("kind", f"{kind!r} is none of {choices}")])


def _entry_json(kind: str, entry: BibleEntry) -> JsonDict:
    return {"kind": kind, **entry.model_dump(mode="json")}


def _existing(ctx: Context, name: str) -> tuple[str, BibleEntry]:
    """The entry ``name`` of the kind given on the command line (refused when it is of another)."""
    from ..bible.entries import find_entry
    from ..bible.mentions import mention_of

    kind = ctx.args.kind
    _check_kind(kind)
    found = find_entry(ctx.store.read_project(ctx.args.project).bible, name)
    if found is None:
        raise NotFoundError(f"the bible has no entry {mention_of(name)}")
    if found[0] != kind:
        raise NotFoundError(f"{mention_of(found[1].name)} is in the {found[0]}, not the {kind}")
    return found


@bible.command(
    "list",
    help="list the entries, kind by kind",
    example="storyboard bible list l-orage --kind characters",
    arguments=(
        PROJECT,
        _only_kind,
        json_option(),
    ),
)
def list_entries(ctx: Context) -> int:
    """One line per entry: kind, mention, reference images, description."""
    from ..bible.mentions import mention_of

    kind = ctx.args.kind
    if kind is not None:
        _check_kind(kind)
    entries = [
        (k, e)
        for k, e in ctx.store.read_project(ctx.args.project).bible.entries()
        if kind in (None, k)
    ]
    lines = [
        f"{k}\t{mention_of(e.name)}\t{len(e.references)} reference(s)\t{e.description}"
        for k, e in entries
    ]
    ctx.emit([_entry_json(k, e) for k, e in entries], "\n".join(lines) or "no entries")
    return 0


@bible.command(
    "add",
    help="add an entry",
    example='storyboard bible add l-orage characters "Léa" --description "a woman of 30"',
    arguments=(
        PROJECT,
        _kind,
        arg("name", help="mentioned in prompts as @Name, or @[Two Words]"),
        arg("--description", default="", metavar="TEXT", help="what @Name becomes in a prompt"),
        arg("--negative", default="", metavar="TEXT", help="added to the negative prompt"),
    ),
)
def add(ctx: Context) -> int:
    """Add the entry; print how prompts mention it."""
    from ..bible.entries import add_entry
    from ..bible.mentions import mention_of

    args = ctx.args
    _check_kind(args.kind)
    entry = add_entry(
        ctx.store, args.project, args.kind, args.name, args.description, args.negative
    )
    ctx.emit(_entry_json(args.kind, entry), f"added {mention_of(entry.name)} to the {args.kind}")
    return 0


#: Fields ``bible set`` cannot change, and the command that does.
_ELSEWHERE = {"name": "storyboard bible rename", "references": "storyboard bible reference"}


@bible.command(
    "set",
    help="change an entry's description, negative or kind (moves it)",
    example='storyboard bible set l-orage characters "Léa" negative="long hair" kind=styles',
    arguments=(
        PROJECT,
        _kind,
        arg("name"),
        arg("assignments", nargs="+", metavar="FIELD=VALUE", type=assignment),
    ),
)
def set_fields(ctx: Context) -> int:
    """Change the fields (values are text as typed); print the entry's mention."""
    from ..bible.entries import update_entry
    from ..bible.mentions import mention_of

    args = ctx.args
    fields = dict(item.partition("=")[::2] for item in args.assignments)
    elsewhere = [
        FieldProblem(f, f"change it with `{_ELSEWHERE[f]}`") for f in fields if f in _ELSEWHERE
    ]
    if elsewhere:
        raise InvalidDataError(elsewhere)
    _, entry = _existing(ctx, args.name)
    saved = update_entry(ctx.store, args.project, entry.name, **fields)
    kind = fields.get("kind", args.kind)
    ctx.emit(_entry_json(kind, saved), f"saved {mention_of(saved.name)}")
    return 0


@bible.command(
    "rename",
    help="rename an entry and every mention of it (preview; --apply writes)",
    description="Print every mention of the entry that the rename rewrites, text by text, as the "
    "app's preview does. With --apply, rename it and rewrite them (one write per file, undoable "
    "from history).",
    example='storyboard bible rename l-orage characters "Lea" "Léa" --apply',
    arguments=(
        PROJECT,
        _kind,
        arg("old"),
        arg("new"),
        arg("--apply", action="store_true", help="write the changes"),
    ),
)
def rename(ctx: Context) -> int:
    """The preview, and with ``--apply`` the rename."""
    from ..bible.entries import rename_entry, rename_preview
    from ..bible.mentions import mention_of

    args = ctx.args
    _, entry = _existing(ctx, args.old)
    new = args.new.strip()
    done = rename_entry if args.apply else rename_preview
    changes = done(ctx.store, args.project, entry.name, new)
    label = f"{mention_of(entry.name)} to {mention_of(new)}"
    if args.apply:
        lines = [*change_lines(changes), f"renamed {label}; {len(changes)} text(s) rewritten"]
    elif changes:
        lines = [f"renaming {label} rewrites {len(changes)} text(s):", *change_lines(changes)]
        lines.append("nothing written: run again with --apply to rename")
    else:
        lines = [
            f"renaming {label}: nothing mentions it",
            "nothing written: run again with --apply",
        ]
    data = {"applied": bool(args.apply), "old": entry.name, "new": new}
    ctx.emit({**data, "changes": [asdict(c) for c in changes]}, "\n".join(lines))
    return 0


@bible.command(
    "remove",
    help="remove an entry; refused, saying where, while prompts still mention it",
    description="Remove an entry (its reference images stay in references/ and in history). "
    "While a text still mentions it, print where and change nothing: those mentions would become "
    "unknown names and stop their shots' renders. --force removes it anyway.",
    example='storyboard bible remove l-orage characters "Léa"',
    arguments=(
        PROJECT,
        _kind,
        arg("name"),
        arg("--force", action="store_true", help="remove it even while it is mentioned"),
    ),
)
def remove(ctx: Context) -> int:
    """Remove the entry, or say where it is still mentioned (exit 1)."""
    from ..bible.entries import delete_entry, mentioned_in
    from ..bible.mentions import mention_of

    args = ctx.args
    kind, entry = _existing(ctx, args.name)
    places = mentioned_in(ctx.store, args.project, entry.name)
    lines = [f"{p.file}: {p}" for p in places]
    data = {"kind": kind, "name": entry.name, "mentioned_in": [asdict(p) for p in places]}
    if places and not args.force:
        ctx.emit({**data, "removed": False}, "\n".join(lines))
        complain(
            f"{mention_of(entry.name)} is still mentioned in {len(places)} text(s), listed above; "
            "nothing removed: rewrite those first, or add --force (their shots will not render)"
        )
        return FAILED
    delete_entry(ctx.store, args.project, entry.name, force=True)
    lines.append(f"removed {mention_of(entry.name)} from the {kind}")
    ctx.emit({**data, "removed": True}, "\n".join(lines))
    return 0


@bible.command(
    "reference",
    help="add a reference image to an entry (PNG, JPEG or WebP)",
    description="Check the image as the app checks an upload (decoded; PNG, JPEG or WebP; size "
    "limits) and save it in the project's references/ folder; workflows with a "
    "{{reference_image}} placeholder use it.",
    example='storyboard bible reference l-orage characters "Léa" lea.png',
    arguments=(PROJECT, _kind, arg("name"), arg("image", metavar="IMAGE")),
)
def reference(ctx: Context) -> int:
    """Add the image; print its path in the project."""
    from ..bible.entries import add_reference
    from ..bible.mentions import mention_of
    from ..files import read_bytes

    args = ctx.args
    kind, entry = _existing(ctx, args.name)
    image = Path(args.image)
    saved = add_reference(ctx.store, args.project, entry.name, read_bytes(image), image.name)
    added = saved.references[-1]
    ctx.emit(
        {**_entry_json(kind, saved), "added": added},
        f"added {added} to {mention_of(saved.name)}",
    )
    return 0
