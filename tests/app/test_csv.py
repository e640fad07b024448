"""Import CSV in the app: a preview of every change before anything is written, then Apply."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from storyboard_core import Project, Store, project_csv
from ui.frame.registry import DASHBOARD, SEQUENCE
from ui.frame.text import md

from .conftest import OpenPage


def edited(store: Store, project: str, **cells: tuple[int, str]) -> pd.DataFrame:
    table = pd.read_csv(
        io.BytesIO(project_csv(store, project, ["001"])),
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    )
    for column, (row, value) in cells.items():
        table.loc[row, column] = value
    return table


def preview(at: AppTest, column: str) -> list[dict[str, object]]:
    """The records of the one table on the page that has ``column`` (the grid is a table too)."""
    (frame,) = [d.value for d in at.dataframe if column in d.value.columns]
    return list(frame.to_dict("records"))


def french(table: pd.DataFrame) -> bytes:
    return table.to_csv(index=False, sep=";", lineterminator="\r\n").encode("utf-8-sig")


def test_upload_shows_the_changes_and_writes_only_on_apply(
    demo: Project,
    store: Store,
    open_page: OpenPage,
    snapshot: Callable[[], dict[str, bytes]],
) -> None:
    first = store.read_shots(demo.id, "001")[0]
    table = edited(store, demo.id, title=(0, "Le port — « à l'aube »"))
    at = open_page(SEQUENCE, project=demo.id, seq="001")
    at.session_state["seq_import_csv_open"] = True  # built only while open
    at.run()
    before = snapshot()
    at.file_uploader[0].set_value(("shots.csv", french(table), "text/csv")).run()
    assert not at.exception
    assert preview(at, "after import") == [
        {
            "row": 2,
            "shot": first.id,
            "title": first.title,
            "field": "title",
            "now": first.title,
            "after import": "Le port — « à l'aube »",
        }
    ]
    assert snapshot() == before  # the preview wrote nothing
    apply = at.button(key="csv_import_apply")
    assert apply.label == "Apply 1 shot change(s)"
    apply.click().run()
    assert not at.exception
    assert store.read_shot(demo.id, "001", first.id).title == "Le port — « à l'aube »"
    assert [t.value for t in at.toast] == [md("Imported: 1 shot(s) saved")]


def test_bad_rows_and_clashes_are_listed_and_not_applied(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    first, second, third = store.read_shots(demo.id, "001")[:3]
    table = edited(store, demo.id, steps=(1, "beaucoup"), prompt=(0, "from the sheet"))
    table.loc[2, "notes"] = "fine edit"
    store.update_shot(demo.id, "001", first.id, {"prompt": "from the editor"})
    at = open_page(SEQUENCE, project=demo.id, seq="001")
    at.session_state["seq_import_csv_open"] = True  # built only while open
    at.run()
    at.file_uploader[0].set_value(("shots.csv", french(table), "text/csv")).run()
    assert "Refused" in at.warning[0].value
    changes, clashes = preview(at, "after import"), preview(at, "in the file")
    problems = preview(at, "problem")
    assert [(c["shot"], c["field"]) for c in changes] == [(third.id, "notes")]
    assert clashes == [
        {
            "row": 2,
            "shot": first.id,
            "field": "prompt",
            "in the file": "from the sheet",
            "in the project": "from the editor",
        }
    ]
    assert [(p["row"], p["column"]) for p in problems] == [(3, "steps")]
    at.button(key="csv_import_apply").click().run()
    assert store.read_shot(demo.id, "001", first.id).prompt == "from the editor"
    assert store.read_shot(demo.id, "001", second.id).generation.steps == second.generation.steps
    assert store.read_shot(demo.id, "001", third.id).notes == "fine edit"


def test_a_file_that_is_not_a_shot_list_is_named(
    demo: Project, open_page: OpenPage, workspace: Path
) -> None:
    at = open_page(DASHBOARD, project=demo.id)
    at.file_uploader[0].set_value(("notes_*évé*.csv", b"title\nx\n", "text/csv")).run()
    (error,) = at.error
    assert "notes\\_\\*évé\\*\\.csv cannot be imported" in error.value
    assert "no “id” column" in error.value
    assert not [b for b in at.button if b.key == "csv_import_apply"]


def test_dashboard_exports_the_whole_project(
    demo: Project, store: Store, open_page: OpenPage, media: Callable[[str], bytes]
) -> None:
    at = open_page(DASHBOARD, project=demo.id)
    (button,) = [b for b in at.download_button if b.label == "Export CSV"]
    table = pd.read_csv(io.BytesIO(media(button.proto.url)), dtype=str, encoding="utf-8-sig")
    every = [s.id for q in store.list_sequences(demo.id) for s in store.read_shots(demo.id, q.id)]
    every += [s.id for s in store.read_shots(demo.id, None)]
    assert list(table["id"]) == every
