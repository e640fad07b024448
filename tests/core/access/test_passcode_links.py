"""The editor passcode (hash only, constant-time check) and review links (signed, scoped, expiring,
revocable)."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storyboard_core import AccessRefusedError, InvalidDataError, NotFoundError, Project, Store
from storyboard_core.access import (
    check_token,
    create_link,
    list_links,
    passcode_is_set,
    revoke_link,
    set_passcode,
    verify_passcode,
)
from storyboard_core.access.links import SECRET_FILE

SECRET = "correct horse battery"


def test_passcode_is_stored_only_as_a_salted_hash(workspace: Path) -> None:
    assert not passcode_is_set(workspace)
    assert not verify_passcode(workspace, SECRET)
    set_passcode(workspace, SECRET)
    text = (workspace / "settings.json").read_text("utf-8")
    assert SECRET not in text
    stored = json.loads(text)["access"]["passcode"]
    assert stored.startswith("scrypt$")
    assert verify_passcode(workspace, SECRET)
    assert not verify_passcode(workspace, SECRET + "x")
    assert not verify_passcode(workspace, "")
    set_passcode(workspace, SECRET)  # the same passcode again: a new salt, a new hash
    assert (
        json.loads((workspace / "settings.json").read_text("utf-8"))["access"]["passcode"] != stored
    )


def test_passcode_keeps_the_rest_of_the_settings(workspace: Path) -> None:
    (workspace / "settings.json").write_text(
        '{"comfyui": {"servers": [{"name": "a", "url": "http://127.0.0.1:1", "active": true}]}, "mine": 1}'
    )
    set_passcode(workspace, SECRET)
    data = json.loads((workspace / "settings.json").read_text("utf-8"))
    assert data["mine"] == 1 and data["comfyui"]["servers"][0]["name"] == "a"


@pytest.mark.parametrize("bad", ["short", " leading space", "x" * 1025])
def test_weak_passcodes_are_refused_and_nothing_is_written(workspace: Path, bad: str) -> None:
    with pytest.raises(InvalidDataError, match="passcode"):
        set_passcode(workspace, bad)
    assert not (workspace / "settings.json").exists()


def test_hash_never_in_repr(workspace: Path) -> None:
    from storyboard_core.access.records import load_access

    set_passcode(workspace, SECRET)
    access = load_access(workspace)
    assert access.passcode not in repr(access)


def test_a_link_opens_its_scope_until_it_expires(store: Store, project: Project) -> None:
    t0 = datetime(2026, 12, 1, 12, tzinfo=UTC)
    record, token = create_link(store, project.id, ["002"], at=t0)
    assert record.expires == t0 + timedelta(days=7)
    access = check_token(store.root, token, at=t0 + timedelta(days=6))
    assert access.role == "reviewer" and access.project == project.id
    assert access.sequences == ("002",)
    assert token not in (store.root / "settings.json").read_text("utf-8")
    with pytest.raises(AccessRefusedError, match="expired"):
        check_token(store.root, token, at=t0 + timedelta(days=7))
    [listed] = list_links(store.root)
    assert listed.id == record.id and listed.sequences == ["002"] and not listed.revoked


def test_a_revoked_link_opens_nothing(store: Store, project: Project) -> None:
    record, token = create_link(store, project.id)
    assert check_token(store.root, token).sequences is None  # the whole project
    revoke_link(store.root, record.id)
    with pytest.raises(AccessRefusedError, match="revoked"):
        check_token(store.root, token)
    assert list_links(store.root)[0].revoked
    with pytest.raises(NotFoundError):
        revoke_link(store.root, "nope")


def test_tampered_tokens_are_refused(store: Store, project: Project) -> None:
    _, token = create_link(store, project.id, ["001"])
    payload, _, signature = token.partition(".")
    forged = json.dumps({"id": "x", "p": project.id, "s": None, "r": "editor", "e": 2**40})
    import base64

    fake = base64.urlsafe_b64encode(forged.encode()).decode().rstrip("=")
    for bad in (
        "",
        "garbage",
        payload,
        f"{payload}.{signature[:-2]}AA",
        f"{fake}.{signature}",
        f"{payload}x.{signature}",
        token.replace(".", ""),
    ):
        with pytest.raises(AccessRefusedError, match="not valid") as caught:
            check_token(store.root, bad)
        assert signature not in str(caught.value)


def test_the_secret_is_private_and_kept(store: Store, project: Project) -> None:
    _, token = create_link(store, project.id)
    path = store.root / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    _, other = create_link(store, project.id)
    assert check_token(store.root, token) and check_token(store.root, other)
    path.write_text("0" * 64)  # a new secret: every earlier link stops working
    with pytest.raises(AccessRefusedError):
        check_token(store.root, token)


def test_links_name_real_scopes(store: Store, project: Project) -> None:
    with pytest.raises(NotFoundError):
        create_link(store, "elsewhere")
    with pytest.raises(NotFoundError):
        create_link(store, project.id, ["042"])
    with pytest.raises(InvalidDataError, match="days"):
        create_link(store, project.id, days=0)
    with pytest.raises(InvalidDataError, match="sequences"):
        create_link(store, project.id, [])
    assert list_links(store.root) == []
