"""A note drawn on the frame in a real browser: drawn with the mouse on the pad, sent with a
comment, then shown in the thread, inside the review Markdown download and in the PDF hand-out."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from storyboard_core import BUILTIN, Store, create_link, set_passcode
from storyboard_core.exports import ExportOptions, export_bytes
from storyboard_core.models import now
from storyboard_core.takes import record_takes, render_take, take_inputs

from .conftest import (
    DEMO,
    ServerFactory,
    click_and_wait,
    main_area,
    next_run,
    open_page,
    shots_on_disk,
    wait_for_app,
)
from .test_review import sign_in
from .test_takes import png

pytestmark = pytest.mark.browser

WAIT = 30_000
SECRET = "correct horse battery"


def with_a_frame(store: Store) -> None:
    """A dark frame on the demo's first shot (the pad draws over it)."""
    shot = store.read_shots(DEMO, "001")[0]
    folder = store.project_dir(DEMO) / "renders" / shot.id
    folder.mkdir(parents=True)
    (folder / "frame.png").write_bytes(png((20, 20, 20)))
    inputs = take_inputs(shot, seed=1, workflow=BUILTIN, server="http://gpu.invalid:8188")
    take = render_take(shot, inputs, image=f"renders/{shot.id}/frame.png", prompt_id="p", at=now())
    record_takes(store, DEMO, "001", shot.id, [take])


def drag(page: Page, box: dict[str, float], points: list[tuple[float, float]]) -> None:
    """Press at the first point (fractions of the box), move through the others, release."""
    x0, y0 = points[0]
    page.mouse.move(box["x"] + x0 * box["width"], box["y"] + y0 * box["height"])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=4)
    page.mouse.up()


def test_a_drawing_reaches_the_thread_the_markdown_and_the_pdf(
    page: Page, server_factory: ServerFactory
) -> None:
    server = server_factory(demo=True, prepare=with_a_frame)
    shot_id = shots_on_disk(server.workspace, DEMO, "001")[0]["id"]
    open_page(page, server, "shot", project=DEMO, seq="001", shot=shot_id)
    thread = main_area(page).get_by_test_id("stExpander").filter(has_text="Comments (")
    sign_in(page, thread, "Ana")
    thread.get_by_text("Draw on the frame").click()
    pad = page.locator(".sb-pad")
    expect(pad).to_be_visible(timeout=WAIT)
    canvas = page.locator(".sb-pad-canvas")
    expect(page.locator(".sb-pad-frame")).to_be_visible()
    box = canvas.bounding_box()
    assert box is not None
    drag(page, box, [(0.2, 0.2), (0.3, 0.4), (0.4, 0.2)])  # the pen
    page.locator('[data-tool="rect"]').click()
    page.locator('[data-colour="yellow"]').click()
    drag(page, box, [(0.5, 0.5), (0.9, 0.9)])
    page.locator(".sb-pad-label").fill("<b>lamp</b>")
    page.locator('[data-tool="text"]').click()
    page.mouse.click(box["x"] + 0.1 * box["width"], box["y"] + 0.7 * box["height"])
    expect(pad).to_have_attribute("data-strokes", "3")
    page.locator(".sb-pad-undo").click()  # the label goes, then comes back
    expect(pad).to_have_attribute("data-strokes", "2")
    page.locator(".sb-pad-label").fill("<b>lamp</b>")
    with next_run(page):  # the last stroke's run: the app holds every stroke before Comment
        page.mouse.click(box["x"] + 0.1 * box["width"], box["y"] + 0.7 * box["height"])
    expect(pad).to_have_attribute("data-strokes", "3")

    box_text = thread.get_by_label("Your comment", exact=True)
    box_text.fill("Lift the lamp")
    thread.get_by_role("button", name="Comment").click()
    expect(box_text).to_have_value("", timeout=WAIT)
    (comment,) = shots_on_disk(server.workspace, DEMO, "001")[0]["comments"]
    strokes = comment["drawing"]["strokes"]
    assert [(s["tool"], s["colour"]) for s in strokes] == [
        ("pen", "red"),
        ("rect", "yellow"),
        ("text", "yellow"),
    ]
    assert strokes[2]["text"] == "<b>lamp</b>" and len(strokes[0]["points"]) >= 3
    x0, y0 = strokes[1]["points"][0]
    assert abs(x0 - 0.5) < 0.02 and abs(y0 - 0.5) < 0.02  # frame coordinates
    # The thread shows it over the frame; the label never became markup.
    expect(thread.get_by_text("Drawn on the frame")).to_be_visible(timeout=WAIT)
    expect(page.locator("b", has_text="lamp")).to_have_count(0)

    # The review page's Markdown carries the annotated frame as an inline PNG.
    open_page(page, server, "review", project=DEMO, seq="001")
    with page.expect_download() as download:
        main_area(page).get_by_role("button", name="Download Markdown").click()
    text = Path(download.value.path()).read_text("utf-8")
    (data,) = re.findall(r"\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", text)
    image = Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")
    w, h = image.size
    r, g, b = image.getpixel((round(0.5 * w), round(0.7 * h)))  # the rectangle's left side
    assert r > 200 and g > 180 and b < 100, (r, g, b)
    assert "<b>" not in text

    # The PDF hand-out shows the annotated frame with the open comment.
    store = Store(server.workspace)

    def pdf(*fields: str) -> PdfReader:
        options = ExportOptions.parse(fields=list(fields))
        data = export_bytes(store, DEMO, "pdf", sequences=["001"], options=options)
        return PdfReader(io.BytesIO(data))

    with_comments, without = pdf("title", "comments"), pdf("title")
    assert "Lift the lamp" in with_comments.pages[1].extract_text()
    assert len(with_comments.pages[1].images) == len(without.pages[1].images) + 1


