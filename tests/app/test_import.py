"""The dashboard's "Import a StoryCore project": the import, its report, its errors, untrusted names."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from streamlit.testing.v1 import AppTest

from storyboard_core import Store
from ui.frame.text import md

from ..core.storycore.conftest import FIXTURES


def import_folder(app: AppTest, folder: Path | str, name: str = "") -> AppTest:
    app.text_input(key="dash_import_folder").input(str(folder))
    app.text_input(key="dash_import_name").input(name)
    app.button(key="dash_import").click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_import_creates_the_project_and_shows_the_report(
    app: AppTest, store: Store, tmp_path: Path
) -> None:
    folder = shutil.copytree(FIXTURES / "legacy", tmp_path / "legacy")
    at = import_folder(app, folder)
    (project,) = store.list_projects()
    assert (project.id, project.name, project.sequences) == (
        "le-village-englouti",
        "Le Village englouti",
        3,
    )
    (success,) = at.success
    assert success.value == md(
        "Imported Le Village englouti: 4 shots in 3 sequences, 0 loose shots (StoryCore shape P2)."
    )
    (opened,) = [p for p in at.get("page_link") if "Open" in p.proto.label]
    assert opened.proto.label == md("Open Le Village englouti")
    assert "project=le-village-englouti" in opened.proto.query_string
    (warning,) = at.warning
    assert warning.value == md(
        "Not read: sequences/sequence_004.json: invalid JSON: Expecting ',' delimiter "
        "(line 6, column 5)"
    )
    sequences, shots, changes, conflicts = (d.value for d in at.dataframe)
    assert list(sequences["Name"]) == ["Ouverture", "Prologue", "Épilogue"]
    assert list(sequences["Shots"]) == [1, 2, 1]
    assert dict(zip(shots["Shot"], shots["File"], strict=True))["e-1"] == "project.json"
    assert conflicts.empty
    assert "500 is out of our range 1 to 150, clamped to 150" in " ".join(changes["Reason"])
    steps = changes[changes["Field"] == "generation.steps"]
    assert (list(steps["Before"]), list(steps["After"])) == (["500"], ["150"])


def test_a_folder_that_is_not_storycore_is_a_clear_error(
    app: AppTest, store: Store, tmp_path: Path
) -> None:
    (tmp_path / "photos").mkdir()
    at = import_folder(app, tmp_path / "photos")
    (error,) = at.error
    assert error.value == md(
        f"{tmp_path / 'photos'} is not a StoryCore project: it has no project.json; "
        "nothing was imported"
    )
    assert store.list_projects() == []
    at = import_folder(app, "  ")
    assert at.error[0].value == "Enter the path of a StoryCore project folder."


def test_names_from_the_files_are_shown_as_text(app: AppTest, store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "piege"
    folder.mkdir()
    name = "**Gras** [clic](https://x.invalid) :red[rouge]"
    (folder / "project.json").write_text(
        json.dumps({"project_name": name, "shots": [{"id": "a", "title": "<b>x</b>"}]})
    )
    at = import_folder(app, folder)
    (project,) = store.list_projects()
    assert project.name == name
    assert md(name) in at.success[0].value
    assert "\\*\\*Gras\\*\\*" in at.success[0].value
    assert any(p.proto.label == md(f"Open {name}") for p in at.get("page_link"))
