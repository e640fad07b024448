"""A reviewer's store: reads only within the link's scope, every editor write refused, comments and
verdicts under the reviewer's own name let through."""

from __future__ import annotations

import inspect
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from storyboard_core import PermissionDeniedError, Project, Store
from storyboard_core.access import Access, GuardedStore, guarded
from storyboard_core.access.roles import EDITOR
from storyboard_core.bible import add_entry
from storyboard_core.review import add_comment, resolve_comment
from storyboard_core.style import update_style
from storyboard_core.takes import upload_take

from ..conftest import snapshot

ANA = Access("reviewer", project="orage", sequences=("002",), link_id="x").named("Ana")

#: Store methods that only read; a reviewer reaches them through the scope checks.
READS = {
    "project_dir",
    "sequence_path",
    "list_projects",
    "read_project",
    "summarize_project",
    "list_sequences",
    "read_sequence",
    "read_shots",
    "read_shot",
    "clear_caches",
}


def comment(author: str = "Ana", verdict: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "id": "comment-0123456789ab",
        "author": author,
        "text": "too dark",
        "created_at": "2026-12-01T12:00:00.000000Z",
        "verdict": verdict,
        "take": "",
        "resolved": False,
        "resolved_by": "",
        "resolved_at": None,
        **extra,
    }


@pytest.fixture
def project(project: Project, store: Store) -> Project:
    """The shared project, its shots with an (empty) review thread, as the review branch writes."""
    path = store.sequence_path(project.id, "002")
    data = json.loads(path.read_text("utf-8"))
    for shot in data["shots"]:
        shot.setdefault("comments", [])
    path.write_text(json.dumps(data), "utf-8")
    return project


def files(root: Path) -> dict[str, bytes]:
    """What is on disk, but for lock files (taking a lock writes nothing)."""
    return {k: v for k, v in snapshot(root).items() if "/.locks/" not in k}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG")
    return out.getvalue()


def test_every_public_store_method_is_a_read_or_guarded() -> None:
    """A write method added to Store later must be reviewed here (or it is refused below anyway)."""
    public = {n for n, v in inspect.getmembers(Store, inspect.isfunction) if not n.startswith("_")}
    overridden = {n for n in public if GuardedStore.__dict__.get(n) is not None}
    assert public - READS <= overridden, sorted(public - READS - overridden)


def test_an_editor_gets_the_store_itself(store: Store) -> None:
    assert guarded(store, EDITOR) is store
    assert isinstance(guarded(store, ANA), GuardedStore)


def test_reads_stay_in_scope(store: Store, project: Project) -> None:
    store.create_project("Other")
    ana = guarded(store, ANA)
    assert [p.id for p in ana.list_projects()] == ["orage"]
    assert [s.id for s in ana.list_sequences("orage")] == ["002"]
    assert len(ana.read_shots("orage", "002")) == 4
    assert ana.read_project("orage").shots == []  # loose shots: not in a sequence link
    for read in (
        lambda: ana.read_shots("orage", "001"),
        lambda: ana.read_sequence("orage", "003"),
        lambda: ana.read_shots("orage", None),
        lambda: ana.read_project("other"),
        lambda: ana.summarize_project("other"),
        lambda: ana.list_versions("orage", "project.json"),
        lambda: ana.validate(),
    ):
        with pytest.raises(PermissionDeniedError):
            read()


def _editor_actions(ana: Store, seq: str, shot: str) -> list[Callable[[], object]]:
    return [
        lambda: ana.create_project("Mine"),
        lambda: ana.update_project("orage", {"name": "x"}),
        lambda: ana.add_sequence("orage", "New"),
        lambda: ana.rename_sequence("orage", seq, "x"),
        lambda: ana.delete_sequence("orage", seq),
        lambda: ana.reorder_sequences("orage", ["003", "002", "001"]),
        lambda: ana.update_shot("orage", seq, shot, {"prompt": "mine"}),
        lambda: ana.update_shots("orage", seq, {shot: {"prompt": "mine"}}),
        lambda: ana.add_shot("orage", seq),
        lambda: ana.duplicate_shot("orage", seq, shot),
        lambda: ana.delete_shot("orage", seq, shot),
        lambda: ana.move_shot("orage", seq, shot, 2),
        lambda: ana.move_shot_to("orage", seq, shot, "001"),
        lambda: ana.restore_version("orage", "project.json", "x"),
        lambda: ana.change_shot("orage", seq, shot, lambda s: {"prompt": "mine"}),
        lambda: ana.change_shot("orage", seq, shot, lambda s: {"status": "approved"}),
        lambda: upload_take(ana, "orage", seq, shot, png(), "a.png"),
        lambda: ana.edit_container("orage", seq, lambda container: True),
        lambda: add_entry(ana, "orage", "characters", name="Léa", description="red coat"),
        lambda: update_style(ana, "orage", seq, {"prompt_suffix": "noir"}),
        # Scope: even a comment outside the link is refused.
        lambda: ana.change_shot("orage", "001", shot, lambda s: {"comments": [comment()]}),
    ]


