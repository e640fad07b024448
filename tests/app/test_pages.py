"""Every registered page renders through ``app.py``: on an empty workspace, and on the demo project
with and without a selection. A page without its selection says what is missing and links back."""

from __future__ import annotations

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from storyboard_core import Project, Shot, Store
from tests.hostile import as_read
from ui.frame.registry import (
    BIBLE,
    DASHBOARD,
    PAGES,
    PRESENT,
    REVIEW,
    SEQUENCE,
    SETTINGS,
    SHOT,
    PageSpec,
)
from ui.frame.text import md

from .conftest import APP, TIMEOUT, OpenPage

NEEDS_SELECTION = {SEQUENCE.key, SHOT.key, PRESENT.key, REVIEW.key, BIBLE.key}


@pytest.fixture
def first(demo: Project, store: Store) -> Shot:
    """The first shot of the demo's sequence 001."""
    return store.read_shots(demo.id, "001")[0]


def assert_dead_end(at: AppTest) -> None:
    """A clear message and a link back, and no editing widget."""
    assert at.error, "expected a message saying what to choose"
    assert [as_read(link.value) for link in at.page_link] == ["Back to the dashboard"]
    assert not at.data_editor
    assert not at.text_area


@pytest.mark.parametrize("page", PAGES, ids=[p.key for p in PAGES])
def test_page_renders_on_an_empty_workspace(open_page: OpenPage, page: PageSpec) -> None:
    at = open_page(page)
    if page.key in NEEDS_SELECTION:
        assert_dead_end(at)
    else:
        assert not at.error
        assert at.title


@pytest.mark.parametrize("page", PAGES, ids=[p.key for p in PAGES])
def test_page_without_a_selection_on_the_demo(
    demo: Project, open_page: OpenPage, page: PageSpec
) -> None:
    at = open_page(page)
    if page.key in NEEDS_SELECTION:
        assert_dead_end(at)
        assert "Choose" in at.error[0].value
    else:
        assert not at.error
        assert at.title


@pytest.mark.parametrize("page", PAGES, ids=[p.key for p in PAGES])
def test_page_with_the_demo_selected(
    demo: Project, store: Store, open_page: OpenPage, first: Shot, page: PageSpec
) -> None:
    at = open_page(page, project=demo.id, seq="001", shot=first.id)
    assert not at.error, [as_read(e.value) for e in at.error]
    if page is PRESENT:  # no title: the player shows the shot's, as large as it can
        assert [e.key for e in at.get("bidi_component")] == ["present_player"]
        return
    titles = [as_read(t.value) for t in at.title]
    expected = {
        DASHBOARD.key: demo.name,
        SEQUENCE.key: store.read_sequence(demo.id, "001").name,
        SHOT.key: f"#1 {first.title}",
        REVIEW.key: f"📝 Review · {md(store.read_sequence(demo.id, '001').name)}",
        SETTINGS.key: "⚙️ Settings",
        BIBLE.key: f"📖 Bible · {demo.name}",
    }[page.key]
    assert expected in titles


@pytest.mark.parametrize("page", PAGES, ids=[p.key for p in PAGES])
def test_every_page_runs_inside_the_frame(
    demo: Project, open_page: OpenPage, first: Shot, page: PageSpec
) -> None:
    at = open_page(page, project=demo.id, seq="001", shot=first.id)
    assert "Workspace: workspace" in [as_read(c.value) for c in at.sidebar.caption]
    assert not at.sidebar.warning  # no unsaved edits yet


def test_a_deep_link_on_a_fresh_server_opens_inside_the_frame(
    demo: Project, first: Shot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No ``serving`` fixture: every run starts as the first request after a server start, when
    # Streamlit would run a file of ``pages/`` alone (no page config, sidebar or navigation).
    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(project=demo.id, seq="001", shot=first.id)
    at.switch_page(SHOT.path).run()

    assert not at.exception, [e.value for e in at.exception]
    assert f"#1 {first.title}" in [as_read(t.value) for t in at.title]
    assert "Workspace: workspace" in [as_read(c.value) for c in at.sidebar.caption]
    assert dict(at.query_params) == {"project": demo.id, "seq": "001", "shot": first.id}


def test_settings_shows_the_workspace_in_use(workspace, demo: Project, open_page: OpenPage) -> None:
    at = open_page(SETTINGS)
    assert [c.value for c in at.code] == [str(workspace.resolve())]
    assert any("1 project(s) here" in as_read(c.value) for c in at.caption)
