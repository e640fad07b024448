"""A reviewer's store: reads only within the link's scope, no editor write to call, comments and
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
from storyboard_core.bible.entries import add_entry
from storyboard_core.bible.style import update_style
from storyboard_core.review.comments import add_comment, resolve_comment
from storyboard_core.store import StoreView
from storyboard_core.takes import upload_take

from ..conftest import snapshot

ANA = Access("reviewer", project="orage", sequences=("002",), link_id="x").named("Ana")


def public_methods(cls: type) -> set[str]:
    return {n for n, v in inspect.getmembers(cls, inspect.isfunction) if not n.startswith("_")}


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


def test_a_reviewers_store_is_the_reads_and_change_shot() -> None:
    """A write method added to Store later is not a reviewer's until it is added to GuardedStore."""
    assert public_methods(GuardedStore) == public_methods(StoreView) | {"change_shot"}
    assert not issubclass(GuardedStore, Store)


def test_a_reviewer_shares_the_editor_stores_caches(store: Store, project: Project) -> None:
    """A reviewer's page reads through the process-wide caches: nothing the editor read is parsed again."""
    store.read_sequence_style("orage", "002")
    store.summarize_project("orage")
    ana = guarded(store, ANA)
    assert ana.caches is store.caches
    caches = store.caches
    misses = (caches.sequence_styles.misses, caches.sequence_summaries.misses)
    ana.read_sequence_style("orage", "002")
    ana.list_sequences("orage")
    assert (caches.sequence_styles.misses, caches.sequence_summaries.misses) == misses


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
    ):
        with pytest.raises(PermissionDeniedError):
            read()


#: What an editor's store does that a reviewer's has no method for, as (name, arguments).
EDITOR_WRITES: list[tuple[str, tuple[Any, ...]]] = [
    ("create_project", ("Mine",)),
    ("add_project", (None, [])),
    ("update_project", ("orage", {"name": "x"})),
    ("add_sequence", ("orage", "New")),
    ("rename_sequence", ("orage", "002", "x")),
    ("delete_sequence", ("orage", "002")),
    ("reorder_sequences", ("orage", ["003", "002", "001"])),
    ("update_shot", ("orage", "002", "shot", {"prompt": "mine"})),
    ("update_shots", ("orage", "002", {"shot": {"prompt": "mine"}})),
    ("change_shots", ("orage", {("002", "shot"): lambda s: {"comments": []}})),
    ("add_shot", ("orage", "002")),
    ("duplicate_shot", ("orage", "002", "shot")),
    ("delete_shot", ("orage", "002", "shot")),
    ("move_shot", ("orage", "002", "shot", 2)),
    ("move_shot_to", ("orage", "002", "shot", "001")),
    ("edit_container", ("orage", "002", lambda container: True)),
    ("restore_version", ("orage", "project.json", "x")),
    ("list_versions", ("orage", "project.json")),
    ("validate", ()),
]


def test_a_reviewers_store_has_no_editor_write(store: Store, project: Project) -> None:
    """Read-only by construction: an editor's write is not refused, it is not there to call."""
    ana = guarded(store, ANA)
    assert {name for name, _ in EDITOR_WRITES} == public_methods(Store) - public_methods(
        GuardedStore
    ), "every write of Store is listed here"
    before = files(store.root)
    for name, args in EDITOR_WRITES:
        with pytest.raises(AttributeError):
            getattr(ana, name)(*args)
    assert files(store.root) == before


def _refused_changes(ana: Any, seq: str, shot: str) -> list[Callable[[], object]]:
    return [
        lambda: ana.change_shot("orage", seq, shot, lambda s: {"prompt": "mine"}),
        lambda: ana.change_shot("orage", seq, shot, lambda s: {"status": "approved"}),
        # A function that writes through change_shot: refused by the check on its change.
        lambda: upload_take(ana, "orage", seq, shot, png(), "a.png"),
        # Functions that write what only an editor may: the store passed has no way to.
        lambda: add_entry(ana, "orage", "characters", name="Léa", description="red coat"),
        lambda: update_style(ana, "orage", seq, {"prompt_suffix": "noir"}),
        # Scope: even a comment outside the link is refused.
        lambda: ana.change_shot("orage", "001", shot, lambda s: {"comments": [comment()]}),
    ]


def test_a_reviewer_cannot_make_any_editor_change(store: Store, project: Project) -> None:
    ana = guarded(store, ANA)
    shot = store.read_shots("orage", "002")[0].id
    before = files(store.root)
    for action in _refused_changes(ana, "002", shot):
        with pytest.raises((PermissionDeniedError, AttributeError)):
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
