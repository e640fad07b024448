"""Hostile text in every field of a project is shown as text on every page.

The project, its sequence, a shot, a loose shot, a workflow file and a ComfyUI server all hold text from
``tests/hostile.py``: Markdown images and links, HTML, ``<script>``, ``javascript:`` links, Streamlit
directives, icons and emoji shortcodes, math, bidi controls, zero-width characters, a 10,000-character
word. Each page must send that text to the browser only escaped (``ui.frame.text.md``) to elements that parse
Markdown, and unchanged to elements that show text literally (inputs, options, grid cells).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Node

from storyboard_core import Store
from storyboard_core.types import LOOSE
from tests.hostile import (
    BIBLE_NAME,
    BROKEN_WORKFLOW,
    CARD_PROMPT,
    CARD_TITLE,
    CHECKPOINT,
    FILE_VALUE,
    LOOSE_TITLE,
    PROJECT_DESCRIPTION,
    PROJECT_NAME,
    RAW_MARKERS,
    RENDER_SERVER,
    SEQ_DESCRIPTION,
    SEQ_NAME,
    SERVER,
    SHOT_TEXT,
    WORKFLOW,
    Hostile,
    arrange,
    as_read,
    hostile,
    rewritten,
)
from ui.frame.registry import BIBLE, DASHBOARD, PAGES, SEQUENCE, SETTINGS, SHOT, PageSpec
from ui.frame.text import html, md

from .conftest import OpenPage, storyboard_view

# Protobuf fields that Streamlit renders as Markdown, whatever the element (st.text's body aside).
MARKDOWN_FIELDS = {"body", "label", "help", "text", "delta"}


@pytest.fixture
def bad(store: Store) -> Hostile:
    """A workspace whose every text field is hostile."""
    return arrange(store)


def walk(node: Node) -> Iterator[Node]:
    yield node
    if isinstance(node, Block):
        for child in node.children.values():
            yield from walk(child)


def strings(message: Any) -> Iterator[tuple[str, str]]:
    """Every (field name, string) of a protobuf message, nested messages included."""
    for field, value in message.ListFields():
        for item in (
            value if isinstance(value, Sequence) and not isinstance(value, str) else [value]
        ):
            if isinstance(item, str):
                yield field.name, item
            elif hasattr(item, "ListFields"):
                yield from strings(item)


def markdown_sent(at: AppTest) -> list[tuple[str, str]]:
    """(element type, text) of every string the page sent to an element that parses Markdown."""
    found = []
    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or node.type == "text":  # st.text shows its body literally
            continue
        found += [(node.type, s) for name, s in strings(proto) if name in MARKDOWN_FIELDS]
        if node.type == "table":  # st.table parses Markdown in its cells
            found += [("table", str(cell)) for cell in node.value.to_numpy().ravel()]  # type: ignore[attr-defined]
    return found


RAW = re.compile("|".join(f"(?<!\\\\){re.escape(m)}" for m in RAW_MARKERS))


def assert_nothing_raw(at: AppTest) -> None:
    """No Markdown-parsing element received a raw hostile construct (one not escaped by ``md``)."""
    assert not at.exception, [e.value for e in at.exception]
    sent = markdown_sent(at)
    raw = [(kind, m.group(), text[:200]) for kind, text in sent if (m := RAW.search(text))]
    assert not raw, raw
    kept = [(kind, found) for kind, text in sent if (found := rewritten(text))]
    assert not kept, kept
    assert sent, "the page sent nothing to check"


def params(page: PageSpec, bad: Hostile) -> dict[str, str]:
    """The fullest selection: every page takes what it needs (pages added later are walked too)."""
    return {"project": bad.project, "seq": bad.seq, "shot": bad.shot}


def values(elements: Any) -> list[str]:
    return [str(e.value) for e in elements]


def check_dashboard(at: AppTest, bad: Hostile) -> None:
    assert values(at.title) == [md(PROJECT_NAME)]
    assert md(PROJECT_DESCRIPTION) in values(at.caption)
    assert md(LOOSE_TITLE) in values(at.page_link)
    # Literal elements get the text as it is: the sequences table, the selectbox.
    assert at.dataframe[0].value["Sequence"].iloc[0] == SEQ_NAME
    assert at.selectbox[0].options[0] == f"1. {SEQ_NAME}"


def check_sequence(at: AppTest, bad: Hostile) -> None:
    title = SHOT_TEXT["title"]
    assert values(at.title) == [md(SEQ_NAME)]
    assert any(c.endswith(f" · {md(SEQ_DESCRIPTION)}") for c in values(at.caption))
    assert list(at.data_editor[0].value["title"]) == [title, CARD_TITLE]
    assert list(at.data_editor[0].value["prompt"]) == [SHOT_TEXT["prompt"], CARD_PROMPT]
    assert f"#1 {title}" in at.selectbox(key="seq_selected_shot").options
    assert f"#1 {title}" in at.multiselect(key="render_selection").options
    storyboard_view(at)  # the cards are built only in their view
    assert_nothing_raw(at)
    assert md(title) in values(at.page_link)


def check_shot(at: AppTest, bad: Hostile) -> None:
    assert values(at.title) == [f"#1 {md(SHOT_TEXT['title'])}"]
    typed = {t.label: t.value for t in [*at.text_input, *at.text_area]}
    for field, label in [("title", "Title"), ("prompt", "Prompt"), ("notes", "Notes")]:
        assert typed[label] == SHOT_TEXT[field]
    assert typed["Checkpoint"] == CHECKPOINT
    captions = values(at.caption)
    assert md(f"Seed 7 · {WORKFLOW} · {RENDER_SERVER}") in captions
    assert any(
        c.startswith(f"⚠️ Workflow file {md(BROKEN_WORKFLOW + '.json')} cannot") for c in captions
    )
    (workflow,) = [s for s in at.selectbox if s.label == "Workflow"]
    assert WORKFLOW in workflow.options and workflow.value == WORKFLOW


def check_bible(at: AppTest, bad: Hostile) -> None:
    labels = [as_read(e.label) for e in at.expander]
    assert any(f"@[{BIBLE_NAME}]: description " in label for label in labels), labels


def check_settings(at: AppTest, bad: Hostile) -> None:
    assert any(e.label.startswith(f"⭐ {md(SERVER)} — ") for e in at.expander)
    (table,) = at.table
    assert list(table.value["Name"]) == [md(SERVER), "plain"]
    assert SERVER in [t.value for t in at.text_input if t.label == "Name"]


CHECKS = {
    DASHBOARD.key: check_dashboard,
    SEQUENCE.key: check_sequence,
    SHOT.key: check_shot,
    SETTINGS.key: check_settings,
    BIBLE.key: check_bible,
}


@pytest.mark.parametrize("page", PAGES, ids=[p.key for p in PAGES])
def test_every_page_shows_hostile_text_as_text(
    bad: Hostile, open_page: OpenPage, page: PageSpec
) -> None:
    at = open_page(page, **params(page, bad))
    assert_nothing_raw(at)
    CHECKS.get(page.key, lambda at, bad: None)(at, bad)


def test_the_workspace_lists_hostile_projects_as_text(bad: Hostile, open_page: OpenPage) -> None:
    at = open_page(DASHBOARD)
    assert_nothing_raw(at)
    assert md(PROJECT_NAME) in values(at.page_link)
    assert any(md(FILE_VALUE) in e for e in values(at.error)), values(at.error)


def test_the_loose_shot_editor_and_a_hostile_url(
    bad: Hostile, open_page: OpenPage, store: Store
) -> None:
    (loose,) = store.read_shots(bad.project, None)
    at = open_page(SHOT, project=bad.project, seq=LOOSE, shot=loose.id)
    assert_nothing_raw(at)
    assert values(at.title) == [f"#1 {md(LOOSE_TITLE)}"]
    # A selection typed into the URL is quoted in the dead end's message, escaped too.
    at = open_page(DASHBOARD, project=FILE_VALUE)
    assert_nothing_raw(at)
    assert at.error


def test_toasts_and_conflicts_show_hostile_text_as_text(
    bad: Hostile, open_page: OpenPage, store: Store
) -> None:
    at = open_page(SETTINGS)
    at.button(key="activate_plain").click().run()
    at.button(key=f"activate_{SERVER}").click().run()
    assert_nothing_raw(at)
    assert values(at.toast) == [md(f"{SERVER} is now the active server")]

    # The conflict panel's table holds both versions of an edited field.
    at = open_page(SHOT, **params(SHOT, bad))
    (title_in,) = [t for t in at.text_input if t.label == "Title"]
    title_in.input(hostile("mine")).run()
    store.update_shot(bad.project, bad.seq, bad.shot, {"title": hostile("theirs")})
    at.run()
    assert_nothing_raw(at)
    (table,) = at.table
    rows = table.value.to_dict("records")
    assert {
        "Field": "Title",
        "Your version": md(hostile("mine")),
        "On disk now": md(hostile("theirs")),
    } in rows


def test_storyboard_cards_escape_their_html(bad: Hostile, open_page: OpenPage) -> None:
    # A card without a frame shows its title and prompt in the app's own HTML.
    at = storyboard_view(open_page(SEQUENCE, **params(SEQUENCE, bad)))
    cards = [m.value for m in at.markdown if "aspect-ratio" in m.value]
    assert len(cards) == 1
    assert html(CARD_TITLE) in cards[0] and html(CARD_PROMPT[:220]) in cards[0]
