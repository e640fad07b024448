"""The gate in front of the app: when it is on, and what lets a session through.

The gate is on when an editor passcode is set, and always when the app listens on anything but a
loopback address: access control cannot be turned off on the network. A session passes with the
editor passcode (role editor) or with a review link (role reviewer, within the link's scope). Wrong
tries of either are throttled per client address.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from pathlib import Path

from ..errors import AccessRefusedError, StoryboardError
from .links import check_token
from .passcode import passcode_is_set, verify_passcode
from .roles import EDITOR, Access
from .throttle import Throttle

IDLE_TIMEOUT = timedelta(hours=12)
LOCAL_CLIENT = "local"  # how a browser on this machine is named in the log (Streamlit gives no IP)


def is_loopback(address: str | None) -> bool:
    """Whether a server bound to ``address`` is reachable only from this machine.

    An empty address means every interface (Streamlit's default), so it is not loopback; a host
    name other than ``localhost`` is not trusted to be one.
    """
    if not address:
        return False
    host = address.strip().strip("[]")
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def gate_required(server_address: str | None, *, passcode_set: bool) -> bool:
    """Whether sessions must pass the gate: a passcode is set, or the server is on the network."""
    return passcode_set or not is_loopback(server_address)


class Gate:
    """Checks passcodes and review links for one workspace, throttling wrong tries by address."""

    def __init__(self, workspace: Path, throttle: Throttle) -> None:
        self.workspace = workspace
        self.throttle = throttle

    def required(self, server_address: str | None) -> bool:
        """Whether the app, listening on ``server_address``, must gate its sessions.

        An unreadable ``settings.json`` counts as no passcode: on loopback the app stays open (only
        someone who can write the workspace can break the file, and Settings names the problem);
        on the network the gate stays on and signing in reports the file.
        """
        try:
            passcode_set = passcode_is_set(self.workspace)
        except StoryboardError:
            passcode_set = False
        return gate_required(server_address, passcode_set=passcode_set)

    def sign_in(self, client: str | None, passcode: str) -> Access:
        """Editor access for the right passcode; ``AccessRefusedError`` (or ``ThrottledError``)."""
        address = client or LOCAL_CLIENT
        self.throttle.check(address)
        if not passcode_is_set(self.workspace):
            raise AccessRefusedError(
                "no editor passcode is set: run `storyboard passcode set` on the machine serving the app"
            )
        if not verify_passcode(self.workspace, passcode):
            self.throttle.failure(address, "wrong passcode")
            raise AccessRefusedError("wrong passcode")
        self.throttle.success(address)
        return EDITOR

    def open_link(self, client: str | None, token: str) -> Access:
        """Reviewer access for a valid review link; ``AccessRefusedError`` says why not."""
        address = client or LOCAL_CLIENT
        self.throttle.check(address)
        try:
            access = check_token(self.workspace, token)
        except AccessRefusedError as exc:
            self.throttle.failure(address, f"refused review link ({exc})")
            raise
        self.throttle.success(address)
        return access
