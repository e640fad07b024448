"""Review: a thread of comments and verdicts on each shot, and a summary of where a review stands.

A comment is only ever added or resolved, never rewritten, and each change is one read-modify-write of
the shot inside its file's lock (``Store.change_shot``), so two people commenting at once keep both
comments. A comment alone does not stamp the shot's ``updated_at``: someone editing the shot's prompt
meanwhile saves without a conflict. A verdict changes the shot's status in the same write (approve ->
approved, retake -> rejected), and that does stamp it, as any status change does.

>>> comment = add_comment(store, "orage", "001", shot_id, author="Ana", text="Too dark", verdict="retake")  # doctest: +SKIP
>>> print(summary_markdown(review_summary(store, "orage")))              # doctest: +SKIP
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from ..errors import BrokenFileError, FieldProblem, InvalidDataError, NotFoundError
from ..models import (
    AUTHOR_MAX_CHARS,
    COMMENT_MAX_CHARS,
    SHOT_STATUSES,
    VERDICT_STATUS,
    VERDICTS,
    Comment,
    Shot,
    now,
    to_json_dict,
    utc_z,
)
from ..store import ShotChanger, StoreView
from ..summaries import ShotCounts
from ..takes import takes
from ..types import LOOSE_LABEL, Patch
from ..validation import validate
from .drawing import Drawing

_SPACES = re.compile(r"\s+")


def new_comment_id() -> str:
    """A fresh comment id: ``comment-`` and 48 random bits."""
    return f"comment-{secrets.token_hex(6)}"


def _checked(
    field: str, cleaned: str, given: str, *, empty: str, limit: int, what: str, advice: str = ""
) -> str:
    """``cleaned`` if it is neither empty nor longer than ``limit``; else a message on ``field``."""
    if not cleaned:
        problem = FieldProblem(field, empty, given)
    elif len(cleaned) > limit:
        # The length and the limit, never a cut: the person decides what to drop.
        problem = FieldProblem(
            field,
            f"is {len(cleaned):,} characters long; {what} can have at most {limit:,} characters"
            + advice,
        )
    else:
        return cleaned
    raise InvalidDataError([problem], where="comment")


def clean_author(name: str) -> str:
    """An author name trimmed, with runs of spaces (and line breaks) made one space.

    Raises ``InvalidDataError`` on the ``author`` field when it is empty or longer than the limit.
    """
    return _checked(
        "author",
        _SPACES.sub(" ", name).strip(),
        name,
        empty="is required: say who is commenting",
        limit=AUTHOR_MAX_CHARS,
        what="a name",
    )


def clean_text(text: str) -> str:
    """A comment's text trimmed, line endings made ``\\n``.

    Raises ``InvalidDataError`` on the ``text`` field when it is empty, only whitespace, or longer than
    the limit (the message gives both the limit and the length: a long text is never cut).
    """
    return _checked(
        "text",
        text.replace("\r\n", "\n").replace("\r", "\n").strip(),
        text,
        empty="is empty: write what the comment says",
        limit=COMMENT_MAX_CHARS,
        what="a comment",
        advice=": shorten it or split it into several comments",
    )


def takes_of(shot: Shot) -> list[str]:
    """The image paths of the shot's takes, oldest first (the current frame among them)."""
    return [t.image for t in takes(shot)]


def add_comment(
    store: ShotChanger,
    project: str,
    seq_id: str | None,
    shot_id: str,
    *,
    author: str,
    text: str,
    verdict: str | None = None,
    take: str | None = None,
    drawing: Drawing | Mapping[str, Any] | None = None,
) -> Comment:
    """Add a comment to a shot's thread and return it.

    ``verdict`` "approve" sets the shot's status to approved, "retake" to rejected, in the same write.
    ``take`` is the image path of the take the comment is about: by default the current frame (empty
    when the shot has none); another path must be one of the shot's takes. Raises ``InvalidDataError``
    naming the field (author, text, verdict, take, drawing); nothing is written then. ``drawing``
    (strokes drawn on the frame, see ``storyboard_core.review.drawing``) is kept with the comment.
    """
    change = comment_change(author=author, text=text, verdict=verdict, take=take, drawing=drawing)
    return store.change_shot(project, seq_id, shot_id, change).comments[-1]


