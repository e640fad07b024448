"""Import a StoryCore Creative Studio project folder as a new project of the workspace.

The folder is only read. Every copy of every shot is collected (project.json or storyboard.json,
each sequence file, each ``shots/`` file) and merged into one shot per shot (``copies``); the
shots are regrouped by the sequence they name, in StoryCore's order. The project is built in memory and written by ``Store.add_project`` (a hidden folder renamed into
place), so a failure at any point leaves nothing behind.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ..errors import ImportRefusedError
from ..formats import CUSTOM, FORMATS
from ..models import Project, Sequence, Shot, now
from ..paths import slugify
from ..store import Store
from ..validation import validate
from .copies import Merged, merge_copies
from .fields import DEFAULT_FPS, MISSING, get_path, number
from .reader import SourceFolder
from .report import Change, FileIssue, ImportReport, SequenceCount, ShotSource
from .shapes import (
    Collected,
    SequenceDef,
    add_project_file,
    add_sequence_file,
    is_storyboard_studio,
    is_storycore,
    plan_fps,
    project_shape,
    shot_list,
    timestamp,
    without,
)

NAME_MAX = 200
#: The Python engine names a project ``storycore_<name>`` in ``project_id`` and nowhere else.
ENGINE_ID_PREFIX = "storycore_"


def import_storycore(store: Store, folder: Path | str, *, name: str | None = None) -> ImportReport:
    """Import the StoryCore project in ``folder`` as a new project of ``store``'s workspace.

    ``name`` replaces the project's own name. The new project gets a unique folder (``orage-2``
    when ``orage`` exists; the report says so). Raises ``NotFoundError`` for a folder that does not
    exist and ``ImportRefusedError`` for one that is not a StoryCore project, has no shots or whose
    project.json cannot be read; nothing is written then. Files that cannot be read otherwise are
    listed in the report's ``unreadable``.
    """
    src = SourceFolder(folder)
    report = ImportReport(source=str(src.root))
    data = _read_project(src)
    report.shape = project_shape(data) if data else "P4"
    found = _collect(src, data, report)
    if not found.copies:
        unread = "".join(f"; {issue} (not read)" for issue in src.issues)
        raise ImportRefusedError(
            f"{src.root}: no shots in project.json, storyboard.json, sequences/ or shots/"
            f"{unread}; nothing was imported"
        )
    fps = plan_fps(data) or DEFAULT_FPS
    shots = merge_copies(found.copies, fps, report)
    sequences, loose = _regroup(found.sequences, shots, report)
    fields = _project_fields(data, src, name, report)
    fields["shots"] = loose
    fields["storycore"] = {"source": str(src.root), "shape": report.shape, "files": found.files}
    meta = validate(Project, fields, where="project.json")
    taken = {p.id: p.name for p in store.list_projects()}
    project = store.add_project(meta, sequences)
    report.project_id, report.project_name = project.id, project.name
    report.loose_shots = len(loose)
    if not sequences:
        report.notes.append(f"no StoryCore sequences: the {len(loose)} shots are loose shots")
    _say_name(report, project, taken)
    return report


def _collect(src: SourceFolder, data: dict[str, Any], report: ImportReport) -> Collected:
    """Every shot copy and sequence definition of every file; what could not be read, reported."""
    found = Collected()
    if data:
        add_project_file(found, data, report.shape)
    if src.exists("storyboard.json"):
        board = src.read("storyboard.json")
        if isinstance(board, dict | list):
            found.add_shots(shot_list(board), "storyboard.json", "project")
            if isinstance(board, dict):
                found.files["storyboard.json"] = without(board, "shots")
        elif board is not None:
            src.issues.append(
                FileIssue("storyboard.json", f"is a JSON {type(board).__name__}, not a storyboard")
            )
    for rel in src.json_files("sequences"):
        if not Path(rel).name.startswith("sequence_"):
            report.notes.append(
                f"{rel}: not named sequence_*.json, so not a sequence file; not read"
            )
            continue
        raw = src.read(rel)
        if raw is not None and (issue := add_sequence_file(found, raw, rel)) is not None:
            src.issues.append(issue)
    for rel in src.json_files("shots"):
        raw = src.read(rel)
        if isinstance(raw, dict):
            found.add_shots([raw], rel, "shots")
        elif raw is not None:
            found.dropped.append(f"{rel}: is a JSON {type(raw).__name__}, not a shot")
    report.unreadable = list(src.issues)
    report.dropped = list(found.dropped)
    return found


def _read_project(src: SourceFolder) -> dict[str, Any]:
    if not src.exists("project.json"):
        if src.exists("storyboard.json"):
            return {}  # a Python-engine project missing its project.json: its shots are enough
        raise ImportRefusedError(
            f"{src.root} is not a StoryCore project: it has no project.json; nothing was imported"
        )
    data = src.read_required("project.json")
    if is_storyboard_studio(data):
        raise ImportRefusedError(
            f"{src.root}/project.json is already a Storyboard Studio project, not a StoryCore one: "
            "copy its folder into the workspace instead; nothing was imported"
        )
    if not is_storycore(data):
        raise ImportRefusedError(
            f"{src.root}/project.json is not a StoryCore project file (none of project_name, "
            "project_id, metadata, shots, storyboard); nothing was imported"
        )
    assert isinstance(data, dict)
    return data


# ------------------------------------------------------------------ shots
def _shot(m: Merged, position: int) -> Shot:
    data: dict[str, Any] = {"id": m.id, "position": position, "generation": {}}
    for name, value in m.mapped.fields.items():
        if name.startswith("generation."):
            data["generation"][name.split(".", 1)[1]] = value
        else:
            data[name] = value
    data["storycore"] = m.mapped.extra
    return validate(Shot, data, where=f"shot {m.id} from {m.used.file}")


# -------------------------------------------------------------- sequences
def _regroup(
    defs: list[SequenceDef], shots: list[Merged], report: ImportReport
) -> tuple[list[Sequence], list[Shot]]:
    """Our sequences (in StoryCore's order) with their shots, and the loose shots."""
    by_id: dict[str, list[SequenceDef]] = {}
    for d in defs:
        by_id.setdefault(d.storycore_id, []).append(d)
    ordered = sorted(
        by_id.items(), key=lambda item: (_order(_main(item[1])), defs.index(item[1][0]))
    )
    members: dict[str, list[tuple[tuple[float, float, int], Merged]]] = {k: [] for k in by_id}
    loose: list[tuple[tuple[float, float, int], Merged]] = []
    for m in shots:
        home = next((r for r in m.refs if r in by_id), None)
        if home is None:
            home = next(
                (sid for sid, ds in ordered if any(m.storycore_id in d.listed for d in ds)), None
            )
        listed = [d.listed for d in by_id.get(home or "", [])]
        slot = next((ls.index(m.storycore_id) for ls in listed if m.storycore_id in ls), math.inf)
        key = (m.sort_key if m.sort_key is not None else math.inf, slot, m.used.index)
        if home is None:
            if m.refs:
                report.changes.append(
                    Change(m.id, "sequence", m.refs[0], None, "no such sequence here: a loose shot")
                )
            loose.append((key, m))
        else:
            members[home].append((key, m))
    stamp = now()
    sequences: list[Sequence] = []
    for n, (sc_id, group) in enumerate(ordered, start=1):
        placed = [m for _, m in sorted(members[sc_id], key=lambda km: km[0])]
        seq = _sequence(n, sc_id, group, placed, stamp, report)
        sequences.append(seq)
    loose_shots = [_shot(m, i) for i, (_, m) in enumerate(sorted(loose, key=lambda km: km[0]), 1)]
    for m in (m for _, m in sorted(loose, key=lambda km: km[0])):
        report.shots.append(_source(m, None))
    known = {m.storycore_id for m in shots}
    for sid, ds in by_id.items():
        for d in ds:
            for listed_id in d.listed:
                if listed_id not in known:
                    report.notes.append(
                        f"{d.file} lists shot {listed_id} of sequence {sid}, which is in no file"
                    )
    return sequences, loose_shots


def _main(group: list[SequenceDef]) -> SequenceDef:
    """The newest description of a sequence (an S-B over the S-A it replaced, when tied)."""
    return max(group, key=lambda d: (d.stamp, d.shape == "S-B", -group.index(d)))


def _order(d: SequenceDef) -> float:
    ok, value, _ = number(-math.inf, math.inf)(get_path(d.raw, ("order",)))
    return float(value) if ok else math.inf


def _sequence(
    n: int,
    sc_id: str,
    group: list[SequenceDef],
    placed: list[Merged],
    stamp: Any,
    report: ImportReport,
) -> Sequence:
    main = _main(group)
    if len(group) > 1:
        report.notes.append(
            f"sequence {sc_id} is described by {', '.join(d.file for d in group)}: "
            f"name and order from {main.file}"
        )
    our_id = f"{n:03d}"
    names = (d.raw.get("name") for d in [main, *group])
    name = next((n.strip() for n in names if isinstance(n, str) and n.strip()), "")
    if not name:
        name = f"Sequence {n}"
        report.changes.append(Change(f"sequence {our_id}", "name", None, name, "no name"))
    elif len(name) > NAME_MAX:
        report.changes.append(
            Change(f"sequence {our_id}", "name", name, name[:NAME_MAX], f"longer than {NAME_MAX}")
        )
        name = name[:NAME_MAX]
    description = main.raw.get("description")
    created = timestamp(
        main.raw.get("created_at") or get_path(main.raw, ("metadata", "created_at"))
    )
    seq = validate(
        Sequence,
        {
            "id": our_id,
            "name": name,
            "order": n,
            "description": description if isinstance(description, str) else "",
            "created_at": created or stamp,
            "updated_at": stamp,
            "shots": [_shot(m, i) for i, m in enumerate(placed, start=1)],
            "storycore": {"id": sc_id, "files": {d.file: d.raw for d in group}},
        },
        where=f"sequence {sc_id}",
    )
    report.sequences.append(
        SequenceCount(our_id, name, len(seq.shots), sc_id, tuple(d.file for d in group))
    )
    report.shots += [_source(m, our_id) for m in placed]
    return seq


def _source(m: Merged, seq_id: str | None) -> ShotSource:
    title = m.mapped.fields.get("title", "")
    return ShotSource(
        m.id,
        title if isinstance(title, str) else "",
        seq_id,
        m.used.file,
        tuple(dict.fromkeys(c.file for c in m.others)),
        m.storycore_id,
    )


# ---------------------------------------------------------------- project
def _project_fields(
    data: dict[str, Any], src: SourceFolder, name: str | None, report: ImportReport
) -> dict[str, Any]:
    """The new project's name, description, format and creation time, from project.json."""
    candidates = [
        name,
        data.get("project_name"),
        data.get("name"),
        get_path(data, ("metadata", "name")),
    ]
    candidates += [data.get("project_id"), src.root.resolve().name]
    chosen = next((c.strip() for c in candidates if isinstance(c, str) and c.strip()), "StoryCore")
    if not name and chosen == data.get("project_id") and chosen.startswith(ENGINE_ID_PREFIX):
        named = chosen.removeprefix(ENGINE_ID_PREFIX)
        report.changes.append(
            Change(
                "project",
                "name",
                chosen,
                named,
                f"the Python engine's id is {ENGINE_ID_PREFIX}NAME",
            )
        )
        chosen = named
    if len(chosen) > NAME_MAX:
        report.changes.append(
            Change("project", "name", chosen, chosen[:NAME_MAX], f"longer than {NAME_MAX}")
        )
        chosen = chosen[:NAME_MAX]
    description = next(
        (
            d
            for d in (data.get("description"), get_path(data, ("metadata", "description")))
            if isinstance(d, str)
        ),
        "",
    )
    fmt = get_path(data, ("metadata", "format"))
    if fmt is MISSING or fmt is None:
        fmt = data.get("format")
    format_id = fmt.get("id") if isinstance(fmt, dict) else fmt
    if format_id not in FORMATS:
        report.changes.append(
            Change(
                "project",
                "format",
                format_id,
                CUSTOM,
                "not one of our formats" if format_id is not None else "StoryCore gave none",
            )
        )
        format_id = CUSTOM
    stamp = now()
    raw_created = data.get("created_at") or get_path(data, ("metadata", "created_at"))
    raw_created = None if raw_created is MISSING else raw_created
    created = timestamp(raw_created)
    if created is None:
        report.changes.append(
            Change("project", "created_at", raw_created, "now", "no creation time we can read")
        )
    return {
        "id": slugify(chosen),
        "name": chosen,
        "format": format_id,
        "description": description,
        "created_at": created or stamp,
        "updated_at": stamp,
    }


def _say_name(report: ImportReport, project: Project, taken: dict[str, str]) -> None:
    same = [pid for pid, pname in taken.items() if pname.casefold() == project.name.casefold()]
    if same:
        report.notes.append(
            f"the workspace already has a project named {project.name!r} ({', '.join(same)}): "
            f"this one is {project.id!r}; rename one of them, or import again with another name"
        )
    elif project.id != slugify(project.name):
        report.notes.append(
            f"the folder {slugify(project.name)!r} is taken: this project is {project.id!r}"
        )
