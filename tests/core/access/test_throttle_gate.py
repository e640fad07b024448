"""Wrong tries throttled per address with a doubling wait, logged with the address; when the gate is
on (never off on the network); passing it with the passcode or a link."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from storyboard_core import AccessRefusedError, Project, Store, ThrottledError
from storyboard_core.access import (
    Gate,
    Throttle,
    create_link,
    gate_required,
    is_loopback,
    set_passcode,
)

SECRET = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_five_free_tries_then_a_doubling_wait() -> None:
    clock = Clock()
    throttle = Throttle(clock=clock)
    for _ in range(5):
        throttle.check("192.0.2.7")
        throttle.failure("192.0.2.7", "wrong passcode")
    with pytest.raises(ThrottledError) as caught:
        throttle.check("192.0.2.7")
    assert caught.value.retry_after == pytest.approx(2)
    throttle.check("192.0.2.8")  # another address is not affected
    clock.t += 2
    throttle.check("192.0.2.7")
    throttle.failure("192.0.2.7", "wrong passcode")
    assert throttle.retry_after("192.0.2.7") == pytest.approx(4)
    clock.t += 4
    throttle.failure("192.0.2.7", "wrong passcode")
    assert throttle.retry_after("192.0.2.7") == pytest.approx(8)
    throttle.success("192.0.2.7")
    assert throttle.retry_after("192.0.2.7") == 0
    assert Throttle.wait_after(100) == 15 * 60


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("", False),
        (None, False),
        ("192.0.2.10", False),
        ("10.1.2.3", False),
        ("::", False),
        ("studio.invalid", False),
    ],
)
def test_loopback_addresses(address: str | None, loopback: bool) -> None:
    assert is_loopback(address) is loopback
    # Beyond loopback the gate is on, passcode or not; on loopback only a passcode turns it on.
    assert gate_required(address, passcode_set=False) is (not loopback)
    assert gate_required(address, passcode_set=True)


def test_gate_signs_in_and_throttles_and_logs_the_address(
    store: Store, project: Project, caplog: pytest.LogCaptureFixture
) -> None:
    gate = Gate(store.root, Throttle(clock=Clock()))
    assert not gate.required("127.0.0.1") and gate.required("192.0.2.10")
    with pytest.raises(AccessRefusedError, match="no editor passcode"):
        gate.sign_in("192.0.2.10", SECRET)
    set_passcode(store.root, SECRET)
    assert gate.required("127.0.0.1")
    assert gate.sign_in("192.0.2.10", SECRET).is_editor
    caplog.set_level(logging.INFO)
    for _ in range(5):
        with pytest.raises(AccessRefusedError, match="wrong passcode"):
            gate.sign_in("192.0.2.10", "guess-guess")
    with pytest.raises(ThrottledError):
        gate.sign_in("192.0.2.10", SECRET)  # even the right one waits
    with pytest.raises(ThrottledError):
        gate.open_link("192.0.2.10", "anything")
    assert "192.0.2.10" in caplog.text
    assert "guess-guess" not in caplog.text and SECRET not in caplog.text
    stored = (store.root / "settings.json").read_text("utf-8")
    assert stored.split('"passcode": "')[1].split('"')[0] not in caplog.text


def test_gate_opens_links_and_counts_bad_ones(store: Store, project: Project) -> None:
    gate = Gate(store.root, Throttle(clock=Clock()))
    _, token = create_link(store, project.id)
    assert gate.open_link(None, token).role == "reviewer"
    for _ in range(5):
        with pytest.raises(AccessRefusedError):
            gate.open_link(None, token + "x")
    with pytest.raises(ThrottledError):
        gate.open_link(None, token)


def test_settings_file_holds_no_plain_passcode(workspace: Path) -> None:
    set_passcode(workspace, SECRET)
    assert SECRET not in (workspace / "settings.json").read_text("utf-8")
