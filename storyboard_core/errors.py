"""Every error storyboard_core raises, grouped by cause.

    StoryboardError
    ├── InvalidDataError      a value breaks the schema (names each bad field and what is allowed)
    ├── ConflictError         the shot changed on disk since the caller's edit began (holds both versions)
    ├── NotFoundError         no such project, sequence, shot or version
    ├── BrokenFileError       a file on disk is not valid JSON or breaks the schema (path, line, column)
    ├── UnsafePathError       a name or path that would leave the workspace
    ├── LockTimeoutError      another process held a file's lock for too long
    ├── ImportRefusedError    a folder that cannot be imported (not a StoryCore project, no shots…)
    ├── WriteError            the disk refused a write (full, read-only, no permission); nothing changed
    ├── ChangedMeanwhileError a restore was asked on a file that changed since the person looked at it
    ├── PermissionDeniedError the session's role may not do this (a reviewer editing, or out of scope)
    ├── AccessRefusedError    a wrong passcode, or a review link that is malformed, expired or revoked
    │   └── ThrottledError        too many wrong tries from one address: wait ``retry_after`` seconds
    └── ComfyUIError          anything about a ComfyUI server
        ├── ComfyUIUnavailableError  the server cannot be reached (down, timeout, not ComfyUI)
        │   ├── ComfyUIOfflineError      nothing listens at the address (connection refused)
        │   ├── ComfyUITimeoutError      connected, but no answer in time
        │   └── ComfyUIBadAnswerError    an HTTP error status, or an answer that is not ComfyUI's
        ├── ComfyUIRejectedError     the server refused a workflow (its node errors, in plain words)
        ├── NoCapableServerError     no online server has the nodes and models a workflow needs
        └── RenderFailedError        a queued render failed, was interrupted or lost its server

Errors of the layers below (json, pydantic, OS, httpx) are translated into these at the edge of the core,
so the CLI and the app only ever catch ``StoryboardError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal


class StoryboardError(Exception):
    """Base class of every error this package raises on purpose."""


@dataclass(frozen=True)
class FieldProblem:
    """One bad field: its dotted name, what was wrong and what is allowed."""

    field: str
    message: str
    value: Any = None

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class InvalidDataError(StoryboardError):
    """A value or patch breaks the schema; nothing was written."""

    def __init__(self, problems: list[FieldProblem], *, where: str = "") -> None:
        self.problems = problems
        self.where = where
        prefix = f"{where}: " if where else ""
        super().__init__(prefix + "; ".join(str(p) for p in problems))

    @classmethod
    def about(cls, field: str, message: str) -> InvalidDataError:
        """One problem with one field or file: ``InvalidDataError.about("board.png", "an empty file")``."""
        return cls([FieldProblem(field, message)])

    def by_field(self) -> dict[str, str]:
        """Map each bad field's dotted name to its message (for showing next to a widget)."""
        return {p.field: p.message for p in self.problems}


class ConflictError(StoryboardError):
    """The shot changed on disk since the caller's edit began; nothing was written.

    ``mine`` is the caller's version with their edit applied, ``theirs`` is what is on disk now.
    """

    def __init__(self, shot_id: str, mine: dict[str, Any], theirs: dict[str, Any]) -> None:
        self.shot_id = shot_id
        self.mine = mine
        self.theirs = theirs
        super().__init__(
            f"shot {shot_id} was changed by someone else at {theirs.get('updated_at')}; "
            "reload it, or save again to keep your version"
        )


class NotFoundError(StoryboardError):
    """No such project, sequence, shot, file version or workflow."""


class BrokenFileError(StoryboardError):
    """A file on disk could not be read; the app will not write over it until it is fixed."""

    def __init__(
        self, path: Path, reason: str, *, line: int | None = None, column: int | None = None
    ) -> None:
        self.path = path
        self.reason = reason
        self.line = line
        self.column = column
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(f"{path.name}: {reason}{where}")


class UnsafePathError(StoryboardError):
    """A name or path that would read or write outside the workspace."""


class LockTimeoutError(StoryboardError):
    """Another process held a file's lock for longer than we were willing to wait."""


