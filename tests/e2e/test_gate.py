"""The gate in a real browser: before passing, the passcode page and nothing else (no project name,
no image, no media request, and a frame's media URL is not served); an editor signs in; a reviewer's
link opens the scope read-only, the token leaves the address bar; a revoked link sends them back."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from storyboard_core import BUILTIN, Store, create_link, revoke_link, set_passcode
from storyboard_core.models import now
from storyboard_core.takes import record_takes, render_take, take_inputs

from .conftest import (
    DEMO,
    ServerFactory,
    click_and_wait,
    main_area,
    new_page,
    show_view,
    wait_for_app,
)
from .test_takes import png

pytestmark = pytest.mark.browser

SECRET = "correct horse battery"
FRAME = png((200, 40, 90))


def locked_with_a_frame(store: Store) -> None:
    """A passcode, and a frame on the demo's first shot (an image the gate must not leak)."""
    set_passcode(store.root, SECRET)
    shot = store.read_shots(DEMO, "001")[0]
    folder = store.project_dir(DEMO) / "renders" / shot.id
    folder.mkdir(parents=True)
    (folder / "frame.png").write_bytes(FRAME)
    inputs = take_inputs(shot, seed=1, workflow=BUILTIN, server="http://gpu.invalid:8188")
    take = render_take(shot, inputs, image=f"renders/{shot.id}/frame.png", prompt_id="p", at=now())
    record_takes(store, DEMO, "001", shot.id, [take])


def test_nothing_but_the_gate_before_passing(
    server_factory: ServerFactory, browser: Browser, contexts: list[BrowserContext]
) -> None:
    server = server_factory(demo=True, prepare=locked_with_a_frame)
    stranger = new_page(browser, contexts)
    requests: list[str] = []
    stranger.on("request", lambda r: requests.append(r.url))
    # Every page's URL is the gate; the last one, a deep link, opens once signed in.
    for path in ("", "settings", "sequence?project=l-orage-demo&seq=001"):
        stranger.goto(f"{server.url}/{path}")
        wait_for_app(stranger)
        expect(stranger.get_by_label("Editor passcode")).to_be_visible()
        body = stranger.locator("body").inner_text()
        assert "Orage" not in body and DEMO not in body
        expect(stranger.locator('[data-testid="stSidebar"]')).to_have_count(0)
        expect(stranger.locator("img")).to_have_count(0)
    assert not [u for u in requests if u.startswith(f"{server.url}/media/")]

    # A wrong passcode, then the right one: the project and its frame appear.
    stranger.get_by_label("Editor passcode").fill("not it at all")
    click_and_wait(stranger, stranger.get_by_role("button", name="Sign in"))
    expect(main_area(stranger).get_by_text("wrong passcode")).to_be_visible()
    stranger.get_by_label("Editor passcode").fill(SECRET)
    click_and_wait(stranger, stranger.get_by_role("button", name="Sign in"))
    wait_for_app(stranger)
    show_view(stranger, "Storyboard")
    image = main_area(stranger).locator("img").first
    expect(image).to_be_visible()
    frame_url = server.url + (image.get_attribute("src") or "").removeprefix(server.url)
    assert "/media/" in frame_url
    # Once the session that passed moves off the page, its media URL is served to nobody.
    click_and_wait(stranger, stranger.get_by_role("link", name="Settings"))
    outsider = new_page(browser, contexts)
    outsider.goto(server.url)
    wait_for_app(outsider)
    assert outsider.request.get(frame_url).status == 404
    stored = json.loads((server.workspace / "settings.json").read_text("utf-8"))
    digest = stored["access"]["passcode"].rsplit("$", 1)[1]
    log = server.log.read_text(errors="replace")
    assert "wrong passcode" in log  # the log was written, with the wrong try
    assert SECRET not in log and digest not in log and "not it at all" not in log


def test_a_reviewer_link_opens_the_scope_read_only_until_revoked(
    server_factory: ServerFactory, browser: Browser, contexts: list[BrowserContext]
) -> None:
    server = server_factory(demo=True, prepare=locked_with_a_frame)
    store = Store(server.workspace)
    record, token = create_link(store, DEMO, ["001"])
    reviewer = new_page(browser, contexts)
    reviewer.goto(f"{server.url}/?review={token}")
    wait_for_app(reviewer)
    expect(reviewer).not_to_have_url(re.compile("review="))
    reviewer.get_by_label("Your name").fill("Ana")
    click_and_wait(reviewer, reviewer.get_by_role("button", name="Start reviewing"))
    sidebar = reviewer.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_text("Reviewing as")).to_be_visible()
    expect(sidebar.get_by_role("link", name="Settings")).to_have_count(0)
    # Their project (and only the sequence of the link), then its storyboard.
    main = main_area(reviewer)
    click_and_wait(reviewer, reviewer.locator(".st-key-dash_open_sequence a"))  # a page link
    expect(main.locator("img").first).to_be_visible()  # the storyboard, with its frame
    wait_for_app(reviewer)
    expect(main.locator('[data-testid="stDataFrame"]')).to_have_count(0)  # no grid
    # No arrange or render controls: the image's full-screen toggle and each card's comments.
    names = [
        b.get_attribute("aria-label") or b.inner_text().split("\n")[0]
        for b in main.get_by_role("button").all()
    ]
    assert set(names) == {"Fullscreen", "💬 Comments"}, names
    revoke_link(server.workspace, record.id)
    # The next click after the revocation meets the gate.
    click_and_wait(reviewer, main.get_by_role("link").first)
    expect(reviewer.get_by_label("Editor passcode")).to_be_visible()
    expect(main_area(reviewer).get_by_text("revoked")).to_be_visible()
    expect(reviewer.locator("img")).to_have_count(0)
