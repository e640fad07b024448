"""Shot editor: every field, Save and Revert, validation next to the field, conflicts, drafts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from streamlit.runtime.state.session_state import SessionState
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Error

from storyboard_core import Project, Shot, Store
from tests.hostile import as_read
from ui.frame.registry import SEQUENCE, SHOT

from .conftest import OpenPage, storyboard_view

LABELS = [
    "Title",
    "Description",
    "Prompt",
    "Negative prompt",
    "Duration (s)",
    "Shot type",
    "Camera movement",
    "Status",
    "Steps",
    "CFG scale",
    "Sampler",
    "Scheduler",
    "Seed",
    "Width",
    "Height",
    "Denoise",
    "Notes",
]
BUTTONS = ["Save", "Revert", "Previous shot", "Next shot"]

Snapshot = Callable[[], dict[str, bytes]]


def key(project: str, seq: str, shot: str, name: str, round_: int = 0) -> str:
    """The key of a shot editor widget."""
    return f"shot:{project}/{seq}/{shot}:{round_}:{name}"


def click(at: AppTest, button: str) -> AppTest:
    at.button(key=button).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def error_next_to(at: AppTest, widget_key: str) -> str:
    """The message drawn right below a widget (it must be an error)."""
    nodes = [n for n in at.main if not isinstance(n, Block)]
    i = next(i for i, n in enumerate(nodes) if getattr(n, "key", None) == widget_key)
    assert isinstance(nodes[i + 1], Error), f"no error below {widget_key}"
    return str(nodes[i + 1].value)


@pytest.fixture
def shots(demo: Project, store: Store) -> list[Shot]:
    """The shots of the demo's first sequence."""
    return store.read_shots(demo.id, "001")


@pytest.fixture
def editor(demo: Project, shots: list[Shot], open_page: OpenPage) -> AppTest:
    """The shot editor on the demo's second shot of sequence 001."""
    return open_page(SHOT, project=demo.id, seq="001", shot=shots[1].id)


def test_every_field_and_button_is_there(editor: AppTest, shots: list[Shot]) -> None:
    widgets = [*editor.text_input, *editor.text_area, *editor.number_input, *editor.selectbox]
    labels = [w.label for w in widgets]
    assert set(LABELS) <= set(labels), set(LABELS) - set(labels)
    assert len(labels) == len(set(labels))
    assert set(BUTTONS) <= {b.label for b in editor.button}
    assert f"#2 {shots[1].title}" in [as_read(t.value) for t in editor.title]
    assert editor.text_area(key=key(*_where(editor), "prompt")).value == shots[1].prompt
    assert editor.button(key="shot_revert").disabled  # nothing to revert yet


def _where(at: AppTest) -> tuple[str, str, str]:
    return at.query_params["project"], at.query_params["seq"], at.query_params["shot"]


def test_save_writes_the_prompt_to_the_sequence_file(
    editor: AppTest, demo: Project, store: Store, shots: list[Shot]
) -> None:
    before = store.read_sequence(demo.id, "001")
    editor.text_area(key=key(*_where(editor), "prompt")).input("harbour lights in the rain").run()
    editor.number_input(key=key(*_where(editor), "generation.steps")).set_value(32).run()
    assert any("Unsaved changes" in as_read(i.value) for i in editor.info)
    click(editor, "shot_save")

    after = store.read_sequence(demo.id, "001")
    saved = after.shots[1]
    assert saved.prompt == "harbour lights in the rain"
    assert saved.generation.steps == 32
    assert saved.title == shots[1].title  # untouched fields stay
    assert after.shots[0] == before.shots[0] and after.shots[2] == before.shots[2]
    assert after.revision == before.revision + 1
    # The page now shows the file: fresh widgets (next round), no unsaved flag, a toast.
    assert editor.text_area(key=key(*_where(editor), "prompt", 1)).value == saved.prompt
    assert not any("Unsaved changes" in as_read(i.value) for i in editor.info)
    assert "Saved at " in [as_read(t.value)[:9] for t in editor.toast]


