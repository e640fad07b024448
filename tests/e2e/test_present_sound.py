"""Present with sound, captions and camera moves in a real browser (headless Chromium plays sound
with ``--autoplay-policy=no-user-gesture-required``, see launch.py): the mix's ``<audio>`` clock
follows the playhead, seeks on Next, stops on Stop; M mutes, C shows the dialogue; a camera move
changes the frame's transform over its shot; the one-file player plays its inline mix from a file.

The project: sequence 001 of two 2-second shots (the second says a line and pushes in on its frame),
002 of one, and a 6-second tone under the whole timeline.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from storyboard_core import Store, export_file
from storyboard_core.audio.placing import add_soundtrack
from storyboard_core.camera import preset

from ..core.audio.tones import write_tone
from .conftest import Server, open_page, serve

pytestmark = pytest.mark.browser

PROJECT = "sonore"
LINE = "<b>Wait</b> for it"


def make_project(store: Store) -> None:
    """Two sequences of 2-second shots, a frame with a push in and a line, and a soundtrack."""
    project = store.create_project(
        "Sonore", format_id="custom", sequences=2, seconds_per_sequence=2, shots_per_sequence=1
    )
    store.add_shot(project.id, "001")
    folder = store.project_dir(project.id)
    (folder / "renders").mkdir(exist_ok=True)
    Image.new("RGB", (320, 180), (40, 90, 160)).save(folder / "renders/frame.png")
    shots = store.read_shots(project.id, "001")
    store.update_shots(
        project.id,
        "001",
        {
            shots[0].id: {"duration": 2.0, "title": "first"},
            shots[1].id: {
                "duration": 2.0,
                "title": "second",
                "dialogue": LINE,
                "speaker": "Léa",
                "render": {"image": "renders/frame.png"},
                "camera_move": preset("push-in", zoom=2.0, easing="linear").model_dump(),
            },
        },
    )
    tone = write_tone(folder.parent / "theme.wav", seconds=6.0)
    add_soundtrack(store, project.id, tone)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(tmp_path_factory.mktemp("sound"), demo=False, prepare=make_project) as running:
        yield running


def clock(audio: Locator) -> float:
    """Where the mix is now, in seconds."""
    value: float = audio.evaluate("a => a.currentTime")
    return value


def scale(frame: Locator) -> float:
    """The zoom of the frame's camera transform (1 when it shows the whole frame)."""
    transform: str = frame.evaluate("f => f.style.transform")
    found = re.search(r"scale\(([\d.]+)\)", transform)
    return float(found.group(1)) if found else 1.0


def test_present_plays_the_mix_at_the_playhead(page: Page, server: Server) -> None:
    open_page(page, server, "present", project=PROJECT, seq="001")
    view = page.locator(".sb-player")
    audio = page.locator("audio.sb-audio")
    expect(audio).to_have_count(1, timeout=30_000)  # the mix comes with the page's second run
    view.locator("[data-action=play]").click()
    expect(view).to_have_attribute("data-playing", "true")
    page.wait_for_function("a => a.currentTime > 0.5 && !a.paused", arg=audio.element_handle())
    assert 0.4 < clock(audio) < 1.9  # still in the first shot, which starts at 0 s

    view.locator("[data-action=next]").click()  # the second shot starts 2 s into the mix
    expect(view).to_have_attribute("data-index", "1")
    assert 1.95 <= clock(audio) < 2.6

    page.keyboard.press("m")
    expect(view).to_have_attribute("data-muted", "true")
    assert audio.evaluate("a => a.muted")

    view.locator("[data-action=stop]").click()
    expect(view).to_have_attribute("data-playing", "false")
    assert audio.evaluate("a => a.paused")
    page.wait_for_timeout(300)
    assert clock(audio) == pytest.approx(2.0, abs=0.05)  # back at the shot's start


def test_captions_show_the_dialogue_as_text(page: Page, server: Server) -> None:
    open_page(page, server, "present", project=PROJECT, seq="001")
    view = page.locator(".sb-player")
    caption = view.locator(".sb-caption")
    page.keyboard.press("ArrowRight")
    expect(view).to_have_attribute("data-index", "1")
    expect(caption).to_be_hidden()
    page.keyboard.press("c")
    expect(caption).to_have_text(f"Léa: {LINE}")  # the markup as text, never as markup
    expect(view.locator(".sb-caption b")).to_have_count(0)


def test_a_camera_move_plays_over_its_shot(page: Page, server: Server) -> None:
    open_page(page, server, "present", project=PROJECT, seq="001")
    view = page.locator(".sb-player")
    frame = view.locator(".sb-frame")
    page.keyboard.press("ArrowRight")
    expect(view).to_have_attribute("data-index", "1")
    assert scale(frame) == pytest.approx(1.0)  # paused at the start: the start framing
    page.keyboard.press("Space")
    page.wait_for_timeout(1_500)
    midway = scale(frame)
    assert 1.3 < midway < 2.0  # a push in to 2× over 2 s, linear in the view's size
    page.keyboard.press("Space")
    paused = scale(frame)
    page.wait_for_timeout(300)
    assert scale(frame) == pytest.approx(paused)  # paused: the picture holds


def test_the_one_file_player_plays_its_inline_sound(
    page: Page, server: Server, tmp_path: Path
) -> None:
    document = export_file(Store(server.workspace), PROJECT, "html", tmp_path / "sonore.html")
    page.goto(document.as_uri())
    view = page.locator(".sb-player")
    audio = page.locator("audio.sb-audio")
    expect(audio).to_have_count(1)
    page.keyboard.press("Space")
    expect(view).to_have_attribute("data-playing", "true")
    page.wait_for_function("a => a.currentTime > 0.3 && !a.paused", arg=audio.element_handle())
    page.keyboard.press("End")  # 002's shot: 4 s into the mix
    expect(view).to_have_attribute("data-index", "2")
    assert 3.95 <= clock(audio) < 4.6
