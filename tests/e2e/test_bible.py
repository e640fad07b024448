"""The bible in a real browser: add @Léa on the Bible page, write her into a prompt, see the prompt
as it will render, render on the fake ComfyUI, and find the expanded prompt in the take's recorded
inputs on disk."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from storyboard_core import Store
from tests.fake_comfyui.server import FakeComfyUI

from .conftest import (
    DEMO,
    Server,
    click_and_wait,
    comfyui_settings,
    main_area,
    next_run,
    open_page,
    serve,
    shots_on_disk,
    wait_for_app,
)
from .test_app import button, expect_toast, field

pytestmark = pytest.mark.browser

CHECKPOINT = "sd15.safetensors"
RENDER_TIMEOUT_MS = 60_000  # a loaded machine: other engineers' tests share the cores
LEA = "a woman of 30, short black hair, red wool coat"


@pytest.fixture
def fake() -> Iterator[FakeComfyUI]:
    with FakeComfyUI(checkpoints=[CHECKPOINT]) as server:
        yield server


@pytest.fixture
def app(tmp_path: Path, fake: FakeComfyUI) -> Iterator[Server]:
    def prepare(store: Store) -> None:
        shot = store.read_shots(DEMO, "001")[0]
        store.update_shot(DEMO, "001", shot.id, {"generation": {"checkpoint": CHECKPOINT}})

    with serve(
        tmp_path,
        demo=True,
        settings=comfyui_settings(fake.url, poll_seconds=1),
        env={"STORYBOARD_COMFYUI_URL": fake.url},
        prepare=prepare,
    ) as server:
        yield server


def test_a_mention_written_in_the_browser_is_rendered_expanded_and_recorded(
    page: Page, app: Server, fake: FakeComfyUI
) -> None:
    workspace = app.workspace
    open_page(page, app, "bible", project=DEMO)
    main = main_area(page)
    main.get_by_text("Add an entry").click()
    field(page, "Name").fill("Léa")
    field(page, "Description").fill(LEA)
    with next_run(page):
        button(page, "Add").click()
        expect_toast(page, "Added @")  # the name follows, kept from becoming a mail link
    assert Store(workspace).read_project(DEMO).bible.characters[0].description == LEA

    shot = shots_on_disk(workspace, DEMO, "001")[0]
    open_page(page, app, "shot", project=DEMO, seq="001", shot=shot["id"])
    field(page, "Prompt").fill("@Léa on the quay at dawn")
    field(page, "Prompt").press("Tab")  # the text area commits its value when it loses focus
    wait_for_app(page)
    expanded = f"{LEA} on the quay at dawn"
    expect(main_area(page)).to_contain_text(expanded)
    with next_run(page):
        button(page, "Save").click()
        expect_toast(page, "Saved")

    render = main_area(page).get_by_role("button", name="Render", exact=True)
    expect(render).to_be_enabled()  # saved: a render uses the saved shot
    expect(main_area(page)).not_to_contain_text("Unsaved changes")
    click_and_wait(page, render)
    frames = main_area(page).locator("[data-testid='stImage'] img[src]")
    expect(frames).to_have_count(1, timeout=RENDER_TIMEOUT_MS)

    record = shots_on_disk(workspace, DEMO, "001")[0]
    assert record["prompt"] == "@Léa on the quay at dawn", "the shot keeps the mention"
    take = record["render"]["versions"][-1]
    assert take["inputs"]["prompt"] == expanded
    sent = [r for r in fake.requests_to("/prompt") if r.method == "POST"]
    assert re.search(re.escape(expanded), sent[-1].body.decode())
