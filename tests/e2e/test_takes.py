"""Takes in a real browser: upload a drawn board as a take, compare it with the render before it,
and pick the render back as the frame; each step checked in the sequence file on disk."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from storyboard_core import BUILTIN, Store
from storyboard_core.models import now
from storyboard_core.takes import record_takes, render_take, take_inputs

from . import test_screenshots
from .conftest import (
    DEMO,
    VIEWPORT,
    ServerFactory,
    click_and_wait,
    main_area,
    next_run,
    open_page,
    shots_on_disk,
    wait_for_app,
)

pytestmark = pytest.mark.browser

# Where the README's screenshots go (``UPDATE_SCREENSHOTS=1``: docs/screenshots/), as for the pages.
screenshots = test_screenshots.screenshots


def png(colour: tuple[int, int, int]) -> bytes:
    """A 160×90 PNG: a gradient from ``colour`` to black."""
    fade = Image.linear_gradient("L").rotate(90).resize((160, 90))
    out = io.BytesIO()
    Image.merge("RGB", [fade.point(lambda v, c=c: v * c // 255) for c in colour]).save(out, "PNG")
    return out.getvalue()


def two_renders(store: Store) -> None:
    """Give the demo's first shot two rendered takes, the second with a longer prompt, another
    seed and CFG (images on disk, inputs recorded as a render records them)."""
    shot = store.read_shots(DEMO, "001")[0]
    folder = store.project_dir(DEMO) / "renders" / shot.id
    folder.mkdir(parents=True)
    changes = [
        ("first", (40, 90, 220), {"generation": {"seed": 123, "cfg_scale": 7}}),
        (
            "second",
            (230, 120, 40),
            {"prompt": f"{shot.prompt}, heavy rain", "generation": {"seed": 456, "cfg_scale": 5.5}},
        ),
    ]
    for name, colour, patch in changes:
        shot = store.update_shot(DEMO, "001", shot.id, patch)
        (folder / f"{name}.png").write_bytes(png(colour))
        inputs = take_inputs(
            shot, seed=shot.generation.seed, workflow=BUILTIN, server="http://gpu.invalid:8188"
        )
        image = f"renders/{shot.id}/{name}.png"
        take = render_take(shot, inputs, image=image, prompt_id=name, at=now())
        record_takes(store, DEMO, "001", shot.id, [take])


def test_compare_two_renders_upload_a_board_and_pick_a_render_back(
    page: Page, server_factory: ServerFactory, screenshots: Path
) -> None:
    server = server_factory(demo=True, prepare=two_renders)
    shot = shots_on_disk(server.workspace, DEMO, "001")[0]
    first, second = (v["image"] for v in shot["render"]["versions"])
    open_page(page, server, "shot", project=DEMO, seq="001", shot=shot["id"])
    main = main_area(page)

    # The two renders side by side: what changed, word by word and old → new.
    expect(main.get_by_text("Compare two takes")).to_be_visible()
    expect(main.get_by_text("prompt: + heavy rain · CFG 7 → 5.5 · seed 123 → 456")).to_be_visible()
    expect(main.locator("ins", has_text="heavy rain")).to_be_visible()
    expect(main.locator("del", has_text="123")).to_be_visible()
    frame = main.locator('[data-testid="stExpander"]').filter(has_text="Compare two takes")
    page.set_viewport_size({**VIEWPORT, "height": 2400})  # the whole section, not cut at 900 px
    page.wait_for_timeout(300)
    screenshots.mkdir(parents=True, exist_ok=True)
    frame.screenshot(path=str(screenshots / "compare.png"), animations="disabled")
    page.set_viewport_size(VIEWPORT)

    with next_run(page):
        takes_uploader = main.get_by_test_id("stFileUploader").filter(
            has_text="Upload an image as a take"
        )  # not the shot's reference image uploader beside it
        takes_uploader.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            {"name": "my board.png", "mimeType": "image/png", "buffer": png((60, 160, 90))}
        )
    wait_for_app(page)
    render = shots_on_disk(server.workspace, DEMO, "001")[0]["render"]
    assert render["source"] == "upload" and render["original_name"] == "my board.png"
    assert [v["image"] for v in render["versions"]] == [first, second, render["image"]]
    assert (server.workspace / DEMO / render["image"]).read_bytes() == png((60, 160, 90))

    # Now the board (the frame) is compared with the render before it.
    expect(main.get_by_text("source render → upload", exact=True)).to_be_visible()
    expect(main.get_by_text("Uploaded · my board.png").first).to_be_visible()
    # The frame, the three takes of the strip and both sides of the compare view: real images.
    images = main.locator('[data-testid="stImage"] img')
    expect(images).to_have_count(6)
    for img in images.all():
        expect(img).to_have_js_property("complete", True)
        assert img.evaluate("i => i.naturalWidth") == 160

    use = main.locator('button[data-testid^="stBaseButton"]').filter(
        has_text=re.compile("^Use as frame$")
    )
    enabled = [b for b in use.all() if b.is_enabled()]
    assert len(enabled) == 3  # both renders in the strip, and take A of the compare view
    click_and_wait(page, enabled[-1])
    render = shots_on_disk(server.workspace, DEMO, "001")[0]["render"]
    assert render["image"] == second and render["source"] == "render"
    assert len(render["versions"]) == 3
