"""The gate through app.py: nothing but the passcode page before passing, both roles, a reviewer's
scope and read-only pages, expired and revoked links, throttling, idle expiry, no hash on any page."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import text_format
from streamlit import config
from streamlit.testing.v1 import AppTest

from storyboard_core import Project, Store, Throttle, create_link, revoke_link, set_passcode
from storyboard_core.access import check_token
from ui.frame.registry import BIBLE, DASHBOARD, PAGES, SEQUENCE, SETTINGS, SHOT
from ui.frame.state import LAST_SEEN
from ui.frame.text import md

from .conftest import APP, TIMEOUT

SECRET = "correct horse battery"


def page_text(at: AppTest) -> str:
    """Everything the run sent to the browser (every element's message, URLs included)."""

    def walk(node: Any) -> Iterator[str]:
        proto = getattr(node, "proto", None)
        if proto is not None:
            # Without backslashes: neither the proto's quoting nor Markdown escapes hide a name.
            yield text_format.MessageToString(proto, as_utf8=True).replace("\\", "")
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    tables = [frame.value.to_csv() for frame in at.dataframe]  # arrow bytes, read as tables
    return "\n".join([*walk(at._tree), *tables])


def start(*, review: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if review is not None:
        at.query_params["review"] = review
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sign_in(at: AppTest, passcode: str) -> AppTest:
    at.text_input[0].input(passcode)
    at.button[0].click()
    return at.run()


def assert_gate_only(at: AppTest, demo: Project) -> None:
    """The passcode page and nothing else: no project name, no image, no sidebar, no page list."""
    text = page_text(at)
    assert "Editor passcode" in text
    assert demo.name not in text and demo.id not in text
    assert "/media/" not in text and not at.get("imgs")
    assert len(at.sidebar) == 0
    for page in PAGES:
        assert page.title not in text


@pytest.fixture
def locked(store: Store, demo: Project, serving: None) -> Project:
    set_passcode(store.root, SECRET)
    return demo


def test_a_passcode_turns_the_gate_on(locked: Project, store: Store) -> None:
    at = start()
    assert_gate_only(at, locked)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(SETTINGS.path)  # no page but the gate is registered for this session
    sign_in(at, "not the passcode")
    assert "wrong passcode" in page_text(at)
    assert_gate_only(at, locked)
    sign_in(at, SECRET)
    assert not at.exception
    assert locked.name in page_text(at)
    assert len(at.sidebar) > 0


def test_five_wrong_passcodes_then_a_wait(locked: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    # The doubling itself is tested in the core; here a long first wait keeps a slow run inside it.
    monkeypatch.setattr(Throttle, "wait_after", staticmethod(lambda n: 600.0 if n >= 5 else 0.0))
    at = start()
    for _ in range(5):
        sign_in(at, "guess-guess")
        assert "wrong passcode" in page_text(at)
    sign_in(at, SECRET)  # even the right passcode waits now
    assert "too many wrong tries" in page_text(at)
    assert_gate_only(at, locked)


def test_the_network_forces_the_gate_even_without_a_passcode(
    demo: Project, serving: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = config.get_option("server.address")
    config.set_option("server.address", "192.0.2.10")
    try:
        at = start()
        assert_gate_only(at, demo)
        assert "no editor passcode yet" in page_text(at)
        sign_in(at, "anything-at-all")
        assert "no editor passcode is set" in page_text(at)
        assert_gate_only(at, demo)
    finally:
        config.set_option("server.address", before)


def test_the_passcode_hash_is_on_no_page(locked: Project, store: Store) -> None:
    stored = json.loads((store.root / "settings.json").read_text("utf-8"))["access"]["passcode"]
    digest = stored.rsplit("$", 1)[1]
    at = sign_in(start(), SECRET)
    seen = [page_text(at)]
    for page in PAGES:
        at.switch_page(page.path).run()
        seen.append(page_text(at))
    assert all(digest not in text and SECRET not in text for text in seen)
    assert any("Review links" in text for text in seen)  # the settings page was drawn


def reviewer(token: str, name: str = "Ana") -> AppTest:
    at = start(review=token)
    assert "review" not in at.query_params  # the token left the URL
    assert "Your name" in page_text(at)
    at.text_input[0].input(name)
    at.button[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_reviewer_sees_only_the_scope_read_only(
    locked: Project, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = store.create_project("Other film")
    _, token = create_link(store, locked.id, ["002"])
    at = reviewer(token)
    text = page_text(at)
    assert locked.name in text and "Other film" not in text and other.id not in text
    assert "Reviewing as" in text and "Ana" in text
    for control in ("Share for review", "Add a sequence", "Shot list as CSV", "Hand-outs"):
        assert control not in text, control
    seq_002 = store.read_sequence(locked.id, "002")
    seq_001 = store.read_sequence(locked.id, "001")
    assert seq_002.name in text and seq_001.name not in text
    # The storyboard: no grid, no arrange or render controls.
    at.switch_page(SEQUENCE.path)
    at.query_params.update(project=locked.id, seq="002")
    at.run()
    assert not at.exception
    assert not at.get("arrow_data_frame") and not at.get("data_editor")
    labels = [b.label for b in at.button]
    assert not [b for b in labels if b not in ("Sign out",)], labels
    # A shot, read-only: no field to edit, no Save or Render; only the comment thread.
    shot = seq_002.shots[0]
    at.switch_page(SHOT.path)
    at.query_params.update(project=locked.id, seq="002", shot=shot.id)
    at.run()
    assert not at.exception
    assert shot.prompt in page_text(at)
    assert not at.text_input and not at.number_input
    assert [a.label for a in at.text_area] == ["Your comment"]
    buttons = {b.label for b in at.button}
    assert buttons <= {"Approve", "Retake", "Comment", "Sign out"}, buttons
    assert "You are" in page_text(at) and "change" not in buttons  # the gate's name, for good
    at.text_area[0].input("the sky is too bright")
    next(b for b in at.button if b.label == "Retake").click()
    at.run()
    assert not at.exception
    saved = store.read_shot(locked.id, "002", shot.id)
    assert saved.status == "rejected"
    assert [(c.author, c.text, c.verdict) for c in saved.comments][-1:] == [
        ("Ana", "the sky is too bright", "retake")
    ]
    # Out of scope: another sequence, another project, Settings.
    at.query_params.update(project=locked.id, seq="001", shot=seq_001.shots[0].id)
    at.run()
    assert seq_001.shots[0].prompt not in page_text(at)
    at.switch_page(DASHBOARD.path)
    at.query_params.clear()
    at.query_params.update(project=other.id)
    at.run()
    assert "Other film" not in page_text(at)
    (told,) = [w.value for w in at.warning if "does not open project" in w.value]
    assert md(other.id) in told and md("sequence(s) 002") in told  # told so, then their review
    assert seq_002.name in page_text(at)
    # Their pages' scripts never run: the URL of Settings or the Bible runs a page saying so
    # (tests/e2e/test_review_fixes.py), which AppTest cannot open by URL.
    for editors_only in (SETTINGS, BIBLE):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(editors_only.path)


def test_expired_and_revoked_links_open_nothing(locked: Project, store: Store) -> None:
    record, token = create_link(store, locked.id, days=0.00001)  # under a second
    time.sleep(1.1)
    at = start(review=token)
    assert "expired" in page_text(at)
    assert_gate_only(at, locked)
    record, token = create_link(store, locked.id)
    revoke_link(store.root, record.id)
    at = start(review=token)
    assert "revoked" in page_text(at)
    assert_gate_only(at, locked)


def test_revoking_ends_an_open_review_session(locked: Project, store: Store) -> None:
    record, token = create_link(store, locked.id)
    at = reviewer(token)
    assert locked.name in page_text(at)
    revoke_link(store.root, record.id)
    at.run()
    assert "revoked" in page_text(at)
    assert_gate_only(at, locked)


def test_an_idle_session_meets_the_gate_again(locked: Project) -> None:
    at = sign_in(start(), SECRET)
    assert locked.name in page_text(at)
    at.session_state[LAST_SEEN] = time.time() - 13 * 3600
    at.run()
    assert "idle" in page_text(at)
    assert_gate_only(at, locked)


def test_an_editor_shares_and_revokes_a_link(locked: Project, store: Store) -> None:
    at = sign_in(start(), SECRET)
    at.switch_page(DASHBOARD.path)
    at.query_params.update(project=locked.id)
    at.run()
    at.button(key="share_make").click()
    at.run()
    assert "Say who the link is for" in page_text(at)  # asked, so that links can be told apart
    assert not [c for c in at.code if "review=" in c.value]
    at.text_input(key="share_for").input("Ana (client)")
    at.multiselect(key="share_sequences").select("001")
    at.button(key="share_make").click()
    at.run()
    [url] = [c.value for c in at.code if "review=" in c.value]
    token = url.split("review=", 1)[1]
    assert check_token(store.root, token).project == locked.id
    at.switch_page(SETTINGS.path).run()
    seq_name = store.read_sequence(locked.id, "001").name
    shown = page_text(at)
    for part in (locked.name, "for Ana (client)", f"sequences 001 {seq_name}"):
        assert part in shown, (part, shown)
    [revoke] = [b for b in at.button if b.label == "Revoke"]
    revoke.click()
    at.run()
    assert "revoked" in page_text(at)
    with pytest.raises(Exception, match="revoked"):
        check_token(store.root, token)


def test_no_passcode_on_loopback_keeps_the_app_open(
    demo: Project, serving: None, workspace: Path
) -> None:
    at = start()
    assert demo.name in page_text(at)
    assert "Sign out" not in [b.label for b in at.button]
