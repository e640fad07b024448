"""A video take rendered on the fake ComfyUI, end to end in a real browser: the shot editor's
workflow picker offers a video workflow, Render makes a clip take that plays in the editor, a
second render is compared with the first on one clock, and Present plays the rendered clips.

The workflow is the tests' small ``SaveVideo`` graph (``EmptyImage`` → ``CreateVideo`` →
``SaveVideo``, 8 fps, 4n+1 frames), the nodes the fake offers from the recorded transcripts. Each
rendered shot is 2 s long: 16 frames snapped to 4n+1 is 17, a clip of 2.125 s.

Render is clicked as soon as the page has settled after Save, and again after the first take
came in: a redraw after a save or a render used to report every setting widget as changed to its
own value, which started a draft (all settings claimed as the shot's own), disabled Render and
showed "changed elsewhere" (``field_widget`` now ignores a change to the value already there).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from storyboard_core import Store
from storyboard_core.bible.style import own_settings
from storyboard_core.takes import current_take, takes
from tests.core.comfyui.video_workflows import video_graph, write_workflow
from tests.fake_comfyui.server import FakeComfyUI

from .clip_checks import play_compared, present_plays, wait_playing
from .conftest import (
    DEMO,
    Server,
    choose,
    comfyui_settings,
    main_area,
    next_run,
    open_page,
    serve,
)

pytestmark = pytest.mark.browser

WORKFLOW = "clip-mp4"
# A render, its decode check and poster, on a machine busy with other tests.
RENDER_TIMEOUT_MS = 90_000
FACTS = "8 fps · 17 frames · 2.125 s · 320×192"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeComfyUI]:
    """A fake ComfyUI offering every recorded node (the video ones too)."""
    with FakeComfyUI() as running:
        yield running


def prepare(store: Store) -> None:
    """The video workflow in the workspace; the shots of 001 and 002 2 s long and small."""
    write_workflow(store.root, WORKFLOW, video_graph("SaveVideo"))
    patch = {"duration": 2.0, "generation": {"width": 320, "height": 192}}
    for seq in ("001", "002"):
        ids = [s.id for s in store.read_shots(DEMO, seq)]
        store.update_shots(DEMO, seq, dict.fromkeys(ids, patch))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, fake: FakeComfyUI) -> Iterator[Server]:
    """The app on the demo project, rendering on ``fake``; each test renders shots of its own."""
    with serve(
        tmp_path_factory.mktemp("video-render"),
        demo=True,
        settings=comfyui_settings(fake.url, poll_seconds=1),
        env={"STORYBOARD_COMFYUI_URL": fake.url},
        prepare=prepare,
    ) as running:
        yield running


def shot_ids(server: Server, seq: str) -> list[str]:
    return [s.id for s in Store(server.workspace).read_shots(DEMO, seq)]


def clip_shots(server: Server) -> int:
    """How many shots of the project have a video take as their frame."""
    store = Store(server.workspace)
    shots = [s for seq in ("001", "002", "003") for s in store.read_shots(DEMO, seq)]
    return sum(1 for s in shots if (take := current_take(s)) is not None and take.video)


def choose_video_workflow(page: Page) -> None:
    """Pick the video workflow in the editor's picker and save the shot (a render uses the saved shot)."""
    main = main_area(page)
    picker = main.get_by_role("combobox", name="Workflow")
    choose(page, picker, WORKFLOW)
    expect(main).to_contain_text("Unsaved changes")
    with next_run(page):
        main.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_test_id("stToast").filter(has_text="Saved").first).to_be_visible()
    expect(main).not_to_contain_text("Unsaved changes")
    expect(picker).to_have_value(WORKFLOW)
    expect(main.get_by_role("button", name="Render", exact=True)).to_be_enabled()


