"""Signed session cookies: what they carry, and every way one stops opening anything."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from storyboard_core import AccessRefusedError, Project, Store
from storyboard_core.access import (
    EDITOR,
    check_session,
    check_token,
    create_link,
    end_session,
    issue_session,
    revoke_link,
    set_passcode,
)
from storyboard_core.access.encoding import b64, unb64
from storyboard_core.models import now

SECRET = "correct horse battery"
HOME = "192.168.1.20"


def reviewer(store: Store, project: Project, days: float = 7) -> tuple[str, str]:
    """A reviewer's session token (as Ana, from ``HOME``) and its link's id."""
    record, token = create_link(store, project.id, ["002"], days=days)
    token_session, _ = issue_session(store.root, check_token(store.root, token).named("Ana"), HOME)
    return token_session, record.id


def test_a_session_opens_the_same_access_and_carries_nothing_secret(
    store: Store, project: Project
) -> None:
    set_passcode(store.root, SECRET)
    token, expires = issue_session(store.root, EDITOR, HOME)
    assert check_session(store.root, token, HOME) == EDITOR
    assert timedelta(hours=11) < expires - now() <= timedelta(hours=12)
    body = json.loads(unb64(token.partition(".")[0]))
    assert set(body) == {"s", "r", "l", "n", "i", "e"}
    assert HOME not in token and "scrypt" not in json.dumps(body)
    session, _ = reviewer(store, project)
    access = check_session(store.root, session, HOME)
    assert (access.role, access.name, access.sequences) == ("reviewer", "Ana", ("002",))


def test_a_cookie_copied_to_another_address_is_refused(store: Store, project: Project) -> None:
    session, _ = reviewer(store, project)
    with pytest.raises(AccessRefusedError, match="not valid here"):
        check_session(store.root, session, "192.168.1.99")
    local, _ = issue_session(store.root, EDITOR, None)  # a browser on this machine
    with pytest.raises(AccessRefusedError, match="not valid here"):
        check_session(store.root, local, HOME)


def test_revoke_sign_out_expiry_and_a_new_passcode_end_sessions(
    store: Store, project: Project
) -> None:
    session, link_id = reviewer(store, project)
    revoke_link(store.root, link_id)
    with pytest.raises(AccessRefusedError, match="revoked"):
        check_session(store.root, session, HOME)

    other, _ = reviewer(store, project)
    end_session(store.root, other)
    with pytest.raises(AccessRefusedError, match="signed out"):
        check_session(store.root, other, HOME)

    short, _ = reviewer(store, project, days=0.01)  # the link's expiry comes before 12 hours
    check_session(store.root, short, HOME)
    with pytest.raises(AccessRefusedError, match="expired"):
        check_session(store.root, short, HOME, at=now() + timedelta(hours=1))

    set_passcode(store.root, SECRET)
    editor, _ = issue_session(store.root, EDITOR, HOME)
    with pytest.raises(AccessRefusedError, match="expired"):
        check_session(store.root, editor, HOME, at=now() + timedelta(hours=13))
    set_passcode(store.root, SECRET + " 2")
    with pytest.raises(AccessRefusedError, match="not valid here"):
        check_session(store.root, editor, HOME)


def test_a_changed_or_foreign_token_is_refused(
    store: Store, project: Project, tmp_path: Path
) -> None:
    session, _ = reviewer(store, project)
    payload, _, signature = session.partition(".")
    body = json.loads(unb64(payload))
    forged = b64(json.dumps({**body, "r": "editor"}).encode()) + "." + signature
    for token in (forged, session + "x", "nonsense", "", "a.b"):
        with pytest.raises(AccessRefusedError):
            check_session(store.root, token, HOME)
    elsewhere = Store(tmp_path / "other")
    (tmp_path / "other").mkdir()
    with pytest.raises(AccessRefusedError):
        check_session(elsewhere.root, session, HOME)