def test_save_writes_a_change_whose_event_was_lost(
    editor: AppTest, demo: Project, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Under load Streamlit can fail a blur's run before its callbacks (two script runners on one
    # session's state): the field shows the new text but its on_change never ran. Save must still
    # write what the form shows.
    prompt = key(*_where(editor), "prompt")
    with monkeypatch.context() as lost:
        lost.setattr(SessionState, "_call_callbacks", lambda self, **_: None)
        editor.text_area(key=prompt).input("typed while the server was busy").run()
    click(editor, "shot_save")
    assert store.read_shots(demo.id, "001")[1].prompt == "typed while the server was busy"
    assert "Saved at " in [as_read(t.value)[:9] for t in editor.toast]


def test_a_change_whose_event_was_lost_on_leaving_the_editor_is_kept(
    editor: AppTest, demo: Project, shots: list[Shot], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A page link clicked while the prompt had the focus: the blur's change and the page switch come
    # in one run, whose callbacks a busy server can fail to run (a loaded fresh-clone run lost the
    # edit this way). No editor is drawn on the sequence page to take it in, and by the end of that
    # run Streamlit drops the field's value: it must be kept before then.
    prompt = key(*_where(editor), "prompt")
    editor.text_area(key=prompt).input("typed, then Back to the sequence")
    editor.switch_page(SEQUENCE.path)
    editor.query_params.clear()
    editor.query_params.update({"project": demo.id, "seq": "001"})
    with monkeypatch.context() as lost:
        lost.setattr(SessionState, "_call_callbacks", lambda self, **_: None)
        editor.run()
    assert not editor.exception, [e.value for e in editor.exception]
    assert "1 shot(s) with unsaved edits" in [as_read(w.value) for w in editor.sidebar.warning]
    editor.switch_page(SHOT.path)
    editor.query_params.update({"shot": shots[1].id})
    editor.run()
    assert editor.text_area(key=prompt).value == "typed, then Back to the sequence"
    assert any("Unsaved changes" in as_read(i.value) for i in editor.info)


def test_a_late_run_asked_for_by_the_widgets_before_a_save_starts_no_draft(
    editor: AppTest, demo: Project, store: Store
) -> None:
    # The browser sends every widget's value with each run it asks for. A fragment's timed run (the
    # status badge's) asked for just before the browser drew a Save's fresh widgets still names the
    # fields of the round that Save ended, with the values that were saved. Streamlit takes them as
    # changed and calls their handlers, whose shot is the one from before the Save: that made a draft
    # on the old version, and the next Save met a conflict with itself (the thirty-saves browser test,
    # one CI run in a few).
    notes = key(*_where(editor), "notes")
    editor.text_area(key=notes).input("take 1").run()
    before_the_save = editor._tree.get_widget_states()  # as the browser had them
    click(editor, "shot_save")
    editor._run(before_the_save)
    assert not editor.exception, [e.value for e in editor.exception]
    assert editor.button(key="shot_revert").disabled  # no draft
    assert not any("Unsaved changes" in as_read(i.value) for i in editor.info)

    editor.text_area(key=key(*_where(editor), "notes", 1)).input("take 2").run()
    click(editor, "shot_save")
    assert store.read_shots(demo.id, "001")[1].notes == "take 2"
    assert not editor.warning  # no conflict panel


def test_saving_without_changes_writes_nothing(editor: AppTest, snapshot: Snapshot) -> None:
    files = snapshot()
    click(editor, "shot_save")
    assert snapshot() == files
    assert "Nothing to save" in [as_read(t.value) for t in editor.toast]


def test_invalid_values_are_shown_next_to_their_fields_and_nothing_is_written(
    editor: AppTest, demo: Project, store: Store, shots: list[Shot], snapshot: Snapshot
) -> None:
    where = _where(editor)
    files = snapshot()
    editor.number_input(key=key(*where, "generation.steps")).set_value(0)
    editor.number_input(key=key(*where, "generation.width")).set_value(1001)
    editor.text_input(key=key(*where, "generation.seed")).input("abc")
    editor.text_area(key=key(*where, "prompt")).input("a valid prompt")
    editor.run()
    click(editor, "shot_save")

    assert snapshot() == files
    assert any("Nothing was saved" in as_read(e.value) for e in editor.error)
    assert "1 to 150" in error_next_to(editor, key(*where, "generation.steps"))
    assert "multiple of 8 from 64 to 8192" in error_next_to(editor, key(*where, "generation.width"))
    assert "-1 to" in error_next_to(editor, key(*where, "generation.seed"))
    # The typed values are kept for fixing, not thrown away.
    assert editor.text_input(key=key(*where, "generation.seed")).value == "abc"

    editor.number_input(key=key(*where, "generation.steps")).set_value(40)
    editor.number_input(key=key(*where, "generation.width")).set_value(1000)
    editor.text_input(key=key(*where, "generation.seed")).input("1234")
    editor.run()
    click(editor, "shot_save")
    saved = store.read_shot(demo.id, "001", shots[1].id)
    assert (saved.generation.steps, saved.generation.width, saved.generation.seed) == (
        40,
        1000,
        1234,
    )
    assert saved.prompt == "a valid prompt"
    assert not editor.error


def test_revert_restores_the_saved_version(
    editor: AppTest, shots: list[Shot], snapshot: Snapshot
) -> None:
    where = _where(editor)
    files = snapshot()
    editor.text_area(key=key(*where, "prompt")).input("something else")
    editor.selectbox(key=key(*where, "status")).set_value("rejected")
    editor.run()
    assert not editor.button(key="shot_revert").disabled
    click(editor, "shot_revert")

    assert snapshot() == files
    assert editor.text_area(key=key(*where, "prompt", 1)).value == shots[1].prompt
    assert editor.selectbox(key=key(*where, "status", 1)).value == shots[1].status
    assert not any("Unsaved changes" in as_read(i.value) for i in editor.info)
    assert editor.button(key="shot_revert").disabled


@pytest.fixture
def conflict(editor: AppTest, demo: Project, store: Store, shots: list[Shot]) -> AppTest:
    """The editor after my prompt edit met a change made on disk meanwhile (another tab)."""
    editor.text_area(key=key(*_where(editor), "prompt")).input("my prompt").run()
    store.update_shot(
        demo.id, "001", shots[1].id, {"prompt": "their prompt", "notes": "their notes"}
    )
    return click(editor, "shot_save")


def test_a_change_on_disk_is_never_overwritten(
    conflict: AppTest, demo: Project, store: Store, shots: list[Shot]
) -> None:
    on_disk = store.read_shot(demo.id, "001", shots[1].id)
    assert (on_disk.prompt, on_disk.notes) == ("their prompt", "their notes")
    assert any("changed elsewhere" in as_read(w.value) for w in conflict.warning)
    (table,) = conflict.table
    rows = {
        r["Field"]: (r["Your version"], r["On disk now"]) for r in table.value.to_dict("records")
    }
    assert rows["Prompt"] == ("my prompt", "their prompt")
    assert rows["Notes"] == (shots[1].notes, "their notes")
    assert {b.label for b in conflict.button} >= {"Keep mine", "Take theirs"}


def test_keep_mine_writes_my_version(
    conflict: AppTest, demo: Project, store: Store, shots: list[Shot]
) -> None:
    click(conflict, "conflict_keep_mine")
    on_disk = store.read_shot(demo.id, "001", shots[1].id)
    assert on_disk.prompt == "my prompt"
    assert on_disk.notes == "their notes"  # I did not touch the notes: their change stays
    assert not conflict.table
    assert conflict.text_area(key=key(*_where(conflict), "prompt", 1)).value == "my prompt"
    assert "Saved your version" in [as_read(t.value) for t in conflict.toast]


def test_take_theirs_discards_my_edit(
    conflict: AppTest, demo: Project, store: Store, shots: list[Shot], snapshot: Snapshot
) -> None:
    files = snapshot()
    click(conflict, "conflict_take_theirs")
    assert snapshot() == files
    assert store.read_shot(demo.id, "001", shots[1].id).prompt == "their prompt"
    assert not conflict.table
    assert conflict.text_area(key=key(*_where(conflict), "prompt", 1)).value == "their prompt"
    assert not any("Unsaved changes" in as_read(i.value) for i in conflict.info)


def test_unsaved_edits_survive_moving_between_pages(
    editor: AppTest, demo: Project, shots: list[Shot], open_page: OpenPage, snapshot: Snapshot
) -> None:
    where = _where(editor)
    files = snapshot()
    editor.text_area(key=key(*where, "prompt")).input("half-written prompt").run()
    assert any("Unsaved changes" in as_read(i.value) for i in editor.info)

    at = storyboard_view(open_page(SEQUENCE, project=demo.id, seq="001"))
    assert any(c.value.startswith("#2 ") and "unsaved" in as_read(c.value) for c in at.caption), (
        "the storyboard card should flag the unsaved shot"
    )
    assert "1 shot(s) with unsaved edits" in [as_read(w.value) for w in at.sidebar.warning]

    at = open_page(SHOT, project=demo.id, seq="001", shot=shots[1].id)
    assert at.text_area(key=key(*where, "prompt")).value == "half-written prompt"
    assert any("Unsaved changes" in as_read(i.value) for i in at.info)
    assert snapshot() == files


def test_previous_and_next_shot(editor: AppTest, shots: list[Shot]) -> None:
    click(editor, "next_shot")
    assert editor.query_params["shot"] == shots[2].id
    assert f"#3 {shots[2].title}" in [as_read(t.value) for t in editor.title]
    assert editor.button(key="next_shot").disabled  # the last shot

    click(editor, "prev_shot")
    click(editor, "prev_shot")
    assert editor.query_params["shot"] == shots[0].id
    assert f"#1 {shots[0].title}" in [as_read(t.value) for t in editor.title]
    assert editor.button(key="prev_shot").disabled  # the first shot


def test_loose_shot_is_saved_into_project_json(
    demo: Project, store: Store, workspace, open_page: OpenPage
) -> None:
    (loose,) = store.read_shots(demo.id, None)
    sequences = {p: p.read_bytes() for p in (workspace / demo.id / "sequences").glob("*.json")}
    at = open_page(SHOT, project=demo.id, seq="-", shot=loose.id)
    assert [as_read(link.value) for link in at.page_link] == ["Back to the project", "Present"]
    at.text_input(key=key(demo.id, "-", loose.id, "title")).input("The boat returns").run()
    click(at, "shot_save")

    assert store.read_shot(demo.id, None, loose.id).title == "The boat returns"
    assert {p: p.read_bytes() for p in sequences} == sequences


@pytest.mark.parametrize(
    ("project", "seq", "shot", "back"),
    [
        ("x", "001", "nope", ("Back to the dashboard", "")),
        (None, "001", "nope", ("Back to the sequence", "project={p}&seq=001")),
        (None, "001", "../../etc", ("Back to the sequence", "project={p}&seq=001")),
        (None, "999", "nope", ("Back to the project", "project={p}")),
        (None, "-", "nope", ("Back to the sequence", "project={p}&seq=-")),
    ],
    ids=["unknown-project", "unknown-shot", "unsafe-shot", "unknown-sequence", "unknown-loose"],
)
def test_a_link_to_a_missing_shot_says_so_and_leads_somewhere_real(
    demo: Project,
    open_page: OpenPage,
    project: str | None,
    seq: str,
    shot: str,
    back: tuple[str, str],
) -> None:
    at = open_page(SHOT, project=project or demo.id, seq=seq, shot=shot)
    assert at.error, "expected a message"
    (link,) = at.page_link
    assert (link.value, link.proto.query_string) == (back[0], back[1].format(p=demo.id))
    assert not at.main.text_area and not at.main.button


def test_a_shot_in_a_broken_file_cannot_be_edited(
    demo: Project, shots: list[Shot], workspace, open_page: OpenPage
) -> None:
    path = workspace / demo.id / "sequences" / "sequence_001.json"
    path.write_text("[1, 2")
    at = open_page(SHOT, project=demo.id, seq="001", shot=shots[0].id)
    assert any("sequence_001.json" in as_read(e.value) for e in at.error), [
        as_read(e.value) for e in at.error
    ]
    assert not at.main.text_area and not at.main.button
    assert path.read_text() == "[1, 2"


def test_a_change_elsewhere_to_other_fields_merges_with_my_edit(
    editor: AppTest, demo: Project, store: Store, shots: list[Shot]
) -> None:
    where = _where(editor)
    editor.text_area(key=key(*where, "prompt")).input("my prompt").run()
    store.update_shot(demo.id, "001", shots[1].id, {"notes": "their notes"})
    editor.run()
    assert not editor.table  # no clash: no choice to make
    assert any("fields you did not edit" in as_read(i.value) for i in editor.info)
    # The page now shows their notes, with my prompt still unsaved on top.
    assert editor.text_area(key=key(*where, "notes", 1)).value == "their notes"
    assert editor.text_area(key=key(*where, "prompt", 1)).value == "my prompt"
    click(editor, "shot_save")
    on_disk = store.read_shot(demo.id, "001", shots[1].id)
    assert (on_disk.prompt, on_disk.notes) == ("my prompt", "their notes")


def test_save_merges_when_the_other_change_lands_just_before_it(
    editor: AppTest, demo: Project, store: Store, shots: list[Shot]
) -> None:
    editor.text_area(key=key(*_where(editor), "prompt")).input("my prompt").run()
    store.update_shot(demo.id, "001", shots[1].id, {"status": "approved"})
    click(editor, "shot_save")  # the page had not seen the other change yet
    on_disk = store.read_shot(demo.id, "001", shots[1].id)
    assert (on_disk.prompt, on_disk.status) == ("my prompt", "approved")
    assert not editor.table


def _browser_default(widget: Any) -> Any:
    """The value a browser draws a widget with when it has none of its own (the element's default)."""
    proto = widget.proto
    if widget.type == "multiselect":
        return [proto.options[i] for i in proto.default]
    if not proto.HasField("default"):
        return None
    if widget.type == "selectbox":  # the index of its choice
        return proto.options[proto.default]
    return proto.default


def test_every_field_tells_the_browser_its_value_on_every_run(
    demo: Project, store: Store, shots: list[Shot], open_page: OpenPage
) -> None:
    # A field is seeded once, through the session state, and only that run's element carries its
    # value to the browser. When that run is cut short by the next request before the element goes
    # out, the browser draws the field from the element's default and reports that as the
    # person's change: an empty "settings this shot sets itself" was saved over the shot's own
    # checkpoint and size (two loaded test runs). Every run's element must carry the value.
    store.update_shot(
        demo.id, "001", shots[1].id, {"generation": {"checkpoint": "own.safetensors", "width": 640}}
    )
    at = open_page(SHOT, project=demo.id, seq="001", shot=shots[1].id)
    at.text_area(key=key(*_where(at), "prompt")).input("typed, not saved").run()
    at.run()  # a later run: every field already seeded
    own = at.multiselect(key=key(*_where(at), "own_settings"))
    assert own.value == ["checkpoint", "width"]
    widgets = [*at.text_input, *at.text_area, *at.number_input, *at.selectbox, own]
    fields = [w for w in widgets if (w.key or "").startswith("shot:")]
    assert len(fields) >= len(LABELS)
    wrong = {
        w.key: (w.value, _browser_default(w)) for w in fields if _browser_default(w) != w.value
    }
    assert not wrong, wrong
