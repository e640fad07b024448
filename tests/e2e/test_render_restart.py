"""Renders survive a restart of the app: ``streamlit run`` is SIGKILLed in the middle of "Render missing".

The real app (``streamlit run app.py``) renders ten shots on the fake ComfyUI, slow enough (about 1.5 s
a prompt) that the kill lands with some shots done, one prompt running on the server and the rest
waiting. The app is started again on the same workspace and a page is opened (the renderer resumes on
the first run of any page). Every shot must end with a frame and exactly one take, and the fake must
have run exactly ten prompts: the one that was running when the app died is taken from the server's
history, not rendered again, and the waiting ones are sent once.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from storyboard_core import Store
from storyboard_core.comfyui.journal import QUEUE_FILE
from tests.fake_comfyui.server import FakeComfyUI

from .conftest import (
    click_and_wait,
    comfyui_settings,
    main_area,
    open_page,
    shots_on_disk,
    show_view,
    streamlit_app,
)

pytestmark = pytest.mark.browser

CHECKPOINT = "sdxl.safetensors"
SHOTS = 10
STEP_DELAY_S = 0.06  # x (10 sampler steps + 6 other nodes) = about 1 s a prompt
KILL_AFTER = 4  # prompts started: three shots done, the fourth running on the server
DEADLINE_MS = 120_000  # for everything to be rendered after the restart, on a busy machine


@pytest.fixture
def fake() -> Iterator[FakeComfyUI]:
    server = FakeComfyUI(checkpoints=[CHECKPOINT], step_delay=STEP_DELAY_S).start()
    try:
        yield server
    finally:
        server.stop()


def a_project_of_ten_shots(workspace: Path) -> str:
    """A project whose one sequence has ten shots, each with a prompt and the fake's checkpoint."""
    store = Store(workspace)
    project = store.create_project(
        "Relance",
        format_id="custom",
        sequences=1,
        seconds_per_sequence=50,
        shots_per_sequence=SHOTS,
    )
    shots = store.read_sequence(project.id, "001").shots
    gen = {"checkpoint": CHECKPOINT, "steps": 10, "width": 64, "height": 64}
    store.update_shots(
        project.id,
        "001",
        {s.id: {"prompt": f"harbour at dawn, plan {s.position}", "generation": gen} for s in shots},
    )
    return project.id


def wait_until(page: Page, check: Any, what: str, timeout_ms: int = DEADLINE_MS) -> None:
    """Check every 200 ms (in the browser's clock) until ``check()`` is true; fail naming ``what``."""
    for _ in range(timeout_ms // 200):
        if check():
            return
        page.wait_for_timeout(200)
    pytest.fail(f"timed out waiting for {what}")


def test_render_missing_survives_a_sigkill_of_the_app(
    page: Page, fake: FakeComfyUI, tmp_path: Path
) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    project = a_project_of_ten_shots(workspace)
    (workspace / "settings.json").write_text(
        json.dumps(comfyui_settings(fake.url, poll_seconds=1)), "utf-8"
    )
    env = {"STORYBOARD_COMFYUI_URL": fake.url}
    queue = workspace / project / QUEUE_FILE

    def rendered() -> list[dict[str, Any]]:
        return [s for s in shots_on_disk(workspace, project, "001") if s.get("render")]

    with streamlit_app(workspace, tmp_path / "first.log", env=env) as first:
        open_page(page, first, "sequence", project=project, seq="001")
        main = main_area(page)
        click_and_wait(
            page, main.get_by_role("button", name=f"Render missing ({SHOTS})", exact=True)
        )
        wait_until(page, lambda: len(fake.executed) >= KILL_AFTER, "the kill point", 60_000)
        os.kill(first.pid, signal.SIGKILL)
        done_before = len(rendered())
    # The kill landed in the middle: some shots done, not all, the rest waiting on disk.
    assert 0 < done_before < SHOTS, f"{done_before} shots were rendered before the kill"
    assert queue.is_file(), "the render queue was not on disk when the app died"
    left = json.loads(queue.read_text("utf-8"))["jobs"]
    assert len(left) == SHOTS - done_before
    # The prompt running when the app died is on disk with the id the server knows it by.
    (sent,) = [j for j in left if j["prompt_id"]]
    assert sent["prompt_id"] in fake.executed

    with streamlit_app(workspace, tmp_path / "second.log", env=env) as second:
        open_page(page, second, "sequence", project=project, seq="001")
        wait_until(page, lambda: len(rendered()) == SHOTS, "all ten frames")
        wait_until(page, lambda: not queue.exists(), "the render queue to empty")

        shots = shots_on_disk(workspace, project, "001")
        for shot in shots:
            record = shot["render"]
            assert len(record["versions"]) == 1, f"{shot['id']} has {len(record['versions'])} takes"
            assert record["versions"][0]["prompt_id"] == record["prompt_id"]
            assert (workspace / project / record["image"]).is_file()
        # Each shot was rendered once on the server: nothing twice, nothing lost.
        assert len(fake.executed) == SHOTS
        assert sorted(s["render"]["prompt_id"] for s in shots) == sorted(fake.executed)
        assert len([r for r in fake.requests_to("/prompt") if r.method == "POST"]) == SHOTS
        # The one that was running came from the server's history: its take has the same prompt.
        (was_running,) = [s for s in shots if s["id"] == sent["shot_id"]]
        assert was_running["render"]["prompt_id"] == sent["prompt_id"]

        # And the restarted app shows every frame.
        open_page(page, second, "sequence", project=project, seq="001")
        show_view(page, "Storyboard")
        images = main_area(page).locator("[data-testid='stImage'] img[src]")
        expect(images).to_have_count(SHOTS, timeout=30_000)
        expect(
            main_area(page).get_by_role("button", name="Render missing (0)", exact=True)
        ).to_be_disabled()
