"""One script run per click, and only the part that changed (issue 18), in a real browser.

Previous/Next shot are callbacks that move the URL before the click's own run (no second run from
``st.switch_page``). These check that the place still survives Back, Forward and reload, that unsaved
edits survive moving between shots, that the conflict panel still appears, and that every Save says
so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from storyboard_core.settings import POLL_SECONDS_MAX

from .conftest import (
    DEMO,
    Server,
    click_and_wait,
    main_area,
    next_run,
    open_page,
    sequence_file,
    serve,
    shots_on_disk,
    wait_for_app,
)
from .test_app import button, field, heading, path_of, query

pytestmark = pytest.mark.browser

SAVES = 30


@pytest.fixture(scope="module")
def streamlit_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo project on a server whose status badge polls rarely: its timed fragment runs would
    otherwise be counted among a click's runs."""
    settings = {"comfyui": {"servers": [], "poll_seconds": POLL_SECONDS_MAX}}
    with serve(tmp_path_factory.mktemp("navigation"), demo=True, settings=settings) as server:
        yield server


def runs(page: Page) -> int:
    """Script runs (full or fragment) the page has finished so far."""
    count: int = page.evaluate("window.__stRuns ?? 0")
    return count


def open_shot(page: Page, server: Server, seq: str, index: int) -> tuple[Path, dict[str, Any]]:
    """Open the shot editor on the ``index``-th shot of ``seq``: the workspace and that shot."""
    shot = shots_on_disk(server.workspace, DEMO, seq)[index]
    open_page(page, server, "shot", project=DEMO, seq=seq, shot=shot["id"])
    return server.workspace, shot


def test_next_and_previous_shot_keep_back_forward_and_reload(
    page: Page, streamlit_server: Server
) -> None:
    shots = shots_on_disk(streamlit_server.workspace, DEMO, "002")
    assert len(shots) >= 3
    open_page(page, streamlit_server, "shot", project=DEMO, seq="002", shot=shots[0]["id"])
    expect(heading(page, shots[0]["title"])).to_be_visible()

    before = runs(page)
    click_and_wait(page, button(page, "Next shot"))
    expect(heading(page, f"#2 {shots[1]['title']}")).to_be_visible()
    # At most one: a busy browser may draw a short run in one go, which the count misses (it
    # counted none here in a fresh-clone run, 18:28 UTC); it never counts a run that did not end.
    # A second run, as an ``st.switch_page`` after the click would make, is counted.
    assert runs(page) <= before + 1, "Next shot should be one script run"
    assert path_of(page) == "/shot" and query(page)["shot"] == shots[1]["id"]
    click_and_wait(page, button(page, "Next shot"))
    expect(heading(page, f"#3 {shots[2]['title']}")).to_be_visible()
    assert query(page)["shot"] == shots[2]["id"]

    with next_run(page):
        page.go_back()
    expect(heading(page, f"#2 {shots[1]['title']}")).to_be_visible()
    assert query(page)["shot"] == shots[1]["id"]
    with next_run(page):
        page.go_forward()
    expect(heading(page, f"#3 {shots[2]['title']}")).to_be_visible()
    assert query(page)["shot"] == shots[2]["id"]

    page.reload()
    wait_for_app(page)
    expect(heading(page, f"#3 {shots[2]['title']}")).to_be_visible()
    click_and_wait(page, button(page, "Previous shot"))
    expect(heading(page, f"#2 {shots[1]['title']}")).to_be_visible()
    page.reload()
    wait_for_app(page)
    expect(heading(page, f"#2 {shots[1]['title']}")).to_be_visible()
    assert query(page) == {"project": DEMO, "seq": "002", "shot": shots[1]["id"]}


def test_unsaved_edits_survive_moving_between_shots(page: Page, streamlit_server: Server) -> None:
    ws = streamlit_server.workspace
    shots = shots_on_disk(ws, DEMO, "002")
    open_page(page, streamlit_server, "shot", project=DEMO, seq="002", shot=shots[0]["id"])
    typed = "gulls over the breakwater, low sun, long shadows"
    with next_run(page):
        field(page, "Prompt").fill(typed)
        field(page, "Prompt").press("Tab")
    # The sidebar counts the edit.
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text("1 shot(s) with unsaved edits")

    click_and_wait(page, button(page, "Next shot"))
    expect(heading(page, shots[1]["title"])).to_be_visible()
    expect(sidebar).to_contain_text("1 shot(s) with unsaved edits")
    click_and_wait(page, button(page, "Previous shot"))
    expect(heading(page, shots[0]["title"])).to_be_visible()
    expect(field(page, "Prompt")).to_have_value(typed)
    expect(main_area(page)).to_contain_text("Unsaved changes")
    assert shots_on_disk(ws, DEMO, "002")[0]["prompt"] == shots[0]["prompt"]  # nothing written

    click_and_wait(page, button(page, "Revert"))
    expect(sidebar).not_to_contain_text("unsaved edits")


