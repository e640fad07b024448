"""The ``access`` section of ``<workspace>/settings.json``: the passcode's hash and the review links.

::

    {"access": {"passcode": "scrypt$16384$8$1$<salt>$<hash>",
                "links": [{"id": "…", "project": "orage", "sequences": ["002"], "role": "reviewer",
                           "created": "…Z", "expires": "…Z", "revoked": false, "revoked_at": null}],
                "ended": {"<session id>": "<its expiry>Z"}}}

The passcode is only ever its salted hash, and it is kept out of ``repr`` (so out of logs and
tracebacks). Unknown keys are kept, as everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from ..models import utc_z
from ..settings import SETTINGS_FILE, read_section, update_section
from ..validation import validate

SECTION = "access"
Role = Literal["editor", "reviewer"]


class LinkRecord(BaseModel):
    """One review link as issued: what it opens, until when, and whether it was revoked."""

    model_config = ConfigDict(extra="allow")

    id: str
    project: str
    sequences: list[str] | None = None
    made_for: str = ""
    """Who the link was made for, as the editor wrote it (to tell links apart in Settings)."""
    role: Literal["reviewer"] = "reviewer"
    created: datetime
    expires: datetime
    revoked: bool = False
    revoked_at: datetime | None = None

    @field_serializer("created", "expires", "revoked_at")
    def _stamp(self, value: datetime | None) -> str | None:
        return None if value is None else utc_z(value)


class AccessSettings(BaseModel):
    """The whole ``access`` section."""

    model_config = ConfigDict(extra="allow")

    passcode: str = Field(default="", repr=False)
    links: list[LinkRecord] = Field(default_factory=list)
    ended: dict[str, datetime] = Field(default_factory=dict)
    """Signed-out sessions (their ids) until they would have expired (``access/session.py``)."""

    @field_serializer("ended")
    def _ended(self, value: dict[str, datetime]) -> dict[str, str]:
        return {k: utc_z(v) for k, v in value.items()}


def load_access(workspace: Path) -> AccessSettings:
    """The ``access`` section (defaults when absent); ``InvalidDataError`` names a bad field."""
    raw = read_section(workspace, SECTION)
    return validate(AccessSettings, raw or {}, where=f"{SETTINGS_FILE} ({SECTION})")


def update_access(workspace: Path, change: Callable[[AccessSettings], Any]) -> AccessSettings:
    """Apply ``change`` to the ``access`` section in one locked atomic write; return the result."""
    result: list[AccessSettings] = []

    def apply(raw: Any) -> Any:
        current = validate(AccessSettings, raw or {}, where=f"{SETTINGS_FILE} ({SECTION})")
        change(current)
        result.append(current)
        return current.model_dump(mode="json")

    update_section(workspace, SECTION, apply)
    return result[-1]
