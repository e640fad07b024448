"""The store as a reviewer's session sees it: reads within the link's scope, writes only comments.

``guarded(store, access)`` is what the app's ``store()`` returns for a session: the store itself
for an editor, a ``GuardedStore`` for a reviewer. A ``GuardedStore`` is read-only by construction
(like sqlite-utils' ``View`` beside its ``Table``): it is a ``StoreView``, the store's reads over the
store's own caches, each checking the link's scope, plus one write, ``change_shot``, which lets
through only a change that adds comments under the reviewer's name, resolves open ones, and sets
the status a new comment's verdict calls for; the guarded ``Store`` then makes it. It has no
``update_shot``, ``delete_sequence`` or any other write to refuse: a write method added to ``Store``
later is not a reviewer's until it is added here. The review functions take either (``ShotChanger``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..errors import NotFoundError, PermissionDeniedError
from ..models import VERDICT_STATUS, Project, Shot, Style, to_json_dict
from ..store import Store, StoreView
from ..summaries import ProjectSummary, SequenceSummary
from ..types import Patch
from ..validation import validate as validated
from .roles import Access

_RESOLUTION = frozenset({"resolved", "resolved_by", "resolved_at"})


def guarded(store: Store, access: Access) -> Store | GuardedStore:
    """The store a session with ``access`` may use: ``store`` for an editor, else a guard on it."""
    return store if access.is_editor else GuardedStore(store, access)


def _same_name(a: object, b: str) -> bool:
    return isinstance(a, str) and " ".join(a.split()) == " ".join(b.split())


def check_review_change(before: Mapping[str, Any], after: Mapping[str, Any], name: str) -> None:
    """``PermissionDeniedError`` unless ``before`` -> ``after`` is a reviewer's change by ``name``.

    Allowed: new comments authored by ``name`` (not resolved), open comments resolved by ``name``,
    and the status that a new comment's verdict sets. Nothing else of the shot may change.
    """
    if not name.strip():
        raise PermissionDeniedError("a reviewer must give their name before commenting")
    changed = {
        k
        for k in before.keys() | after.keys()
        if k != "updated_at" and before.get(k) != after.get(k)
    }
    if changed - {"comments", "status"}:
        fields = ", ".join(sorted(changed - {"comments", "status"}))
        raise PermissionDeniedError(
            f"a reviewer cannot change {fields}: only comments and verdicts can be added"
        )
    old: list[Any] = list(before.get("comments") or [])
    new: list[Any] = list(after.get("comments") or [])
    if len(new) < len(old):
        raise PermissionDeniedError("a reviewer cannot delete comments")
    for was, now in zip(old, new, strict=False):
        if was == now:
            continue
        diff = {k for k in was.keys() | now.keys() if was.get(k) != now.get(k)}
        if diff - _RESOLUTION or was.get("resolved") or not now.get("resolved"):
            raise PermissionDeniedError("a reviewer cannot rewrite a comment, only resolve it")
        if not _same_name(now.get("resolved_by"), name):
            raise PermissionDeniedError("a comment is resolved under the reviewer's own name")
    added = new[len(old) :]
    for comment in added:
        if not _same_name(comment.get("author"), name) or comment.get("resolved"):
            raise PermissionDeniedError("a reviewer's comment is written under their own name")
    if "status" in changed:
        verdicts = [VERDICT_STATUS.get(str(c.get("verdict"))) for c in added]
        if after.get("status") not in verdicts:
            raise PermissionDeniedError(
                "a reviewer changes a shot's status only by a verdict (approve or retake)"
            )


class GuardedStore(StoreView):
    """A reviewer's view of a ``Store``: see the module docstring. Shares the store's caches."""

    def __init__(self, inner: Store, access: Access) -> None:
        # The same caches as the process-wide store: a reviewer's page is as fast as an editor's.
        super().__init__(inner.root, caches=inner.caches)
        self._inner = inner
        self.access = access

    # ----------------------------------------------------------------- reads
    def project_dir(self, project: str) -> Path:
        """As ``Store.project_dir``, within the link's scope."""
        self.access.require_project(project)
        return super().project_dir(project)

    def sequence_path(self, project: str, seq_id: str) -> Path:
        """As ``Store.sequence_path``, within the link's scope."""
        self.access.require_scope(project, seq_id)
        return super().sequence_path(project, seq_id)

    def list_projects(self) -> list[ProjectSummary]:
        """Only the link's project (the others are not even read)."""
        project = self.access.project
        if project is None:
            return super().list_projects()
        try:
            return [self.summarize_project(project)]
        except NotFoundError:
            return []

    def read_project(self, project: str) -> Project:
        """As ``Store.read_project``; the loose shots only when the link opens them."""
        meta = super().read_project(project)
        if not self.access.sees(project, None):
            meta.shots = []
        return meta

    def list_sequences(self, project: str) -> list[SequenceSummary]:
        """Only the sequences the link opens."""
        return [s for s in super().list_sequences(project) if self.access.sees(project, s.id)]

    def read_shots(self, project: str, seq_id: str | None) -> list[Shot]:
        """As ``Store.read_shots``, within the link's scope."""
        self.access.require_scope(project, seq_id)
        return super().read_shots(project, seq_id)

    def read_shot(self, project: str, seq_id: str | None, shot_id: str) -> Shot:
        """As ``Store.read_shot``, within the link's scope."""
        self.access.require_scope(project, seq_id)
        return super().read_shot(project, seq_id, shot_id)

    def read_sequence_style(self, project: str, seq_id: str) -> Style:
        """As ``Store.read_sequence_style``, within the link's scope."""
        self.access.require_scope(project, seq_id)
        return super().read_sequence_style(project, seq_id)

    # ---------------------------------------------------- the one kind of write
    def change_shot(
        self, project: str, seq_id: str | None, shot_id: str, change: Callable[[Shot], Patch]
    ) -> Shot:
        """As ``Store.change_shot``, for a change that only adds or resolves comments (verdicts)."""
        self.access.require_scope(project, seq_id)
        if not self.access.name.strip():
            raise PermissionDeniedError("a reviewer must give their name before commenting")

        def checked(shot: Shot) -> Patch:
            before = to_json_dict(shot)
            patch = change(shot)
            after = to_json_dict(validated(Shot, {**before, **patch}))
            check_review_change(before, after, self.access.name)
            return patch

        return self._inner.change_shot(project, seq_id, shot_id, checked)
