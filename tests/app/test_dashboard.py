"""Dashboard: the demo offer, the new-project form, one project's figures, broken files, bad links."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

from streamlit.testing.v1 import AppTest

from storyboard_core import FORMATS, Project, Store
from storyboard_core.demo import DEMO_NAME
from storyboard_core.types import clock
from tests.hostile import as_read
from ui.frame.registry import DASHBOARD, SEQUENCE

from .conftest import OpenPage


def test_empty_workspace_offers_the_demo_and_creates_it(
    app: AppTest, workspace: Path, store: Store
) -> None:
    assert any("no projects yet" in as_read(i.value) for i in app.info)
    (create,) = [b for b in app.button if b.label == "Create demo project"]
    create.click().run()

    assert not app.exception
    (project,) = store.list_projects()
    assert project.name == DEMO_NAME
    assert (workspace / project.id / "project.json").is_file()
    assert len(list((workspace / project.id / "sequences").glob("sequence_*.json"))) == 3
    assert project.counts.with_prompt > 0
    # The demo opens at once: its URL and its dashboard.
    assert app.query_params["project"] == project.id
    assert DEMO_NAME in [as_read(t.value) for t in app.title]


def test_workspace_lists_projects_with_their_figures(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    at = open_page(DASHBOARD)
    counts = store.summarize_project(demo.id).counts
    assert "Projects (1)" in [as_read(s.value) for s in at.subheader]
    assert [as_read(link.value) for link in at.page_link] == [demo.name]
    (bar,) = at.progress
    assert bar.text == f"Prompts: {counts.with_prompt} / {counts.shots} shots"
    assert bar.value == int(counts.prompt_completion * 100)
    assert any("3 sequences" in as_read(c.value) for c in at.caption)
    assert not [b for b in at.button if b.label == "Create demo project"]


def submit_new_project(at: AppTest, name: str, format_id: str, shots: int, **custom: float) -> None:
    at.text_input[0].set_value(name)
    (fmt,) = [s for s in at.selectbox if s.label == "Format"]
    fmt.set_value(format_id)
    by_label = {n.label: n for n in at.number_input}
    by_label["Shots per sequence"].set_value(shots)
    if "sequences" in custom:
        by_label["Sequences (custom format)"].set_value(custom["sequences"])
    if "seconds" in custom:
        by_label["Seconds per sequence (custom format)"].set_value(custom["seconds"])
    (submit,) = [b for b in at.button if b.label == "Create project"]
    submit.click().run()
    assert not at.exception, [e.value for e in at.exception]


def test_new_project_form_creates_a_project_in_a_named_format(app: AppTest, store: Store) -> None:
    submit_new_project(app, "Le Phare", "episode-serie", 3)

    (project,) = store.list_projects()
    assert (project.name, project.format) == ("Le Phare", "episode-serie")
    sequences = store.list_sequences(project.id)
    assert len(sequences) == FORMATS["episode-serie"].sequences
    assert all(s.counts.shots == 3 for s in sequences)
    assert app.query_params["project"] == project.id
    assert "Le Phare" in [as_read(t.value) for t in app.title]


def test_new_project_form_takes_the_numbers_of_a_custom_format(app: AppTest, store: Store) -> None:
    submit_new_project(app, "Essai", "custom", 2, sequences=4, seconds=30.0)

    (project,) = store.list_projects()
    assert project.format == "custom"
    sequences = store.list_sequences(project.id)
    assert len(sequences) == 4
    assert all(s.counts.shots == 2 and s.counts.duration == 30 for s in sequences)


def test_new_project_without_a_name_says_which_field(
    app: AppTest, store: Store, workspace: Path
) -> None:
    submit_new_project(app, "   ", "court-metrage", 1)

    assert any("name" in as_read(e.value) for e in app.error), [as_read(e.value) for e in app.error]
    assert store.list_projects() == []
    assert [p for p in workspace.iterdir() if not p.name.startswith(".")] == []


def test_project_dashboard_shows_figures_table_and_chart(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    at = open_page(DASHBOARD, project=demo.id)
    summary = store.summarize_project(demo.id)

    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {
        "Sequences": str(summary.sequences),
        "Shots": str(summary.counts.shots),
        "Prompts written": f"{summary.counts.prompt_completion:.0%}",
        "Total duration": clock(summary.counts.duration),
    }
    (table,) = at.dataframe
    sequences = store.list_sequences(demo.id)
    assert list(table.value["Sequence"]) == [s.name for s in sequences]
    assert list(table.value["Shots"]) == [s.counts.shots for s in sequences]
    assert at.get("vega_lite_chart"), "the duration/status chart is missing"
    # The loose shot is listed and links to the shot editor.
    assert "Alternate ending: the boat returns" in [as_read(link.value) for link in at.page_link]


def test_open_sequence_from_the_dashboard(demo: Project, open_page: OpenPage) -> None:
    at = open_page(DASHBOARD, project=demo.id)
    (chooser,) = [s for s in at.selectbox if s.label == "Open sequence"]
    chooser.set_value("002")
    at.run()
    # A page link (one script run per click): it leads to the chosen sequence; the browser follows it.
    (opener,) = [p for p in at.page_link if as_read(p.value) == "Open"]
    assert opener.proto.page == SEQUENCE.url_path
    assert parse_qs(opener.proto.query_string) == {"project": [demo.id], "seq": ["002"]}
    at = open_page(SEQUENCE, project=demo.id, seq="002")

    assert not at.exception
    assert at.data_editor, "the sequence page did not open"


def test_clicking_a_row_of_the_sequences_table_opens_it(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    at = open_page(DASHBOARD, project=demo.id)
    # What the browser sends when the third row is clicked.
    at.session_state["dash_sequences"] = {"selection": {"rows": [2], "columns": [], "cells": []}}
    at.run()

    assert not at.exception
    third = store.list_sequences(demo.id)[2]
    assert dict(at.query_params) == {"project": demo.id, "seq": third.id}
    assert third.name in [as_read(t.value) for t in at.title]


def test_add_a_sequence_from_the_dashboard(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    at = open_page(DASHBOARD, project=demo.id)
    (name,) = [t for t in at.text_input if t.label == "Sequence name"]
    name.set_value("The lighthouse")
    (add,) = [b for b in at.button if b.label == "Add sequence"]
    add.click().run()

    assert not at.exception
    seq = store.read_sequence(demo.id, "004")
    assert seq.name == "The lighthouse"
    assert dict(at.query_params) == {"project": demo.id, "seq": "004"}


def test_broken_sequence_file_is_named_and_the_project_still_opens(
    demo: Project, store: Store, workspace: Path, open_page: OpenPage
) -> None:
    (workspace / demo.id / "sequences" / "sequence_002.json").write_text('{"id": "002", ')

    at = open_page(DASHBOARD, project=demo.id)
    assert any("sequence_002.json" in as_read(e.value) for e in at.error), [
        as_read(e.value) for e in at.error
    ]
    assert demo.name in [as_read(t.value) for t in at.title]
    (table,) = at.dataframe
    assert list(table.value["Sequence"]) == [
        s.name for s in store.list_sequences(demo.id) if not s.error
    ]
    # The workspace list warns about the file too.
    at = open_page(DASHBOARD)
    assert any("cannot be read" in as_read(w.value) for w in at.warning)


def test_unknown_project_gives_a_message_and_a_way_back(open_page: OpenPage) -> None:
    at = open_page(DASHBOARD, project="nope")
    assert any("nope" in as_read(e.value) for e in at.error)
    assert [as_read(link.value) for link in at.page_link] == ["Back to the dashboard"]
    assert not at.metric


def test_unsafe_project_name_in_the_url_is_a_dead_end(open_page: OpenPage) -> None:
    at = open_page(DASHBOARD, project="../../etc")
    assert at.error
    assert [as_read(link.value) for link in at.page_link] == ["Back to the dashboard"]