def test_a_reviewer_cannot_make_any_editor_change(store: Store, project: Project) -> None:
    ana = guarded(store, ANA)
    shot = store.read_shots("orage", "002")[0].id
    before = files(store.root)
    for action in _editor_actions(ana, "002", shot):
        with pytest.raises(PermissionDeniedError):
            action()
    assert files(store.root) == before


def test_comments_and_verdicts_under_the_reviewers_name(store: Store, project: Project) -> None:
    ana = guarded(store, ANA)
    shot = store.read_shots("orage", "002")[0]
    saved = ana.change_shot(
        "orage",
        "002",
        shot.id,
        lambda s: {"comments": [comment(verdict="retake")], "status": "rejected"},
    )
    assert saved.status == "rejected"
    resolved = comment(
        verdict="retake",
        resolved=True,
        resolved_by="Ana",
        resolved_at="2026-12-01T13:00:00.000000Z",
    )
    ana.change_shot("orage", "002", shot.id, lambda s: {"comments": [resolved]})
    on_disk = store.read_shot("orage", "002", shot.id).model_dump(mode="json")
    assert on_disk["comments"][0]["resolved_by"] == "Ana"
    assert on_disk["prompt"] == shot.prompt


@pytest.mark.parametrize(
    "patch",
    [
        {"comments": [comment(author="Bob")]},  # someone else's name
        {"comments": [comment(resolved=True, resolved_by="Ana")]},  # born resolved
        {"comments": [comment()], "status": "approved"},  # a status with no verdict
        {"comments": [comment(verdict="retake")], "status": "approved"},  # not what it says
        {"comments": [comment()], "title": "mine"},
    ],
)
def test_forged_review_changes_are_refused(
    store: Store, project: Project, patch: dict[str, Any]
) -> None:
    shot = store.read_shots("orage", "002")[0].id
    before = files(store.root)
    with pytest.raises(PermissionDeniedError):
        guarded(store, ANA).change_shot("orage", "002", shot, lambda s: patch)
    assert files(store.root) == before


def test_earlier_comments_cannot_be_rewritten_or_removed(store: Store, project: Project) -> None:
    shot = store.read_shots("orage", "002")[0].id
    store.change_shot("orage", "002", shot, lambda s: {"comments": [comment(author="Bob")]})
    ana = guarded(store, ANA)
    for patch in (
        {"comments": []},
        {"comments": [comment(author="Bob", text="changed")]},
        {"comments": [comment(author="Bob", resolved=True, resolved_by="Bob")]},
    ):
        with pytest.raises(PermissionDeniedError):
            ana.change_shot("orage", "002", shot, lambda s, p=patch: p)  # type: ignore[misc]


def test_a_reviewer_without_a_name_writes_nothing(store: Store, project: Project) -> None:
    nameless = guarded(store, Access("reviewer", project="orage"))
    shot = store.read_shots("orage", "002")[0].id
    with pytest.raises(PermissionDeniedError, match="name"):
        nameless.change_shot("orage", "002", shot, lambda s: {"comments": [comment(author="")]})


def test_the_review_functions_work_through_the_guard(store: Store, project: Project) -> None:
    """What the comment thread calls: comments, verdicts and resolving, under the reviewer's name."""
    ana = guarded(store, ANA)
    shot = store.read_shots("orage", "002")[0]
    added = add_comment(
        ana, "orage", "002", shot.id, author="Ana", text="too dark", verdict="retake"
    )
    assert store.read_shot("orage", "002", shot.id).status == "rejected"
    resolve_comment(ana, "orage", "002", shot.id, added.id, resolved_by="Ana")
    second = add_comment(ana, "orage", "002", shot.id, author="Ana", text="fine", verdict="approve")
    saved = store.read_shot("orage", "002", shot.id)
    assert saved.status == "approved" and [c.author for c in saved.comments] == ["Ana", "Ana"]
    assert saved.comments[0].resolved_by == "Ana"
    other = store.read_shots("orage", "001")[0].id
    for refused in (
        lambda: add_comment(ana, "orage", "002", shot.id, author="Bob", text="as someone else"),
        lambda: add_comment(ana, "orage", "001", other, author="Ana", text="out of scope"),
        lambda: resolve_comment(ana, "orage", "002", shot.id, second.id, resolved_by="Bob"),
    ):
        with pytest.raises(PermissionDeniedError):
            refused()
