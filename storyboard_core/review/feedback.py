"""Feedback from the offline player: the one-file hand-out's Approve / Retake and notes, imported back.

Each one-file player hand-out gets an export id, recorded in ``settings.json`` (section ``handouts``)
with its project, and a signing key derived from the workspace's secret (HMAC-SHA256 of the export
id): ``handout_feedback`` gives the data the player needs. The player (``assets/player-feedback.js``)
writes a small JSON file::

    {"format": "storyboard-feedback", "version": 1, "reviewer": "Ana", "project": "orage",
     "export": "3f2a…", "exported_at": "…Z",
     "shots": [{"seq": "001", "shot": "shot-…", "verdict": "retake", "note": "…", "take": "renders/…png"}],
     "signature": "<hex>"}

``signature`` is the HMAC-SHA256, with the export's key, of ``signed_text(file)``: the compact JSON
of ``[format, version, reviewer, project, export, [[seq, shot, verdict, note, take], …]]``. It shows
that the file is as the player wrote it: a file edited by hand is refused. The key travels inside
the hand-out, so whoever reads the hand-out's source can sign a changed file: this detects edits,
not a determined forger (the reviewer could as well have written the changed note in the player).

``plan_feedback`` checks a file shot by shot (project, export, signature, shot still there, take
still one of its takes); ``apply_feedback`` adds every comment and verdict (``review.comment_change``)
under the reviewer's name in one batch, and only when the plan has no problem at all: a file is
imported whole or not at all.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..access.links import workspace_secret
from ..errors import FieldProblem, InvalidDataError, NotFoundError
from ..models import AUTHOR_MAX_CHARS, COMMENT_MAX_CHARS, Comment, Shot, now, utc_z
from ..settings import read_section, update_section
from ..store import Store, StoreView
from ..types import LOOSE, JsonDict
from ..validation import validate
from .comments import clean_author, comment_change, takes_of

FORMAT = "storyboard-feedback"
VERSION = 1
SECTION = "handouts"
MAX_BYTES = 2_000_000
_CONTEXT = b"storyboard feedback v1:"
#: The comment written for a verdict given without a note.
VERDICT_TEXT = {
    "approve": "Approved in the offline player",
    "retake": "Retake asked in the offline player",
}


class FeedbackShot(BaseModel):
    """One shot's answer in a feedback file."""

    model_config = ConfigDict(extra="forbid")

    seq: str = Field(min_length=1, max_length=200)
    shot: str = Field(min_length=1, max_length=200)
    verdict: Literal["approve", "retake"] | None = None
    note: str = Field("", max_length=COMMENT_MAX_CHARS)
    take: str = Field("", max_length=1000)


class FeedbackFile(BaseModel):
    """A feedback file as the offline player writes it (see the module docstring)."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["storyboard-feedback"]
    version: Literal[1]
    reviewer: str = Field(min_length=1, max_length=AUTHOR_MAX_CHARS)
    project: str = Field(min_length=1, max_length=200)
    export: str = Field(min_length=1, max_length=100)
    exported_at: str = ""
    shots: list[FeedbackShot] = Field(max_length=5000)
    signature: str = Field(min_length=1, max_length=200)


# ----------------------------------------------------------------------------- at export time
def export_key(workspace: Path, export_id: str) -> str:
    """The key (hex) that signs feedback for hand-out ``export_id`` of ``workspace``."""
    secret = workspace_secret(workspace)
    return hmac.new(secret, _CONTEXT + export_id.encode("utf-8"), hashlib.sha256).hexdigest()


def handout_feedback(
    workspace: Path, project: str, takes: dict[str, str], *, at: datetime | None = None
) -> JsonDict:
    """Record a new one-file hand-out of ``project``; the data its player needs to give feedback.

    ``takes`` maps ``"<seq>/<shot id>"`` to the image path of the frame the hand-out shows.
    """
    export_id = secrets.token_hex(8)
    made = utc_z(at or now())

    def change(raw: Any) -> Any:
        records = dict(raw or {})
        records[export_id] = {"project": project, "made_at": made}
        return records

    update_section(workspace, SECTION, change)
    return {
        "export": export_id,
        "project": project,
        "key": export_key(workspace, export_id),
        "takes": takes,
    }


def signed_text(data: FeedbackFile) -> str:
    """The text the signature covers (the player builds the same with ``JSON.stringify``)."""
    rows = [[s.seq, s.shot, s.verdict, s.note, s.take] for s in data.shots]
    body = [data.format, data.version, data.reviewer, data.project, data.export, rows]
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def sign(key: str, data: FeedbackFile) -> str:
    """The signature of ``data`` with the export key ``key`` (hex)."""
    return hmac.new(
        key.encode("ascii"), signed_text(data).encode("utf-8"), hashlib.sha256
    ).hexdigest()


# ----------------------------------------------------------------------------- at import time
ShotState = Literal["new", "already", "problem"]


@dataclass(frozen=True)
class PlannedShot:
    """What importing one shot's answer would do, or why it cannot."""

    seq: str
    shot: str
    label: str
    verdict: str | None
    text: str
    take: str
    state: ShotState
    problem: str = ""


@dataclass
class FeedbackPlan:
    """A checked feedback file: who, from which hand-out, and shot by shot what it would add."""

    project: str
    reviewer: str
    export: str
    shots: list[PlannedShot] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Problems of the whole file (wrong project or export, signature); the shots' are in ``shots``."""

    @property
    def ok(self) -> bool:
        """Whether the file may be imported (no problem, for the file or any shot)."""
        return not self.problems and all(s.state != "problem" for s in self.shots)

    @property
    def to_add(self) -> list[PlannedShot]:
        """The shots whose comment is not there yet."""
        return [s for s in self.shots if s.state == "new"]

    def as_json(self) -> JsonDict:
        """The plan for ``--json`` output."""
        return {
            "project": self.project,
            "reviewer": self.reviewer,
            "export": self.export,
            "ok": self.ok,
            "problems": self.problems,
            "shots": [vars(s) for s in self.shots],
        }