def comment_change(
    *,
    author: str,
    text: str,
    verdict: str | None = None,
    take: str | None = None,
    drawing: Drawing | Mapping[str, Any] | None = None,
) -> Callable[[Shot], Patch]:
    """The change (for ``change_shot`` / ``change_shots``) that adds one comment, as ``add_comment``.

    The fields are checked at once (``InvalidDataError``); the take when the shot is read.
    """
    problems: list[FieldProblem] = []
    fields: dict[str, str] = {}
    for name, value, clean in (("author", author, clean_author), ("text", text, clean_text)):
        try:
            fields[name] = clean(value)
        except InvalidDataError as exc:
            problems += exc.problems
    if verdict is not None and verdict not in VERDICTS:
        problems.append(
            FieldProblem("verdict", f"{verdict!r} is not allowed; one of {', '.join(VERDICTS)}")
        )
    if problems:
        raise InvalidDataError(problems, where="comment")
    marks = {} if drawing is None else {"drawing": _plain(drawing)}

    def change(shot: Shot) -> Patch:
        chosen = (shot.render.image if shot.render else "") if take is None else take
        if chosen and chosen not in takes_of(shot):
            raise InvalidDataError(
                [FieldProblem("take", f"{chosen!r} is not a take of shot {shot.id}", chosen)],
                where="comment",
            )
        comment = validate(
            Comment,
            {"id": new_comment_id(), **fields, "verdict": verdict, "take": chosen, **marks},
            where="comment",
        )
        patch: dict[str, Any] = {"comments": [to_json_dict(c) for c in [*shot.comments, comment]]}
        if verdict is not None:
            patch["status"] = VERDICT_STATUS[verdict]
        return patch

    return change


def _plain(drawing: Drawing | Mapping[str, Any]) -> dict[str, Any]:
    return to_json_dict(drawing) if isinstance(drawing, Drawing) else dict(drawing)


def resolve_comment(
    store: ShotChanger,
    project: str,
    seq_id: str | None,
    shot_id: str,
    comment_id: str,
    *,
    resolved_by: str,
) -> Comment:
    """Mark one comment resolved by ``resolved_by`` now, and return it.

    A comment already resolved stays as it was (the first resolution is the one kept): two people
    resolving it at once both succeed. ``NotFoundError`` when the shot has no such comment.
    """
    who = clean_author(resolved_by)
    found: list[Comment] = []

    def change(shot: Shot) -> Patch:
        for comment in shot.comments:
            if comment.id == comment_id:
                found.append(comment)
                if comment.resolved:
                    return {}  # nothing to write
                comment.resolved = True
                comment.resolved_by = who
                comment.resolved_at = now()
                return {"comments": [to_json_dict(c) for c in shot.comments]}
        raise NotFoundError(f"no comment {comment_id} on shot {shot.id}")

    store.change_shot(project, seq_id, shot_id, change)
    return found[0]


def open_comments(shot: Shot) -> list[Comment]:
    """The shot's comments that are not resolved, oldest first."""
    return [c for c in shot.comments if not c.resolved]


# ------------------------------------------------------------------------------------------ summary
@dataclass(frozen=True)
class ShotRef:
    """Which shot a summary line is about: its sequence, place and title."""

    seq_id: str | None
    seq_name: str
    shot_id: str
    position: int
    title: str

    @property
    def label(self) -> str:
        """``Sequence 1 · #2 Storm`` (plain text: escape it before showing it as Markdown)."""
        return f"{self.seq_name} · #{self.position} {self.title or self.shot_id}"


@dataclass(frozen=True)
class Retake:
    """A shot to retake (status rejected) and its open comments."""

    shot: ShotRef
    open_comments: tuple[Comment, ...]


@dataclass(frozen=True)
class Remark:
    """One comment and the shot it was made on."""

    shot: ShotRef
    comment: Comment


@dataclass(frozen=True)
class ReviewSummary:
    """Where a review of a project or a sequence stands."""

    project: str
    project_name: str
    seq_id: str | None  # None: the whole project
    scope: str  # the project's name, or the sequence's
    shots: int
    counts: dict[str, int]  # shots by status, every status present
    retakes: tuple[Retake, ...]
    remarks: tuple[Remark, ...]  # who said what and when, oldest first
    broken: tuple[str, ...] = ()  # sequence files that could not be read (left out)
    generated_at: datetime = field(default_factory=now)

    @property
    def open_comments(self) -> int:
        """How many comments are not resolved."""
        return sum(not r.comment.resolved for r in self.remarks)

    def as_json(self) -> dict[str, Any]:
        """The summary as plain JSON data (comments as they are on disk, each with its shot)."""
        return {
            "project": self.project,
            "project_name": self.project_name,
            "sequence": self.seq_id,
            "scope": self.scope,
            "shots": self.shots,
            "counts": self.counts,
            "open_comments": self.open_comments,
            "retakes": [
                {
                    "shot": asdict(r.shot),
                    "open_comments": [to_json_dict(c) for c in r.open_comments],
                }
                for r in self.retakes
            ],
            "comments": [{"shot": asdict(r.shot), **to_json_dict(r.comment)} for r in self.remarks],
            "broken": list(self.broken),
            "generated_at": utc_z(self.generated_at),
        }


