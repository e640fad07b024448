"""Review: comments and verdicts on shots, their merge rules, and the review summary and its Markdown."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from storyboard_core import (
    COMMENT_MAX_CHARS,
    Comment,
    ConflictError,
    InvalidDataError,
    NotFoundError,
    Project,
    Render,
    Store,
)
from storyboard_core.review.comments import (
    add_comment,
    markdown_literal,
    resolve_comment,
    review_summary,
    summary_markdown,
)

from ..conftest import snapshot
from ..helpers import run_together

HOSTILE = (
    "see [the cut](https://evil.invalid/x) ![pix](https://evil.invalid/p.png) "
    "<img src=x onerror=alert(1)> https://evil.invalid/bare <b>bold</b> &amp; **loud** `code`\n"
    "# not a heading\n- not a list\n> not a quote\n[ref]: https://evil.invalid/ref"
)


def seq_file(store: Store, project: str, seq: str = "001") -> Path:
    return store.project_dir(project) / "sequences" / f"sequence_{seq}.json"


def disk_shot(store: Store, project: str, shot_id: str, seq: str = "001") -> dict[str, Any]:
    data = json.loads(seq_file(store, project, seq).read_text(encoding="utf-8"))
    return next(s for s in data["shots"] if s["id"] == shot_id)


def first_shot_id(store: Store, project: Project, seq: str = "001") -> str:
    return store.read_sequence(project.id, seq).shots[0].id


# ------------------------------------------------------------------------------- model and file
def test_a_shot_without_comments_writes_no_comments_key(store: Store, project: Project) -> None:
    shot_id = first_shot_id(store, project)
    store.update_shot(project.id, "001", shot_id, {"prompt": "rain"})
    assert "comments" not in disk_shot(store, project.id, shot_id)
    add_comment(store, project.id, "001", shot_id, author="Ana", text="ok")
    assert [c["text"] for c in disk_shot(store, project.id, shot_id)["comments"]] == ["ok"]


def test_comments_round_trip_keeping_unknown_keys(store: Store, project: Project) -> None:
    shot_id = first_shot_id(store, project)
    add_comment(store, project.id, "001", shot_id, author="Ana", text="first")
    path = seq_file(store, project.id)
    data = json.loads(path.read_text(encoding="utf-8"))
    shot = next(s for s in data["shots"] if s["id"] == shot_id)
    shot["comments"][0]["reactions"] = {"👍": ["Bob"]}  # a newer app's key
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    comment = store.read_shot(project.id, "001", shot_id).comments[0]
    assert isinstance(comment, Comment) and comment.model_extra == {"reactions": {"👍": ["Bob"]}}
    add_comment(store, project.id, "001", shot_id, author="Bob", text="second")
    store.update_shot(project.id, "001", shot_id, {"notes": "n"})
    comments = disk_shot(store, project.id, shot_id)["comments"]
    assert comments[0]["reactions"] == {"👍": ["Bob"]}
    assert [c["text"] for c in comments] == ["first", "second"]
    assert list(comments[1]) == [
        "id",
        "author",
        "text",
        "created_at",
        "verdict",
        "take",
        "resolved",
        "resolved_by",
        "resolved_at",
    ]


def test_an_edit_cannot_rewrite_comments(store: Store, project: Project) -> None:
    shot_id = first_shot_id(store, project)
    add_comment(store, project.id, "001", shot_id, author="Ana", text="keep me")
    with pytest.raises(InvalidDataError) as err:
        store.update_shot(project.id, "001", shot_id, {"comments": []})
    assert "comments" in err.value.by_field()
    assert store.read_shot(project.id, "001", shot_id).comments[0].text == "keep me"


def test_a_duplicate_starts_its_own_thread(store: Store, project: Project) -> None:
    shot_id = first_shot_id(store, project)
    add_comment(store, project.id, "001", shot_id, author="Ana", text="on the original")
    copy = store.duplicate_shot(project.id, "001", shot_id)
    assert copy.comments == []
    assert len(store.read_shot(project.id, "001", shot_id).comments) == 1


# ------------------------------------------------------------------------------ add and resolve
def test_add_comment_records_author_text_time_and_current_frame(
    store: Store, project: Project
) -> None:
    shot_id = first_shot_id(store, project)
    store.update_shot(project.id, "001", shot_id, {"render": {"image": "renders/a.png"}})
    comment = add_comment(
        store, project.id, "001", shot_id, author="  Ana \n Lopez ", text="  too dark\r\n"
    )
    assert (comment.author, comment.text, comment.take) == (
        "Ana Lopez",
        "too dark",
        "renders/a.png",
    )
    assert comment.id.startswith("comment-") and comment.verdict is None and not comment.resolved
    on_disk = disk_shot(store, project.id, shot_id)["comments"][0]
    assert on_disk["id"] == comment.id and on_disk["created_at"].endswith("Z")


def test_a_comment_can_name_an_earlier_take(store: Store, project: Project) -> None:
    shot_id = first_shot_id(store, project)
    render = Render(image="renders/b.png", versions=[{"image": "renders/a.png"}])
    store.update_shot(project.id, "001", shot_id, {"render": render.model_dump(mode="json")})
    comment = add_comment(
        store,
        project.id,
        "001",
        shot_id,
        author="Ana",
        text="the first was better",
        take="renders/a.png",
    )
    assert comment.take == "renders/a.png"
    with pytest.raises(InvalidDataError) as err:
        add_comment(
            store, project.id, "001", shot_id, author="Ana", text="x", take="renders/zz.png"
        )
    assert "take" in err.value.by_field()


def test_resolve_keeps_the_first_resolution(store: Store, project: Project) -> None:
    shot_id = first_shot_id(store, project)
    comment = add_comment(store, project.id, "001", shot_id, author="Ana", text="fix the sky")
    resolved = resolve_comment(store, project.id, "001", shot_id, comment.id, resolved_by="Bob")
    assert resolved.resolved and resolved.resolved_by == "Bob" and resolved.resolved_at
    again = resolve_comment(store, project.id, "001", shot_id, comment.id, resolved_by="Cy")
    assert again.resolved_by == "Bob" and again.resolved_at == resolved.resolved_at
    on_disk = disk_shot(store, project.id, shot_id)["comments"][0]
    assert (on_disk["resolved"], on_disk["resolved_by"], on_disk["text"]) == (
        True,
        "Bob",
        "fix the sky",
    )
    with pytest.raises(NotFoundError, match="comment-000000000000"):
        resolve_comment(
            store, project.id, "001", shot_id, "comment-000000000000", resolved_by="Bob"
        )


def test_verdicts_set_the_status_in_the_same_write(store: Store, project: Project) -> None:
    shot_id = first_shot_id(store, project)
    revision = store.read_sequence(project.id, "001").revision
    add_comment(store, project.id, "001", shot_id, author="Ana", text="again", verdict="retake")
    assert disk_shot(store, project.id, shot_id)["status"] == "rejected"
    assert store.read_sequence(project.id, "001").revision == revision + 1  # one write
    add_comment(store, project.id, "001", shot_id, author="Ana", text="yes", verdict="approve")
    shot = disk_shot(store, project.id, shot_id)
    assert shot["status"] == "approved"
    assert [c["verdict"] for c in shot["comments"]] == ["retake", "approve"]


# ----------------------------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"text": ""}, "text", "empty"),
        ({"text": " \n\t "}, "text", "empty"),
        (
            {"text": "x" * (COMMENT_MAX_CHARS + 1)},
            "text",
            "5,001 characters long; a comment can have at most 5,000",
        ),
        ({"author": "   "}, "author", "required"),
        ({"author": "A" * 81}, "author", "81 characters long; a name can have at most 80"),
        ({"verdict": "maybe"}, "verdict", "'maybe' is not allowed; one of approve, retake"),
    ],
)
def test_bad_comments_are_refused_with_a_message_and_nothing_written(
    store: Store, project: Project, fields: dict[str, Any], field: str, words: str
) -> None:
    shot_id = first_shot_id(store, project)
    before = snapshot(store.project_dir(project.id))
    args: dict[str, Any] = {"author": "Ana", "text": "fine", **fields}
    with pytest.raises(InvalidDataError) as err:
        add_comment(store, project.id, "001", shot_id, **args)
    assert words in err.value.by_field()[field]
    assert snapshot(store.project_dir(project.id)) == before


def test_a_comment_at_the_limit_is_kept_whole(store: Store, project: Project) -> None:
    shot_id = first_shot_id(store, project)
    text = "é" * COMMENT_MAX_CHARS
    add_comment(store, project.id, "001", shot_id, author="Ana", text=text)
    assert disk_shot(store, project.id, shot_id)["comments"][0]["text"] == text


def test_a_broken_comment_on_disk_names_the_file(store: Store, project: Project) -> None:
    shot_id = first_shot_id(store, project)
    add_comment(store, project.id, "001", shot_id, author="Ana", text="ok")
    path = seq_file(store, project.id)
    path.write_text(path.read_text(encoding="utf-8").replace('"Ana"', '""'), encoding="utf-8")
    with pytest.raises(Exception, match=r"sequence_001\.json.*comments\[0\]\.author"):
        store.read_sequence(project.id, "001")


# ---------------------------------------------------------------------------------- merge rules
def test_a_comment_during_a_prompt_edit_merges_without_conflict(
    store: Store, project: Project
) -> None:
    shot_id = first_shot_id(store, project)
    base = store.read_shot(project.id, "001", shot_id).updated_at  # the editor opens the shot
    add_comment(store, project.id, "001", shot_id, author="Ana", text="love it")  # a reviewer
    comment_id = store.read_shot(project.id, "001", shot_id).comments[0].id
    resolve_comment(store, project.id, "001", shot_id, comment_id, resolved_by="Bob")
    saved = store.update_shot(
        project.id, "001", shot_id, {"prompt": "storm at dusk"}, base_updated_at=base
    )
    assert saved.prompt == "storm at dusk"
    assert [(c.text, c.resolved) for c in saved.comments] == [("love it", True)]


def test_a_verdict_during_an_edit_is_a_conflict_for_that_edit(
    store: Store, project: Project
) -> None:
    shot_id = first_shot_id(store, project)
    base = store.read_shot(project.id, "001", shot_id).updated_at
    add_comment(store, project.id, "001", shot_id, author="Ana", text="redo", verdict="retake")
    with pytest.raises(ConflictError) as err:
        store.update_shot(project.id, "001", shot_id, {"status": "approved"}, base_updated_at=base)
    assert err.value.theirs["status"] == "rejected"
    assert store.read_shot(project.id, "001", shot_id).status == "rejected"


def test_change_shot_stamps_every_change_but_the_review_thread(
    store: Store, project: Project
) -> None:
    shot_id = first_shot_id(store, project)
    stamp = store.read_shot(project.id, "001", shot_id).updated_at
    thread = [{"id": "c1", "author": "Ana", "text": "ok"}]
    saved = store.change_shot(project.id, "001", shot_id, lambda shot: {"comments": thread})
    assert saved.updated_at == stamp and saved.comments[0].text == "ok"
    saved = store.change_shot(project.id, "001", shot_id, lambda shot: {"status": "review"})
    assert saved.updated_at > stamp
    revision = store.read_sequence(project.id, "001").revision
    store.change_shot(project.id, "001", shot_id, lambda shot: {})  # nothing to change
    assert store.read_sequence(project.id, "001").revision == revision
    with pytest.raises(InvalidDataError) as err:
        store.change_shot(project.id, "001", shot_id, lambda shot: {"id": "shot-000000000000"})
    assert "id" in err.value.by_field()


COMMENTER = r"""
import json, sys
from storyboard_core import Store, add_comment

