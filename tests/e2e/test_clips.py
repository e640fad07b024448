"""Video takes in a real browser: the editor plays the clip, Present plays each shot's clip with the
player (Next switches it, Stop pauses it), two video takes compared play on one clock, and the
one-file player plays its inlined clips.

The takes are made on disk as the renderer makes them (``tests/video_takes.py``): red-then-blue
MP4 clips with their posters. Times are the video elements' own clocks (``currentTime``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from storyboard_core import Store, export_file
from tests.video_takes import add_video_take

from .clip_checks import play_compared, present_plays, wait_playing
from .conftest import DEMO, Server, main_area, open_page, serve
from .test_screenshots import DOCS, shoot

pytestmark = pytest.mark.browser

SEQ = "001"


def prepare(store: Store) -> None:
    """Every shot of 001 a clip of 3 s, held 8 s; the first shot a second, shorter take (2 s)."""
    shots = store.read_shots(DEMO, SEQ)
    store.update_shots(DEMO, SEQ, {s.id: {"duration": 8.0} for s in shots})
    for shot in shots:
        add_video_take(store, DEMO, SEQ, shot.id, frames=72, fps=24)
    add_video_take(store, DEMO, SEQ, shots[0].id, frames=48, fps=24)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(tmp_path_factory.mktemp("clips"), demo=True, prepare=prepare) as running:
        yield running


def shot_ids(server: Server) -> list[str]:
    return [s.id for s in Store(server.workspace).read_shots(DEMO, SEQ)]


def test_the_editor_plays_the_current_take_s_clip(page: Page, server: Server) -> None:
    open_page(page, server, "shot", project=DEMO, seq=SEQ, shot=shot_ids(server)[0])
    clip = page.locator(".sbc-video").first
    expect(clip).to_be_visible(timeout=30_000)
    expect(clip).to_have_attribute("poster", re.compile(r"/media/.+\.jpg$"))
    assert clip.evaluate("v => v.muted && v.controls && v.currentTime === 0")
    expect(main_area(page)).to_contain_text("24 fps · 48 frames · 2 s · 320×192 · muted")
    clip.evaluate("v => v.play()")
    wait_playing(page, clip, past=0.5)
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        clip.evaluate("v => { v.pause(); v.currentTime = 1.5; }")  # blue: past the middle
        page.wait_for_timeout(300)
        shoot(page, "video-take", DOCS)


def test_present_plays_each_shot_s_clip_with_the_player(page: Page, server: Server) -> None:
    ids = shot_ids(server)
    open_page(page, server, "present", project=DEMO, seq=SEQ, shot=ids[0])
    player = page.locator(".sb-player")
    clip = player.locator("video.sb-clip")
    expect(clip).to_have_attribute("data-shot", ids[0])
    expect(clip).to_be_visible(timeout=30_000)
    expect(player.locator(".sb-frame")).to_be_hidden()  # the clip (its poster first) stands in
    assert clip.evaluate("v => v.paused && v.muted")
    present_plays(page, ids, clips=len(ids), timeout=30_000)

    player.get_by_role("button", name="■ Stop").click()
    expect(player).to_have_attribute("data-playing", "false")
    page.wait_for_function("v => v.paused", arg=clip.element_handle(), timeout=5_000)
    stopped = clip.evaluate("v => v.currentTime")
    page.wait_for_timeout(400)
    assert clip.evaluate("v => v.currentTime") == stopped  # it stays paused


def test_two_video_takes_compared_play_in_sync(page: Page, server: Server) -> None:
    open_page(page, server, "shot", project=DEMO, seq=SEQ, shot=shot_ids(server)[0])
    a, b = play_compared(page, timeout=30_000)  # in sync until the shorter one ends
    # Take B, the shorter (2 s), holds its last frame while the longer one (3 s) plays on.
    page.wait_for_function(
        "([a, b]) => b.paused && b.currentTime >= 1.99 && a.currentTime > 2.2",
        arg=[a.element_handle(), b.element_handle()],
        timeout=15_000,
    )


def test_the_one_file_player_plays_its_inlined_clips(
    page: Page, server: Server, tmp_path: Path
) -> None:
    document = export_file(Store(server.workspace), DEMO, "html", tmp_path / "animatic.html")
    page.goto(document.as_uri())
    player = page.locator(".sb-player")
    clip = player.locator("video.sb-clip")
    expect(clip).to_have_attribute("data-shot", shot_ids(server)[0])
    assert clip.evaluate("v => v.src.startsWith('data:video/mp4;base64,')")
    expect(player.locator(".sb-thumb-img").first).to_have_attribute(
        "src", re.compile(r"^data:image/jpeg")
    )
    page.keyboard.press("Space")  # Play
    wait_playing(page, clip, past=0.3)
    page.keyboard.press("Space")  # Pause: the clip pauses with the player
    page.wait_for_function("v => v.paused", arg=clip.element_handle(), timeout=5_000)
