"""Hostile text in every field of a project is shown as text on every page.

The project, its sequence, a shot, a loose shot, a workflow file and a ComfyUI server all hold text from
``tests/hostile.py``: Markdown images and links, HTML, ``<script>``, ``javascript:`` links, Streamlit
directives, icons and emoji shortcodes, math, bidi controls, zero-width characters, a 10,000-character
word. Each page must send that text to the browser only escaped (``ui.text.md``) to elements that parse
Markdown, and unchanged to elements that show text literally (inputs, options, grid cells).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Node

from storyboard_core import Store
from storyboard_core.settings import SETTINGS_FILE
from tests.hostile import RAW_MARKERS, hostile, rewritten
from ui.registry import DASHBOARD, PAGES, SEQUENCE, SETTINGS, SHOT, PageSpec
from ui.state import LOOSE
from ui.text import html, md

from .conftest import OpenPage

PROJECT_NAME = hostile("project name", limit=200)
PROJECT_DESCRIPTION = hostile("project description")
SEQ_NAME = hostile("sequence name", limit=200)
SEQ_DESCRIPTION = hostile("sequence description")
SHOT_TEXT = {
    f: hostile(f"shot {f}") for f in ("title", "description", "prompt", "negative_prompt", "notes")
}
LOOSE_TITLE = hostile("loose shot title")
CHECKPOINT = hostile("checkpoint")
# A file name: no slash, at most 255 bytes.
WORKFLOW = "workflow **Bold** ![x](javascript:alert(1)) <img src=x onerror=alert(1)> :material_home: :smile: $x$ a -> b"
BROKEN_WORKFLOW = "broken " + WORKFLOW.removeprefix("workflow ")
SERVER = hostile("server", limit=60)
SERVER_URL = "http://127.0.0.1:1/![x](http://url.hostile.invalid/x.png)"  # refused at once, locally
RENDER_SERVER = hostile("render server")
FILE_VALUE = "![x](http://file.hostile.invalid/x.png) :material/home:"

# Protobuf fields that Streamlit renders as Markdown, whatever the element (st.text's body aside).
MARKDOWN_FIELDS = {"body", "label", "help", "text", "delta"}


@dataclass(frozen=True)
class Hostile:
    """The hostile project's ids."""

    project: str
    seq: str
    shot: str


def png() -> bytes:
    """A tiny valid PNG, for a frame the editor shows."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "gray").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def bad(store: Store, workspace: Path) -> Hostile:
    """A workspace whose every text field is hostile, arranged through the core where it can be."""
    project = store.create_project(PROJECT_NAME, description=PROJECT_DESCRIPTION)
    seq = store.list_sequences(project.id)[0].id
    store.rename_sequence(project.id, seq, SEQ_NAME, description=SEQ_DESCRIPTION)
    shot = store.read_shots(project.id, seq)[0]
    renders = store.project_dir(project.id) / "renders"
    renders.mkdir()
    for name in ("a.png", "b.png"):
        (renders / name).write_bytes(png())
    store.update_shot(
        project.id,
        seq,
        shot.id,
        {
            **SHOT_TEXT,
            "generation": {"workflow": WORKFLOW, "checkpoint": CHECKPOINT},
            "render": {
                "image": "renders/a.png",
                "server": RENDER_SERVER,
                "workflow": WORKFLOW,
                "seed": 7,
                "versions": [{"image": "renders/b.png"}, {"image": "renders/a.png"}],
            },
        },
    )
    store.add_shot(project.id, None, {"title": LOOSE_TITLE})
    workflows = workspace / "workflows"
    workflows.mkdir()
    (workflows / f"{WORKFLOW}.json").write_text(json.dumps({"1": {"class_type": "X"}}), "utf-8")
    (workflows / f"{BROKEN_WORKFLOW}.json").write_text(f"{{{FILE_VALUE}", "utf-8")
    # A project whose file quotes hostile text in its error message.
    (workspace / "broken").mkdir()
    (workspace / "broken" / "project.json").write_text(
        json.dumps({"id": "broken", "name": "x", "created_at": FILE_VALUE}), "utf-8"
    )
    settings = {
        "comfyui": {
            "servers": [
                {"name": SERVER, "url": SERVER_URL, "token": "", "active": True},
                {"name": "plain", "url": "http://127.0.0.1:2", "token": "", "active": False},
            ]
        }
    }
    (workspace / SETTINGS_FILE).write_text(json.dumps(settings), "utf-8")
    return Hostile(project.id, seq, shot.id)


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
    raw = [
        (kind, m.group(), text[:200]) for kind, text in markdown_sent(at) if (m := RAW.search(text))
    ]
    assert not raw, raw
    kept = [(kind, found) for kind, text in markdown_sent(at) if (found := rewritten(text))]
    assert not kept, kept
    assert markdown_sent(at), "the page sent nothing to check"


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
    assert md(title) in values(at.page_link)
    assert list(at.data_editor[0].value["title"]) == [title]
    assert list(at.data_editor[0].value["prompt"]) == [SHOT_TEXT["prompt"]]
    assert f"#1 {title}" in at.selectbox(key="seq_selected_shot").options
    assert f"#1 {title}" in at.multiselect(key="render_selection").options


def check_shot(at: AppTest, bad: Hostile) -> None:
    assert values(at.title) == [f"#1 {md(SHOT_TEXT['title'])}"]
    typed = {t.label: t.value for t in [*at.text_input, *at.text_area]}
    for field, label in [("title", "Title"), ("prompt", "Prompt"), ("notes", "Notes")]:
        assert typed[label] == SHOT_TEXT[field]
    assert typed["Checkpoint"] == CHECKPOINT
    captions = values(at.caption)
    assert f"Seed 7 · {md(WORKFLOW)} · {md(RENDER_SERVER)}" in captions
    assert any(
        c.startswith(f"⚠️ Workflow file {md(BROKEN_WORKFLOW + '.json')} cannot") for c in captions
    )
    (workflow,) = [s for s in at.selectbox if s.label == "Workflow"]
    assert WORKFLOW in workflow.options and workflow.value == WORKFLOW


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


def test_storyboard_cards_escape_their_html(
    bad: Hostile, open_page: OpenPage, store: Store
) -> None:
    # A card without a frame shows its title and prompt in the app's own HTML.
    store.update_shot(bad.project, bad.seq, bad.shot, {"render": None})
    at = open_page(SEQUENCE, **params(SEQUENCE, bad))
    assert_nothing_raw(at)
    cards = [m.value for m in at.markdown if "aspect-ratio" in m.value]
    assert cards and html(SHOT_TEXT["title"]) in cards[0]
    assert html(SHOT_TEXT["prompt"][:220]) in cards[0]