def review_summary(store: StoreView, project: str, seq_id: str | None = None) -> ReviewSummary:
    """Counts by status, the shots to retake with their open comments, and every comment, in time order.

    ``seq_id`` narrows it to one sequence; without it the whole project (loose shots first, then the
    sequences in order; a sequence file that cannot be read is listed in ``broken``).
    """
    meta = store.read_project(project)
    groups: list[tuple[str | None, str, list[Shot]]] = []
    broken: list[str] = []
    if seq_id is not None:
        seq = store.read_sequence(project, seq_id)
        groups.append((seq.id, seq.name, seq.shots))
    else:
        if meta.shots:
            groups.append((None, LOOSE_LABEL, meta.shots))
        for summary in store.list_sequences(project):
            if summary.error:
                broken.append(f"{summary.file}: {summary.error}")
                continue
            try:
                seq = store.read_sequence(project, summary.id)
            except (BrokenFileError, NotFoundError) as exc:
                broken.append(f"{summary.file}: {exc}")
                continue
            groups.append((seq.id, seq.name, seq.shots))
    retakes: list[Retake] = []
    remarks: list[Remark] = []
    every: list[Shot] = []
    for group_id, group_name, shots in groups:
        for shot in shots:
            every.append(shot)
            ref = ShotRef(group_id, group_name, shot.id, shot.position, shot.title)
            if shot.status == "rejected":
                retakes.append(Retake(ref, tuple(open_comments(shot))))
            remarks += [Remark(ref, c) for c in shot.comments]
    remarks.sort(key=lambda r: r.comment.created_at)
    counts = ShotCounts.of(every)
    return ReviewSummary(
        project=project,
        project_name=meta.name,
        seq_id=seq_id,
        scope=meta.name if seq_id is None else groups[0][1],
        shots=counts.shots,
        counts={s: counts.status_counts.get(s, 0) for s in SHOT_STATUSES},
        retakes=tuple(retakes),
        remarks=tuple(remarks),
        broken=tuple(broken),
    )


# ----------------------------------------------------------------------------------------- Markdown
# Every ASCII punctuation mark may be backslash-escaped in CommonMark, and an escaped mark is always
# literal; ``@`` too, so that no e-mail address becomes a link.
_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


def markdown_literal(text: str) -> str:
    """``text`` as literal Markdown: no link, image, HTML, emphasis or heading can come out of it.

    Line breaks are kept as hard breaks, so a line of the text never starts a block of its own.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\\\n".join(_MARKDOWN_SPECIAL.sub(r"\\\1", line).strip() for line in lines)


def when(stamp: datetime) -> str:
    """A time as a summary shows it: ``2026-12-01 20:15 UTC``."""
    return utc_z(stamp)[:16].replace("T", " ") + " UTC"


VERDICT_WORDS = {"approve": "✅ Approve", "retake": "⛔ Retake"}


def remark_markdown(comment: Comment) -> str:
    """One comment as a line of Markdown: who, when, the verdict, the text, the take, resolved or not."""
    parts = [f"**{markdown_literal(comment.author)}**", when(comment.created_at)]
    if comment.verdict:
        parts.append(VERDICT_WORDS[comment.verdict])
    line = " · ".join(parts) + ": " + markdown_literal(comment.text)
    if comment.take:
        line += f" *(take {markdown_literal(comment.take)})*"
    if comment.resolved:
        by = markdown_literal(comment.resolved_by or "someone")
        at = f" {when(comment.resolved_at)}" if comment.resolved_at else ""
        line += f" — resolved by {by}{at}"
    return line


def summary_markdown(summary: ReviewSummary, drawings: Mapping[str, str] | None = None) -> str:
    """The summary as a Markdown document; every text from the files is escaped (no links, no HTML).

    ``drawings`` (comment id -> a ``data:`` URI, see ``drawing_image.summary_drawings``) puts each
    comment's annotated frame under it as an image: inline, so the one file stays whole.
    """
    drawings = drawings or {}
    title = markdown_literal(summary.project_name)
    if summary.seq_id is not None:
        title += f" · {markdown_literal(summary.scope)}"
    out = [
        f"# Review: {title}",
        "",
        f"{summary.shots} shots · open comments: {summary.open_comments} · "
        f"comments in all: {len(summary.remarks)} · generated {when(summary.generated_at)}",
        "",
        "| Status | Shots |",
        "|---|---:|",
        *(f"| {status} | {n} |" for status, n in summary.counts.items()),
        "",
        f"## To retake ({len(summary.retakes)})",
        "",
    ]
    if not summary.retakes:
        out += ["No shot to retake.", ""]
    for item in summary.retakes:
        out.append(f"### {markdown_literal(item.shot.label)}")
        out.append("")
        out += [f"- {remark_markdown(c)}" for c in item.open_comments] or ["- no open comment"]
        out.append("")
    out += ["## Comments", ""]
    if not summary.remarks:
        out += ["No comments yet.", ""]
    for r in summary.remarks:
        out.append(f"- {markdown_literal(r.shot.label)} — {remark_markdown(r.comment)}")
        if r.comment.id in drawings:
            out += ["", f"  ![Drawing on the frame]({drawings[r.comment.id]})", ""]
    if summary.broken:
        out += ["", "## Files left out (they cannot be read)", ""]
        out += [f"- {markdown_literal(b)}" for b in summary.broken]
    return "\n".join(out).rstrip("\n") + "\n"