def shared_with_a_frame(store: Store) -> None:
    """Share mode (an editor passcode), and a frame on the first shot for the pad."""
    set_passcode(store.root, SECRET)
    with_a_frame(store)


def test_a_review_link_reviewer_draws_on_the_present_page(
    page: Page, server_factory: ServerFactory
) -> None:
    server = server_factory(demo=True, prepare=shared_with_a_frame)
    shot_id = shots_on_disk(server.workspace, DEMO, "001")[0]["id"]
    _, token = create_link(Store(server.workspace), DEMO, ["001"], made_for="Cy")
    page.goto(f"{server.url}/?review={token}")
    wait_for_app(page)
    page.get_by_label("Your name").fill("Cy")
    click_and_wait(page, page.get_by_role("button", name="Start reviewing"))
    open_page(page, server, "present", project=DEMO, seq="001")  # the session cookie carries it
    expect(page.locator(".sb-player")).to_have_attribute("data-shot", shot_id, timeout=WAIT)
    panel = (
        main_area(page)
        .get_by_test_id("stExpander")
        .filter(has_text="Comments and verdict on this shot")
    )
    panel.get_by_text("Comments and verdict on this shot").click()
    expect(panel.get_by_text("You are Cy")).to_be_visible(timeout=WAIT)
    pad = page.locator(".sb-pad")
    for _ in range(3):  # clicked again if a run of the page (its first ones) took the click's place
        click_and_wait(page, panel.get_by_text("Draw on the frame"))
        if pad.count():
            break
    expect(pad).to_be_visible(timeout=WAIT)
    expect(page.locator(".sb-pad-frame")).to_be_visible()
    canvas = page.locator(".sb-pad-canvas")

    def on_screen() -> dict[str, float]:
        """The pad's box, on screen (below the player; a stroke's rerun may move it)."""
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        assert box is not None
        return box

    for _ in range(3):  # drawn again if a run of the page moved the pad under the stroke
        wait_for_app(page)
        drag(page, on_screen(), [(0.2, 0.2), (0.3, 0.4), (0.4, 0.2)])  # the pen
        if pad.get_attribute("data-strokes") == "1":
            break
    expect(pad).to_have_attribute("data-strokes", "1")
    page.locator('[data-tool="arrow"]').click()
    with next_run(page):  # the last stroke's run: the app holds both strokes before Comment
        drag(page, on_screen(), [(0.6, 0.6), (0.8, 0.8)])
    expect(pad).to_have_attribute("data-strokes", "2")

    note = panel.get_by_label("Your comment", exact=True)
    note.fill("The rain should fall here")
    panel.get_by_role("button", name="Comment").click()
    expect(note).to_have_value("", timeout=WAIT)
    (comment,) = shots_on_disk(server.workspace, DEMO, "001")[0]["comments"]
    assert comment["author"] == "Cy" and comment["text"] == "The rain should fall here"
    assert [s["tool"] for s in comment["drawing"]["strokes"]] == ["pen", "arrow"]
    # The reviewer sees it in the thread, over the frame.
    expect(panel.get_by_text("Drawn on the frame")).to_be_visible(timeout=WAIT)
