"""The Bible page (add, rename with a preview, delete with where it is mentioned, style, find and
replace) and the shot editor's live expanded prompt, unknown mentions and setting sources — checked
on disk through a store of our own."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from storyboard_core import Project, Shot, Store, add_entry, update_style
from tests.core.helpers import png_bytes
from tests.hostile import as_read
from ui.frame.registry import BIBLE, DASHBOARD, SHOT
from ui.frame.text import md

from .conftest import OpenPage


def widget(items: object, label: str) -> object:
    """The one widget of a kind with ``label`` (labels are constant text on this page)."""
    found = [w for w in items if w.label == label]  # type: ignore[attr-defined]
    assert len(found) == 1, f"{len(found)} widgets labelled {label!r}"
    return found[0]


def button(at: AppTest, label: str) -> object:
    found = [b for b in [*at.button, *at.get("form_submit_button")] if b.label == label]
    assert found, f"no button {label!r}: {[b.label for b in at.button]}"
    return found[0]


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def bible(demo: Project, open_page: OpenPage) -> AppTest:
    return open_page(BIBLE, project=demo.id)


def test_the_dashboard_links_to_the_bible(demo: Project, open_page: OpenPage) -> None:
    at = open_page(DASHBOARD, project=demo.id)
    links = [p.proto for p in at.get("page_link") if p.proto.label == "Bible and style"]
    assert [link.query_string for link in links] == [f"project={demo.id}"]


def test_adding_an_entry_writes_it_to_project_json(
    bible: AppTest, demo: Project, store: Store
) -> None:
    widget(bible.text_input, "Name").input("Léa")  # type: ignore[attr-defined]
    widget(bible.text_area, "Description").input("a woman of 30, short black hair")  # type: ignore[attr-defined]
    button(bible, "Add").click()  # type: ignore[attr-defined]
    ok(bible.run())
    entry = store.read_project(demo.id).bible.characters[0]
    assert (entry.name, entry.description) == ("Léa", "a woman of 30, short black hair")
    assert any("@Léa" in as_read(e.label) for e in bible.expander)


def test_a_bad_name_is_refused_with_the_field_named(
    bible: AppTest, demo: Project, store: Store
) -> None:
    widget(bible.text_input, "Name").input("Léa@home")  # type: ignore[attr-defined]
    button(bible, "Add").click()  # type: ignore[attr-defined]
    ok(bible.run())
    assert any("name" in e.value for e in bible.error)
    assert store.read_project(demo.id).bible.characters == []


def test_rename_shows_the_preview_then_rewrites_the_mentions(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    add_entry(store, demo.id, "characters", "Léa", "a woman")
    shot = store.read_shots(demo.id, "002")[0]
    store.update_shot(demo.id, "002", shot.id, {"prompt": "@Léa on the quay"})
    at = open_page(BIBLE, project=demo.id)
    widget(at.text_input, "Rename to").input("Léa Martin")  # type: ignore[attr-defined]
    ok(at.run())
    button(at, "Preview rename").click()  # type: ignore[attr-defined]
    ok(at.run())
    table = at.dataframe[0].value
    assert list(table["After"]) == ["@[Léa Martin] on the quay"]
    assert store.read_shot(demo.id, "002", shot.id).prompt == "@Léa on the quay", "preview only"
    button(at, "Rename").click()  # type: ignore[attr-defined]
    ok(at.run())
    assert store.read_shot(demo.id, "002", shot.id).prompt == "@[Léa Martin] on the quay"
    assert store.read_project(demo.id).bible.characters[0].name == "Léa Martin"


def test_deleting_a_mentioned_entry_says_where_and_asks_again(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    add_entry(store, demo.id, "places", "Quay", "a stone quay")
    shot = store.read_shots(demo.id, "001")[0]
    store.update_shot(demo.id, "001", shot.id, {"prompt": "dawn at the @Quay"})
    at = open_page(BIBLE, project=demo.id)
    button(at, "Delete").click()  # type: ignore[attr-defined]
    ok(at.run())
    assert any("mentioned in 1 text" in w.value for w in at.warning)
    assert list(at.dataframe[0].value["Field"]) == ["prompt"]
    assert store.read_project(demo.id).bible.places, "not deleted yet"
    button(at, "Delete anyway").click()  # type: ignore[attr-defined]
    ok(at.run())
    assert store.read_project(demo.id).bible.places == []


def test_the_project_style_is_saved_and_empty_fields_inherit(
    bible: AppTest, demo: Project, store: Store
) -> None:
    bible.text_input(key="style:-:0:prompt_suffix").input("35mm film, grain")
    bible.number_input(key="style:-:0:steps").set_value(28)
    button(bible, "Save style").click()  # type: ignore[attr-defined]
    ok(bible.run())
    style = store.read_project(demo.id).style
    assert style.prompt_suffix == "35mm film, grain"
    assert style.settings.steps == 28 and style.settings.cfg_scale is None


def test_find_and_replace_previews_then_writes(bible: AppTest, demo: Project, store: Store) -> None:
    shot = store.read_shots(demo.id, "001")[0]
    store.update_shot(demo.id, "001", shot.id, {"notes": "zeppelin at dawn"})
    bible.text_input(key="bible_find").input("zeppelin")
    bible.text_input(key="bible_replace_with").input("airship")
    ok(bible.run())
    bible.button(key="bible_replace_preview").click()
    ok(bible.run())
    assert list(bible.dataframe[-1].value["After"]) == ["airship at dawn"]
    assert store.read_shot(demo.id, "001", shot.id).notes == "zeppelin at dawn"
    bible.button(key="bible_replace_go").click()
    ok(bible.run())
    assert store.read_shot(demo.id, "001", shot.id).notes == "airship at dawn"


def test_hostile_names_stay_text(demo: Project, store: Store, open_page: OpenPage) -> None:
    add_entry(store, demo.id, "props", "**Bold** :red:x", "<b>hi</b>")
    at = open_page(BIBLE, project=demo.id)
    labels = [e.label for e in at.expander]
    assert any(as_read(label) == "@[**Bold** :red:x]: <b>hi</b>" for label in labels), labels
    assert not any("**Bold**" in label or "<b>" in label for label in labels)


# -- the shot editor -----------------------------------------------------------------------------------


def editor_key(project: str, seq: str, shot: str, name: str, round_: int = 0) -> str:
    return f"shot:{project}/{seq}/{shot}:{round_}:{name}"


@pytest.fixture
def shot(demo: Project, store: Store) -> Shot:
    add_entry(store, demo.id, "characters", "Léa", "a woman in a red coat")
    update_style(store, demo.id, None, {"prompt_suffix": "film grain", "settings": {"steps": 31}})
    return store.read_shots(demo.id, "001")[0]


def test_the_editor_shows_the_expanded_prompt_live_from_the_draft(
    demo: Project, shot: Shot, open_page: OpenPage, store: Store
) -> None:
    at = open_page(SHOT, project=demo.id, seq="001", shot=shot.id)
    at.text_area(key=editor_key(demo.id, "001", shot.id, "prompt")).input("@Léa waits").run()
    ok(at)
    assert "a woman in a red coat waits, film grain" in [c.value for c in at.code]
    assert store.read_shot(demo.id, "001", shot.id).prompt == shot.prompt, "only a draft"
    at.text_area(key=editor_key(demo.id, "001", shot.id, "prompt")).input("@Léa and @Bob").run()
    ok(at)
    assert any("@Bob is not in the bible" in as_read(w.value) for w in at.warning)


def test_the_editor_says_where_each_setting_comes_from_and_claims_changed_ones(
    demo: Project, shot: Shot, open_page: OpenPage, store: Store
) -> None:
    store.update_shot(demo.id, "001", shot.id, {"own_settings": [], "generation": {"steps": 20}})
    at = open_page(SHOT, project=demo.id, seq="001", shot=shot.id)
    captions = [c.value for c in at.caption]
    assert "↳ renders with 31, from the project style" in [c.replace("\\", "") for c in captions]
    at.number_input(key=editor_key(demo.id, "001", shot.id, "generation.steps")).set_value(12)
    ok(at.run())
    assert at.multiselect(key=editor_key(demo.id, "001", shot.id, "own_settings")).value == [
        "steps"
    ]
    at.button(key="shot_save").click()
    ok(at.run())
    saved = store.read_shot(demo.id, "001", shot.id)
    assert saved.own_settings == ["steps"] and saved.generation.steps == 12


def test_the_editor_gives_the_shot_its_own_reference_image(
    demo: Project, shot: Shot, open_page: OpenPage, store: Store
) -> None:
    at = open_page(SHOT, project=demo.id, seq="001", shot=shot.id)
    data = png_bytes(color=(5, 6, 7))
    at.file_uploader(key=f"reference:{shot.id}:0").set_value(("face.png", data, "image/png"))
    ok(at.run())
    saved = store.read_shot(demo.id, "001", shot.id)
    assert saved.reference is not None
    assert (store.project_dir(demo.id) / saved.reference).read_bytes() == data
    assert [t.value for t in at.toast] == [md("face.png is the shot's reference image")]
    at.file_uploader(key=f"reference:{shot.id}:1").set_value(("x.png", b"GIF89a", "image/png"))
    ok(at.run())
    assert md("x.png: not an image (PNG, JPEG or WebP expected)") in [e.value for e in at.error]
    at.button(key=f"reference_remove:{shot.id}").click()
    ok(at.run())
    assert store.read_shot(demo.id, "001", shot.id).reference is None


def test_a_sequence_overrides_the_style_with_a_seed_lock(
    bible: AppTest, demo: Project, store: Store
) -> None:
    bible.selectbox(key="bible_seq").select("002")
    ok(bible.run())
    bible.text_input(key="style:002:0:seed").input("not a seed")
    button_in_form = [b for b in bible.get("form_submit_button") if b.label == "Save style"]
    button_in_form[-1].click()  # type: ignore[attr-defined]
    ok(bible.run())
    assert any("settings.seed" in as_read(e.value) for e in bible.error)
    assert store.read_sequence(demo.id, "002").style.settings.seed is None
    bible.text_input(key="style:002:0:seed").input("4242")
    button_in_form = [b for b in bible.get("form_submit_button") if b.label == "Save style"]
    button_in_form[-1].click()  # type: ignore[attr-defined]
    ok(bible.run())
    assert store.read_sequence(demo.id, "002").style.settings.seed == 4242
    assert store.read_project(demo.id).style.settings.seed is None
