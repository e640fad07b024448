"""Sessions that survive a reload: the signed session cookie in a real browser.

The part "a cookie copied to another address is refused" cannot be shown from one machine (every
browser here is 127.0.0.1): ``tests/core/access/test_session.py`` tests it on the verification
function. Here: the cookie is SameSite=Strict on the app's path and not HttpOnly (JavaScript sets
it); a reload and a second tab pass without the gate; Sign out ends the copy in another tab at its
next click; a revoked link's cookie opens nothing.
"""

from __future__ import annotations

from playwright.sync_api import Browser, BrowserContext, Page, expect

from storyboard_core import Store, create_link, revoke_link
from storyboard_core.access import COOKIE

from .conftest import COUNT_RUNS, ServerFactory, click_and_wait, main_area, new_page, wait_for_app
from .test_gate import SECRET, locked_with_a_frame


def session_cookie(page: Page) -> dict[str, object]:
    """The session cookie the browser keeps (waits until it is there)."""
    for _ in range(50):
        found = [c for c in page.context.cookies() if c["name"] == COOKIE]
        if found:
            return dict(found[0])
        page.wait_for_timeout(100)
    raise AssertionError("no session cookie was set")


def test_an_editor_stays_signed_in_over_a_reload_and_a_second_tab_until_sign_out(
    server_factory: ServerFactory, browser: Browser, contexts: list[BrowserContext]
) -> None:
    server = server_factory(demo=True, prepare=locked_with_a_frame)
    editor = new_page(browser, contexts)
    editor.goto(server.url)
    wait_for_app(editor)
    editor.get_by_label("Editor passcode").fill(SECRET)
    click_and_wait(editor, editor.get_by_role("button", name="Sign in"))
    cookie = session_cookie(editor)
    assert (cookie["sameSite"], cookie["path"]) == ("Strict", "/")
    assert SECRET not in str(cookie["value"])
    editor.reload()
    wait_for_app(editor)
    sidebar = editor.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_role("button", name="Sign out")).to_be_visible()
    expect(editor.get_by_label("Editor passcode")).to_have_count(0)
    second = editor.context.new_page()  # the same browser: the same cookies
    second.add_init_script(COUNT_RUNS)
    second.goto(f"{server.url}/settings")
    wait_for_app(second)
    expect(second.get_by_label("Editor passcode")).to_have_count(0)
    expect(main_area(second).get_by_text("Review links").first).to_be_visible()

    sidebar.get_by_role("button", name="Sign out").click()  # the page loads afresh
    expect(editor.get_by_label("Editor passcode")).to_be_visible()
    # The second tab's session checks its token at its next click: ended.
    click_and_wait(second, second.locator('[data-testid="stSidebar"]').get_by_role("link").first)
    expect(second.get_by_label("Editor passcode")).to_be_visible()
    editor.reload()  # and the browser no longer has a cookie that opens anything
    wait_for_app(editor)
    expect(editor.get_by_label("Editor passcode")).to_be_visible()


def test_a_revoked_links_cookie_opens_nothing(
    server_factory: ServerFactory, browser: Browser, contexts: list[BrowserContext]
) -> None:
    server = server_factory(demo=True, prepare=locked_with_a_frame)
    record, token = create_link(Store(server.workspace), "l-orage-demo", ["001"])
    reviewer = new_page(browser, contexts)
    reviewer.goto(f"{server.url}/?review={token}")
    wait_for_app(reviewer)
    reviewer.get_by_label("Your name").fill("Ana")
    click_and_wait(reviewer, reviewer.get_by_role("button", name="Start reviewing"))
    session_cookie(reviewer)
    reviewer.reload()  # no link in the URL any more: the cookie alone lets them back in, named
    wait_for_app(reviewer)
    sidebar = reviewer.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_text("Reviewing as")).to_be_visible()
    expect(sidebar.get_by_text("Ana")).to_be_visible()
    revoke_link(server.workspace, record.id)
    reviewer.reload()
    wait_for_app(reviewer)
    expect(reviewer.get_by_label("Editor passcode")).to_be_visible()
    expect(main_area(reviewer).get_by_text("revoked")).to_be_visible()
    expect(reviewer.locator("img")).to_have_count(0)
