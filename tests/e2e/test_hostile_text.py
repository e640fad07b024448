"""In the real browser, hostile text in every field reads literally and can make the browser do nothing.

The workspace comes from ``tests.hostile.arrange``: Markdown images and links to ``.invalid`` hosts, raw
HTML with ``onerror``, ``<script>``, ``javascript:`` links, Streamlit directives and icons, emoji
shortcodes, math, bidi controls, zero-width characters and a 10,000-character word in every field. On
every page: the text is on screen as written, no request leaves 127.0.0.1 (Chromium resolves no other
host, see ``launch.py``, and every request is recorded), no dialog opens, no ``javascript:`` link, no
image from elsewhere, no formatting, icon or math made from the text, and nothing widens the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.hostile import (
    BROKEN_WORKFLOW,
    CARD_PROMPT,
    CARD_TITLE,
    FILE_VALUE,
    LOOSE_TITLE,
    PROJECT_DESCRIPTION,
    PROJECT_NAME,
    RENDER_SERVER,
    SEQ_DESCRIPTION,
    SEQ_NAME,
    SERVER,
    SERVER_URL,
    SHOT_TEXT,
    WORKFLOW,
    Hostile,
    arrange,
)

from .conftest import Server, main_area, open_page, serve, show_view

# What the browser shows that ``ui.frame.text`` added: word joiners and bidi isolates, all invisible.
INVISIBLE = re.compile("[\u2060\u2068\u2069]")

# Elements that text from a file must never become inside a Markdown element. (Headings, bold text and
# in-page anchors of the app's own Markdown are checked by their text below.)
MADE_FROM_TEXT = (
    "[data-testid=stMarkdownContainer] :is(img, table, blockquote, ul, ol, li, script, iframe, "
    ".katex, .stMarkdownColoredText, .stMarkdownColoredBackground, .stMarkdownBadge, span[role=img])"
)

PAGE_STATE = """(madeFromText) => ({
  jsLinks: [...document.querySelectorAll('a[href]')]
    .map(a => a.getAttribute('href')).filter(h => /^\\s*javascript:/i.test(h)),
  links: [...document.querySelectorAll('[data-testid=stMarkdownContainer] a[href]')]
    .map(a => a.href).filter(h => !h.startsWith(location.origin)),
  images: [...document.images].map(i => i.src).filter(s => !s.startsWith(location.origin)),
  madeFromText: [...document.querySelectorAll(madeFromText)]
    .map(e => e.tagName + ' ' + e.className + ': ' + e.textContent.slice(0, 80)),
  formatted: [...document.querySelectorAll(
      '[data-testid=stMarkdownContainer] :is(strong, em, h1, h2, h3, h4, h5, h6, code)')]
    .map(e => e.textContent).filter(t => /^(Bold|Heading|tip|red|blue)$/.test(t.trim())),
  iconsInText: [...document.querySelectorAll('[data-testid=stMarkdownContainer] span')]
    .filter(e => getComputedStyle(e).fontFamily.includes('Material')).map(e => e.textContent),
  wider: document.documentElement.scrollWidth > window.innerWidth,
})"""


def shown(text: str) -> str:
    """Text as compared on screen: ``ui.frame.text``'s invisible marks removed, whitespace collapsed."""
    return " ".join(INVISIBLE.sub("", text).split())


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Hostile]]:
    """One app over the hostile workspace for the module."""
    made: list[Hostile] = []
    folder: Path = tmp_path_factory.mktemp("hostile")
    with serve(folder, demo=False, prepare=lambda store: made.append(arrange(store))) as server:
        yield server, made[0]


def assert_safe(page: Page) -> None:
    """Nothing on the page was made from hostile text, and nothing points off the machine."""
    state = page.evaluate(PAGE_STATE, MADE_FROM_TEXT)
    assert state == {
        "jsLinks": [],
        "links": [],
        "images": [],
        "madeFromText": [],
        "formatted": [],
        "iconsInText": [],
        "wider": False,
    }


def assert_reads(page: Page, *texts: str, timeout_ms: int = 10_000) -> None:
    """Each text is on the page (main area and sidebar) exactly as written, read again every 200 ms
    for up to ``timeout_ms`` (what a click opens is drawn after the click returns)."""
    app = page.locator('[data-testid="stApp"]')
    waited = 0
    while True:
        on_screen = shown(app.inner_text())
        missing = [text for text in texts if shown(text) not in on_screen]
        if not missing or waited >= timeout_ms:
            break
        page.wait_for_timeout(200)
        waited += 200
    assert not missing, f"not on screen as written: {missing[0][:120]!r}"


def test_hostile_text_reads_literally_and_nothing_leaves_the_machine(
    page: Page, hostile_server: tuple[Server, Hostile]
) -> None:
    server, bad = hostile_server
    requested: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    open_page(page, server)
    assert_reads(page, PROJECT_NAME, FILE_VALUE)
    assert_safe(page)

    open_page(page, server, project=bad.project)
    loose = (
        main_area(page).get_by_test_id("stExpander").filter(has_text="Shots outside any sequence")
    )
    loose.locator("summary").click()
    expect(loose.get_by_test_id("stExpanderDetails")).to_be_visible()
    assert_reads(page, PROJECT_NAME, PROJECT_DESCRIPTION, LOOSE_TITLE, SERVER_URL)
    assert_safe(page)

    open_page(page, server, "sequence", project=bad.project, seq=bad.seq)
    expect(main_area(page).get_by_role("heading", level=1)).to_be_visible()
    assert_reads(page, SEQ_NAME, SEQ_DESCRIPTION)
    assert_safe(page)
    show_view(page, "Storyboard")
    assert_reads(page, SHOT_TEXT["title"], CARD_TITLE, CARD_PROMPT[:220])
    assert_safe(page)

    open_page(page, server, "shot", project=bad.project, seq=bad.seq, shot=bad.shot)
    assert_reads(
        page, f"#1 {SHOT_TEXT['title']}", RENDER_SERVER, WORKFLOW, f"{BROKEN_WORKFLOW}.json"
    )
    prompt = main_area(page).get_by_label("Prompt", exact=True)
    expect(prompt).to_have_value(SHOT_TEXT["prompt"])
    assert_safe(page)

    open_page(page, server, "settings")
    assert_reads(page, SERVER)
    assert_safe(page)

    page.wait_for_timeout(1000)  # a late request (an image, a font) would be recorded by now
    hosts = {urlsplit(u).hostname for u in requested if urlsplit(u).scheme in ("http", "https")}
    assert hosts == {"127.0.0.1"}, sorted(u for u in requested if "127.0.0.1" not in u)
    assert not [u for u in requested if ".invalid" in u]
    assert not dialogs
