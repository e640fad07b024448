"""The store as a reviewer's session sees it: reads within the link's scope, writes only comments.

``guarded(store, access)`` is what the app's ``store()`` returns for a session: the store itself
for an editor, a ``GuardedStore`` for a reviewer. A ``GuardedStore`` is a ``Store`` (the review
functions and the app's views take it unchanged) whose every public method either checks the scope
(reads) or refuses with ``PermissionDeniedError`` (writes), except ``change_shot``, which lets
through only a change that adds comments under the reviewer's name, resolves open ones, and sets
the status a new comment's verdict calls for. Below that, the file writes themselves
(``_locked_container``, ``_area``) refuse a reviewer unless such a checked change is under way, so
a write method added to ``Store`` later is refused too until it is reviewed here.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ..errors import NotFoundError, PermissionDeniedError
from ..files import FileArea
from ..models import VERDICT_STATUS, Project, Sequence, Shot, Style, to_json_dict
from ..store import Finding, Store, Version
from ..summaries import ProjectSummary, SequenceSummary
from ..types import Patch
from ..validation import validate as validated
from .roles import Access

_RESOLUTION = frozenset({"resolved", "resolved_by", "resolved_at"})


def guarded(store: Store, access: Access) -> Store:
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


class GuardedStore(Store):
    """A reviewer's view of a ``Store``: see the module docstring. Shares the store's caches."""

    def __init__(self, inner: Store, access: Access) -> None:
        # The same caches as the process-wide store: a reviewer's page is as fast as an editor's.
        super().__init__(inner.root, caches=inner.caches)
        self.access = access
        self._writing = threading.local()

    # ----------------------------------------------------------- file writes
    @contextlib.contextmanager
    def _allowed_write(self) -> Iterator[None]:
        self._writing.active = True
        try:
            yield
        finally:
            self._writing.active = False

    def _require_write(self, action: str) -> None:
        if not getattr(self._writing, "active", False):
            self.access.require_editor(action)

    def _area(self, project: str) -> FileArea:
        self._require_write("change project files")
        return super()._area(project)

    @contextlib.contextmanager
    def _locked_container(
        self, project: str, seq_id: str | None
    ) -> Iterator[tuple[Project | Sequence, Callable[..., None]]]:
        self._require_write("change project files")
        with super()._locked_container(project, seq_id) as opened:
            yield opened

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

    def list_versions(self, project: str, file: str) -> list[Version]:
        """Refused: history is an editor's tool."""
        self.access.require_editor("read the history of files")
        return super().list_versions(project, file)

    def validate(self, project: str | None = None) -> list[Finding]:
        """Refused: checking files is an editor's tool."""
        self.access.require_editor("check project files")
        return super().validate(project)

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

        with self._allowed_write():
            return super().change_shot(project, seq_id, shot_id, checked)

    # ---------------------------------------------------------------- refused
    def edit_container(
        self, project: str, seq_id: str | None, change: Callable[[Any], bool]
    ) -> Project | Sequence:
        """Refused to a reviewer (the bible, styles and find-and-replace write through it)."""
        self.access.require_editor("change the project's bible, styles or texts")
        return super().edit_container(project, seq_id, change)

    def create_project(self, name: str, **options: Any) -> Project:
        """Refused to a reviewer."""
        self.access.require_editor("create a project")
        return super().create_project(name, **options)

    def add_project(self, meta: Project, sequences: list[Sequence]) -> Project:
        """Refused to a reviewer."""
        self.access.require_editor("add a project")
        return super().add_project(meta, sequences)

    def update_project(self, project: str, patch: Patch) -> Project:
        """Refused to a reviewer."""
        self.access.require_editor("change the project")
        return super().update_project(project, patch)

    def add_sequence(self, project: str, *args: Any, **options: Any) -> Sequence:
        """Refused to a reviewer."""
        self.access.require_editor("add a sequence")
        return super().add_sequence(project, *args, **options)

    def rename_sequence(self, project: str, seq_id: str, *args: Any, **options: Any) -> Sequence:
        """Refused to a reviewer."""
        self.access.require_editor("rename a sequence")
        return super().rename_sequence(project, seq_id, *args, **options)

    def delete_sequence(self, project: str, seq_id: str) -> None:
        """Refused to a reviewer."""
        self.access.require_editor("delete a sequence")
        super().delete_sequence(project, seq_id)

    def reorder_sequences(self, project: str, ordered_ids: list[str]) -> None:
        """Refused to a reviewer."""
        self.access.require_editor("reorder sequences")
        super().reorder_sequences(project, ordered_ids)

    def update_shot(
        self, project: str, seq_id: str | None, shot_id: str, patch: Patch, **options: Any
    ) -> Shot:
        """Refused to a reviewer."""
        self.access.require_editor("edit a shot")
        return super().update_shot(project, seq_id, shot_id, patch, **options)

    def update_shots(
        self, project: str, seq_id: str | None, patches: Mapping[str, Patch], **options: Any
    ) -> list[Shot]:
        """Refused to a reviewer."""
        self.access.require_editor("edit shots")
        return super().update_shots(project, seq_id, patches, **options)

    def add_shot(self, project: str, seq_id: str | None, *args: Any, **options: Any) -> Shot:
        """Refused to a reviewer."""
        self.access.require_editor("add a shot")
        return super().add_shot(project, seq_id, *args, **options)

    def duplicate_shot(self, project: str, seq_id: str | None, shot_id: str) -> Shot:
        """Refused to a reviewer."""
        self.access.require_editor("duplicate a shot")
        return super().duplicate_shot(project, seq_id, shot_id)

    def delete_shot(self, project: str, seq_id: str | None, shot_id: str) -> None:
        """Refused to a reviewer."""
        self.access.require_editor("delete a shot")
        super().delete_shot(project, seq_id, shot_id)

    def move_shot(self, project: str, seq_id: str | None, shot_id: str, position: int) -> Shot:
        """Refused to a reviewer."""
        self.access.require_editor("move a shot")
        return super().move_shot(project, seq_id, shot_id, position)

    def move_shot_to(self, project: str, seq_id: str | None, shot_id: str, *args: Any) -> Shot:
        """Refused to a reviewer."""
        self.access.require_editor("move a shot")
        return super().move_shot_to(project, seq_id, shot_id, *args)

    def restore_version(
        self, project: str, file: str, version_id: str, **options: Any
    ) -> Project | Sequence:
        """Refused to a reviewer."""
        self.access.require_editor("restore an earlier version")
        return super().restore_version(project, file, version_id, **options)
