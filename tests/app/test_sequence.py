"""Sequence page: the grid writes only the shots that changed; arranging shots; CSV; bad links."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from storyboard_core import Project, Store
from tests.hostile import as_read
from ui.frame.registry import SEQUENCE

from .conftest import OpenPage, storyboard_view


def grid_edit(at: AppTest, edited_rows: dict[int, dict[str, Any]]) -> None:
    """Type into grid cells the way the browser reports it, and rerun."""
    (grid,) = at.data_editor
    at.session_state[grid.key] = {"edited_rows": edited_rows, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def choose(at: AppTest, shot_id: str) -> None:
    at.selectbox(key="seq_selected_shot").set_value(shot_id).run()


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def ids(store: Store, project: str, seq: str | None = "001") -> list[str]:
    return [s.id for s in store.read_shots(project, seq)]


def test_grid_shows_the_shots_of_the_sequence(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    at = open_page(SEQUENCE, project=demo.id, seq="001")
    seq = store.read_sequence(demo.id, "001")
    (grid,) = at.data_editor
    assert list(grid.value.index) == [s.id for s in seq.shots]
    assert list(grid.value["title"]) == [s.title for s in seq.shots]
    assert list(grid.value["prompt"]) == [s.prompt for s in seq.shots]
    assert seq.name in [as_read(t.value) for t in at.title]
    assert at.button(key="grid_save").disabled  # nothing to save yet
    assert not at.image and not [m for m in at.markdown if "aspect-ratio" in m.value]  # no cards
    # Every shot's card links to the shot editor.
    storyboard_view(at)
    links = {as_read(link.value): link.proto for link in at.page_link}
    for shot in seq.shots:
        assert links[shot.title].page == "shot"
        assert links[shot.title].query_string == f"project={demo.id}&seq=001&shot={shot.id}"


def test_grid_save_writes_only_the_changed_shots(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    before = store.read_sequence(demo.id, "001")
    at = open_page(SEQUENCE, project=demo.id, seq="001")
    grid_edit(
        at,
        {
            0: {"title": "The bay, at night", "status": "review"},
            2: {"prompt": "Léa behind rain-streaked glass", "duration": 6.5},
        },
    )
    assert any("2 shot(s) changed" in as_read(c.value) for c in at.caption)
    click(at, "grid_save")

    after = store.read_sequence(demo.id, "001")
    assert after.revision == before.revision + 1
    first, middle, last = after.shots
    assert (first.title, first.status) == ("The bay, at night", "review")
    assert (last.prompt, last.duration) == ("Léa behind rain-streaked glass", 6.5)
    assert first.prompt == before.shots[0].prompt
    # The untouched shot is byte-for-byte what it was, stamp included.
    assert middle == before.shots[1]
    assert first.updated_at > before.shots[0].updated_at
    # After the save the grid shows the file, with nothing pending.
    (grid,) = at.data_editor
    assert list(grid.value["title"]) == [s.title for s in after.shots]
    assert at.button(key="grid_save").disabled
    assert "Saved 2 shot(s)" in [as_read(t.value) for t in at.toast]


def test_grid_refuses_an_invalid_cell_and_writes_nothing(
    demo: Project, open_page: OpenPage, snapshot: Callable[[], dict[str, bytes]]
) -> None:
    at = open_page(SEQUENCE, project=demo.id, seq="001")
    files = snapshot()
    grid_edit(at, {1: {"duration": None}})
    click(at, "grid_save")

    assert any("Nothing was saved" in e.value and "duration" in as_read(e.value) for e in at.error)
    assert snapshot() == files


def test_grid_refuses_to_save_over_a_change_made_elsewhere(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    at = open_page(SEQUENCE, project=demo.id, seq="001")
    shot = store.read_shots(demo.id, "001")[0]
    grid_edit(at, {0: {"title": "Mine"}})
    store.update_shot(demo.id, "001", shot.id, {"prompt": "theirs"})
    click(at, "grid_save")

    assert any("changed elsewhere" in as_read(e.value) for e in at.error)
    on_disk = store.read_shot(demo.id, "001", shot.id)
    assert (on_disk.title, on_disk.prompt) == (shot.title, "theirs")


def test_add_duplicate_and_move_shots(demo: Project, store: Store, open_page: OpenPage) -> None:
    at = open_page(SEQUENCE, project=demo.id, seq="001")
    a, b, c = ids(store, demo.id)

    choose(at, a)
    click(at, "add_shot")
    added = ids(store, demo.id)
    assert len(added) == 4 and added[0] == a and added[2:] == [b, c]
    new = added[1]

    choose(at, b)
    click(at, "dup_shot")
    shots = store.read_shots(demo.id, "001")
    assert [s.id for s in shots][:3] == [a, new, b] and shots[4].id == c
    assert shots[3].title == f"{shots[2].title} (copy)"
    copy = shots[3].id

    choose(at, c)
    click(at, "up_shot")
    assert ids(store, demo.id) == [a, new, b, c, copy]
    choose(at, a)
    click(at, "down_shot")
    assert ids(store, demo.id) == [new, a, b, c, copy]
    assert [s.position for s in store.read_shots(demo.id, "001")] == [1, 2, 3, 4, 5]
    # The first shot cannot move up, the last cannot move down.
    choose(at, new)
    assert at.button(key="up_shot").disabled
    choose(at, copy)
    assert at.button(key="down_shot").disabled


def test_delete_asks_for_confirmation(
    demo: Project, store: Store, open_page: OpenPage, snapshot: Callable[[], dict[str, bytes]]
) -> None:
    at = open_page(SEQUENCE, project=demo.id, seq="001")
    a, b, c = ids(store, demo.id)
    choose(at, b)
    files = snapshot()
    click(at, "del_shot")
    assert any("Delete shot #2" in as_read(w.value) for w in at.warning)
    assert snapshot() == files

    click(at, "cancel_delete")
    assert not at.warning
    assert ids(store, demo.id) == [a, b, c]

    click(at, "del_shot")
    click(at, "confirm_delete")
    assert ids(store, demo.id) == [a, c]
    assert [s.position for s in store.read_shots(demo.id, "001")] == [1, 2]
    assert not at.warning


def test_export_csv_holds_the_shot_list(
    demo: Project, store: Store, open_page: OpenPage, media: Callable[[str], bytes]
) -> None:
    at = open_page(SEQUENCE, project=demo.id, seq="002")
    (button,) = [b for b in at.download_button if b.label == "Export CSV"]
    table = pd.read_csv(
        io.BytesIO(media(button.proto.url)),
        keep_default_na=False,
        encoding="utf-8-sig",
        dtype={"sequence": str},
    )
    assert set(table["sequence"]) == {"002"}
    shots = store.read_shots(demo.id, "002")
    assert list(table["id"]) == [s.id for s in shots]
    assert list(table["title"]) == [s.title for s in shots]
    assert list(table["prompt"]) == [s.prompt for s in shots]
    assert list(table["position"]) == list(range(1, len(shots) + 1))


def test_storyboard_shows_the_rendered_frame_or_a_placeholder(
    demo: Project, store: Store, workspace: Path, open_page: OpenPage
) -> None:
    first, second, *_ = store.read_shots(demo.id, "001")
    frame = workspace / demo.id / "renders" / "frame.png"
    frame.parent.mkdir()
    Image.new("RGB", (64, 36), "navy").save(frame)
    store.update_shot(demo.id, "001", first.id, {"render": {"image": "renders/frame.png"}})

    at = storyboard_view(open_page(SEQUENCE, project=demo.id, seq="001"))
    assert len(at.image) == 1  # the frame of the first shot
    placeholders = [as_read(m.value) for m in at.markdown if "aspect-ratio" in m.value]
    assert len(placeholders) == 2
    assert second.title in placeholders[0]


def test_a_damaged_frame_is_said_and_the_rest_of_the_storyboard_shows(
    demo: Project, store: Store, workspace: Path, open_page: OpenPage
) -> None:
    first, second, *_ = store.read_shots(demo.id, "001")
    folder = workspace / demo.id / "renders"
    folder.mkdir()
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    Image.new("RGB", (64, 36), "navy").save(folder / "good.png")
    store.update_shot(demo.id, "001", first.id, {"render": {"image": "renders/broken.png"}})
    store.update_shot(demo.id, "001", second.id, {"render": {"image": "renders/good.png"}})

    at = storyboard_view(open_page(SEQUENCE, project=demo.id, seq="001"))
    assert len(at.image) == 1  # the good frame still shows
    assert [as_read(w.value) for w in at.warning] == [
        "broken.png cannot be shown: the file is damaged or not an image."
    ]


def test_previous_and_next_sequence_links(demo: Project, open_page: OpenPage) -> None:
    at = open_page(SEQUENCE, project=demo.id, seq="002")
    links = {link.value: link.proto.query_string for link in at.page_link}
    assert links["Previous sequence"] == f"project={demo.id}&seq=001"
    assert links["Next sequence"] == f"project={demo.id}&seq=003"
    at = open_page(SEQUENCE, project=demo.id, seq="001")
    assert "Previous sequence" not in [as_read(link.value) for link in at.page_link]


def test_broken_sequence_is_shown_with_its_reason_and_not_editable(
    demo: Project, workspace: Path, open_page: OpenPage
) -> None:
    (workspace / demo.id / "sequences" / "sequence_002.json").write_text("{not json")
    at = open_page(SEQUENCE, project=demo.id, seq="002")

    assert any("sequence_002.json" in as_read(e.value) for e in at.error), [
        as_read(e.value) for e in at.error
    ]
    assert [as_read(link.value) for link in at.page_link] == ["Back to the project"]
    assert not at.data_editor
    assert not at.main.button
    assert (workspace / demo.id / "sequences" / "sequence_002.json").read_text() == "{not json"


@pytest.mark.parametrize("seq", ["999", "abc", "../001"])
def test_unknown_sequence_gives_a_message_and_a_way_back(
    demo: Project, open_page: OpenPage, seq: str
) -> None:
    at = open_page(SEQUENCE, project=demo.id, seq=seq)
    assert at.error
    (link,) = at.page_link
    assert (link.value, link.proto.query_string) == ("Back to the project", f"project={demo.id}")
    assert not at.data_editor


def test_sequence_of_an_unknown_project_leads_back_to_the_dashboard(open_page: OpenPage) -> None:
    at = open_page(SEQUENCE, project="nope", seq="001")
    assert any("nope" in as_read(e.value) for e in at.error)
    assert not at.data_editor
    (link,) = at.page_link
    assert (link.value, link.proto.query_string) == ("Back to the dashboard", "")


def test_loose_shots_are_edited_in_project_json(
    demo: Project, store: Store, workspace: Path, open_page: OpenPage
) -> None:
    at = open_page(SEQUENCE, project=demo.id, seq="-")
    assert "Shots outside any sequence" in [as_read(t.value) for t in at.title]
    (loose,) = store.read_shots(demo.id, None)
    (grid,) = at.data_editor
    assert list(grid.value.index) == [loose.id]
    sequences = {p: p.read_bytes() for p in (workspace / demo.id / "sequences").glob("*.json")}

    grid_edit(at, {0: {"title": "The boat returns at dawn"}})
    click(at, "grid_save")

    assert store.read_shot(demo.id, None, loose.id).title == "The boat returns at dawn"
    assert {p: p.read_bytes() for p in sequences} == sequences
    # Loose shots have no neighbours: no previous/next sequence.
    assert not {"Previous sequence", "Next sequence"} & {
        as_read(link.value) for link in at.page_link
    }