def render(page: Page, fake: FakeComfyUI, *, takes_after: int) -> None:
    """Click Render and wait until the editor shows the shot's ``takes_after``-th take.

    A click that lands while the page redraws the button (the first take's end redraws the
    editor) can be lost; it is clicked again only if the fake never received the graph, so a
    second take is never rendered by mistake."""
    main = main_area(page)
    posted = len(fake.posted_graphs())
    for _ in range(3):
        with next_run(page):
            main.get_by_role("button", name="Render", exact=True).click()
        deadline = time.monotonic() + 10
        while len(fake.posted_graphs()) == posted and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        if len(fake.posted_graphs()) > posted:
            break
    pattern = re.compile(rf"Takes \({takes_after}\)") if takes_after > 1 else re.compile("Clip")
    expect(main).to_contain_text(pattern, timeout=RENDER_TIMEOUT_MS)


def render_shot(page: Page, server: Server, fake: FakeComfyUI, seq: str, shot_id: str) -> None:
    """Open the shot's editor, choose the video workflow and render its first take."""
    open_page(page, server, "shot", project=DEMO, seq=seq, shot=shot_id)
    expect(main_area(page)).to_contain_text("No frame rendered yet.")
    own_before = own_settings(Store(server.workspace).read_shot(DEMO, seq, shot_id))
    choose_video_workflow(page)
    # Only the workflow changed: the settings whose choices it redrew are not claimed as the shot's own.
    assert own_settings(Store(server.workspace).read_shot(DEMO, seq, shot_id)) == own_before
    render(page, fake, takes_after=1)


def test_a_rendered_video_take_plays_in_the_editor(
    page: Page, server: Server, fake: FakeComfyUI
) -> None:
    shot_id = shot_ids(server, "001")[0]
    render_shot(page, server, fake, "001", shot_id)

    clip = page.locator(".sbc-video").first
    expect(clip).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    expect(clip).to_have_attribute("poster", re.compile(r"/media/.+\.jpg$"))
    expect(main_area(page)).to_contain_text(f"▶ Clip · {FACTS} · muted")
    assert clip.evaluate("v => v.paused && v.currentTime === 0")
    clip.evaluate("v => v.play()")
    wait_playing(page, clip, past=0.5)

    # What the fake was asked for and what was kept agree: 8 fps, 17 frames of 320×192.
    (posted,) = fake.posted_graphs()
    assert posted["1"]["inputs"]["batch_size"] == 17
    assert posted["2"]["inputs"]["fps"] == 8
    shot = Store(server.workspace).read_shot(DEMO, "001", shot_id)
    take = current_take(shot)
    assert take is not None and take.video is not None and take.inputs is not None
    assert take.video.clip.endswith(".mp4")
    assert (take.video.fps, take.video.frames, take.video.width, take.video.height) == (
        8,
        17,
        320,
        192,
    )
    assert take.inputs.video == {"fps": 8, "frames": 17, "duration": 2.0}
    assert take.workflow == WORKFLOW and take.server == fake.url


def test_two_rendered_takes_compared_play_in_sync(
    page: Page, server: Server, fake: FakeComfyUI
) -> None:
    shot_id = shot_ids(server, "001")[1]
    render_shot(page, server, fake, "001", shot_id)
    render(page, fake, takes_after=2)

    play_compared(page, timeout=RENDER_TIMEOUT_MS)
    rendered = takes(Store(server.workspace).read_shot(DEMO, "001", shot_id))
    assert len(rendered) == 2 and all(t.video is not None for t in rendered)
    assert rendered[0].video != rendered[1].video  # two clips, not one shown twice


def test_present_plays_the_rendered_clips(page: Page, server: Server, fake: FakeComfyUI) -> None:
    ids = shot_ids(server, "002")
    for shot_id in ids[:2]:
        render_shot(page, server, fake, "002", shot_id)

    open_page(page, server, "present", project=DEMO, seq="002", shot=ids[0])
    # Present shows the whole project: every shot rendered in this module is marked as a clip.
    present_plays(page, ids, clips=clip_shots(server), timeout=RENDER_TIMEOUT_MS)
