"""What each role may do.

- **editor**: everything, in every project.
- **reviewer**: read the project (or only the sequences) of its review link, and write nothing but
  comments and verdicts there, under its own name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..errors import PermissionDeniedError
from .records import Role


@dataclass(frozen=True)
class Access:
    """What one session may reach: its role, and for a reviewer the scope and name of its link.

    ``project`` and ``sequences`` are ``None`` for "every one". A reviewer's ``sequences`` never
    include the loose shots of ``project.json``: those are in scope only for a whole-project link.
    """

    role: Role
    project: str | None = None
    sequences: tuple[str, ...] | None = None
    link_id: str | None = None
    expires: datetime | None = None
    name: str = ""

    @property
    def is_editor(self) -> bool:
        """Whether this session may change anything."""
        return self.role == "editor"

    def named(self, name: str) -> Access:
        """The same access, recorded under ``name`` (a reviewer's name, asked once)."""
        return Access(self.role, self.project, self.sequences, self.link_id, self.expires, name)

    def sees_project(self, project: str) -> bool:
        """Whether ``project`` is in scope."""
        return self.project is None or project == self.project

    def sees(self, project: str, seq_id: str | None) -> bool:
        """Whether the shots of ``seq_id`` (``None``: loose shots) in ``project`` are in scope."""
        if not self.sees_project(project):
            return False
        if self.sequences is None:
            return True
        return seq_id is not None and seq_id in self.sequences

    def require_project(self, project: str) -> None:
        """``PermissionDeniedError`` unless ``project`` is in scope."""
        if not self.sees_project(project):
            raise PermissionDeniedError(f"this review link does not open project {project!r}")

    def require_scope(self, project: str, seq_id: str | None) -> None:
        """``PermissionDeniedError`` unless the shots of ``seq_id`` in ``project`` are in scope."""
        self.require_project(project)
        if not self.sees(project, seq_id):
            what = "the loose shots" if seq_id is None else f"sequence {seq_id}"
            raise PermissionDeniedError(f"this review link does not open {what} of {project!r}")

    def require_editor(self, action: str) -> None:
        """``PermissionDeniedError`` naming ``action`` unless this session is an editor's."""
        if not self.is_editor:
            raise PermissionDeniedError(
                f"a reviewer cannot {action}: only comments and verdicts can be added"
            )


EDITOR = Access("editor")
"""A session that passed with the editor passcode (or any session when the gate is off)."""
