"""Undo in a real browser: edit a shot, save, open the sequence's history, restore, and the file on
disk holds the old version again."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .conftest import (
    DEMO,
    Server,
    click_and_wait,
    main_area,
    next_run,
    open_page,
    sequence_file,
    shots_on_disk,
    toast,
)

pytestmark = pytest.mark.browser

STAMPS = ("updated_at", "revision")


def without_stamps(data: dict[str, Any]) -> dict[str, Any]:
    """A sequence file without what every write restamps (the file's and each shot's)."""
    return {
        **{k: v for k, v in data.items() if k not in STAMPS},
        "shots": [{k: v for k, v in s.items() if k != "updated_at"} for s in data["shots"]],
    }


def test_edit_save_then_restore_the_old_version(page: Page, streamlit_server: Server) -> None:
    ws = streamlit_server.workspace
    before = sequence_file(ws, DEMO, "002")
    shot = shots_on_disk(ws, DEMO, "002")[0]

    open_page(page, streamlit_server, "shot", project=DEMO, seq="002", shot=shot["id"])
    main = main_area(page)
    new_prompt = "a lighthouse keeper climbing the stairs, lantern in hand"
    main.get_by_label("Prompt", exact=True).fill(new_prompt)
    # The prompt's blur and the click may be two runs: the toast says the save's run wrote the file.
    with next_run(page):
        main.locator("button").filter(has_text=re.compile("^Save$")).click()
        expect(toast(page, "Saved")).to_be_visible()
    assert shots_on_disk(ws, DEMO, "002")[0]["prompt"] == new_prompt

    open_page(page, streamlit_server, "sequence", project=DEMO, seq="002")
    click_and_wait(page, main.get_by_text("Show the history of this sequence"))
    # The newest entry says what the save changed, in words.
    expect(main.get_by_text(re.compile(r"prompt “.*” → “a lighthouse keeper"))).to_be_visible()
    restore = main.locator("button").filter(has_text=re.compile("^Restore$"))
    with next_run(page):  # the toast is looked for while it shows (it goes after 4 s)
        restore.first.click()  # the newest kept version: the file before the save
        expect(toast(page, "Restored the version")).to_be_visible()
    after = sequence_file(ws, DEMO, "002")
    assert without_stamps(after) == without_stamps(before)
    assert after["shots"][0]["prompt"] == shot["prompt"]
    assert after["revision"] == before["revision"] + 2  # the save, then the restore: both undoable
