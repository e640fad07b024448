"""Signed session cookies: a session that passed the gate survives a reload, a second tab, full screen.

A session token is ``<payload>.<signature>``. The payload (URL-safe base64 of compact JSON) carries a
random session id, the role, the review link's id and the reviewer's name, when it was issued and
when it expires: nothing secret. The signature is an HMAC-SHA256, with the workspace's secret, of
the payload together with things that stay out of the cookie:

- the client address the session was issued to (``None`` -- a browser on this machine -- counts as
  ``local``): the same cookie sent from another address is refused;
- for an editor, the stored passcode hash: setting a new passcode ends every editor's cookie.

A token is accepted only while it has not expired (``SESSION_HOURS`` after signing in, or the link's
own expiry if sooner), its session was not ended (Sign out: ``end_session`` lists its id until it
would have expired anyway) and, for a reviewer, its link is still listed, not revoked and not
expired. The app checks the token on every run, so Sign out and Revoke take effect at the next click.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..errors import AccessRefusedError
from ..models import now as utc_now
from .encoding import b64, unb64
from .gate import IDLE_TIMEOUT, LOCAL_CLIENT
from .links import SECRET_FILE, check_link, read_secret, workspace_secret
from .records import AccessSettings, load_access, update_access
from .roles import EDITOR, Access

COOKIE = "storyboard_session"
SESSION_LIFETIME = IDLE_TIMEOUT
_CONTEXT = b"storyboard session v1:"
_MAX_TOKEN = 2048


def _mac(secret: bytes, payload: str, client: str | None, passcode_hash: str) -> str:
    message = "\n".join([payload, client or LOCAL_CLIENT, passcode_hash]).encode("utf-8")
    return b64(hmac.new(secret, _CONTEXT + message, hashlib.sha256).digest())


def issue_session(
    workspace: Path, access: Access, client: str | None, *, at: datetime | None = None
) -> tuple[str, datetime]:
    """A session token for ``access`` from ``client``, and when it expires."""
    issued = (at or utc_now()).astimezone(UTC).replace(microsecond=0)
    expires = issued + SESSION_LIFETIME
    if access.expires is not None:
        expires = min(expires, access.expires)
    body = {
        "s": secrets.token_hex(8),
        "r": access.role,
        "l": access.link_id,
        "n": access.name,
        "i": int(issued.timestamp()),
        "e": int(expires.timestamp()),
    }
    payload = b64(json.dumps(body, separators=(",", ":")).encode("utf-8"))
    passcode_hash = load_access(workspace).passcode if access.is_editor else ""
    return f"{payload}.{_mac(workspace_secret(workspace), payload, client, passcode_hash)}", expires


def _body(token: str) -> dict[str, object]:
    payload = token.partition(".")[0]
    try:
        body = json.loads(unb64(payload))
    except (ValueError, binascii.Error):
        raise _invalid() from None
    if not isinstance(body, dict):
        raise _invalid()
    return body


def _invalid() -> AccessRefusedError:
    return AccessRefusedError("your session is not valid here: sign in again")


def check_session(
    workspace: Path, token: str, client: str | None, *, at: datetime | None = None
) -> Access:
    """The access ``token`` still grants to ``client``, or ``AccessRefusedError`` saying why not."""
    payload, dot, signature = token.strip().partition(".")
    if not dot or not payload or len(token) > _MAX_TOKEN or not (workspace / SECRET_FILE).is_file():
        raise _invalid()
    body = _body(token)
    settings = load_access(workspace)
    role = body.get("r")
    passcode_hash = settings.passcode if role == "editor" else ""
    expected = _mac(read_secret(workspace / SECRET_FILE), payload, client, passcode_hash)
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii", "replace")):
        raise _invalid()  # another address, another passcode, or not ours
    try:
        session_id, name = str(body["s"]), str(body["n"] or "")
        expires = datetime.fromtimestamp(int(str(body["e"])), UTC)
    except (KeyError, ValueError, OverflowError):
        raise _invalid() from None
    when = at or utc_now()
    if when >= expires:
        raise AccessRefusedError("your session has expired: sign in again")
    if session_id in settings.ended:
        raise AccessRefusedError("you signed out of this session: sign in again")
    if role == "editor":
        return EDITOR
    link = check_link(settings, str(body.get("l")), when)
    return link.named(name)


def end_session(workspace: Path, token: str, *, at: datetime | None = None) -> None:
    """Sign out: the session's token opens nothing from now on (a token not ours is ignored)."""
    try:
        body = _body(token)
        session_id = str(body["s"])
        expires = datetime.fromtimestamp(int(str(body["e"])), UTC)
    except (AccessRefusedError, KeyError, ValueError, OverflowError):
        return
    when = at or utc_now()

    def change(access: AccessSettings) -> None:
        # Only sessions that could still be used are kept: the list stays short.
        access.ended = {k: v for k, v in access.ended.items() if v > when}
        if expires > when:
            access.ended[session_id] = expires

    update_access(workspace, change)


def session_max_age(expires: datetime, *, at: datetime | None = None) -> int:
    """Seconds from now until ``expires`` (at least 0), the cookie's ``Max-Age``."""
    return max(0, int((expires - (at or utc_now())) / timedelta(seconds=1)))
