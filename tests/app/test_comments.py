"""The review thread: the name asked once, Comment / Approve / Retake / Resolve, refusals, drafts, cards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from storyboard_core import COMMENT_MAX_CHARS, Project, Render, Shot, Store, add_comment
from storyboard_core.review.editor_name import editor_name
from ui.frame.registry import SEQUENCE, SHOT
from ui.frame.text import md

from .conftest import APP, TIMEOUT, OpenPage, storyboard_view

Snapshot = Callable[[], dict[str, bytes]]
EVIL = "[click](https://evil.invalid) ![x](https://evil.invalid/x.png) <b>hi</b> :red[red]"


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def shot(demo: Project, store: Store) -> Shot:
    """The demo's second shot of sequence 001."""
    return store.read_shots(demo.id, "001")[1]


@pytest.fixture
def editor(demo: Project, shot: Shot, open_page: OpenPage) -> AppTest:
    """The shot editor on that shot."""
    return open_page(SHOT, project=demo.id, seq="001", shot=shot.id)


def prefix(demo: Project, shot: Shot) -> str:
    """The key prefix of the editor's thread."""
    return f"editor:{demo.id}/001/{shot.id}"


def sign_in(at: AppTest, p: str, name: str = "Ana") -> AppTest:
    at.text_input(key=f"{p}:author_name").input(name)
    return ok(at.button(key=f"{p}:author_ok").click().run())


def say(at: AppTest, p: str, text: str, button: str = "comment") -> AppTest:
    at.text_area(key=f"{p}:text").input(text)
    return ok(at.button(key=f"{p}:{button}").click().run())


def comments_on_disk(store: Store, demo: Project, shot: Shot) -> list[tuple[str, str, str | None]]:
    return [
        (c.author, c.text, c.verdict) for c in store.read_shot(demo.id, "001", shot.id).comments
    ]


@pytest.fixture
def signed_in(editor: AppTest, demo: Project, shot: Shot) -> AppTest:
    return sign_in(editor, prefix(demo, shot))


# ------------------------------------------------------------------------------------- the name
def test_the_name_is_asked_before_commenting(editor: AppTest, demo: Project, shot: Shot) -> None:
    p = prefix(demo, shot)
    assert "No comments yet." in [c.value for c in editor.caption]
    assert editor.text_input(key=f"{p}:author_name").label == "Your name"
    assert not [t for t in editor.text_area if t.key == f"{p}:text"]  # no form yet


def test_a_blank_name_is_refused(
    editor: AppTest, demo: Project, shot: Shot, snapshot: Snapshot
) -> None:
    files = snapshot()
    sign_in(editor, prefix(demo, shot), "   ")
    assert any(md("author: is required") in e.value for e in editor.error)
    assert snapshot() == files


def test_the_name_is_remembered_and_can_be_changed(
    signed_in: AppTest, demo: Project, shot: Shot, store: Store, open_page: OpenPage
) -> None:
    p = prefix(demo, shot)
    assert "You are **Ana**" in [c.value for c in signed_in.caption]
    # Another shot of the same browser session: no question asked.
    other = store.read_shots(demo.id, "001")[0]
    at = open_page(SHOT, project=demo.id, seq="001", shot=other.id)
    assert "You are **Ana**" in [c.value for c in at.caption]
    at = open_page(SHOT, project=demo.id, seq="001", shot=shot.id)
    ok(at.button(key=f"{p}:author_change").click().run())
    assert at.text_input(key=f"{p}:author_name").value == "Ana"
    sign_in(at, p, "  Bob   Smith ")
    assert "You are **Bob Smith**" in [c.value for c in at.caption]


def test_an_editors_name_is_remembered_in_the_workspace(
    signed_in: AppTest, demo: Project, shot: Shot, store: Store, serving: None
) -> None:
    assert editor_name(store.root) == "Ana"
    # Another browser session (a new AppTest): not asked again.
    again = ok(AppTest.from_file(APP, default_timeout=TIMEOUT).run())
    again.switch_page(SHOT.path)
    again.query_params.update(project=demo.id, seq="001", shot=shot.id)
    ok(again.run())
    assert "You are **Ana**" in [c.value for c in again.caption]
    p = prefix(demo, shot)
    assert not [t for t in again.text_input if t.key == f"{p}:author_name"]
    say(again, p, "remembered")
    assert comments_on_disk(store, demo, shot)[-1] == ("Ana", "remembered", None)


def test_an_untrusted_name_is_shown_as_text(editor: AppTest, demo: Project, shot: Shot) -> None:
    sign_in(editor, prefix(demo, shot), "[Ana](https://evil.invalid)")
    assert f"You are **{md('[Ana](https://evil.invalid)')}**" in [c.value for c in editor.caption]


