"""The shot list CSV: export, preview of an import, apply, and what a spreadsheet does to the file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storyboard_core import ConflictError, InvalidDataError, Project, Store
from storyboard_core.cli import main
from storyboard_core.shotlist import (
    COLUMNS,
    apply_import,
    plan_import,
    project_csv,
)

from .conftest import snapshot


def table_of(raw: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, encoding="utf-8-sig")


def as_french_spreadsheet(table: pd.DataFrame) -> bytes:
    """How LibreOffice or Excel in a French locale saves CSV: BOM, ``;``, CRLF, decimal commas."""
    french = table.copy()
    for column in ("duration", "cfg_scale", "denoise"):
        french[column] = french[column].str.replace(".", ",", regex=False)
    text = french.to_csv(index=False, sep=";", lineterminator="\r\n")
    return text.encode("utf-8-sig")


def shot_ids(store: Store, project: Project, seq: str = "001") -> list[str]:
    return [s.id for s in store.read_shots(project.id, seq)]


def test_export_has_every_column_a_bom_and_round_trips_unchanged(
    store: Store, project: Project
) -> None:
    raw = project_csv(store, project.id)
    assert raw.startswith(b"\xef\xbb\xbf")  # spreadsheets read accents right with a BOM
    table = table_of(raw)
    assert tuple(table.columns) == COLUMNS
    assert len(table) == 12
    plan = plan_import(store, project.id, raw)
    assert plan.ok and not plan.changes and plan.unchanged == 12


def test_a_french_locale_file_imports_accents_commas_and_multiline_text(
    store: Store, project: Project
) -> None:
    first, second = shot_ids(store, project)[:2]
    table = table_of(project_csv(store, project.id))
    table.loc[table.id == first, "title"] = "Léa à la fenêtre — « nuit » ’œ ç"
    table.loc[table.id == first, "prompt"] = "pluie battante\nsur le port"
    table.loc[table.id == second, "cfg_scale"] = "5.5"  # written as 5,5 in the file
    table.loc[table.id == second, "duration"] = "2.25"
    raw = as_french_spreadsheet(table)
    assert b";" in raw and b"\r\n" in raw and b"5,5" in raw
    plan = plan_import(store, project.id, raw)
    assert plan.ok, plan.describe()
    changed = {c.shot_id: {f.column: f.new for f in c.changes} for c in plan.changes}
    assert changed == {
        first: {
            "title": "Léa à la fenêtre — « nuit » ’œ ç",
            "prompt": "pluie battante\nsur le port",
        },
        second: {"duration": 2.25, "cfg_scale": 5.5},
    }
    apply_import(store, plan)
    saved = {s.id: s for s in store.read_shots(project.id, "001")}
    assert saved[first].title == "Léa à la fenêtre — « nuit » ’œ ç"
    assert saved[first].prompt == "pluie battante\nsur le port"
    assert saved[second].generation.cfg_scale == 5.5 and saved[second].duration == 2.25
    text = (store.project_dir(project.id) / "sequences" / "sequence_001.json").read_text("utf-8")
    assert "Léa à la fenêtre" in text  # UTF-8 on disk, not \u escapes


def test_dialogue_and_speaker_round_trip(store: Store, project: Project) -> None:
    first = shot_ids(store, project)[0]
    table = table_of(project_csv(store, project.id))
    assert {"dialogue", "speaker"} <= set(table.columns)
    table.loc[table.id == first, "dialogue"] = "Où étais-tu ?\nSous la pluie."
    table.loc[table.id == first, "speaker"] = " Léa "
    plan = plan_import(store, project.id, as_french_spreadsheet(table))
    assert plan.ok, plan.describe()
    apply_import(store, plan)
    saved = store.read_shot(project.id, "001", first)
    assert (saved.dialogue, saved.speaker) == ("Où étais-tu ?\nSous la pluie.", "Léa")
    again = table_of(project_csv(store, project.id))
    assert again.loc[again.id == first, "dialogue"].item() == "Où étais-tu ?\nSous la pluie."


def test_the_preview_writes_nothing(store: Store, project: Project, workspace: Path) -> None:
    table = table_of(project_csv(store, project.id))
    table.loc[0, "prompt"] = "changed"
    before = snapshot(workspace)
    plan = plan_import(store, project.id, table.to_csv(index=False).encode())
    assert len(plan.changes) == 1
    assert snapshot(workspace) == before


def test_bad_rows_are_named_by_row_and_column_and_the_rest_applies(
    store: Store, project: Project
) -> None:
    ids = shot_ids(store, project)
    table = table_of(project_csv(store, project.id))
    table.loc[0, "steps"] = "abc"
    table.loc[1, "duration"] = "-1"
    table.loc[2, "shot_type"] = "tracking-shot"
    table.loc[3, "seed"] = "1.23457E+18"
    table.loc[4, "id"] = ""
    table.loc[5, "prompt"] = "the only good edit"
    plan = plan_import(store, project.id, table.to_csv(index=False).encode())
    problems = {(p.row, p.column): p.message for p in plan.problems}
    assert set(problems) == {
        (2, "steps"),
        (3, "duration"),
        (4, "shot_type"),
        (5, "seed"),
        (6, "id"),
    }
    assert "whole number from 1 to 150" in problems[(2, "steps")]
    assert "'tracking-shot' is not allowed" in problems[(4, "shot_type")]
    assert "scientific notation" in problems[(5, "seed")]
    assert not plan.ok
    assert [c.row for c in plan.changes] == [7]
    apply_import(store, plan)
    shots = store.read_shots(project.id, "001")
    assert [s.prompt for s in shots] == [""] * 4  # rows 2-5 are sequence 001: none written
    other = table.loc[5, "id"]
    assert (
        store.read_shot(project.id, table.loc[5, "sequence"], other).prompt == "the only good edit"
    )
    assert ids == [s.id for s in shots]


def test_duplicate_rows_unknown_ids_and_columns_are_reported(
    store: Store, project: Project
) -> None:
    table = table_of(project_csv(store, project.id))
    table["Director's mood"] = "grim"
    table.loc[len(table)] = {**table.loc[0].to_dict(), "prompt": "second copy"}
    table.loc[1, "id"] = "shot-000000000000"
    plan = plan_import(store, project.id, table.to_csv(index=False).encode())
    assert plan.unknown_columns == ["Director's mood"]
    assert [(p.row, p.column) for p in plan.unknown_ids] == [(3, "id")]
    assert "no shot shot-000000000000" in plan.unknown_ids[0].message
    assert [(p.row, "also on row 2" in p.message) for p in plan.problems] == [(14, True)]


def test_a_shot_changed_since_the_export_is_refused_with_both_values(
    store: Store, project: Project
) -> None:
    first = shot_ids(store, project)[0]
    table = table_of(project_csv(store, project.id))
    table.loc[table.id == first, "prompt"] = "from the spreadsheet"
    store.update_shot(project.id, "001", first, {"prompt": "from the editor"})
    plan = plan_import(store, project.id, table.to_csv(index=False).encode())
    assert not plan.changes
    (clash,) = plan.clashes
    assert (clash.row, clash.column) == (2, "prompt")
    assert clash.in_file == "from the spreadsheet" and clash.in_project == "from the editor"
    assert "from the spreadsheet" in str(clash) and "from the editor" in str(clash)


def test_a_change_elsewhere_in_other_fields_merges_like_the_editor(
    store: Store, project: Project
) -> None:
    first = shot_ids(store, project)[0]
    table = table_of(project_csv(store, project.id))
    table.loc[table.id == first, "prompt"] = "from the spreadsheet"
    store.update_shot(project.id, "001", first, {"notes": "a teammate's note"})
    plan = plan_import(store, project.id, table.to_csv(index=False).encode())
    assert plan.ok and [c.shot_id for c in plan.changes] == [first]
    apply_import(store, plan)
    shot = store.read_shot(project.id, "001", first)
    assert (shot.prompt, shot.notes) == ("from the spreadsheet", "a teammate's note")


def test_without_history_a_changed_shot_is_refused(store: Store, project: Project) -> None:
    first = shot_ids(store, project)[0]
    table = table_of(project_csv(store, project.id))
    table.loc[table.id == first, "prompt"] = "from the spreadsheet"
    store.update_shot(project.id, "001", first, {"notes": "note"})
    for old in (store.project_dir(project.id) / ".history").rglob("*.json"):
        if old.is_file():
            old.unlink()  # the version the file was exported from is gone: nothing to merge against
    plan = plan_import(store, project.id, table.to_csv(index=False).encode())
    # Without the exported version, every cell that differs may be the file's or the project's.
    assert {(c.column, c.in_file, c.in_project) for c in plan.clashes} == {
        ("prompt", "from the spreadsheet", ""),
        ("notes", "", "note"),
    }
    assert not plan.changes


def test_apply_writes_once_per_file_and_is_undoable(store: Store, project: Project) -> None:
    table = table_of(project_csv(store, project.id))
    table["prompt"] = "everything changes"
    plan = plan_import(store, project.id, table.to_csv(index=False).encode())
    assert len(plan.changes) == 12
    revisions = {s.id: s.revision for s in store.list_sequences(project.id)}
    versions = {
        s: len(store.list_versions(project.id, f"sequences/sequence_{s}.json")) for s in revisions
    }
    progress: list[tuple[int, int]] = []
    apply_import(store, plan, on_progress=lambda done, total: progress.append((done, total)))
    assert progress == [(1, 3), (2, 3), (3, 3)]
    for summary in store.list_sequences(project.id):
        assert summary.revision == revisions[summary.id] + 1
        file = f"sequences/sequence_{summary.id}.json"
        assert len(store.list_versions(project.id, file)) == versions[summary.id] + 1
    newest = store.list_versions(project.id, "sequences/sequence_001.json")[0]
    store.restore_version(project.id, "sequences/sequence_001.json", newest.id)
    assert {s.prompt for s in store.read_shots(project.id, "001")} == {""}


def test_apply_refuses_a_shot_changed_after_the_preview(store: Store, project: Project) -> None:
    first = shot_ids(store, project)[0]
    table = table_of(project_csv(store, project.id, ["001"]))
    table.loc[table.id == first, "prompt"] = "from the spreadsheet"
    plan = plan_import(store, project.id, table.to_csv(index=False).encode())
    store.update_shot(project.id, "001", first, {"notes": "meanwhile"})
    before = store.read_sequence(project.id, "001")
    with pytest.raises(ConflictError):
        apply_import(store, plan)
    assert store.read_sequence(project.id, "001") == before


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("Léa,x".encode("cp1252"), "not UTF-8"),
        (b"", "empty"),
        (b"title,prompt\nA,b\n", "no “id” column"),
        (b'id,prompt\n"shot-1,unclosed\n', "not a readable CSV"),
    ],
)
def test_a_file_that_is_not_a_shot_list_says_why(
    store: Store, project: Project, raw: bytes, words: str
) -> None:
    with pytest.raises(InvalidDataError) as caught:
        plan_import(store, project.id, raw)
    assert words in str(caught.value)


def test_a_file_with_only_some_columns_changes_only_those(store: Store, project: Project) -> None:
    first = shot_ids(store, project)[0]
    raw = f"id;prompt\r\n{first};court et clair\r\n".encode()
    plan = plan_import(store, project.id, raw)
    assert [(c.shot_id, [f.column for f in c.changes]) for c in plan.changes] == [
        (first, ["prompt"])
    ]


def test_a_moved_position_is_noted_not_applied(store: Store, project: Project) -> None:
    table = table_of(project_csv(store, project.id, ["001"]))
    table.loc[0, "position"] = "4"
    plan = plan_import(store, project.id, table.to_csv(index=False).encode())
    assert [(n.row, n.column) for n in plan.notes] == [(2, "position")]
    assert plan.ok and not plan.changes


_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r"),
    max_size=40,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    edits=st.lists(
        st.tuples(
            st.integers(0, 11),
            st.sampled_from(
                [
                    "title",
                    "prompt",
                    "notes",
                    "dialogue",
                    "speaker",
                    "steps",
                    "seed",
                    "cfg_scale",
                    "status",
                ]
            ),
            st.data(),
        ),
        max_size=6,
    ),
    french=st.booleans(),
)
def test_any_edit_round_trips_through_a_spreadsheet(
    tmp_path_factory: pytest.TempPathFactory,
    edits: list[tuple[int, str, st.DataObject]],
    french: bool,
) -> None:
    store = Store(tmp_path_factory.mktemp("ws"))
    project = store.create_project(
        "Prop", format_id="custom", sequences=3, seconds_per_sequence=30, shots_per_sequence=4
    )
    table = table_of(project_csv(store, project.id))
    values = {
        "title": _text,
        "prompt": _text,
        "notes": _text,
        "dialogue": _text,
        "speaker": _text,
        "steps": st.integers(1, 150).map(str),
        "seed": st.integers(-1, 2**63).map(str),
        "cfg_scale": st.sampled_from(["0.5", "7.0", "12.25"]),
        "status": st.sampled_from(["draft", "review", "approved", "rejected"]),
    }
    expected: dict[tuple[str, str], str] = {}
    for row, column, data in edits:
        value = data.draw(values[column])
        table.loc[row, column] = value
        expected[(table.loc[row, "id"], column)] = value
    raw = as_french_spreadsheet(table) if french else table.to_csv(index=False).encode("utf-8")
    plan = plan_import(store, project.id, raw)
    assert plan.ok, plan.describe()
    apply_import(store, plan)
    again = table_of(project_csv(store, project.id))
    for (shot_id, column), value in expected.items():
        written = again.loc[again.id == shot_id, column].item()
        if column == "cfg_scale":
            assert float(written) == float(value)
        elif column in ("title", "speaker"):
            assert written == value.strip()
        else:
            assert written == value
    assert not plan_import(store, project.id, project_csv(store, project.id)).changes


def test_cli_previews_then_applies(
    store: Store, project: Project, workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = shot_ids(store, project)[0]
    table = table_of(project_csv(store, project.id))
    table.loc[table.id == first, "prompt"] = "orage"
    path = workspace.parent / "shots.csv"
    path.write_bytes(as_french_spreadsheet(table))
    before = snapshot(workspace)
    assert main(["--workspace", str(workspace), "import-csv", project.id, str(path)]) == 0
    out = capsys.readouterr().out
    assert "prompt: '' → 'orage'" in out and "--apply" in out
    assert snapshot(workspace) == before
    argv = ["--workspace", str(workspace), "--json", "import-csv", project.id, str(path), "--apply"]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["applied"] == 1 and report["changes"][0]["fields"][0]["new"] == "orage"
    assert store.read_shot(project.id, "001", first).prompt == "orage"


def test_cli_exits_1_when_rows_are_refused_and_names_a_missing_file(
    store: Store, project: Project, workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = workspace.parent / "bad.csv"
    path.write_text("id,steps\nshot-000000000000,20\n", encoding="utf-8")
    assert main(["--workspace", str(workspace), "import-csv", project.id, str(path)]) == 1
    assert "no shot shot-000000000000" in capsys.readouterr().out
    missing = workspace.parent / "nope.csv"
    assert main(["--workspace", str(workspace), "import-csv", project.id, str(missing)]) == 1
    assert "nope.csv" in capsys.readouterr().err