def test_thirty_saves_in_a_row_give_thirty_confirmations(
    page: Page, streamlit_server: Server
) -> None:
    ws, _ = open_shot(page, streamlit_server, "001", 2)
    toasts = page.get_by_test_id("stToast")
    for n in range(1, SAVES + 1):
        # Typed and saved at once (the field's value goes with the click): one wait per Save.
        field(page, "Notes").fill(f"take {n}")
        click_and_wait(page, button(page, "Save"))
        expect(main_area(page)).to_contain_text(f"(save {n} of this shot in this session)")
        # A new toast for every Save, even while the last one is still on screen.
        expect(toasts.filter(has_text=f"(save {n})")).to_be_visible()
        assert shots_on_disk(ws, DEMO, "001")[2]["notes"] == f"take {n}"


def test_a_save_clicked_while_typing_saves_what_was_typed(
    page: Page, streamlit_server: Server
) -> None:
    # The field's value is sent when it loses focus, that is by the very click on Save: the two
    # arrive together and the typed text must be what is saved.
    ws, _ = open_shot(page, streamlit_server, "002", 2)
    sidebar = page.get_by_test_id("stSidebar")
    field(page, "Title").fill("Typed and saved at once")  # no Tab: the field still has focus
    before = runs(page)
    click_and_wait(page, button(page, "Save"))
    expect(heading(page, "Typed and saved at once")).to_be_visible()
    expect(main_area(page)).to_contain_text("(save 1 of this shot in this session)")
    assert shots_on_disk(ws, DEMO, "002")[2]["title"] == "Typed and saved at once"
    expect(sidebar).not_to_contain_text("unsaved edits")
    expect(main_area(page)).not_to_contain_text("Unsaved changes")
    assert runs(page) - before <= 2  # the blur's and the Save's requests, at most

    # A new edit starts from the saved version (else it would look like a conflict with oneself).
    with next_run(page):
        field(page, "Title").fill("Typed again")
        field(page, "Title").press("Tab")
    expect(sidebar).to_contain_text("1 shot(s) with unsaved edits")
    field(page, "Notes").fill("and a note")
    click_and_wait(page, button(page, "Save"))
    expect(main_area(page)).to_contain_text("(save 2 of this shot in this session)")
    expect(main_area(page)).not_to_contain_text("changed elsewhere")
    saved = shots_on_disk(ws, DEMO, "002")[2]
    assert (saved["title"], saved["notes"]) == ("Typed again", "and a note")
    expect(heading(page, "Typed again")).to_be_visible()
    expect(sidebar).not_to_contain_text("unsaved edits")


def test_a_save_pressed_as_it_blurs_an_edited_field_is_not_lost(
    page: Page, streamlit_server: Server
) -> None:
    # Pressing Save blurs the field just typed in, and the blur's run redraws the page before the
    # button is released. Save must be the same element then, or the press and the release land on
    # two buttons and no click happens: a loaded fresh-clone run lost Save 20 of 30 so (18:46 UTC),
    # when Save turned from secondary to primary with the draft. Here the release waits for that run.
    ws, _ = open_shot(page, streamlit_server, "003", 0)
    field(page, "Notes").fill("pressed, then released after the blur's run")
    save = button(page, "Save")
    save.scroll_into_view_if_needed()
    box = save.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    with next_run(page):
        page.mouse.down()
    expect(main_area(page)).to_contain_text("Unsaved changes")  # the blur's run was drawn
    page.mouse.up()
    expect(main_area(page)).to_contain_text("(save 1 of this shot in this session)")
    assert (
        shots_on_disk(ws, DEMO, "003")[0]["notes"] == "pressed, then released after the blur's run"
    )


def test_the_conflict_panel_still_appears(page: Page, streamlit_server: Server) -> None:
    ws, _ = open_shot(page, streamlit_server, "003", 1)
    with next_run(page):
        field(page, "Title").fill("Mine")
        field(page, "Title").press("Tab")
    # Someone else changes the same field in the file meanwhile.
    path = ws / DEMO / "sequences" / "sequence_003.json"
    data = sequence_file(ws, DEMO, "003")
    data["shots"][1]["title"] = "Theirs"
    data["shots"][1]["updated_at"] = "2030-01-01T00:00:00Z"
    path.write_text(json.dumps(data, indent=2), "utf-8")

    click_and_wait(page, button(page, "Save"))
    expect(main_area(page)).to_contain_text("This shot was changed elsewhere")
    expect(button(page, "Keep mine")).to_be_visible()
    click_and_wait(page, button(page, "Keep mine"))
    expect(heading(page, "Mine")).to_be_visible()
    assert shots_on_disk(ws, DEMO, "003")[1]["title"] == "Mine"