# --------------------------------------------------------------------------- comment and verdicts
def test_comment_is_written_and_the_box_emptied(
    signed_in: AppTest, demo: Project, shot: Shot, store: Store
) -> None:
    p = prefix(demo, shot)
    say(signed_in, p, "the light is lovely")
    assert comments_on_disk(store, demo, shot) == [("Ana", "the light is lovely", None)]
    assert store.read_shot(demo.id, "001", shot.id).status == shot.status
    assert signed_in.text_area(key=f"{p}:text").value == ""
    assert "Comment added" in [t.value for t in signed_in.toast]
    assert "the light is lovely" in [m.value for m in signed_in.markdown]
    assert "💬 Comments (1)" in [e.label for e in signed_in.expander]


def test_retake_then_approve_set_the_status(
    signed_in: AppTest, demo: Project, shot: Shot, store: Store
) -> None:
    p = prefix(demo, shot)
    say(signed_in, p, "too dark, redo", "retake")
    assert store.read_shot(demo.id, "001", shot.id).status == "rejected"
    # The status field shows the verdict (no unsaved edit of it to keep).
    assert [s.value for s in signed_in.selectbox if s.label == "Status"] == ["rejected"]
    assert "Retake asked" in [t.value for t in signed_in.toast]
    say(signed_in, p, "now it works", "approve")
    assert store.read_shot(demo.id, "001", shot.id).status == "approved"
    assert [s.value for s in signed_in.selectbox if s.label == "Status"] == ["approved"]
    assert comments_on_disk(store, demo, shot) == [
        ("Ana", "too dark, redo", "retake"),
        ("Ana", "now it works", "approve"),
    ]
    captions = [c.value for c in signed_in.caption]
    assert any("⛔ Retake" in c for c in captions) and any("✅ Approved" in c for c in captions)


@pytest.mark.parametrize("button", ["comment", "approve", "retake"])
@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "text: is empty"),
        ("  \n ", "text: is empty"),
        (
            "x" * (COMMENT_MAX_CHARS + 1),
            "is 5,001 characters long; a comment can have at most 5,000",
        ),
    ],
)
def test_bad_comments_are_refused_and_the_text_kept(
    signed_in: AppTest,
    demo: Project,
    shot: Shot,
    store: Store,
    snapshot: Snapshot,
    button: str,
    text: str,
    words: str,
) -> None:
    p = prefix(demo, shot)
    files = snapshot()
    say(signed_in, p, text, button)
    assert snapshot() == files
    assert any(md(words) in e.value for e in signed_in.error), [e.value for e in signed_in.error]
    assert signed_in.text_area(key=f"{p}:text").value == text  # nothing typed is lost
    assert store.read_shot(demo.id, "001", shot.id).status == shot.status
    ok(signed_in.text_area(key=f"{p}:text").input("fixed").run())  # the refusal was about that text
    assert not signed_in.error


def test_resolve(signed_in: AppTest, demo: Project, shot: Shot, store: Store) -> None:
    p = prefix(demo, shot)
    say(signed_in, p, "fix the horizon")
    comment = store.read_shot(demo.id, "001", shot.id).comments[0]
    ok(signed_in.button(key=f"{p}:resolve:{comment.id}").click().run())
    resolved = store.read_shot(demo.id, "001", shot.id).comments[0]
    assert (resolved.resolved, resolved.resolved_by) == (True, "Ana")
    assert any(c.value.startswith("✔️ Resolved by Ana") for c in signed_in.caption)
    assert not [b for b in signed_in.button if b.key == f"{p}:resolve:{comment.id}"]


def test_resolve_needs_a_name(
    editor: AppTest, demo: Project, shot: Shot, store: Store, open_page: OpenPage
) -> None:
    comment = add_comment(store, demo.id, "001", shot.id, author="Bob", text=EVIL)
    at = open_page(SHOT, project=demo.id, seq="001", shot=shot.id)
    assert at.button(key=f"{prefix(demo, shot)}:resolve:{comment.id}").disabled
    # Someone else's untrusted words are shown as written, never as links, images or colours.
    assert md(EVIL) in [m.value for m in at.markdown]
    assert any(c.value.startswith("**Bob** · ") for c in at.caption)


def test_a_comment_can_be_about_an_earlier_take(
    demo: Project, shot: Shot, store: Store, open_page: OpenPage
) -> None:
    render = Render(image="renders/x/new.png", versions=[{"image": "renders/x/old.png"}])
    store.update_shot(demo.id, "001", shot.id, {"render": render.model_dump(mode="json")})
    at = open_page(SHOT, project=demo.id, seq="001", shot=shot.id)
    p = prefix(demo, shot)
    sign_in(at, p)
    take = at.selectbox(key=f"{p}:take")
    assert take.value == "renders/x/new.png"
    take.set_value("renders/x/old.png")
    say(at, p, "the old one had better rain")
    assert store.read_shot(demo.id, "001", shot.id).comments[0].take == "renders/x/old.png"
    assert any("on old\\.png \\(earlier take\\)" in c.value for c in at.caption)


# ------------------------------------------------------------------------- with an unsaved edit
def prompt_key(demo: Project, shot: Shot, round_: int = 0) -> str:
    return f"shot:{demo.id}/001/{shot.id}:{round_}:prompt"


