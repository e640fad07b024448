"""The shot list as a spreadsheet: CSV out, and CSV edited in a spreadsheet back in.

Export writes one row per shot with every editable field, the shot's id and sequence (to find it again)
and its ``updated_at`` (to know what the row was edited from). Import never writes before it has shown
what it would do: ``plan_import`` reads the file and compares it with the project, field by field;
``apply_import`` then writes the clean changes, one ``update_shots`` per file (so history can undo each).

A shot changed in the project since the export follows the shot editor's rule: if the fields changed
on both sides differ, the shot is refused with both values; if they don't overlap, the row's changes
merge. What the shot was at export time is found in the file's history by its ``updated_at``.

Spreadsheets in French locales save ``;``-separated files with ``,`` decimals, a BOM and CRLF line ends:
all of these are read.

>>> plan = plan_import(store, "orage", path.read_bytes())          # doctest: +SKIP
>>> print(plan.describe())                                           # doctest: +SKIP
>>> apply_import(store, plan)                                        # doctest: +SKIP
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .errors import InvalidDataError, StoryboardError
from .files import FileArea, read_bytes
from .models import Project, Sequence, Shot, to_json_dict
from .paths import PROJECT_FILE, sequence_file
from .store import Store, StoreView, parse_model
from .types import LOOSE
from .validation import validate

if TYPE_CHECKING:
    import pandas as pd

#: In the ``sequence`` column, ``-`` stands for the loose shots kept in ``project.json``.
GENERATION_COLUMNS = (
    "checkpoint",
    "steps",
    "cfg_scale",
    "sampler",
    "scheduler",
    "seed",
    "width",
    "height",
    "denoise",
)
SHOT_COLUMNS = (
    "title",
    "description",
    "duration",
    "shot_type",
    "camera_movement",
    "status",
    "prompt",
    "negative_prompt",
    "notes",
    "dialogue",
    "speaker",
)
#: Every column an export writes, in order. ``sequence``, ``position``, ``id`` and ``updated_at`` say
#: which shot a row is and what it was; the others are the fields an import may change.
COLUMNS = ("sequence", "position", "id", *SHOT_COLUMNS, *GENERATION_COLUMNS, "updated_at")
EDITABLE = frozenset(SHOT_COLUMNS + GENERATION_COLUMNS)
#: Columns an import reads but never writes (moving shots is done in the app, not by a spreadsheet).
INFORMATIVE = frozenset({"sequence", "position", "updated_at"})
_DECIMAL = frozenset({"duration", "cfg_scale", "denoise"})
MAX_CSV_BYTES = 20 * 2**20


def _cell(shot: Shot, column: str) -> Any:
    if column in GENERATION_COLUMNS:
        return getattr(shot.generation, column)
    return getattr(shot, column)


def _rows(shots_by_sequence: Iterable[tuple[str, list[Shot]]]) -> list[dict[str, Any]]:
    rows = []
    for seq, shots in shots_by_sequence:
        for shot in shots:
            row: dict[str, Any] = {"sequence": seq, "position": shot.position, "id": shot.id}
            row |= {c: _cell(shot, c) for c in SHOT_COLUMNS + GENERATION_COLUMNS}
            row["updated_at"] = to_json_dict(shot)["updated_at"]
            rows.append(row)
    return rows


def shot_list_csv(shots_by_sequence: Iterable[tuple[str, list[Shot]]]) -> bytes:
    """The shots as CSV: UTF-8 with a BOM (so spreadsheets read accents right), one row per shot.

    ``shots_by_sequence`` pairs a sequence id (``-`` for loose shots) with its shots, in order.
    """
    import pandas as pd  # here, not at the top: pandas costs ~0.3 s to import

    table = pd.DataFrame(_rows(shots_by_sequence), columns=list(COLUMNS))
    return table.to_csv(index=False).encode("utf-8-sig")


def project_csv(store: StoreView, project: str, seq_ids: list[str] | None = None) -> bytes:
    """A project's shot list as CSV: the chosen sequences (default: all, then the loose shots)."""
    if seq_ids is None:
        readable = [s.id for s in store.list_sequences(project) if not s.error]
        parts = [(seq, store.read_shots(project, seq)) for seq in readable]
        parts.append((LOOSE, store.read_shots(project, None)))
    else:
        parts = [(seq, store.read_shots(project, None if seq == LOOSE else seq)) for seq in seq_ids]
    return shot_list_csv(parts)