workspace, project, shot_id, name, count = sys.argv[1:6]
store = Store(workspace)
print("ready", flush=True)
sys.stdin.readline()  # start together
ids = [
    add_comment(store, project, "001", shot_id, author=name, text=f"{name} {n}").id
    for n in range(int(count))
]
print(json.dumps(ids), flush=True)
"""


@pytest.mark.slow
def test_people_commenting_at_the_same_moment_keep_every_comment(
    store: Store, project: Project
) -> None:
    shot_id = first_shot_id(store, project)
    people, each = 4, 10
    outputs = run_together(
        COMMENTER,
        [[str(store.root), project.id, shot_id, f"p{i}", str(each)] for i in range(people)],
    )
    written = [comment_id for out in outputs for comment_id in json.loads(out)]
    comments = disk_shot(store, project.id, shot_id)["comments"]
    assert sorted(c["id"] for c in comments) == sorted(written)
    assert len(written) == people * each
    for i in range(people):  # each writer's comments in the order it added them
        mine = [c["text"] for c in comments if c["author"] == f"p{i}"]
        assert mine == [f"p{i} {n}" for n in range(each)]


# -------------------------------------------------------------------------------------- summary
def test_summary_counts_retakes_and_who_said_what(store: Store, project: Project) -> None:
    seq1 = store.read_sequence(project.id, "001").shots
    seq2 = store.read_sequence(project.id, "002").shots
    store.update_shot(project.id, "001", seq1[1].id, {"title": "Storm"})
    old = add_comment(
        store, project.id, "001", seq1[1].id, author="Ana", text="sky", verdict="retake"
    )
    resolve_comment(store, project.id, "001", seq1[1].id, old.id, resolved_by="Bob")
    add_comment(store, project.id, "001", seq1[1].id, author="Bob", text="still too dark")
    add_comment(store, project.id, "002", seq2[0].id, author="Cy", text="great", verdict="approve")

    whole = review_summary(store, project.id)
    assert whole.shots == 12 and whole.scope == "Orage"
    assert whole.counts == {"draft": 10, "review": 0, "approved": 1, "rejected": 1}
    assert [r.shot.label for r in whole.retakes] == ["Sequence 1 · #2 Storm"]
    assert [c.text for c in whole.retakes[0].open_comments] == ["still too dark"]
    assert [(r.comment.author, r.comment.text) for r in whole.remarks] == [
        ("Ana", "sky"),
        ("Bob", "still too dark"),
        ("Cy", "great"),
    ]
    assert whole.open_comments == 2

    one = review_summary(store, project.id, "002")
    assert one.scope == "Sequence 2" and one.shots == 4
    assert one.counts["approved"] == 1 and one.retakes == ()
    assert [r.comment.author for r in one.remarks] == ["Cy"]
    assert one.as_json()["comments"][0]["shot"]["seq_id"] == "002"


def test_summary_lists_broken_sequences_and_goes_on(store: Store, project: Project) -> None:
    seq_file(store, project.id, "003").write_text("{not json", encoding="utf-8")
    summary = review_summary(store, project.id)
    assert summary.shots == 8
    assert len(summary.broken) == 1 and "sequence_003.json" in summary.broken[0]
    assert "Files left out" in summary_markdown(summary)


def test_markdown_has_the_summary(store: Store, project: Project) -> None:
    shot_id = first_shot_id(store, project)
    add_comment(store, project.id, "001", shot_id, author="Ana", text="redo it", verdict="retake")
    text = summary_markdown(review_summary(store, project.id))
    assert text.startswith("# Review: Orage\n")
    assert "| rejected | 1 |" in text and "## To retake (1)" in text
    assert "**Ana**" in text and "⛔ Retake: redo it" in text


def rendered(markdown: str) -> str:
    return MarkdownIt("gfm-like").render(markdown)


def test_markdown_never_turns_untrusted_text_into_links_images_or_html(
    store: Store,
) -> None:
    project = store.create_project(
        "[Evil](https://evil.invalid) <b>",
        format_id="custom",
        sequences=1,
        seconds_per_sequence=10,
        shots_per_sequence=1,
    )
    shot_id = first_shot_id(store, project)
    store.update_shot(project.id, "001", shot_id, {"title": "![t](https://evil.invalid/t.png)"})
    store.rename_sequence(project.id, "001", "<script>x</script>")
    comment = add_comment(
        store,
        project.id,
        "001",
        shot_id,
        author="[Ana](https://evil.invalid)",
        text=HOSTILE,
        verdict="retake",
    )
    resolve_comment(store, project.id, "001", shot_id, comment.id, resolved_by="**Bob**")
    for summary in (review_summary(store, project.id), review_summary(store, project.id, "001")):
        html = rendered(summary_markdown(summary))
        assert "<a " not in html and "<img" not in html and "<b>" not in html
        assert "<script" not in html and "<blockquote" not in html
        assert html.count("<h1>") == 1 and "<h3>" in html
        assert "<strong>Bob</strong>" not in html and "<code>" not in html
        # The words are all still there, shown as written.
        assert "[the cut](https://evil.invalid/x)" in html
        assert "# not a heading" in html and "&lt;b&gt;bold&lt;/b&gt;" in html


@pytest.mark.parametrize(
    "text",
    [
        "a_b_c",
        "*x*",
        "1. one",
        "x\n===",
        "    indented",
        "<http://evil.invalid>",
        "a@evil.invalid",
        "\\",
        "[x]: /y",
    ],
)
def test_markdown_literal_renders_as_the_text_itself(text: str) -> None:
    html = rendered(markdown_literal(text))
    assert "<a " not in html and "<em>" not in html and "<h1>" not in html and "<ol>" not in html
    assert "<pre>" not in html


def test_a_loose_shot_has_a_thread_and_is_in_the_summary(store: Store, project: Project) -> None:
    loose = store.add_shot(project.id, None, {"title": "Insert"})
    add_comment(store, project.id, None, loose.id, author="Ana", text="cut it", verdict="retake")
    assert store.read_shot(project.id, None, loose.id).status == "rejected"
    summary = review_summary(store, project.id)
    assert [(r.shot.seq_id, r.shot.label) for r in summary.retakes] == [
        (None, "Shots outside any sequence · #1 Insert")
    ]


LINE = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126)
    | st.sampled_from("éà—“”«»💬\u00a0"),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(LINE)
def test_any_line_renders_as_exactly_its_text(line: str) -> None:
    html = rendered(markdown_literal(line)).strip()
    if not line.strip():
        assert html == ""
        return
    assert html.startswith("<p>") and html.endswith("</p>"), html
    inner = html.removeprefix("<p>").removesuffix("</p>")
    assert "<" not in inner, html  # no element of any kind: links, images, emphasis, code, HTML
    assert unescape(inner) == line.strip()


@settings(max_examples=200, deadline=None)
@given(st.lists(LINE, min_size=2, max_size=5))
def test_several_lines_stay_one_paragraph_of_text(lines: list[str]) -> None:
    html = rendered(markdown_literal("\n".join(lines)))
    tags = set(re.findall(r"</?([a-z0-9]+)", html))
    assert tags <= {"p", "br"}, html
