"""ComfyUI server settings, kept in ``<workspace>/settings.json``.

The file looks like::

    {"comfyui": {"servers": [{"name": "local", "url": "http://127.0.0.1:8188",
                              "token": "", "active": true}],
                 "poll_seconds": 5}}

Keys this module does not know are kept when it writes the file. Every change is one atomic write
under the file's lock (``FileArea.update_json``), so two app tabs or the CLI cannot lose each other's
edits. When servers are configured, exactly one of them is active. A token is stored as plain text in
the file (a proxy in front of ComfyUI needs it verbatim) but is never shown back in full, never logged
and never part of a model's ``repr``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import FieldProblem, InvalidDataError, NotFoundError
from .files import FileArea, dumps, read_json
from .types import field_path

SETTINGS_FILE = "settings.json"
ENV_URL = "STORYBOARD_COMFYUI_URL"
DEFAULT_URL = "http://127.0.0.1:8188"
DEFAULT_NAME = "local"
POLL_SECONDS_MIN = 1
POLL_SECONDS_MAX = 300
POLL_SECONDS_DEFAULT = 5
NAME_MAX_LENGTH = 60
_MASK = "••••"

logger = logging.getLogger("storyboard_core.settings")


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a ComfyUI address, or ``None`` when it can (http/https with a host)."""
    example = "such as http://127.0.0.1:8188"
    if not url or any(ch.isspace() for ch in url):
        return f"must be an http:// or https:// address without spaces, {example}"
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a port such as ":99999" or ":abc"
    except ValueError:
        return f"has an invalid port; use an address {example}"
    if parts.scheme not in ("http", "https"):
        return f"must start with http:// or https://, {example}"
    if not parts.hostname:
        return f"must name a host, {example}"
    if port == 0:
        return f"has an invalid port; use an address {example}"
    return None


def normalize_url(url: str) -> str:
    """Trim spaces and trailing slashes, so the same server is always written the same way."""
    return url.strip().rstrip("/")


def checked_url(url: str, field: str, *, where: str = "") -> str:
    """``url`` normalized, or ``InvalidDataError`` naming ``field`` and showing the URL typed.

    The URL in the message has any password hidden.
    """
    clean = normalize_url(url)
    problem = url_problem(clean)
    if problem:
        shown = redact_url(clean)
        raise InvalidDataError(
            [FieldProblem(field, f"{problem} (got '{shown}')", shown)], where=where
        )
    return clean


def redact_url(url: str) -> str:
    """``url`` with any password in it (``http://user:secret@host``) hidden, for labels and logs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:{_MASK}@{host}"))


def mask_token(token: str | None) -> str:
    """A token as it may be shown: ``""`` when unset, else dots (and the last 4 chars of long ones)."""
    if not token:
        return ""
    # Short tokens show nothing of themselves: 4 characters of an 8-character secret is half of it.
    return _MASK + token[-4:] if len(token) >= 12 else _MASK


class ServerConfig(BaseModel):
    """One ComfyUI server: a unique name, its base URL, an optional bearer token, and if active."""

    model_config = ConfigDict(extra="allow")

    name: str
    url: str
    # repr=False keeps the token out of repr()/str(), and so out of logs and tracebacks.
    token: str = Field(default="", repr=False)
    active: bool = False

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be empty")
        if len(value) > NAME_MAX_LENGTH:
            raise ValueError(f"must be at most {NAME_MAX_LENGTH} characters")
        return value

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        value = normalize_url(value)
        problem = url_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @property
    def masked_token(self) -> str:
        """The token as it may be shown in the app (see ``mask_token``)."""
        return mask_token(self.token)


class ComfyUISettings(BaseModel):
    """The ``comfyui`` section: the servers and how often the status monitor polls them."""

    model_config = ConfigDict(extra="allow")

    servers: list[ServerConfig] = Field(default_factory=list)
    poll_seconds: int = Field(
        default=POLL_SECONDS_DEFAULT, ge=POLL_SECONDS_MIN, le=POLL_SECONDS_MAX
    )

    @model_validator(mode="after")
    def _check_servers(self) -> ComfyUISettings:
        seen: set[str] = set()
        for server in self.servers:
            key = server.name.casefold()
            if key in seen:
                raise ValueError(f"two servers are named '{server.name}'; names must be unique")
            seen.add(key)
        # A hand-edited file may mark none or several servers active; the first marked one (else
        # the first server) wins, rather than refusing to start over a detail fixable in the app.
        if self.servers:
            chosen = next((s for s in self.servers if s.active), self.servers[0])
            for server in self.servers:
                server.active = server is chosen
        return self


class Settings(BaseModel):
    """The whole ``settings.json``."""

    model_config = ConfigDict(extra="allow")

    comfyui: ComfyUISettings = Field(default_factory=ComfyUISettings)


def settings_path(workspace: Path) -> Path:
    """Where the settings of ``workspace`` live."""
    return workspace / SETTINGS_FILE


def _parse(raw: Any) -> Settings:
    """Validate parsed JSON, translating pydantic's errors into ``InvalidDataError``."""
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        problems = [
            FieldProblem(
                field_path(tuple(err["loc"])) or "settings",
                err["msg"].removeprefix("Value error, "),
                err.get("input"),
            )
            for err in exc.errors()
        ]
        raise InvalidDataError(problems, where=SETTINGS_FILE) from None


