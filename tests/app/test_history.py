"""The History views: a sequence's versions and one shot's, with what changed, and Restore."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from storyboard_core import Project, Shot, Store, file_history
from ui.frame.registry import SEQUENCE, SHOT
from ui.frame.text import md

from .conftest import OpenPage, click, run

REL = "sequences/sequence_001.json"


def texts(at: AppTest) -> list[str]:
    return [str(m.value) for m in at.markdown]


def restore_key(at: AppTest, version_id: str) -> str:
    (found,) = [b.key for b in at.button if b.key and b.key.endswith(f":{version_id}")]
    return found


def version_shot_ids(store: Store, demo: Project, version_id: str) -> list[str]:
    """The shot ids of a kept version, read from its file."""
    path = store.project_dir(demo.id) / ".history" / REL / f"{version_id}.json"
    return [s["id"] for s in json.loads(path.read_text("utf-8"))["shots"]]


@pytest.fixture
def shots(demo: Project, store: Store) -> list[Shot]:
    """The demo's sequence 001 after two saves: a prompt, then a title."""
    first = store.read_shots(demo.id, "001")[0]
    store.update_shot(demo.id, "001", first.id, {"prompt": "storm over the bay"})
    store.update_shot(demo.id, "001", first.id, {"title": "The bay, at night"})
    return store.read_shots(demo.id, "001")


@pytest.fixture
def history(demo: Project, shots: list[Shot], open_page: OpenPage) -> AppTest:
    """The sequence page with its history shown."""
    at = open_page(SEQUENCE, project=demo.id, seq="001")
    assert not any("revision" in t for t in texts(at)), "the list is built only when asked for"
    at.toggle(key="seq_history_open").set_value(True)
    return run(at)


def test_each_version_shows_its_time_and_what_changed(
    history: AppTest, demo: Project, store: Store, shots: list[Shot]
) -> None:
    seq = store.read_sequence(demo.id, "001")
    shown = texts(history)
    assert any(t.startswith("**Now** · ") and t.endswith(f"revision {seq.revision}") for t in shown)
    assert (
        "- "
        + md(
            f"shot #1 “The bay, at night”: title “{_old_title(store, demo)}” → “The bay, at night”"
        )
        in shown
    )
    assert any(md("prompt “") in t and md("“storm over the bay”") in t for t in shown)
    versions = store.list_versions(demo.id, REL)
    assert {restore_key(history, v.id) for v in versions}  # one Restore per kept version


def _old_title(store: Store, demo: Project) -> str:
    """The first shot's title as the demo made it (in the oldest kept version)."""
    entries = file_history(store, demo.id, "001").entries
    (change,) = [c for c in entries[0].changes if c.field == "title"]
    return str(change.old)


def test_restore_brings_the_old_version_back_and_is_undoable(
    history: AppTest, demo: Project, store: Store, shots: list[Shot]
) -> None:
    oldest = store.list_versions(demo.id, REL)[-1]
    click(history, restore_key(history, oldest.id))

    assert [s.id for s in store.read_shots(demo.id, "001")] == version_shot_ids(
        store, demo, oldest.id
    )
    first = store.read_shots(demo.id, "001")[0]
    assert first.prompt != "storm over the bay" and first.title != "The bay, at night"
    assert any("Restored the version saved" in t.value for t in history.toast)
    # The restore is itself a version: restoring the newest one undoes it.
    newest = store.list_versions(demo.id, REL)[0]
    click(history, restore_key(history, newest.id))
    assert store.read_shots(demo.id, "001")[0].title == "The bay, at night"


def test_a_restore_over_a_change_made_meanwhile_asks_first(
    history: AppTest, demo: Project, store: Store, shots: list[Shot]
) -> None:
    oldest = store.list_versions(demo.id, REL)[-1]
    store.update_shot(demo.id, "001", shots[1].id, {"notes": "a teammate's note"})  # meanwhile
    before = (store.project_dir(demo.id) / REL).read_bytes()
    click(history, restore_key(history, oldest.id))

    assert (store.project_dir(demo.id) / REL).read_bytes() == before
    (warning,) = history.warning
    assert md(f"Not restored: {REL} changed since you looked at its history") in warning.value
    confirm = history.button(key=f"history_confirm:{demo.id}/001/")
    assert confirm.label.startswith("Restore the version saved")
    click(history, confirm.key)
    assert [s.id for s in store.read_shots(demo.id, "001")] == version_shot_ids(
        store, demo, oldest.id
    )
    assert not any(s.notes == "a teammate's note" for s in store.read_shots(demo.id, "001"))
    assert not history.warning


