"""The README's screenshots, taken from the app on the untouched demo project at 1400×900.

Every run takes them (and checks each page drew); ``UPDATE_SCREENSHOTS=1`` writes them into
``docs/screenshots/{dashboard,project,sequence,shot,present,settings}.png``, so that an ordinary test run does
not change committed files.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import DEMO, VIEWPORT, Server, main_area, open_page, shots_on_disk

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where the screenshots go: the README's folder with ``UPDATE_SCREENSHOTS=1``, else a temp one."""
    return DOCS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path


def shoot(page: Page, name: str, folder: Path) -> Path:
    """Save the whole page (the viewport grown to the content's height) as ``name.png``."""
    expect(page.get_by_test_id("stToast")).to_have_count(0)
    height = page.evaluate(
        "() => Math.max(...['stMain', 'stAppViewContainer'].map("
        "id => document.querySelector(`[data-testid=${id}]`)?.scrollHeight ?? 0))"
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], height)})
    page.wait_for_timeout(300)  # let the charts and grids lay out at the new size
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    page.set_viewport_size(VIEWPORT)
    return path


def test_screenshots_of_every_page(page: Page, demo_server: Server, screenshots: Path) -> None:
    screenshots.mkdir(parents=True, exist_ok=True)
    first = shots_on_disk(demo_server.workspace, DEMO, "001")[0]["id"]
    shots = [
        ("dashboard", "", {}, "Projects (1)"),
        ("project", "", {"project": DEMO}, "Seconds per sequence"),
        ("sequence", "sequence", {"project": DEMO, "seq": "001"}, "The harbour at dusk"),
        (
            "shot",
            "shot",
            {
                "project": DEMO,
                "seq": "001",
                "shot": first,
            },
            "Generation settings",
        ),
        ("present", "present", {"project": DEMO, "seq": "001", "shot": first}, "Edit this shot"),
        ("review", "review", {"project": DEMO}, "To retake"),
        ("settings", "settings", {}, "Workspace"),
    ]
    for name, path, params, text in shots:
        open_page(page, demo_server, path, **params)
        expect(main_area(page)).to_contain_text(text)
        if name == "project":
            expect(main_area(page).get_by_test_id("stVegaLiteChart").first).to_be_visible()
        if name == "present":
            expect(page.locator(".sb-player .sb-card-title")).to_have_text("Establishing: the bay")
        saved = shoot(page, name, screenshots)
        assert saved.stat().st_size > 10_000, f"{saved} looks empty"
