"""What a review run as a new user would showed: the gate, a reviewer's pages, the read-only shot."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from storyboard_core import Store, create_link

from .conftest import DEMO, ServerFactory, click_and_wait, main_area, new_page, wait_for_app
from .test_gate import SECRET, locked_with_a_frame
from .test_session_cookie import session_cookie

pytestmark = pytest.mark.browser

LONG = "a storm over the bay, " * 30 + "END-OF-PROMPT"


def test_the_gate_and_a_reviewers_pages(
    server_factory: ServerFactory, browser: Browser, contexts: list[BrowserContext], tmp_path
) -> None:
    def prepare(store: Store) -> None:
        locked_with_a_frame(store)
        shot = store.read_shots(DEMO, "001")[0]
        store.update_shot(DEMO, "001", shot.id, {"prompt": LONG, "notes": "line one\nline two"})

    server = server_factory(demo=True, prepare=prepare)
    store = Store(server.workspace)
    shot = store.read_shots(DEMO, "001")[0]

    # The gate: no sidebar, not even an empty column, before and after signing in and out.
    editor = new_page(browser, contexts)
    editor.goto(server.url)
    wait_for_app(editor)
    expect(editor.get_by_label("Editor passcode")).to_be_visible()
    expect(editor.locator('[data-testid="stSidebar"]')).to_have_count(0)
    editor.get_by_label("Editor passcode").fill(SECRET)
    click_and_wait(editor, editor.get_by_role("button", name="Sign in"))
    sidebar = editor.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("button", name="Sign out").click()  # the page loads afresh
    expect(editor.get_by_label("Editor passcode")).to_be_visible()
    expect(editor.locator('[data-testid="stSidebar"]')).to_have_count(0)
    expect(editor.locator('[data-testid="stSidebar"]')).to_have_count(0)

    _, token = create_link(store, DEMO, ["001"], made_for="Ana")
    reviewer = new_page(browser, contexts)
    reviewer.goto(f"{server.url}/?review={token}")
    wait_for_app(reviewer)
    reviewer.get_by_label("Your name").fill("Ana")
    click_and_wait(reviewer, reviewer.get_by_role("button", name="Start reviewing"))
    nav = reviewer.locator('[data-testid="stSidebarNav"]')
    expect(nav.get_by_role("link", name="Review")).to_be_visible()
    expect(nav.get_by_role("link", name="Shot editor")).to_have_count(0)
    session_cookie(reviewer)  # the pages below are opened by URL: new sessions, from the cookie

    # Settings and the Bible by their URL: a page that says they are not part of the review.
    for path, title in (("settings", "Settings"), ("bible", "Bible")):
        reviewer.goto(f"{server.url}/{path}")
        wait_for_app(reviewer)
        main = main_area(reviewer)
        expect(main.get_by_text(f"{title} is not part of your review")).to_be_visible()
        expect(main.get_by_text("Review links")).to_have_count(0)
        expect(reviewer).to_have_url(f"{server.url}/{path}")  # not moved to the dashboard

    # The read-only shot page: the whole prompt, wrapped inside its column; the notes' lines kept.
    reviewer.goto(f"{server.url}/shot?project={DEMO}&seq=001&shot={shot.id}")
    wait_for_app(reviewer)
    main = main_area(reviewer)
    prompt = main.get_by_test_id("stText").filter(has_text="END-OF-PROMPT")
    expect(prompt).to_be_visible()
    assert prompt.evaluate("e => e.scrollWidth <= e.clientWidth + 1")  # wrapped, not cut
    box = prompt.bounding_box()
    assert box is not None and box["height"] > 60  # several lines
    expect(main.get_by_test_id("stText").filter(has_text="line one")).to_contain_text("line two")
