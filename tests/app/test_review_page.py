"""The review summary page: counts, shots to retake, who said what, scope, Markdown download, links."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from storyboard_core import (
    AUTHOR_MAX_CHARS,
    COMMENT_MAX_CHARS,
    Project,
    Store,
    add_comment,
    resolve_comment,
)
from tests.hostile import arrange, hostile
from ui.components.comments import comment_markdown
from ui.frame.registry import DASHBOARD, REVIEW, SEQUENCE, SHOT
from ui.frame.text import md

from .conftest import OpenPage
from .test_hostile_text import assert_nothing_raw

EVIL = "[click](https://evil.invalid) <b>x</b> :red[red]"


@pytest.fixture
def reviewed(demo: Project, store: Store) -> Project:
    """The demo with a retake (one open comment, one resolved) in 001 and an approval in 002."""
    one = store.read_shots(demo.id, "001")[0]
    two = store.read_shots(demo.id, "002")[0]
    old = add_comment(store, demo.id, "001", one.id, author="Ana", text="sky", verdict="retake")
    resolve_comment(store, demo.id, "001", one.id, old.id, resolved_by="Bob")
    add_comment(store, demo.id, "001", one.id, author="Bob", text=EVIL)
    add_comment(store, demo.id, "002", two.id, author="Cy", text="yes", verdict="approve")
    return demo


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_project_review(reviewed: Project, store: Store, open_page: OpenPage) -> None:
    at = open_page(REVIEW, project=reviewed.id)
    assert f"📝 Review · {md(reviewed.name)}" in [t.value for t in at.title]
    counts: dict[str, int] = {}
    for seq in ("001", "002", "003"):
        for shot in store.read_shots(reviewed.id, seq):
            counts[shot.status] = counts.get(shot.status, 0) + 1
    shown = metrics(at)
    assert shown["⛔ rejected"] == str(counts["rejected"])
    assert shown["✅ approved"] == str(counts["approved"])
    assert shown["💬 open comments"] == "2"
    first = store.read_shots(reviewed.id, "001")[0]
    seq_name = store.read_sequence(reviewed.id, "001").name
    links = {link.value: link.proto.query_string for link in at.page_link}
    label = md(f"{seq_name} · #1 {first.title}")
    assert links[label] == f"project={reviewed.id}&seq=001&shot={first.id}"
    # The retake's open comment, shown as written; the resolved one is not "to retake".
    assert md(EVIL) in [m.value for m in at.markdown]
    assert "sky" not in [m.value for m in at.markdown]
    table = at.dataframe[0].value
    assert list(table["Who"]) == ["Cy", "Bob", "Ana"]  # newest first
    assert list(table["Comment"]) == ["yes", EVIL, "sky"]  # a table shows text as text
    assert list(table["Resolved"]) == ["", "", "by Bob"]


def test_one_sequence_and_the_scope_picker(
    reviewed: Project, store: Store, open_page: OpenPage
) -> None:
    at = open_page(REVIEW, project=reviewed.id, seq="002")
    assert f"📝 Review · {md(store.read_sequence(reviewed.id, '002').name)}" in [
        t.value for t in at.title
    ]
    assert list(at.dataframe[0].value["Who"]) == ["Cy"]
    rejected = [s for s in store.read_shots(reviewed.id, "002") if s.status == "rejected"]
    assert f"To retake ({len(rejected)})" in [h.value for h in at.subheader]
    assert at.page_link[0].value == "Back to the sequence"
    picker = at.selectbox(key=f"review_scope:{reviewed.id}:002")
    picker.set_value("").run()
    assert not at.exception
    assert dict(at.query_params) == {"project": reviewed.id}
    assert list(at.dataframe[0].value["Who"]) == ["Cy", "Bob", "Ana"]
    at.selectbox(key=f"review_scope:{reviewed.id}:").set_value("001").run()
    assert dict(at.query_params) == {"project": reviewed.id, "seq": "001"}
    assert list(at.dataframe[0].value["Who"]) == ["Bob", "Ana"]


def test_the_markdown_download(
    reviewed: Project, open_page: OpenPage, media: Callable[[str], bytes]
) -> None:
    at = open_page(REVIEW, project=reviewed.id, seq="001")
    (button,) = at.download_button
    assert button.label == "Download Markdown"
    text = media(button.proto.url).decode("utf-8")
    assert text.startswith("# Review: ")
    assert "## To retake (1)" in text
    assert "\\[click\\]\\(https\\:\\/\\/evil\\.invalid\\)" in text and "](https" not in text


def test_a_new_comment_shows_on_the_next_visit(
    reviewed: Project, store: Store, open_page: OpenPage
) -> None:
    at = open_page(REVIEW, project=reviewed.id, seq="002")
    assert len(at.dataframe[0].value) == 1
    shot = store.read_shots(reviewed.id, "002")[1]
    add_comment(store, reviewed.id, "002", shot.id, author="Dee", text="later", verdict="retake")
    at = open_page(REVIEW, project=reviewed.id, seq="002")
    assert list(at.dataframe[0].value["Who"]) == ["Dee", "Cy"]
    assert metrics(at)["💬 open comments"] == "2"


def test_a_broken_sequence_is_named_and_the_rest_shown(
    reviewed: Project, store: Store, open_page: OpenPage
) -> None:
    (store.project_dir(reviewed.id) / "sequences" / "sequence_003.json").write_text("{oops")
    at = open_page(REVIEW, project=reviewed.id)
    assert any("sequence\\_003" in e.value for e in at.error), [e.value for e in at.error]
    assert list(at.dataframe[0].value["Who"]) == ["Cy", "Bob", "Ana"]


@pytest.mark.parametrize("params", [{"project": "nope"}, {"project": "l-orage-demo", "seq": "077"}])
def test_a_review_of_nothing_is_a_dead_end(
    demo: Project, open_page: OpenPage, params: dict[str, str]
) -> None:
    at = open_page(REVIEW, **params)
    missing = params.get("seq", params["project"])
    assert at.error and missing in at.error[0].value  # it says what is missing
    assert not at.dataframe and not at.download_button


def test_the_dashboard_and_the_sequence_page_link_to_it(demo: Project, open_page: OpenPage) -> None:
    at = open_page(DASHBOARD, project=demo.id)
    links = {link.value: link.proto for link in at.page_link}
    assert links["Review summary"].query_string == f"project={demo.id}"
    assert links["Review summary"].page.endswith("review")
    at = open_page(SEQUENCE, project=demo.id, seq="002")
    links = {link.value: link.proto for link in at.page_link}
    assert links["Review summary"].query_string == f"project={demo.id}&seq=002"


def test_hostile_comments_are_shown_as_text(store: Store, open_page: OpenPage) -> None:
    bad = arrange(store)
    author = hostile("author", limit=AUTHOR_MAX_CHARS)
    text = hostile("comment", limit=COMMENT_MAX_CHARS)
    saved = add_comment(
        store, bad.project, bad.seq, bad.shot, author=author, text=text, verdict="retake"
    )
    shown = comment_markdown(saved.text)  # escaped, its lines kept
    for page, params in [
        (REVIEW, {"project": bad.project}),
        (REVIEW, {"project": bad.project, "seq": bad.seq}),
        (SHOT, {"project": bad.project, "seq": bad.seq, "shot": bad.shot}),
    ]:
        at = open_page(page, **params)
        assert_nothing_raw(at)
        assert shown in [m.value for m in at.markdown]
        assert any(c.value.startswith(f"**{md(author)}** · ") for c in at.caption)
    at = open_page(REVIEW, project=bad.project)
    assert list(at.dataframe[0].value["Comment"]) == [saved.text]  # a table cell: literally
    assert list(at.dataframe[0].value["Who"]) == [author]