class ImportRefusedError(StoryboardError):
    """A folder that cannot be imported: not a StoryCore project, no shots, or its main file unreadable.

    Nothing was written to the workspace.
    """


class WriteError(StoryboardError):
    """The disk refused a write: the file named is unchanged and no temporary file is left.

    ``cause`` is the reason in plain words ("the disk is full", "the folder is read-only",
    "permission denied"), ``path`` the file that could not be written.
    """

    def __init__(self, path: Path, cause: str) -> None:
        self.path = path
        self.cause = cause
        super().__init__(
            f"{path.name} could not be saved: {cause} ({path.parent}); nothing was changed"
        )


class ChangedMeanwhileError(StoryboardError):
    """A file changed since the person asked to restore one of its versions; nothing was written.

    ``seen`` and ``current`` describe the version the person looked at and the one on disk now.
    """

    def __init__(self, file: str, *, seen: str, current: str) -> None:
        self.file = file
        self.seen = seen
        self.current = current
        super().__init__(
            f"{file} changed since you looked at it ({seen}; now {current}): "
            "look at its history again, or confirm to restore anyway"
        )


class PermissionDeniedError(StoryboardError):
    """The session's role may not do this: a reviewer writing anything but comments and verdicts,
    or reading outside the project or sequences of its review link. Nothing was written."""


class AccessRefusedError(StoryboardError):
    """The gate refused a passcode or a review link (wrong, malformed, expired, revoked, unset)."""


class ThrottledError(AccessRefusedError):
    """Too many wrong tries from one client address; ``retry_after`` seconds must pass first."""

    def __init__(self, address: str, retry_after: float) -> None:
        self.address = address
        self.retry_after = retry_after
        super().__init__(f"too many wrong tries: wait {max(1, round(retry_after))} s and try again")


class ComfyUIError(StoryboardError):
    """Base class of errors about a ComfyUI server."""


class ComfyUIUnavailableError(ComfyUIError):
    """The ComfyUI server could not be reached, timed out or did not answer like ComfyUI."""


class ComfyUIRejectedError(ComfyUIError):
    """The ComfyUI server refused a workflow; ``messages`` are its node errors in plain words."""

    def __init__(self, messages: list[str], *, raw: Any = None) -> None:
        self.messages = messages
        self.raw = raw
        super().__init__("; ".join(messages))


class NoCapableServerError(ComfyUIError):
    """No online server can run a workflow: ``missing`` says what is missing where; nothing was sent."""

    def __init__(self, what: str, missing: list[str]) -> None:
        self.what = what
        self.missing = missing
        super().__init__(f"no ComfyUI server can render {what}: " + "; ".join(missing))


class RenderFailedError(ComfyUIError):
    """A render failed while running, was interrupted, or lost its server."""


class _ComfyUIUnreachable(ComfyUIUnavailableError):
    """What the three ways of being unavailable share: the URL, a short reason and a kind."""

    kind: ClassVar[Literal["offline", "timeout", "error"]]

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"ComfyUI at {url}: {reason}")


class ComfyUIOfflineError(_ComfyUIUnreachable):
    """Nothing listens at the address (connection refused): down, or still starting."""

    kind = "offline"


class ComfyUITimeoutError(_ComfyUIUnreachable):
    """The server did not connect or did not answer within the timeout."""

    kind = "timeout"


class ComfyUIBadAnswerError(_ComfyUIUnreachable):
    """The server answered with an HTTP error status, or with something that is not ComfyUI."""

    kind = "error"


__all__ = [
    "AccessRefusedError",
    "BrokenFileError",
    "ChangedMeanwhileError",
    "ComfyUIBadAnswerError",
    "ComfyUIError",
    "ComfyUIOfflineError",
    "ComfyUIRejectedError",
    "ComfyUITimeoutError",
    "ComfyUIUnavailableError",
    "ConflictError",
    "FieldProblem",
    "ImportRefusedError",
    "InvalidDataError",
    "LockTimeoutError",
    "NoCapableServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RenderFailedError",
    "StoryboardError",
    "ThrottledError",
    "UnsafePathError",
    "WriteError",
]