def test_a_comment_during_a_prompt_edit_never_conflicts(
    signed_in: AppTest, demo: Project, shot: Shot, store: Store
) -> None:
    p = prefix(demo, shot)
    signed_in.text_area(key=prompt_key(demo, shot)).input("my new prompt").run()
    say(signed_in, p, "mine, from this editor")
    add_comment(store, demo.id, "001", shot.id, author="Bob", text="another tab")  # elsewhere
    ok(signed_in.run())
    ok(signed_in.button(key="shot_save").click().run())
    assert not signed_in.table  # no conflict panel
    on_disk = store.read_shot(demo.id, "001", shot.id)
    assert on_disk.prompt == "my new prompt"
    assert [c.text for c in on_disk.comments] == ["mine, from this editor", "another tab"]


def test_a_verdict_during_a_prompt_edit_rebases_the_draft(
    signed_in: AppTest, demo: Project, shot: Shot, store: Store
) -> None:
    signed_in.text_area(key=prompt_key(demo, shot)).input("my new prompt").run()
    say(signed_in, prefix(demo, shot), "redo", "retake")
    assert any("in fields you did not edit" in i.value for i in signed_in.info)
    ok(signed_in.button(key="shot_save").click().run())
    on_disk = store.read_shot(demo.id, "001", shot.id)
    assert (on_disk.prompt, on_disk.status) == ("my new prompt", "rejected")


def test_a_verdict_while_the_status_is_edited_is_a_conflict(
    signed_in: AppTest, demo: Project, shot: Shot, store: Store
) -> None:
    assert shot.status not in ("approved", "rejected")
    status = next(s for s in signed_in.selectbox if s.label == "Status")
    status.set_value("approved").run()
    add_comment(store, demo.id, "001", shot.id, author="Bob", text="no", verdict="retake")
    ok(signed_in.run())
    assert any("changed elsewhere" in w.value for w in signed_in.warning)
    rows = {r["Field"]: r for r in signed_in.table[0].value.to_dict("records")}
    assert (rows["Status"]["Your version"], rows["Status"]["On disk now"]) == (
        "approved",
        "rejected",
    )
    assert store.read_shot(demo.id, "001", shot.id).status == "rejected"  # nothing overwritten


# ------------------------------------------------------------------------------ storyboard cards
def open_card(at: AppTest, shot_id: str) -> AppTest:
    """Open a card's popover (AppTest cannot click one; a browser keeps it open while used)."""
    at.session_state[f"card_comments:{shot_id}"] = True
    return ok(at.run())


def test_the_card_thread_runs_only_when_open(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    first = store.read_shots(demo.id, "001")[0]
    add_comment(store, demo.id, "001", first.id, author="Bob", text="first!")
    at = storyboard_view(open_page(SEQUENCE, project=demo.id, seq="001"))
    p = f"card:{first.id}"
    assert not [b for b in at.button if b.key and b.key.startswith("card:")]  # all closed
    open_card(at, first.id)
    assert md("first!") in [m.value for m in at.markdown]
    assert [b.key for b in at.button if b.key and b.key.startswith("card:")] == [
        f"{p}:resolve:{store.read_shot(demo.id, '001', first.id).comments[0].id}",
        f"{p}:author_ok",
    ]  # only the open card's thread ran
    sign_in(open_card(at, first.id), p)
    say(open_card(at, first.id), p, "approved from the board", "approve")
    on_disk = store.read_shot(demo.id, "001", first.id)
    assert on_disk.status == "approved"
    assert [c.text for c in on_disk.comments] == ["first!", "approved from the board"]
    say(open_card(at, first.id), p, "on second thought", "retake")
    assert store.read_shot(demo.id, "001", first.id).status == "rejected"
    open_card(at, first.id)
    ok(at.button(key=f"{p}:resolve:{on_disk.comments[0].id}").click().run())
    assert store.read_shot(demo.id, "001", first.id).comments[0].resolved_by == "Ana"


def test_the_card_shows_how_many_comments(demo: Project, store: Store, open_page: OpenPage) -> None:
    first = store.read_shots(demo.id, "001")[0]
    for text in ("one", "two"):
        add_comment(store, demo.id, "001", first.id, author="Bob", text=text)
    at = storyboard_view(open_page(SEQUENCE, project=demo.id, seq="001"))
    assert {b.proto.popover.label for b in popovers(at)} == {"💬 Comments"}
    captions = [c.value for c in at.caption if c.value.startswith("#")]
    assert "💬 2" in captions[0] and all("💬" not in c for c in captions[1:])


def popovers(at: AppTest) -> list[Any]:
    """The popover blocks of the page, in order."""
    found: list[Any] = []

    def walk(node: Any) -> None:
        for child in getattr(node, "children", {}).values():
            if _has(getattr(child, "proto", None), "popover"):
                found.append(child)
            walk(child)

    walk(at.main)
    return found


def _has(proto: Any, name: str) -> bool:
    try:
        return proto is not None and bool(proto.HasField(name))
    except (ValueError, AttributeError):  # an element or block type without that field
        return False
