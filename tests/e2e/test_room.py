"""A review room in real browsers: a presenter leads, an editor and a review link follow.

Three browser contexts on one server in share mode (a passcode): the presenter and a second editor
pass it, the reviewer opens a review link. Moves are followed, a follower steps away and back and
points at a shot, the lead is handed over, and the room ends for everyone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from storyboard_core import Store, create_link, set_passcode
from storyboard_core.review.editor_name import remember_editor_name
from ui.views.room import GLUE

from .conftest import DEMO, ServerFactory, main_area, new_page, next_run, wait_for_app

pytestmark = pytest.mark.browser

SECRET = "correct horse battery"
WAIT = 60_000  # ms: three browsers and their sessions on a shared, busy machine


def player(page: Page) -> Locator:
    return page.locator(".sb-player")


def button(page: Page, name: str) -> Locator:
    return main_area(page).get_by_role("button", name=name)


def as_editor(page: Page, url: str, name: str, workspace: Path) -> None:
    """An editor passes the gate and opens Present under ``name``.

    The name is the workspace's remembered editor name when the session first asks for it (its
    first run); each session keeps the name it got, so the next editor may be given another one.
    """
    remember_editor_name(workspace, name)
    page.goto(url)
    wait_for_app(page)
    page.get_by_label("Editor passcode").fill(SECRET)
    page.get_by_label("Editor passcode").press("Enter")
    expect(player(page)).to_be_visible(timeout=WAIT)
    # .first: while a slow run is still drawing, the line can be there twice for a moment (the
    # last run's copy at its old place, the new one below the player), which strict mode refuses.
    expect(main_area(page).get_by_text(f"You are {name}").first).to_be_attached(timeout=WAIT)


def test_a_room_follows_its_presenter(
    server_factory: ServerFactory, browser: Browser, contexts: list[BrowserContext]
) -> None:
    server = server_factory(demo=True, prepare=lambda store: set_passcode(store.root, SECRET))
    store = Store(server.workspace)
    shots = [s.id for s in store.read_shots(DEMO, "001")]
    url = server.page_url("present", project=DEMO, seq="001")
    lead, editor, reviewer = (new_page(browser, contexts, timeout_ms=WAIT) for _ in range(3))
    as_editor(lead, url, "Ana", server.workspace)
    as_editor(editor, url, "Bo", server.workspace)
    _, token = create_link(store, DEMO, ["001"])
    reviewer.goto(f"{server.url}/?review={token}")
    wait_for_app(reviewer)
    reviewer.get_by_label("Your name").fill("Cy")
    # The run that draws their project done first: while it draws, the dashboard's Open link can
    # be there twice (the last run's copy and the new one; a quiet fresh clone at 00:25 UTC).
    with next_run(reviewer):
        reviewer.get_by_role("button", name="Start reviewing").click()
    # Their project, then Present (links inside the app keep the session).
    # The dashboard's Open link, then the page drawn: while a slow run draws it, its Present link
    # can be there twice too (a loaded run at 19:44 UTC).
    reviewer.locator(".st-key-dash_open_sequence a").click()
    present = main_area(reviewer).get_by_role("link", name="Present")
    expect(present.first).to_be_visible(timeout=WAIT)
    wait_for_app(reviewer)  # the run done: one Present link left
    present.click()
    expect(player(reviewer)).to_be_visible(timeout=WAIT)

    # Ana starts a room; Bo and Cy, on Present, are in it and follow.
    button(lead, "Start a review room").click()
    expect(player(lead)).to_have_attribute("data-room", "leading", timeout=WAIT)
    for page in (editor, reviewer):
        expect(player(page)).to_have_attribute("data-room", "following", timeout=WAIT)
    # Names in the order they joined: Bo and Cy join at about the same time.
    in_room = re.compile(r"in the room: Ana, (Bo, Cy|Cy, Bo)$")
    expect(main_area(lead).get_by_text(in_room)).to_be_visible(timeout=WAIT)

    # A move, Play and the notes panel are followed.
    lead.keyboard.press("ArrowRight")
    for page in (editor, reviewer):
        expect(player(page)).to_have_attribute("data-shot", shots[1], timeout=WAIT)
    lead.keyboard.press("p")
    lead.keyboard.press(" ")
    for page in (editor, reviewer):
        expect(player(page)).to_have_attribute("data-playing", "true", timeout=WAIT)
        expect(page.locator(".sb-text")).to_be_visible(timeout=WAIT)
    lead.keyboard.press(" ")
    for page in (editor, reviewer):
        expect(player(page)).to_have_attribute("data-playing", "false", timeout=WAIT)
    # A follower's keys do not move the player while it follows.
    reviewer.keyboard.press("ArrowRight")
    reviewer.wait_for_timeout(300)
    expect(player(reviewer)).to_have_attribute("data-shot", shots[1], timeout=WAIT)

    # Cy steps away, looks elsewhere, points Ana at it, and comes back.
    button(reviewer, "Stop following").click()
    expect(player(reviewer)).to_have_attribute("data-room", "away", timeout=WAIT)
    reviewer.keyboard.press("ArrowRight")
    expect(player(reviewer)).to_have_attribute("data-shot", shots[2], timeout=WAIT)
    lead.keyboard.press("ArrowLeft")
    expect(player(editor)).to_have_attribute("data-shot", shots[0], timeout=WAIT)
    expect(player(reviewer)).to_have_attribute("data-shot", shots[2])  # away: not moved
    # The ask comes from the player, with the shot it shows.
    player(reviewer).get_by_role("button", name="Look at this shot").click()
    expect(main_area(lead).get_by_text(f"Cy asks you to look at shot {shots[2]}")).to_be_visible(
        timeout=WAIT
    )
    button(lead, "Go").click()
    expect(player(lead)).to_have_attribute("data-shot", shots[2], timeout=WAIT)
    expect(player(editor)).to_have_attribute("data-shot", shots[2], timeout=WAIT)
    button(reviewer, "Follow the presenter").click()
    expect(player(reviewer)).to_have_attribute("data-room", "following", timeout=WAIT)

    # Ana hands the lead to Bo: Bo's moves are followed, Ana follows.
    button(lead, "Hand the lead").click()
    expect(player(editor)).to_have_attribute("data-room", "leading", timeout=WAIT)
    expect(player(lead)).to_have_attribute("data-room", "following", timeout=WAIT)
    editor.keyboard.press("Home")
    for page in (lead, reviewer):
        expect(player(page)).to_have_attribute("data-shot", shots[0], timeout=WAIT)

    # Bo leaves (closes the page): after the heartbeat timeout the room ends for everyone.
    editor.close()
    for page in (lead, reviewer):
        expect(player(page)).to_have_attribute("data-room", "ended", timeout=WAIT)
        expect(main_area(page).get_by_text("The review room has ended")).to_be_visible(timeout=WAIT)
    reviewer.keyboard.press("ArrowRight")  # unlocked
    expect(player(reviewer)).to_have_attribute("data-shot", shots[1], timeout=WAIT)


def test_an_ask_between_two_mounts_of_the_glue_is_sent_by_the_next_mount(page: Page) -> None:
    """The glue's window listener outlives each mount: a click heard while no mount can send it
    (one run's cleanup done, the next run's mount not yet) is sent by the next mount, the newest
    per kind, instead of being dropped."""
    calls = page.evaluate(
        """async (glue) => {
          const url = URL.createObjectURL(new Blob([glue], { type: "text/javascript" }));
          const mount = (await import(url)).default;
          const calls = [];
          const component = (name) => ({
            data: { room: "r" },
            parentElement: document.body,
            setStateValue: (kind, value) => calls.push([name, kind, value]),
          });
          const ask = (shot) =>
            window.dispatchEvent(new CustomEvent("sb-room:ask", { detail: { seq: "001", shot } }));
          const cleanup = mount(component("first"));
          ask("a");
          cleanup();
          ask("b");
          ask("c");
          mount(component("second"));
          ask("d");
          return calls;
        }""",
        GLUE,
    )
    assert calls == [
        ["first", "ask", {"seq": "001", "shot": "a", "n": 1}],
        ["second", "ask", {"seq": "001", "shot": "c", "n": 3}],
        ["second", "ask", {"seq": "001", "shot": "d", "n": 4}],
    ]