def load_settings(workspace: Path) -> Settings:
    """Read ``settings.json``; a missing file gives the defaults.

    Raises ``BrokenFileError`` when the file is not valid JSON and ``InvalidDataError`` (naming
    ``settings.json`` and each bad field) when it breaks the schema.
    """
    try:
        raw = read_json(settings_path(workspace))
    except NotFoundError:
        return Settings()
    return _parse(raw)


def _update(workspace: Path, change: Callable[[Settings], Settings]) -> Settings:
    """Apply ``change`` to the settings on disk in one locked atomic write; return the result."""
    area = FileArea(workspace)
    result: list[Settings] = []

    def apply(raw: Any) -> Any:
        # Re-validate after the change so every write keeps the invariants (unique, one active).
        updated = _parse(change(_parse(raw)).model_dump(mode="json"))
        result.append(updated)
        return updated.model_dump(mode="json")

    try:
        area.update_json(SETTINGS_FILE, apply)
    except NotFoundError:
        # No settings.json yet (update_json only edits existing files). Take the lock and create it;
        # re-reading under the lock keeps a file another process created meanwhile. A NotFoundError
        # raised by ``change`` itself (unknown server name) is raised again from here.
        result.clear()
        with area.locked(SETTINGS_FILE):
            try:
                raw = read_json(settings_path(workspace))
            except NotFoundError:
                raw = {}
            data = apply(raw)
            area.replace(SETTINGS_FILE, dumps(data))
    return result[-1]


def read_section(workspace: Path, key: str) -> Any:
    """The raw JSON of one top-level section of ``settings.json`` (``None`` when absent).

    For modules that own a section of their own (``access``); errors as ``load_settings``.
    """
    return load_settings(workspace).model_dump(mode="json").get(key)


def update_section(workspace: Path, key: str, change: Callable[[Any], Any]) -> Any:
    """Replace one top-level section with ``change(current raw JSON or None)``, in one locked write.

    The rest of the file is kept as it is; returns the new section.
    """

    def apply(settings: Settings) -> Settings:
        data = settings.model_dump(mode="json")
        data[key] = change(data.get(key))
        return _parse(data)

    return _update(workspace, apply).model_dump(mode="json").get(key)


def _invalid(field: str, message: str, value: Any) -> InvalidDataError:
    return InvalidDataError([FieldProblem(field, message, value)], where="ComfyUI settings")


def _checked_name(name: str, servers: list[ServerConfig], *, keep: str | None = None) -> str:
    name = name.strip()
    if not name:
        raise _invalid("name", "must not be empty; give the server a short name", name)
    if len(name) > NAME_MAX_LENGTH:
        raise _invalid("name", f"must be at most {NAME_MAX_LENGTH} characters", name)
    for server in servers:
        if server.name.casefold() == name.casefold() and server.name != keep:
            raise _invalid("name", f"another server is already named '{server.name}'", name)
    return name


def _find(settings: Settings, name: str) -> ServerConfig:
    for server in settings.comfyui.servers:
        if server.name == name:
            return server
    raise NotFoundError(f"there is no ComfyUI server named '{name}' in {SETTINGS_FILE}")


def add_server(
    workspace: Path, name: str, url: str, *, token: str = "", make_active: bool = False
) -> Settings:
    """Add a server; the first server added (or any with ``make_active``) becomes the active one.

    Raises ``InvalidDataError`` for an empty or duplicate name (field ``name``) or a URL that is not
    http/https with a host (field ``url``).
    """

    def change(settings: Settings) -> Settings:
        servers = settings.comfyui.servers
        clean = _checked_name(name, servers)
        server = ServerConfig(
            name=clean,
            url=checked_url(url, "url", where=f"ComfyUI server '{clean}'"),
            token=token.strip(),
            active=False,
        )
        if make_active or not servers:
            for other in servers:
                other.active = False
            server.active = True
        servers.append(server)
        return settings

    updated = _update(workspace, change)
    logger.info("%s: added ComfyUI server '%s' (%s)", SETTINGS_FILE, name.strip(), redact_url(url))
    return updated


