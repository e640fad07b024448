"""A review in a real browser: say who you are, comment, ask a retake, upload a new take, approve,
resolve — each step seen on disk.

The shot editor's thread, then a storyboard card's popover (it stays open while it is used), then the
review summary page. Everything is checked in the sequence file, not only on the screen.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from .conftest import (
    DEMO,
    Server,
    click_and_wait,
    main_area,
    next_run,
    open_page,
    shots_on_disk,
    show_view,
    wait_for_app,
)
from .test_takes import png

pytestmark = pytest.mark.browser

SEQ = "003"  # this module's own sequence of the shared demo server


def shot_on_disk(server: Server, shot_id: str) -> dict[str, Any]:
    return next(s for s in shots_on_disk(server.workspace, DEMO, SEQ) if s["id"] == shot_id)


def wait_on_disk(page: Page, server: Server, shot_id: str, check: Any) -> dict[str, Any]:
    """The shot once ``check(shot)`` holds (the click's run writes it; give the machine time)."""
    for _ in range(100):
        shot = shot_on_disk(server, shot_id)
        if check(shot):
            return shot
        page.wait_for_timeout(100)
    raise AssertionError(f"shot on disk never matched: {shot_on_disk(server, shot_id)}")


def in_scope(scope: Locator, role: str, name: str) -> Locator:
    return scope.get_by_role(role, name=name, exact=True)  # type: ignore[arg-type]


def comment(page: Page, scope: Locator, text: str, button: str) -> None:
    """Type a comment and press one of the thread's buttons."""
    box = scope.get_by_label("Your comment", exact=True)
    box.fill(text)
    click_and_wait(page, scope.get_by_role("button", name=button))
    expect(box).to_have_value("")  # the box empties once the comment is written


def sign_in(page: Page, scope: Locator, name: str) -> None:
    """Give the editor's name; the workspace remembers an earlier test's: change it then."""
    change = scope.get_by_role("button", name="change", exact=True)
    wait_for_app(page)
    if change.count():
        click_and_wait(page, change)
    scope.get_by_label("Your name", exact=True).fill(name)
    click_and_wait(page, scope.get_by_role("button", name="Continue"))
    expect(scope.get_by_text(f"You are {name}")).to_be_visible()


def test_a_full_review_in_the_shot_editor(page: Page, streamlit_server: Server) -> None:
    shot_id = shots_on_disk(streamlit_server.workspace, DEMO, SEQ)[0]["id"]
    open_page(page, streamlit_server, "shot", project=DEMO, seq=SEQ, shot=shot_id)
    main = main_area(page)
    thread = main.get_by_test_id("stExpander").filter(has_text="Comments (")
    expect(thread.get_by_text("No comments yet.")).to_be_visible()

    sign_in(page, thread, "Ana")
    comment(page, thread, "The rain reads well", "Comment")
    on_disk = wait_on_disk(page, streamlit_server, shot_id, lambda s: s.get("comments"))
    assert [(c["author"], c["text"], c["verdict"]) for c in on_disk["comments"]] == [
        ("Ana", "The rain reads well", None)
    ]

    comment(page, thread, "Too dark: lift the lamps", "Retake")
    on_disk = wait_on_disk(page, streamlit_server, shot_id, lambda s: s["status"] == "rejected")
    assert on_disk["comments"][-1]["verdict"] == "retake"
    status = main.get_by_role("combobox", name="Status")
    expect(status).to_have_value("rejected")  # the editor shows the verdict's status

    # A new take (an uploaded board) puts the rejected shot back to review.
    with next_run(page):
        main.get_by_role("region", name="Upload an image as a take").get_by_test_id(
            "stFileUploaderDropzoneInput"
        ).set_input_files(
            {"name": "board.png", "mimeType": "image/png", "buffer": png((60, 160, 90))}
        )
    wait_for_app(page)
    on_disk = wait_on_disk(page, streamlit_server, shot_id, lambda s: s["status"] == "review")
    board = on_disk["render"]["image"]

    comment(page, thread, "Better now", "Approve")
    on_disk = wait_on_disk(page, streamlit_server, shot_id, lambda s: s["status"] == "approved")
    assert [c["verdict"] for c in on_disk["comments"]] == [None, "retake", "approve"]
    assert on_disk["comments"][-1]["take"] == board  # the verdict names the take it was given on
    expect(status).to_have_value("approved")

    click_and_wait(page, thread.get_by_role("button", name="Resolve").first)
    on_disk = wait_on_disk(page, streamlit_server, shot_id, lambda s: s["comments"][0]["resolved"])
    assert on_disk["comments"][0]["resolved_by"] == "Ana"
    expect(thread.get_by_text("Resolved by Ana")).to_be_visible()

    # An empty comment is refused with a message; nothing is written.
    before = shot_on_disk(streamlit_server, shot_id)
    click_and_wait(page, thread.get_by_role("button", name="Comment"))
    expect(thread.get_by_text("text: is empty")).to_be_visible()
    assert shot_on_disk(streamlit_server, shot_id) == before


def test_review_from_a_storyboard_card(page: Page, streamlit_server: Server) -> None:
    shot_id = shots_on_disk(streamlit_server.workspace, DEMO, SEQ)[1]["id"]
    open_page(page, streamlit_server, "sequence", project=DEMO, seq=SEQ)
    show_view(page, "Storyboard")
    main = main_area(page)
    card_button = main.get_by_test_id("stPopover").nth(1).get_by_role("button")
    expect(card_button).to_contain_text("💬 Comments")
    click_and_wait(page, card_button)
    popover = page.get_by_test_id("stPopoverBody")
    sign_in(page, popover, "Bob")
    comment(page, popover, "Wrong lens", "Retake")  # the popover stays open while used
    on_disk = wait_on_disk(page, streamlit_server, shot_id, lambda s: s["status"] == "rejected")
    assert [(c["author"], c["text"]) for c in on_disk["comments"]] == [("Bob", "Wrong lens")]
    expect(popover.get_by_text("Wrong lens")).to_be_visible()

    # The review summary lists it as a shot to retake, with its open comment.
    open_page(page, streamlit_server, "review", project=DEMO, seq=SEQ)
    expect(main.get_by_role("heading", level=1)).to_contain_text("Review")
    expect(main.get_by_role("paragraph").filter(has_text="Wrong lens")).to_be_visible()
    expect(main.get_by_role("button", name="Download Markdown")).to_be_visible()
