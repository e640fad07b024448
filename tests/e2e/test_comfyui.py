"""ComfyUI in a real browser: the sidebar status badge and renders, against the fake ComfyUI.

The app runs as ``streamlit run app.py`` (see ``conftest.py``) with a ``settings.json`` naming one fake
server and a poll interval of 1 s, so "a change shows within two poll intervals" is checked in seconds.
Each render is checked on the screen (progress, then the frame) and on disk (the PNG and the shot's
``render`` record in its sequence file).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from storyboard_core import Store
from tests.fake_comfyui.server import FakeComfyUI
from tests.fake_comfyui.state import VERSION

from .conftest import (
    DEMO,
    Server,
    ServerFactory,
    comfyui_settings,
    main_area,
    next_run,
    open_page,
    serve,
    shots_on_disk,
    show_view,
    toast,
)
from .launch import free_port

pytestmark = pytest.mark.browser

CHECKPOINT = "sdxl.safetensors"
POLL_SECONDS = 1
# Two poll intervals (the monitor's check, then the badge fragment's redraw), plus a margin for a busy
# machine and the browser.
BADGE_DEADLINE_MS = 4_000
RENDER_TIMEOUT_MS = 30_000


# --------------------------------------------------------------------------- helpers
def badge(page: Page) -> Locator:
    """The sidebar's ComfyUI status badge."""
    return page.get_by_test_id("stSidebar").locator("[data-testid='comfyui-status']")


def expect_badge(page: Page, state: str, text: str) -> None:
    """The badge is in ``state`` and its label starts with ``text``."""
    pattern = re.compile("^\\W*" + re.escape(text))  # after the coloured dot
    expect(badge(page)).to_have_attribute("data-state", state)
    expect(badge(page)).to_have_text(pattern)


def wait_for_state(page: Page, state: str) -> None:
    """Wait until the badge shows ``state``, failing after ``BADGE_DEADLINE_MS``. Watched every
    50 ms in the page (an ``expect`` retries at up to 1 s steps, too coarse for a deadline)."""
    try:
        page.wait_for_function(
            "state => document.querySelector(\"[data-testid='comfyui-status']\")?.dataset.state"
            " === state",
            arg=state,
            polling=50,
            timeout=BADGE_DEADLINE_MS,
        )
    except PlaywrightTimeoutError:
        pytest.fail(
            f"the badge did not turn {state} within {BADGE_DEADLINE_MS / 1000:g} s "
            f"(two poll intervals of {POLL_SECONDS} s and a margin); it says "
            f"{badge(page).inner_text()!r}"
        )


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG file (asserting it is one)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def loaded_images(area: Locator) -> Locator:
    """The ``st.image`` pictures in ``area`` (with a source to show)."""
    return area.locator("[data-testid='stImage'] img[src]")


def expect_image_loaded(image: Locator, size: tuple[int, int]) -> None:
    """``image`` is shown and is the picture of ``size`` (its natural size, as decoded)."""
    expect(image).to_be_visible()
    natural = image.evaluate(
        "(img) => new Promise((done) => img.complete ? done([img.naturalWidth, img.naturalHeight])"
        " : img.addEventListener('load', () => done([img.naturalWidth, img.naturalHeight])))"
    )
    assert tuple(natural) == size


def give_checkpoint(workspace: Path, seq: str, shot_ids: list[str]) -> None:
    """Set the fake's checkpoint on shots, through the core (as the shot editor would save it)."""
    patch = {"generation": {"checkpoint": CHECKPOINT}}
    Store(workspace).update_shots(DEMO, seq, dict.fromkeys(shot_ids, patch))


def card(page: Page, title: str) -> Locator:
    """The storyboard card of the shot titled ``title``: the innermost block holding its edit link."""
    link = page.get_by_role("link", name=title)
    blocks = main_area(page).get_by_test_id("stVerticalBlock")
    return blocks.filter(has=link).filter(
        has_not=page.get_by_test_id("stVerticalBlock").filter(has=link)
    )


def screenshot(page: Page, path: Path) -> None:
    """The whole page (the app scrolls inside its main area, so the viewport grows to fit it)."""
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    size = page.viewport_size
    assert size is not None
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
    page.wait_for_timeout(200)
    page.screenshot(path=str(path), animations="disabled")
    page.set_viewport_size(size)


def show_storyboard(page: Page) -> None:
    """Switch the sequence page to its "Storyboard" tab (the cards; no script run)."""
    show_view(page, "Storyboard")


# --------------------------------------------------------------------------- the status badge
def test_badge_goes_online_when_the_server_starts(
    page: Page, server_factory: ServerFactory
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # The environment's override names the same server, so a STORYBOARD_COMFYUI_URL set in the
    # shell cannot point the app elsewhere.
    server = server_factory(
        settings=comfyui_settings(url, poll_seconds=POLL_SECONDS),
        env={"STORYBOARD_COMFYUI_URL": url},
    )
    open_page(page, server)
    expect_badge(page, "offline", f"ComfyUI: offline · connection refused · {url}")

    fake = FakeComfyUI(port=port)
    try:
        fake.start()
        wait_for_state(page, "online")
        expect_badge(page, "online", f"ComfyUI: online · {VERSION}")

        # Every page has the badge (a new session: the process-wide monitor already knows).
        open_page(page, server, "settings")
        expect_badge(page, "online", f"ComfyUI: online · {VERSION} · cpu · queue 0")

        fake.go_down()
        wait_for_state(page, "offline")
        expect_badge(page, "offline", f"ComfyUI: offline · connection refused · {url}")

        fake.come_back()
        wait_for_state(page, "online")
        expect_badge(page, "online", f"ComfyUI: online · {VERSION}")
    finally:
        fake.stop()


# --------------------------------------------------------------------------- renders
@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeComfyUI]:
    """A fake ComfyUI with one checkpoint, slow enough (0.1 s a step) that a render shows progress."""
    fake = FakeComfyUI(checkpoints=[CHECKPOINT], step_delay=0.1).start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture(scope="module")