# -- reading a file a spreadsheet saved ------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """Something wrong with one cell or row: the spreadsheet's row number (the header is row 1)."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class FieldChange:
    """One field of one shot that the import changes."""

    column: str
    old: Any
    new: Any

    def __str__(self) -> str:
        return f"{self.column}: {self.old!r} → {self.new!r}"


@dataclass(frozen=True)
class ShotChange:
    """The changes one row makes to one shot, and what the shot was when the plan was made."""

    row: int
    seq_id: str | None
    shot_id: str
    title: str
    changes: tuple[FieldChange, ...]
    base_updated_at: datetime


@dataclass(frozen=True)
class Clash:
    """A field changed both in the project since the export and in the file: both values."""

    row: int
    shot_id: str
    column: str
    in_file: Any
    in_project: Any

    def __str__(self) -> str:
        return (
            f"row {self.row}, column {self.column}: shot {self.shot_id} changed since the export; "
            f"the file says {self.in_file!r}, the project now says {self.in_project!r}"
        )


@dataclass
class ImportPlan:
    """What an import would do: the changes, and everything it refuses or ignores, with reasons."""

    project: str
    changes: list[ShotChange] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    clashes: list[Clash] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    unknown_ids: list[RowProblem] = field(default_factory=list)
    notes: list[RowProblem] = field(default_factory=list)  # read but not applied (a new position…)
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        """True when every row can be applied as it is (nothing refused)."""
        return not (self.problems or self.clashes or self.unknown_ids)

    def field_count(self) -> int:
        """How many fields the plan changes, over all shots."""
        return sum(len(c.changes) for c in self.changes)

    def describe(self) -> str:
        """The plan as plain text, shot by shot and field by field, for the CLI."""
        lines = [
            f"{len(self.changes)} shot(s) change, {self.field_count()} field(s); "
            f"{self.unchanged} unchanged"
        ]
        for change in self.changes:
            lines.append(f"row {change.row}: {change.shot_id} {change.title!r}")
            lines += [f"    {c}" for c in change.changes]
        sections: list[tuple[str, list[Any]]] = [
            ("refused, changed since the export", self.clashes),
            ("errors", self.problems),
            ("unknown shots", self.unknown_ids),
            ("not applied", self.notes),
        ]
        for title, items in sections:
            if items:
                lines.append(f"{title}:")
                lines += [f"    {item}" for item in items]
        if self.unknown_columns:
            lines.append("ignored columns: " + ", ".join(self.unknown_columns))
        return "\n".join(lines)


def plan_json(plan: ImportPlan) -> dict[str, Any]:
    """The plan as JSON data (``storyboard --json import-csv``)."""
    return {
        "project": plan.project,
        "ok": plan.ok,
        "changes": [
            {
                "row": c.row,
                "sequence": c.seq_id or LOOSE,
                "id": c.shot_id,
                "title": c.title,
                "fields": [{"column": f.column, "old": f.old, "new": f.new} for f in c.changes],
            }
            for c in plan.changes
        ],
        "refused": [
            {
                "row": c.row,
                "id": c.shot_id,
                "column": c.column,
                "file": c.in_file,
                "project": c.in_project,
            }
            for c in plan.clashes
        ],
        "errors": [asdict(p) for p in plan.problems],
        "unknown_ids": [asdict(p) for p in plan.unknown_ids],
        "not_applied": [asdict(p) for p in plan.notes],
        "unknown_columns": plan.unknown_columns,
        "unchanged": plan.unchanged,
    }