def _file_problem(message: str) -> InvalidDataError:
    return InvalidDataError([FieldProblem("feedback file", message)])


def parse_feedback(data: bytes | str) -> FeedbackFile:
    """The feedback file in ``data``; ``InvalidDataError`` naming the line or the field."""
    if len(data) > MAX_BYTES:
        raise _file_problem(f"is {len(data):,} bytes; a feedback file has at most {MAX_BYTES:,}")
    try:
        raw = json.loads(data)
    except UnicodeDecodeError:
        raise _file_problem("is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise _file_problem(
            f"is not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    return validate(FeedbackFile, raw, where="feedback file")


def _comment_text(item: FeedbackShot) -> str:
    note = item.note.strip()
    if note:
        return note
    return VERDICT_TEXT[item.verdict] if item.verdict else ""


def _same(comment: Comment, author: str, text: str, verdict: str | None, take: str) -> bool:
    return (comment.author, comment.text, comment.verdict, comment.take) == (
        author,
        text,
        verdict,
        take,
    )


def _plan_shot(store: StoreView, project: str, author: str, item: FeedbackShot) -> PlannedShot:
    text = _comment_text(item)
    seq_id = None if item.seq == LOOSE else item.seq

    def planned(label: str, state: ShotState, problem: str = "") -> PlannedShot:
        return PlannedShot(
            item.seq, item.shot, label, item.verdict, text, item.take, state, problem
        )

    try:
        shot: Shot = store.read_shot(project, seq_id, item.shot)
    except NotFoundError:
        return planned(item.shot, "problem", _gone(item.seq))
    label = f"{item.seq}/{shot.position} {shot.title}".strip()
    if item.take and item.take not in takes_of(shot):
        return planned(
            label, "problem", f"the take it was about ({item.take}) is no longer one of its takes"
        )
    if any(_same(c, author, text, item.verdict, item.take) for c in shot.comments):
        return planned(label, "already")
    return planned(label, "new")


def plan_feedback(store: StoreView, project: str, data: bytes | str) -> FeedbackPlan:
    """Check a feedback file against ``project``: a plan, listing every problem shot by shot.

    ``InvalidDataError`` only when the file is no feedback file at all (not JSON, a field wrong).
    """
    parsed = parse_feedback(data)
    author = clean_author(parsed.reviewer)
    plan = FeedbackPlan(project=project, reviewer=author, export=parsed.export)
    store.project_dir(project)
    if parsed.project != project:
        plan.problems.append(f"this feedback is for project {parsed.project!r}, not {project!r}")
    record = (read_section(store.root, SECTION) or {}).get(parsed.export)
    if not isinstance(record, dict) or record.get("project") != parsed.project:
        plan.problems.append(
            f"hand-out {parsed.export!r} was not made from project {project!r} in this workspace"
        )
    elif not hmac.compare_digest(
        sign(export_key(store.root, parsed.export), parsed), parsed.signature
    ):
        plan.problems.append(
            "the file was changed after the player wrote it (its signature does not match): "
            "ask the reviewer to export their feedback again"
        )
    answered = [s for s in parsed.shots if _comment_text(s)]
    plan.shots = [_plan_shot(store, project, author, item) for item in answered]
    return plan


def apply_feedback(store: Store, project: str, data: bytes | str) -> FeedbackPlan:
    """Import a feedback file: every new comment and verdict, or nothing.

    The file is checked again just before writing, and the comments are written in one batch
    (``Store.change_shots``: every file locked, every shot found and changed, then written), so a
    shot deleted or a take removed meanwhile leaves nothing half-applied. When anything is wrong,
    nothing is written and ``InvalidDataError`` lists each problem (file-wide and shot by shot).
    Returns the plan applied.
    """
    plan = plan_feedback(store, project, data)
    if not plan.ok:
        raise _refused(problem_lines(plan))
    todo = plan.to_add
    changes = {
        (None if item.seq == LOOSE else item.seq, item.shot): comment_change(
            author=plan.reviewer, text=item.text, verdict=item.verdict, take=item.take
        )
        for item in todo
    }
    try:
        store.change_shots(project, changes)
    except NotFoundError:  # deleted after the check: say which, as the check would have
        raise _refused(
            [f"{item.label}: {_gone(item.seq)}" for item in todo if _missing(store, project, item)]
        ) from None
    except InvalidDataError as exc:  # a take removed after the check
        raise _refused([p.message for p in exc.problems]) from None
    return plan


def _refused(lines: list[str]) -> InvalidDataError:
    return InvalidDataError(
        [FieldProblem("file", line) for line in lines],
        where="feedback file (nothing was imported)",
    )


def _gone(seq: str) -> str:
    where = "the loose shots" if seq == LOOSE else f"sequence {seq}"
    return f"no longer in {where}: deleted since"


def _missing(store: StoreView, project: str, item: PlannedShot) -> bool:
    try:
        store.read_shot(project, None if item.seq == LOOSE else item.seq, item.shot)
    except NotFoundError:
        return True
    return False


def problem_lines(plan: FeedbackPlan) -> list[str]:
    """Every problem of ``plan``, the file's first, then shot by shot."""
    return [*plan.problems, *(f"{s.label}: {s.problem}" for s in plan.shots if s.problem)]
