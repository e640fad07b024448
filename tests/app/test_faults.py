"""Faults the app survives and explains: a disk that refuses a save, files replaced or deleted by hand,
the workspace unplugged, and any unexpected exception (a reference, never a traceback)."""

from __future__ import annotations

import errno
import os
import re
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from streamlit.config import ShowErrorDetailsConfigOptions
from streamlit.testing.v1 import AppTest

from storyboard_core import Project, Shot, Store, files
from storyboard_core.files import dumps
from storyboard_core.models import to_json_dict
from tests.hostile import as_read
from ui.frame import sidebar as sidebar_module
from ui.frame.registry import DASHBOARD, SEQUENCE, SHOT
from ui.frame.text import md

from .conftest import APP, OpenPage, click, run

Snapshot = Callable[[], dict[str, bytes]]


def key(project: str, seq: str, shot: str, name: str, round_: int = 0) -> str:
    """The key of a shot editor widget."""
    return f"shot:{project}/{seq}/{shot}:{round_}:{name}"


def errors(at: AppTest) -> list[str]:
    return [str(e.value) for e in at.error]


@contextmanager
def disk_full() -> Iterator[None]:
    """Within the block, the rename of every atomic write fails as on a full disk."""

    def refuse(*_args: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(files.os, "replace", refuse)
        yield


@pytest.fixture
def shot(demo: Project, store: Store) -> Shot:
    """The second shot of the demo's first sequence."""
    return store.read_shots(demo.id, "001")[1]


@pytest.fixture
def editor(demo: Project, shot: Shot, open_page: OpenPage) -> AppTest:
    """The shot editor on that shot."""
    return open_page(SHOT, project=demo.id, seq="001", shot=shot.id)


def seq_file(workspace: Path, demo: Project) -> Path:
    return workspace / demo.id / "sequences" / "sequence_001.json"


# --------------------------------------------------------------------------- a refused save
def test_a_full_disk_keeps_the_edit_unsaved_and_names_the_file_and_cause(
    editor: AppTest,
    demo: Project,
    shot: Shot,
    store: Store,
    snapshot: Snapshot,
    workspace: Path,
) -> None:
    files_before = snapshot()
    prompt = key(demo.id, "001", shot.id, "prompt")
    editor.text_area(key=prompt).input("a prompt the disk has no room for")
    run(editor)
    with disk_full():
        click(editor, "shot_save")

    message = md("Not saved: sequence_001.json could not be saved: the disk is full")
    assert any(message in e for e in errors(editor)), errors(editor)
    assert any("Your edits are still here, unsaved" in as_read(e) for e in errors(editor))
    assert snapshot() == files_before
    assert not list(workspace.rglob("*.tmp"))
    # The edit is still in the editor, flagged unsaved, and the sidebar counts it.
    assert editor.text_area(key=prompt).value == "a prompt the disk has no room for"
    assert any("1 shot(s) with unsaved edits" in w.value for w in editor.sidebar.warning)

    click(editor, "shot_save")  # room again: the same Save now writes the edit
    assert store.read_shot(demo.id, "001", shot.id).prompt == "a prompt the disk has no room for"
    assert not editor.error


def test_the_grid_keeps_its_edits_when_the_disk_refuses(
    demo: Project,
    store: Store,
    snapshot: Snapshot,
    open_page: OpenPage,
) -> None:
    at = open_page(SEQUENCE, project=demo.id, seq="001")
    (grid,) = at.data_editor
    edits = {"edited_rows": {0: {"title": "Kept"}}, "added_rows": [], "deleted_rows": []}
    at.session_state[grid.key] = edits
    run(at)
    files_before = snapshot()
    with disk_full():
        click(at, "grid_save")

    assert any(
        "sequence_001.json could not be saved: the disk is full" in as_read(e) for e in errors(at)
    )
    assert any("Your grid edits are still here" in as_read(e) for e in errors(at))
    assert snapshot() == files_before
    assert any("1 shot(s) changed in the grid" in c.value for c in at.caption)

    click(at, "grid_save")
    assert store.read_sequence(demo.id, "001").shots[0].title == "Kept"


# --------------------------------------------------------------------------- files changed by hand
def test_a_sequence_file_replaced_by_hand_shows_on_the_next_rerun(
    editor: AppTest, demo: Project, shot: Shot, workspace: Path
) -> None:
    path = seq_file(workspace, demo)
    data = Store(workspace).read_sequence(demo.id, "001")
    data.shots[1].title = "Rewritten in a text editor"
    data.shots[1].prompt = "a prompt from the text editor"
    path.write_bytes(dumps(to_json_dict(data)))  # by hand: same stamps, new content

    run(editor)
    assert "#2 Rewritten in a text editor" in [t.value for t in editor.title]
    # The fields are drawn afresh (the next round) from the file as it is now.
    prompt = editor.text_area(key=key(demo.id, "001", shot.id, "prompt", 1))
    assert prompt.value == "a prompt from the text editor"


def test_a_hand_edit_of_the_field_being_edited_opens_the_conflict_panel(
    editor: AppTest, demo: Project, shot: Shot, workspace: Path, store: Store
) -> None:
    editor.text_area(key=key(demo.id, "001", shot.id, "prompt")).input("mine")
    run(editor)
    text = seq_file(workspace, demo).read_text("utf-8")
    data = Store(workspace).read_sequence(demo.id, "001")
    data.shots[1].prompt = "theirs, typed in a text editor"  # the stamp left as it was
    seq_file(workspace, demo).write_bytes(dumps(to_json_dict(data)))
    assert seq_file(workspace, demo).read_text("utf-8") != text

    run(editor)
    assert any("changed elsewhere" in w.value for w in editor.warning)
    (table,) = editor.table
    rows = {
        as_read(r["Field"]): (as_read(r["Your version"]), as_read(r["On disk now"]))
        for r in table.value.to_dict("records")
    }
    assert rows["Prompt"] == ("mine", "theirs, typed in a text editor")
    assert store.read_shot(demo.id, "001", shot.id).prompt == "theirs, typed in a text editor"


def test_a_sequence_deleted_by_hand_is_said_and_a_save_does_not_recreate_it(
    editor: AppTest, demo: Project, shot: Shot, workspace: Path
) -> None:
    editor.text_area(key=key(demo.id, "001", shot.id, "prompt")).input("an edit of a lost shot")
    run(editor)
    path = seq_file(workspace, demo)
    path.unlink()  # deleted in a file manager while the editor is open

    click(editor, "shot_save")  # the button drawn before the deletion
    assert not path.exists()
    assert not list((workspace / demo.id / "sequences").glob("*001*"))
    assert any(
        "This sequence no longer exists: there is no sequence 001" in as_read(e)
        for e in errors(editor)
    )
    (back,) = [p for p in editor.page_link if "Back" in p.label]
    assert back.label == "Back to the project"
    assert back.proto.query_string == f"project={demo.id}"

    run(editor)  # and later runs neither
    assert not path.exists()
    # The page stopped on purpose (st.stop): the error boundary let it through.
    assert not any("Something went wrong" in e for e in errors(editor))


def test_the_sequence_page_of_a_deleted_sequence(
    demo: Project, workspace: Path, open_page: OpenPage
) -> None:
    at = open_page(SEQUENCE, project=demo.id, seq="001")
    seq_file(workspace, demo).unlink()
    run(at)
    assert any("This sequence no longer exists" in as_read(e) for e in errors(at))
    assert [p.label for p in at.page_link if "Back" in p.label] == ["Back to the project"]
    assert not seq_file(workspace, demo).exists()


def test_a_project_deleted_by_hand(demo: Project, workspace: Path, open_page: OpenPage) -> None:
    at = open_page(DASHBOARD, project=demo.id)
    (workspace / demo.id).rename(workspace.parent / "moved-away")
    run(at)
    assert any(
        f"This project no longer exists: there is no project “{demo.id}”" in as_read(e)
        for e in errors(at)
    )
    assert [p.label for p in at.page_link if "Back" in p.label] == ["Back to the dashboard"]
    assert not (workspace / demo.id).exists()


# --------------------------------------------------------------------------- workspace unplugged
def test_the_workspace_unplugged_and_plugged_back(
    demo: Project, workspace: Path, open_page: OpenPage
) -> None:
    at = open_page(SEQUENCE, project=demo.id, seq="001")
    unplugged = workspace.with_name("unplugged")
    workspace.rename(unplugged)
    run(at)
    assert "The workspace is not available" in [t.value for t in at.title]
    assert any(
        f"The workspace folder {workspace} cannot be found" in as_read(e) for e in errors(at)
    )
    assert not workspace.exists(), "a missing workspace is never re-created"

    unplugged.rename(workspace)
    click(at, "workspace_retry")
    assert "The workspace is not available" not in [t.value for t in at.title]
    assert at.data_editor, "the sequence page is back"


# --------------------------------------------------------------------------- unexpected exceptions
@pytest.mark.parametrize(
    ("owner", "name"), [(Store, "list_projects"), (sidebar_module, "status_badge")]
)
def test_an_unexpected_exception_shows_a_reference_and_logs_the_traceback(
    app: AppTest, demo: Project, workspace: Path, owner: object, name: str
) -> None:
    """In the page (a core call) or in the sidebar drawn around it."""

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("a bug deep in the core")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(owner, name, broken)
        run(app)  # no exception element: the boundary caught it

    (message,) = errors(app)
    assert "Something went wrong on this page" in message
    assert "a bug deep in the core" not in message and "Traceback" not in message
    found = re.search(r"\*\*([0-9A-F]{8})\*\*", message)
    assert found, message
    log = (workspace / ".logs" / "app.log").read_text("utf-8")
    entry = log[log.index(f"reference {found.group(1)}") :]
    assert "RuntimeError: a bug deep in the core" in entry
    assert "Traceback (most recent call last)" in entry
    assert "in broken" in entry  # the frame that raised

    run(app)
    assert not app.error  # the next run is fine again


def test_an_unexpected_exception_in_save_keeps_the_edit_and_gives_a_reference(
    editor: AppTest, demo: Project, shot: Shot, workspace: Path, snapshot: Snapshot
) -> None:
    """Save runs as a callback, before the page: the same boundary, the message on the next page."""
    files_before = snapshot()
    prompt = key(demo.id, "001", shot.id, "prompt")
    editor.text_area(key=prompt).input("kept despite a bug")
    run(editor)

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise KeyError("a bug in a save")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Store, "update_shots", broken)
        click(editor, "shot_save")
    (message,) = [e for e in errors(editor) if "Something went wrong" in e]
    found = re.search(r"\*\*([0-9A-F]{8})\*\*", message)
    assert found, message
    log = (workspace / ".logs" / "app.log").read_text("utf-8")
    assert "KeyError: 'a bug in a save'" in log[log.index(f"reference {found.group(1)}") :]
    assert snapshot() == files_before
    assert editor.text_area(key=prompt).value == "kept despite a bug"
    run(editor)
    assert not any("Something went wrong" in e for e in errors(editor)), "said once"


def test_streamlit_shows_no_error_details_of_its_own() -> None:
    config = tomllib.loads((APP.parent / ".streamlit" / "config.toml").read_text("utf-8"))
    value = config["client"]["showErrorDetails"]
    assert value == ShowErrorDetailsConfigOptions.NONE.value