def _decode(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidDataError(
            [],
            where=(
                f"the file is not UTF-8 text (byte {exc.start}); in the spreadsheet, save it as "
                "“CSV UTF-8”"
            ),
        ) from exc
    return text


def _separator(text: str) -> str:
    header = text.split("\n", 1)[0]
    # The header holds only column names: whichever of the two separators it uses more is the one.
    return ";" if header.count(";") > header.count(",") else ","


def read_table(raw: bytes) -> tuple[pd.DataFrame, str]:
    """Parse CSV bytes as a spreadsheet saved them: every cell as text; and the separator found."""
    if len(raw) > MAX_CSV_BYTES:
        raise InvalidDataError(
            [], where=f"the file is {len(raw) / 2**20:.0f} MB; a shot list CSV is at most 20 MB"
        )
    # Windows line ends, also inside quoted cells (a multi-line prompt), read as plain newlines.
    text = _decode(raw).replace("\r\n", "\n")
    if not text.strip():
        raise InvalidDataError([], where="the file is empty")
    sep = _separator(text)
    import pandas as pd  # here, not at the top: pandas costs ~0.3 s to import

    try:
        table = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=True
        )
    except (pd.errors.ParserError, csv.Error) as exc:
        raise InvalidDataError([], where=f"the file is not a readable CSV: {exc}") from exc
    table.columns = [str(c).strip() for c in table.columns]
    if "id" not in table.columns:
        raise InvalidDataError(
            [], where="the file has no “id” column: export the shot list first, edit it, import it"
        )
    return table, sep


# -- comparing it with the project -------------------------------------------------------------------


def _normalise(column: str, text: str, decimal_comma: bool) -> str:
    text = (
        text.strip()
        if column not in ("prompt", "negative_prompt", "notes", "description", "dialogue")
        else text
    )
    if decimal_comma and column in _DECIMAL:
        text = text.replace(",", ".")
    return text


def _patch(row: dict[str, str], columns: list[str], decimal_comma: bool) -> dict[str, Any]:
    patch: dict[str, Any] = {}
    generation: dict[str, Any] = {}
    for column in columns:
        value = _normalise(column, row[column], decimal_comma)
        if column in GENERATION_COLUMNS:
            generation[column] = value
        else:
            patch[column] = value
    if generation:
        patch["generation"] = generation
    return patch


def _column_of(field_name: str) -> str:
    # A pydantic location such as ``generation.steps`` names the column ``steps``.
    return field_name.removeprefix("generation.")


def _hint(column: str, text: str) -> str:
    if "e+" in text.lower() and column in ("seed", "steps", "width", "height"):
        return "; the spreadsheet wrote it in scientific notation: format the column as text"
    return ""


# Stands for "the shot as exported" when history no longer has it.
_UNKNOWN = Shot(id="unknown")


def _exported_version(
    store: Store, project: str, seq_id: str | None, shot_id: str, stamp: datetime
) -> Shot | None:
    """The shot as it was when it had ``updated_at == stamp``, from the file's history, if still kept."""
    file = PROJECT_FILE if seq_id is None else sequence_file(seq_id)
    history = FileArea(store.project_dir(project)).history_dir(file)
    for version in store.list_versions(project, file):
        path = history / f"{version.id}.json"
        try:
            raw = read_bytes(path)
            container: Project | Sequence = (
                parse_model(Project, raw, path)
                if seq_id is None
                else parse_model(Sequence, raw, path)
            )
        except StoryboardError:
            continue  # a broken or vanished old version cannot tell us anything
        for shot in container.shots:
            if shot.id == shot_id and shot.updated_at == stamp:
                return shot
    return None


def _locate(store: StoreView, project: str) -> dict[str, tuple[str | None, Shot]]:
    """Every shot of the project by id, with the sequence id it is in (``None``: loose)."""
    found: dict[str, tuple[str | None, Shot]] = {}
    for summary in store.list_sequences(project):
        if summary.error:
            continue
        for shot in store.read_shots(project, summary.id):
            found.setdefault(shot.id, (summary.id, shot))
    for shot in store.read_shots(project, None):
        found.setdefault(shot.id, (None, shot))
    return found


def plan_import(store: Store, project: str, raw: bytes) -> ImportPlan:
    """Compare a CSV shot list with the project and say, field by field, what importing it would do.

    Nothing is written. Raises ``InvalidDataError`` when the file as a whole cannot be read (not
    UTF-8, not CSV, no ``id`` column); problems with single rows are in the plan.
    """
    table, sep = read_table(raw)
    plan = ImportPlan(project)
    known = set(COLUMNS)
    plan.unknown_columns = [c for c in table.columns if c not in known]
    editable = [c for c in table.columns if c in EDITABLE]
    shots = _locate(store, project)
    seen: dict[str, int] = {}
    for n, record in enumerate(table.to_dict("records"), start=2):
        row = {str(k): str(v) for k, v in record.items()}
        shot_id = row["id"].strip()
        if not shot_id:
            plan.problems.append(RowProblem(n, "id", "is empty: which shot is this row?"))
            continue
        if shot_id in seen:
            plan.problems.append(
                RowProblem(
                    n, "id", f"{shot_id} is also on row {seen[shot_id]}; keep one row a shot"
                )
            )
            continue
        seen[shot_id] = n
        if shot_id not in shots:
            plan.unknown_ids.append(RowProblem(n, "id", f"no shot {shot_id} in project {project}"))
            continue
        seq_id, current = shots[shot_id]
        _plan_row(store, plan, n, row, editable, seq_id, current, decimal_comma=sep == ";")
    return plan