def render_server(
    tmp_path_factory: pytest.TempPathFactory, fake_server: FakeComfyUI
) -> Iterator[Server]:
    """The app on the demo project, rendering on ``fake_server``; each test uses its own sequence."""
    with serve(
        tmp_path_factory.mktemp("render"),
        demo=True,
        settings=comfyui_settings(fake_server.url, poll_seconds=POLL_SECONDS),
        env={"STORYBOARD_COMFYUI_URL": fake_server.url},
    ) as server:
        yield server


def test_render_a_shot_and_see_its_frame_in_the_storyboard(
    page: Page, render_server: Server, fake_server: FakeComfyUI, tmp_path: Path
) -> None:
    workspace = render_server.workspace
    shot = shots_on_disk(workspace, DEMO, "001")[0]
    give_checkpoint(workspace, "001", [shot["id"]])

    open_page(page, render_server, "shot", project=DEMO, seq="001", shot=shot["id"])
    expect_badge(page, "online", f"ComfyUI: online · {VERSION}")
    main = main_area(page)
    expect(main).to_contain_text("No frame rendered yet.")
    expect(loaded_images(main)).to_have_count(0)

    progress = main.get_by_test_id("stProgress")
    with next_run(page):  # the progress is looked for while the render goes on, not after
        main.get_by_role("button", name="Render", exact=True).click()
        expect(progress).to_be_visible()
        expect(progress).to_contain_text(re.compile("queued|rendering"))

    # When the job ends the page redraws with the frame, and the progress bar is gone.
    expect(loaded_images(main)).to_have_count(1, timeout=RENDER_TIMEOUT_MS)
    expect(progress).to_have_count(0)
    expect(main).not_to_contain_text("No frame rendered yet.")

    renders = sorted((workspace / DEMO / "renders" / shot["id"]).glob("*.png"))
    assert len(renders) == 1
    size = png_size(renders[0])
    expect_image_loaded(loaded_images(main).first, size)
    screenshot(page, tmp_path / "shot-editor-after-render.png")  # to look at when it fails

    record = shots_on_disk(workspace, DEMO, "001")[0]["render"]
    assert record["image"] == renders[0].relative_to(workspace / DEMO).as_posix()
    assert record["server"] == fake_server.url
    assert record["prompt_id"]
    assert isinstance(record["seed"], int) and record["seed"] >= 0  # -1 became a recorded seed
    expect(main).to_contain_text(f"Seed {record['seed']}")

    # The storyboard: the first card shows the frame, the others still their prompt.
    open_page(page, render_server, "sequence", project=DEMO, seq="001")
    show_storyboard(page)
    first = card(page, shot["title"])
    expect(first).to_have_count(1)
    expect_image_loaded(loaded_images(first).first, size)
    expect(loaded_images(main_area(page))).to_have_count(1)


def test_render_missing_fills_the_storyboard(page: Page, render_server: Server) -> None:
    workspace = render_server.workspace
    shots = shots_on_disk(workspace, DEMO, "002")
    missing = [s for s in shots if s["prompt"].strip()]
    empty = [s for s in shots if not s["prompt"].strip()]
    assert len(missing) == 3 and len(empty) == 1  # the demo's sequence 002
    give_checkpoint(workspace, "002", [s["id"] for s in shots])

    open_page(page, render_server, "sequence", project=DEMO, seq="002")
    show_storyboard(page)
    main = main_area(page)
    expect(loaded_images(main)).to_have_count(0)
    with next_run(page):  # the toast and the first progress are looked for while they show
        main.get_by_role("button", name="Render missing (3)", exact=True).click()
        expect(toast(page, "Queued 3 render(s)")).to_be_visible()
        # Three renders of 2 s each, one at a time: the page shows them going on.
        expect(main.get_by_test_id("stProgress").first).to_be_visible()
        expect(main).to_contain_text(re.compile("queued|rendering"))

    # Every card with a prompt gets its frame; the one without a prompt was not queued.
    expect(loaded_images(main)).to_have_count(3, timeout=RENDER_TIMEOUT_MS)
    for shot in missing:
        expect(loaded_images(card(page, shot["title"]))).to_have_count(1)
    expect(loaded_images(card(page, empty[0]["title"] or empty[0]["id"]))).to_have_count(0)
    expect(main.get_by_role("button", name="Render missing (0)", exact=True)).to_be_disabled()

    on_disk = {s["id"]: s.get("render") for s in shots_on_disk(workspace, DEMO, "002")}
    for shot in missing:
        record = on_disk[shot["id"]]
        assert record is not None, f"{shot['id']} has no render"
        assert (workspace / DEMO / record["image"]).is_file()
    assert on_disk[empty[0]["id"]] is None
