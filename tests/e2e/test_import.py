"""Importing a StoryCore project from the dashboard, in a real browser, then opening it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ..core.storycore.conftest import FIXTURES
from .conftest import Server, click_and_wait, main_area, open_page, wait_for_app

pytestmark = pytest.mark.browser


def test_import_then_open_the_project(page: Page, empty_server: Server, tmp_path: Path) -> None:
    folder = shutil.copytree(FIXTURES / "current", tmp_path / "orage")
    open_page(page, empty_server)
    main = main_area(page)
    main.get_by_text("Import a StoryCore project").click()
    # Settled before typing and clicking: a click must not land on a form a run is still redrawing.
    expect(main.get_by_label("StoryCore project folder")).to_be_visible()
    wait_for_app(page)
    main.get_by_label("StoryCore project folder").fill(str(folder))
    click_and_wait(page, main.get_by_role("button", name="Import", exact=True))

    expect(main.get_by_test_id("stAlertContentSuccess")).to_contain_text(
        "Imported L'Orage sur la baie: 6 shots in 3 sequences, 2 loose shots"
    )
    assert (empty_server.workspace / "l-orage-sur-la-baie" / "project.json").is_file()
    click_and_wait(page, main.get_by_role("link", name="Open L'Orage sur la baie"))
    expect(main.get_by_role("heading", level=1)).to_have_text("L'Orage sur la baie")
    table = main.get_by_test_id("stDataFrame").first
    for name in ("L'aube", "La nuit", "Nouvelle séquence"):
        expect(table.locator("td", has_text=name)).to_have_count(1)