def _plan_row(
    store: Store,
    plan: ImportPlan,
    n: int,
    row: dict[str, str],
    editable: list[str],
    seq_id: str | None,
    current: Shot,
    *,
    decimal_comma: bool,
) -> None:
    if "position" in row and row["position"].strip() not in ("", str(current.position)):
        plan.notes.append(
            RowProblem(n, "position", "shots are moved in the app, not by import: position kept")
        )
    merged = to_json_dict(current)
    patch = _patch(row, editable, decimal_comma)
    for key, value in patch.items():
        merged[key] = {**merged[key], **value} if key == "generation" else value
    try:
        edited = validate(Shot, merged)
    except InvalidDataError as exc:
        for p in exc.problems:
            column = _column_of(p.field)
            hint = _hint(column, row.get(column, ""))
            plan.problems.append(RowProblem(n, column, p.message + hint))
        return
    base = current
    exported = row.get("updated_at", "").strip()
    if exported:
        try:
            stamp = validate(Shot, {"id": current.id, "updated_at": exported}).updated_at
        except InvalidDataError:
            plan.problems.append(RowProblem(n, "updated_at", f"{exported!r} is not a time"))
            return
        if stamp != current.updated_at:
            # What the row was edited from; unknown (history pruned): every difference may clash.
            base = _exported_version(store, plan.project, seq_id, current.id, stamp) or _UNKNOWN
    # What the spreadsheet changed: cells that differ from the shot as it was exported.
    mine = [c for c in editable if base is _UNKNOWN or _cell(edited, c) != _cell(base, c)]
    mine = [c for c in mine if _cell(edited, c) != _cell(current, c)]
    if not mine:
        plan.unchanged += 1
        return
    theirs = (
        set(editable)
        if base is _UNKNOWN
        else {c for c in editable if _cell(base, c) != _cell(current, c)}
    )
    clashing = [c for c in mine if c in theirs]
    if clashing:
        plan.clashes += [
            Clash(n, current.id, c, _cell(edited, c), _cell(current, c)) for c in clashing
        ]
        return
    changes = tuple(FieldChange(c, _cell(current, c), _cell(edited, c)) for c in mine)
    plan.changes.append(
        ShotChange(n, seq_id, current.id, current.title, changes, current.updated_at)
    )


def apply_import(
    store: Store, plan: ImportPlan, *, on_progress: Callable[[int, int], None] | None = None
) -> list[Shot]:
    """Write the plan's changes: one ``update_shots`` per file, each all or nothing.

    Each shot is written only if it is still as the plan saw it; otherwise ``ConflictError`` (nothing
    of that file written). Rows the plan refused are not touched. Returns the saved shots.
    """
    by_file: dict[str | None, list[ShotChange]] = {}
    for change in plan.changes:
        by_file.setdefault(change.seq_id, []).append(change)
    saved: list[Shot] = []
    for done, (seq_id, changes) in enumerate(by_file.items(), start=1):
        patches: dict[str, dict[str, Any]] = {}
        for change in changes:
            patch: dict[str, Any] = {}
            for c in change.changes:
                if c.column in GENERATION_COLUMNS:
                    patch.setdefault("generation", {})[c.column] = c.new
                else:
                    patch[c.column] = c.new
            patches[change.shot_id] = patch
        bases = {c.shot_id: c.base_updated_at for c in changes}
        saved += store.update_shots(plan.project, seq_id, patches, bases=bases)
        if on_progress is not None:
            on_progress(done, len(by_file))
    return saved


__all__ = [
    "COLUMNS",
    "Clash",
    "FieldChange",
    "ImportPlan",
    "RowProblem",
    "ShotChange",
    "apply_import",
    "plan_import",
    "plan_json",
    "project_csv",
    "read_table",
    "shot_list_csv",
]