def update_server(
    workspace: Path,
    name: str,
    *,
    new_name: str | None = None,
    url: str | None = None,
    token: str | None = None,
) -> Settings:
    """Change a server's name, URL and/or token; ``None`` keeps a value, ``token=""`` removes it.

    Raises ``NotFoundError`` for an unknown ``name`` and ``InvalidDataError`` for a bad new value.
    """

    def change(settings: Settings) -> Settings:
        server = _find(settings, name)
        if new_name is not None:
            server.name = _checked_name(new_name, settings.comfyui.servers, keep=name)
        if url is not None:
            server.url = checked_url(url, "url", where=f"ComfyUI server '{server.name}'")
        if token is not None:
            server.token = token.strip()
        return settings

    updated = _update(workspace, change)
    changed = [
        label
        for label, value in (("name", new_name), ("url", url), ("token", token))
        if value is not None
    ]
    logger.info("%s: changed %s of ComfyUI server '%s'", SETTINGS_FILE, ", ".join(changed), name)
    return updated


def remove_server(workspace: Path, name: str) -> Settings:
    """Remove a server; when it was the active one, the first remaining server becomes active."""

    def change(settings: Settings) -> Settings:
        server = _find(settings, name)
        settings.comfyui.servers.remove(server)
        remaining = settings.comfyui.servers
        if server.active and remaining:
            remaining[0].active = True
        return settings

    updated = _update(workspace, change)
    logger.info("%s: removed ComfyUI server '%s'", SETTINGS_FILE, name)
    return updated


def set_active_server(workspace: Path, name: str) -> Settings:
    """Make ``name`` the one active server (``NotFoundError`` if there is no such server)."""

    def change(settings: Settings) -> Settings:
        chosen = _find(settings, name)
        for server in settings.comfyui.servers:
            server.active = server is chosen
        return settings

    updated = _update(workspace, change)
    logger.info("%s: ComfyUI server '%s' is now active", SETTINGS_FILE, name)
    return updated


def set_poll_seconds(workspace: Path, seconds: int) -> Settings:
    """Set how often the status monitor checks the servers (whole seconds, 1 to 300)."""
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        raise _invalid("poll_seconds", "must be a whole number of seconds", seconds)
    if not POLL_SECONDS_MIN <= seconds <= POLL_SECONDS_MAX:
        raise _invalid(
            "poll_seconds",
            f"must be between {POLL_SECONDS_MIN} and {POLL_SECONDS_MAX} seconds (got {seconds})",
            seconds,
        )

    def change(settings: Settings) -> Settings:
        settings.comfyui.poll_seconds = seconds
        return settings

    return _update(workspace, change)


def _env_url(env: Mapping[str, str] | None) -> str | None:
    value = (os.environ if env is None else env).get(ENV_URL, "").strip()
    if not value:
        return None
    return checked_url(value, ENV_URL, where="environment")


def configured_servers(
    settings: Settings, env: Mapping[str, str] | None = None
) -> list[ServerConfig]:
    """Every server to watch: the configured ones (or the default local one when there are none).

    ``STORYBOARD_COMFYUI_URL`` in ``env`` (default: the process environment) replaces the active
    server's URL. Exactly one server in the result is active. The settings are not changed.
    """
    servers = [s.model_copy() for s in settings.comfyui.servers]
    if not servers:
        servers = [ServerConfig(name=DEFAULT_NAME, url=DEFAULT_URL, active=True)]
    override = _env_url(env)
    if override:
        for i, server in enumerate(servers):
            if server.active:
                servers[i] = server.model_copy(update={"url": override})
    return servers


def active_server(settings: Settings, env: Mapping[str, str] | None = None) -> ServerConfig:
    """The server renders go to: the active one, else ``local`` at ``http://127.0.0.1:8188``.

    ``STORYBOARD_COMFYUI_URL`` (read from ``env``, default the process environment) overrides its
    URL; an invalid value raises ``InvalidDataError`` naming the variable.
    """
    return next(s for s in configured_servers(settings, env) if s.active)


def server_for_url(url: str, known: Iterable[ServerConfig], *, shown: bool = False) -> ServerConfig:
    """The server among ``known`` at ``url`` (with its token), else an ad-hoc one without a token.

    ``shown``: ``url`` is as jobs show it, credentials removed (``redact_url``), and is matched so.
    Raises ``InvalidDataError`` (field ``server``) for a URL that is not http(s) with a host.
    """
    clean = normalize_url(url)
    for server in known:
        if (redact_url(server.url) if shown else server.url) == clean:
            return server
    checked_url(clean, "server")
    try:
        return ServerConfig(name=clean, url=clean)
    except ValidationError as exc:  # url_problem said yes; keep the core's error type regardless
        raise InvalidDataError([FieldProblem("server", str(exc))]) from exc
