"""Review links: signed tokens that open one project (or some of its sequences) to a reviewer.

A token is ``<payload>.<signature>``: the payload (URL-safe base64 of compact JSON) carries the link's
id, scope, role and expiry; the signature is an HMAC-SHA256 of it with the workspace's secret
(``<workspace>/.secret``, 32 random bytes, mode 0600, made on first use). A token is accepted only
when the signature matches (compared in constant time), it has not expired, and its link is listed
in ``settings.json`` and not revoked, so revoking takes effect on the reviewer's next click.
"""

from __future__ import annotations

import binascii
import contextlib
import hashlib
import hmac
import json
import logging
import os
import secrets
import tempfile
from collections.abc import Sequence as Seq
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..errors import AccessRefusedError, FieldProblem, InvalidDataError, NotFoundError
from ..models import now as utc_now
from ..store import StoreView
from .encoding import b64, unb64
from .records import AccessSettings, LinkRecord, load_access, update_access
from .roles import Access

SECRET_FILE = ".secret"
DEFAULT_DAYS = 7
MAX_DAYS = 90
MAX_FOR = 120
_CONTEXT = b"storyboard review link v1:"

logger = logging.getLogger("storyboard_core.access")


def workspace_secret(workspace: Path) -> bytes:
    """The workspace's signing secret, made (mode 0600) the first time it is needed.

    Two processes making it at once agree on one: the file appears whole, by a hard link.
    """
    path = workspace / SECRET_FILE
    with contextlib.suppress(FileNotFoundError):
        return read_secret(path)
    workspace.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=workspace, prefix=".secret-")  # mkstemp makes it 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_hex(32).encode("ascii"))
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        os.unlink(tmp)
    return read_secret(path)


def read_secret(path: Path) -> bytes:
    """The secret in ``path`` (``AccessRefusedError`` when it is too short to be one)."""
    data = path.read_bytes().strip()
    if len(data) < 32:
        raise AccessRefusedError(
            f"{path.name} in the workspace is damaged; delete it (every review link will stop working)"
        )
    return data


def _sign(secret: bytes, payload: str) -> str:
    return b64(hmac.new(secret, _CONTEXT + payload.encode("ascii"), hashlib.sha256).digest())


def _token(secret: bytes, record: LinkRecord) -> str:
    body = {
        "id": record.id,
        "p": record.project,
        "s": record.sequences,
        "r": record.role,
        "e": int(record.expires.timestamp()),
    }
    payload = b64(json.dumps(body, separators=(",", ":")).encode("utf-8"))
    return f"{payload}.{_sign(secret, payload)}"


def create_link(
    store: StoreView,
    project: str,
    sequences: Seq[str] | None = None,
    *,
    days: float = DEFAULT_DAYS,
    made_for: str = "",
    at: datetime | None = None,
) -> tuple[LinkRecord, str]:
    """Issue a review link for ``project`` (or only ``sequences`` of it), valid ``days`` days.

    ``made_for`` says who it is for (kept with the link, shown in Settings; spaces made single).

    Returns the record kept in ``settings.json`` and the token to put in the URL (``?review=``).
    The token is not stored anywhere: show it once. ``NotFoundError`` for an unknown project or
    sequence, ``InvalidDataError`` for a bad ``days``.
    """
    if not 0 < days <= MAX_DAYS:
        raise InvalidDataError(
            [FieldProblem("days", f"must be more than 0 and at most {MAX_DAYS} (got {days})")],
            where="review link",
        )
    made_for = " ".join(made_for.split())
    if len(made_for) > MAX_FOR:
        raise InvalidDataError(
            [FieldProblem("made_for", f"can have at most {MAX_FOR} characters")],
            where="review link",
        )
    store.project_dir(project)
    chosen = None
    if sequences is not None:
        if not sequences:
            raise InvalidDataError(
                [FieldProblem("sequences", "choose at least one sequence, or the whole project")],
                where="review link",
            )
        chosen = sorted(set(sequences))
        for seq_id in chosen:
            store.sequence_path(project, seq_id)
    created = (at or utc_now()).astimezone(UTC).replace(microsecond=0)
    record = LinkRecord(
        id=secrets.token_hex(8),
        project=project,
        sequences=chosen,
        made_for=made_for,
        created=created,
        expires=created + timedelta(days=days),
    )

    def change(access: AccessSettings) -> None:
        access.links.append(record)

    update_access(store.root, change)
    logger.info("review link %s issued for %s %s", record.id, project, chosen or "(whole project)")
    return record, _token(workspace_secret(store.root), record)


def list_links(workspace: Path) -> list[LinkRecord]:
    """Every review link issued in ``workspace``, newest first."""
    return sorted(load_access(workspace).links, key=lambda r: r.created, reverse=True)


def revoke_link(workspace: Path, link_id: str, *, at: datetime | None = None) -> LinkRecord:
    """Revoke a link: its token opens nothing from now on. ``NotFoundError`` for an unknown id."""
    done: list[LinkRecord] = []

    def change(access: AccessSettings) -> None:
        for record in access.links:
            if record.id == link_id:
                if not record.revoked:
                    record.revoked = True
                    record.revoked_at = at or utc_now()
                done.append(record)
                return
        raise NotFoundError(f"there is no review link {link_id!r} in settings.json")

    update_access(workspace, change)
    logger.info("review link %s revoked", link_id)
    return done[0]


def check_token(workspace: Path, token: str, *, at: datetime | None = None) -> Access:
    """The reviewer access ``token`` grants, or ``AccessRefusedError`` saying why not.

    The message never repeats the token.
    """
    invalid = AccessRefusedError(
        "this review link is not valid: ask for a new one (it may have been copied incompletely)"
    )
    payload, dot, signature = token.strip().partition(".")
    if not dot or not payload or len(token) > 4096:
        raise invalid
    secret_path = workspace / SECRET_FILE
    if not secret_path.is_file():
        raise invalid  # no link was ever issued here
    expected = _sign(read_secret(secret_path), payload)
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii", "replace")):
        raise invalid
    try:
        body = json.loads(unb64(payload))
        link_id, expires = str(body["id"]), datetime.fromtimestamp(int(body["e"]), UTC)
    except (ValueError, KeyError, TypeError, binascii.Error, OverflowError):
        raise invalid from None
    return check_link(load_access(workspace), link_id, at or utc_now(), expires=expires)


def check_link(
    settings: AccessSettings, link_id: str, when: datetime, *, expires: datetime | None = None
) -> Access:
    """The reviewer access of link ``link_id`` at ``when``: listed, not revoked, not expired.

    ``expires`` is the expiry a token carried (the sooner of it and the record's counts).
    """
    record = next((r for r in settings.links if r.id == link_id), None)
    if record is None:
        raise AccessRefusedError(
            "this review link is not valid: ask for a new one (it may have been copied incompletely)"
        )
    if record.revoked:
        raise AccessRefusedError("this review link was revoked: ask for a new one")
    if when >= min(expires or record.expires, record.expires):
        raise AccessRefusedError(
            f"this review link expired on {record.expires:%Y-%m-%d %H:%M} UTC: ask for a new one"
        )
    return Access(
        "reviewer",
        project=record.project,
        sequences=None if record.sequences is None else tuple(record.sequences),
        link_id=record.id,
        expires=record.expires,
    )
