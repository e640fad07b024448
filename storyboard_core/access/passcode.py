"""The editor passcode: stored only as a slow salted hash (scrypt), checked in constant time.

The hash lives in ``settings.json`` (``access.passcode``); nothing in this module returns it, logs it
or puts it in a message. scrypt with n=2^14, r=8 (16 MiB, some tens of milliseconds a try) makes a
stolen ``settings.json`` slow to attack, and the gate's throttle makes guessing over the network slow.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from pathlib import Path

from ..errors import FieldProblem, InvalidDataError
from .encoding import b64, unb64
from .records import AccessSettings, load_access, update_access

MIN_LENGTH = 8
MAX_LENGTH = 1024
RULE = f"at least {MIN_LENGTH} characters, with no space at either end"
"""The rule, as said before asking for a new passcode (the CLI's prompt, the README)."""
_N, _R, _P = 2**14, 8, 1
_SCHEME = "scrypt"

logger = logging.getLogger("storyboard_core.access")


def _derive(passcode: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        passcode.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=2**26, dklen=32
    )


def hash_passcode(passcode: str) -> str:
    """``scrypt$n$r$p$salt$hash`` for ``passcode``, with a fresh random salt."""
    salt = secrets.token_bytes(16)
    digest = _derive(passcode, salt, _N, _R, _P)
    return f"{_SCHEME}${_N}${_R}${_P}${b64(salt)}${b64(digest)}"


def matches(stored: str, passcode: str) -> bool:
    """Whether ``passcode`` is the one ``stored`` was made from (constant-time comparison).

    A malformed ``stored`` value matches nothing.
    """
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != _SCHEME:
            return False
        expected = unb64(digest)
        actual = _derive(passcode, unb64(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def check_new_passcode(passcode: str) -> str:
    """``passcode`` if it may be the editor passcode, else ``InvalidDataError`` on ``passcode``."""
    if len(passcode) < MIN_LENGTH:
        message = f"must be at least {MIN_LENGTH} characters (got {len(passcode)})"
    elif len(passcode) > MAX_LENGTH:
        message = f"must be at most {MAX_LENGTH} characters"
    elif passcode != passcode.strip():
        message = "must not begin or end with a space (it would be easy to mistype)"
    else:
        return passcode
    raise InvalidDataError([FieldProblem("passcode", message)])


def set_passcode(workspace: Path, passcode: str) -> None:
    """Make ``passcode`` the editor passcode of ``workspace`` (replacing any earlier one)."""
    hashed = hash_passcode(check_new_passcode(passcode))

    def change(access: AccessSettings) -> None:
        access.passcode = hashed

    update_access(workspace, change)
    logger.info("settings.json: the editor passcode was set")


def passcode_is_set(workspace: Path) -> bool:
    """Whether ``workspace`` has an editor passcode."""
    return bool(load_access(workspace).passcode)


def verify_passcode(workspace: Path, passcode: str) -> bool:
    """Whether ``passcode`` is the editor passcode of ``workspace`` (``False`` when none is set)."""
    stored = load_access(workspace).passcode
    return bool(stored) and matches(stored, passcode)