def test_cancel_leaves_the_file_alone(
    history: AppTest, demo: Project, store: Store, shots: list[Shot]
) -> None:
    oldest = store.list_versions(demo.id, REL)[-1]
    store.update_shot(demo.id, "001", shots[1].id, {"notes": "theirs"})
    click(history, restore_key(history, oldest.id))
    before = (store.project_dir(demo.id) / REL).read_bytes()
    click(history, f"history_cancel:{demo.id}/001/")
    assert not history.warning
    assert (store.project_dir(demo.id) / REL).read_bytes() == before


def test_hostile_titles_in_summaries_are_text(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    first = store.read_shots(demo.id, "001")[0]
    hostile = "**Bold** ![x](http://some.host.invalid/x.png) <script>alert(1)</script>"
    store.update_shot(demo.id, "001", first.id, {"title": hostile})
    at = open_page(SEQUENCE, project=demo.id, seq="001")
    at.toggle(key="seq_history_open").set_value(True)
    run(at)
    summary = next(t for t in texts(at) if t.startswith("- ") and "some" in t)
    assert md(hostile) in summary
    assert "![x](" not in summary and "<script>" not in summary


def test_the_shot_editor_restores_one_shot(
    demo: Project, store: Store, shots: list[Shot], open_page: OpenPage
) -> None:
    store.update_shot(demo.id, "001", shots[1].id, {"notes": "another shot's edit"})
    at = open_page(SHOT, project=demo.id, seq="001", shot=shots[0].id)
    at.toggle(key="shot_history_open").set_value(True)
    run(at)
    shown = texts(at)
    assert not any("another shot" in t for t in shown), "only this shot's saves"
    offered = {k for k in (b.key or "" for b in at.button) if k.startswith("history_restore:")}
    mine = file_history(store, demo.id, "001").for_shot(shots[0].id)
    assert offered == {restore_key(at, e.version.id) for e in mine if e.version}
    assert len(offered) < len(store.list_versions(demo.id, REL))
    prompt_save = store.list_versions(demo.id, REL)[1]  # the version the title save replaced
    click(at, restore_key(at, prompt_save.id))

    restored = store.read_shots(demo.id, "001")
    assert restored[0].prompt == "storm over the bay"
    assert restored[0].title != "The bay, at night"
    assert restored[1].notes == "another shot's edit"  # other shots untouched
    # The editor shows the restored shot at once.
    assert restored[0].title in {t.value for t in at.text_input}


def test_the_shot_restore_waits_for_unsaved_edits(
    demo: Project, store: Store, shots: list[Shot], open_page: OpenPage
) -> None:
    at = open_page(SHOT, project=demo.id, seq="001", shot=shots[0].id)
    at.text_area(key=f"shot:{demo.id}/001/{shots[0].id}:0:notes").input("unsaved")
    at.toggle(key="shot_history_open").set_value(True)
    run(at)
    buttons = [b for b in at.button if (b.key or "").startswith("history_restore:")]
    assert buttons and all(b.disabled for b in buttons)


def test_the_loose_shots_history_restores_project_json(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    (loose,) = store.read_shots(demo.id, None)
    store.update_shot(demo.id, None, loose.id, {"prompt": "a loose prompt"})
    at = open_page(SEQUENCE, project=demo.id, seq="-")
    at.toggle(key="seq_history_open").set_value(True)
    run(at)
    assert any(md("“a loose prompt”") in t for t in texts(at))
    newest = store.list_versions(demo.id, "project.json")[0]
    click(at, restore_key(at, newest.id))
    assert store.read_shots(demo.id, None)[0].prompt == loose.prompt
