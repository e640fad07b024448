"""The present page through ``app.py``: what the player is given, bad links, the Present links.

The player itself runs in the browser (``tests/e2e/test_present.py``); here the data handed to it is
read from the component's message, and every wrong link must say what is wrong and lead back.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from storyboard_core import Project, Store
from tests.hostile import as_read
from ui.frame import services
from ui.frame.registry import DASHBOARD, PRESENT, SEQUENCE, SHOT
from ui.frame.text import md

from .conftest import OpenPage


def player_data(at: AppTest) -> dict[str, Any]:
    """The data the page gave the player (the component's JSON)."""
    (player,) = at.get("bidi_component")
    data: dict[str, Any] = json.loads(player.proto.json)
    return data


def links(at: AppTest) -> dict[str, str]:
    """Each page link's label and query string."""
    return {as_read(link.value): link.proto.query_string for link in at.page_link}


def test_the_player_holds_the_sequence_and_its_neighbours(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    shots = store.read_shots(demo.id, "002")
    at = open_page(PRESENT, project=demo.id, seq="002", shot=shots[1].id)
    data = player_data(at)
    expected = [
        (seq, shot.id) for seq in ("001", "002", "003") for shot in store.read_shots(demo.id, seq)
    ]
    assert [(s["seq"], s["shot"]) for s in data["slides"]] == expected
    assert data["start"] == shots[1].id
    assert data["more"] is False
    slide = next(s for s in data["slides"] if s["shot"] == shots[1].id)
    assert (slide["title"], slide["prompt"], slide["duration"]) == (
        shots[1].title,
        shots[1].prompt,
        shots[1].duration,
    )
    assert not at.error
    assert links(at)["Edit this shot"] == f"project={demo.id}&seq=002&shot={shots[1].id}"
    # No editor controls: the only widgets are the review thread's, folded under the player.
    widgets = [*at.button, *at.text_area, *at.text_input, *at.selectbox, *at.number_input]
    assert widgets and all(str(w.key).startswith("present:") for w in widgets), widgets


def test_a_link_without_shot_or_sequence_starts_at_the_beginning(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    first = store.read_shots(demo.id, "001")[0]
    data = player_data(open_page(PRESENT, project=demo.id))
    assert data["start"] == first.id
    assert data["slides"][0]["seq"] == "001"
    data = player_data(open_page(PRESENT, project=demo.id, seq="003"))
    assert data["start"] == store.read_shots(demo.id, "003")[0].id


def test_a_long_project_is_held_three_sequences_at_a_time(
    store: Store, open_page: OpenPage
) -> None:
    project = store.create_project(
        "Long", format_id="custom", sequences=6, seconds_per_sequence=10, shots_per_sequence=2
    )
    data = player_data(open_page(PRESENT, project=project.id, seq="004"))
    assert sorted({s["seq"] for s in data["slides"]}) == ["003", "004", "005"]
    assert data["more"] is True
    data = player_data(open_page(PRESENT, project=project.id, seq="006"))
    assert sorted({s["seq"] for s in data["slides"]}) == ["005", "006"]
    assert data["more"] is False


def test_loose_shots_are_presented_on_their_own(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    loose = store.read_shots(demo.id, None)
    data = player_data(open_page(PRESENT, project=demo.id, seq="-"))
    assert [(s["seq"], s["shot"]) for s in data["slides"]] == [("-", s.id) for s in loose]


def test_a_frame_is_served_by_url_and_a_missing_one_is_a_placeholder(
    demo: Project, store: Store, workspace: Path, open_page: OpenPage
) -> None:
    first, second = store.read_shots(demo.id, "001")[:2]
    frame = workspace / demo.id / "renders" / first.id / "frame.png"
    frame.parent.mkdir(parents=True)
    Image.new("RGB", (320, 180), "navy").save(frame)
    store.update_shot(
        demo.id, "001", first.id, {"render": {"image": f"renders/{first.id}/frame.png"}}
    )
    store.update_shot(demo.id, "001", second.id, {"render": {"image": "renders/none.png"}})
    slides = player_data(open_page(PRESENT, project=demo.id, seq="001"))["slides"]
    # The stage frame by URL (fetched when shown), the strip's thumbnail inlined.
    assert re.search(r"/media/\w+\.jpg$", slides[0]["image"])
    assert slides[0]["thumb"].startswith("data:image/jpeg;base64,")
    assert slides[1]["image"] == "" and "none.png" in slides[1]["missing"]


def test_a_frame_removed_after_its_slides_were_made_is_a_placeholder(
    demo: Project, store: Store, workspace: Path, open_page: OpenPage
) -> None:
    first = store.read_shots(demo.id, "001")[0]
    frame = workspace / demo.id / "renders" / first.id / "frame.png"
    frame.parent.mkdir(parents=True)
    Image.new("RGB", (320, 180), "navy").save(frame)
    store.update_shot(
        demo.id, "001", first.id, {"render": {"image": f"renders/{first.id}/frame.png"}}
    )
    at = open_page(PRESENT, project=demo.id, seq="001")
    assert re.search(r"/media/\w+\.jpg$", player_data(at)["slides"][0]["image"])
    frame.write_bytes(b"not an image")  # the slides are cached: the page still names the frame
    slide = player_data(at.run())["slides"][0]
    assert slide["image"] == "" and "frame.png" in slide["missing"]


def test_slides_are_built_once_per_version_of_the_file(
    demo: Project, store: Store, open_page: OpenPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str | None] = []
    original = services.sequence_slides

    def counting(store_: Store, project: str, seq_id: str | None, **how: Any) -> Any:
        built.append(seq_id)
        return original(store_, project, seq_id, **how)

    monkeypatch.setattr(services, "sequence_slides", counting)
    services._cached_slides.clear()
    at = open_page(PRESENT, project=demo.id, seq="001")
    assert sorted(built) == ["001", "002"]
    at.run()
    assert sorted(built) == ["001", "002"]  # a rerun reads the cache
    shot = store.read_shots(demo.id, "002")[0]
    store.update_shot(demo.id, "002", shot.id, {"title": "Renamed"})
    data = player_data(at.run())
    assert sorted(built) == ["001", "002", "002"]
    assert "Renamed" in [s["title"] for s in data["slides"]]


@pytest.mark.parametrize(
    ("params", "message", "back"),
    [
        ({}, "Choose a project to present", ("Back to the dashboard", "")),
        ({"project": "nowhere"}, "'nowhere' cannot be presented", ("Back to the dashboard", "")),
        ({"project": "../etc"}, "cannot be presented", ("Back to the dashboard", "")),
        ({"seq": "042"}, "Sequence '042' was not found", ("Back to the project", "project={p}")),
        ({"seq": "001", "shot": "shot-nope"}, "'shot-nope' is not in this sequence", None),
    ],
)
def test_a_bad_link_says_what_is_wrong_and_leads_back(
    demo: Project,
    open_page: OpenPage,
    params: dict[str, str],
    message: str,
    back: tuple[str, str] | None,
) -> None:
    full = {"project": demo.id, **params} if "seq" in params else params
    at = open_page(PRESENT, **full)
    assert message in as_read(at.error[0].value)
    assert not at.get("bidi_component")
    label, query = back or ("Back to the sequence", f"project={demo.id}&seq=001")
    assert links(at) == {label: query.format(p=demo.id)}


def test_a_broken_sequence_file_is_named_with_a_way_back(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    path = store.sequence_path(demo.id, "002")
    path.write_text('{"id": "002", "name": ', encoding="utf-8")
    at = open_page(PRESENT, project=demo.id, seq="001")  # 002 is left out of the window
    assert [s["seq"] for s in player_data(at)["slides"]][-1] == "003"
    at = open_page(PRESENT, project=demo.id, seq="002")
    assert "sequence_002.json" in as_read(at.error[0].value)
    assert links(at) == {"Back to the project": f"project={demo.id}"}


def test_an_empty_sequence_says_so(store: Store, open_page: OpenPage) -> None:
    project = store.create_project(
        "Empty", format_id="custom", sequences=1, seconds_per_sequence=10
    )
    store.delete_shot(project.id, "001", store.read_shots(project.id, "001")[0].id)
    at = open_page(PRESENT, project=project.id, seq="001")
    assert "no shots to present" in as_read(at.error[0].value)
    assert links(at) == {"Back to the sequence": f"project={project.id}&seq=001"}


def test_the_page_is_the_same_with_comfyui_offline(
    demo: Project,
    store: Store,
    refused_url: str,
    monkeypatch: pytest.MonkeyPatch,
    open_page: OpenPage,
) -> None:
    monkeypatch.setenv("STORYBOARD_COMFYUI_URL", refused_url)
    first = store.read_shots(demo.id, "001")[0]
    at = open_page(PRESENT, project=demo.id, seq="001", shot=first.id)
    assert not at.error and not at.warning
    assert player_data(at)["start"] == first.id


def test_markdown_in_the_project_name_is_shown_as_text(store: Store, open_page: OpenPage) -> None:
    project = store.create_project("**Bold** [x](https://e.invalid)", shots_per_sequence=1)
    at = open_page(PRESENT, project=project.id)
    back = next(link for link in at.page_link if "Bold" in link.value)
    assert back.value == md(project.name)
    assert "\\*\\*Bold\\*\\*" in back.value


def test_present_links_on_the_dashboard_sequence_and_shot_pages(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    shots = store.read_shots(demo.id, "002")
    assert links(open_page(DASHBOARD, project=demo.id))["Present"] == f"project={demo.id}&seq=001"
    at = open_page(SEQUENCE, project=demo.id, seq="002")
    assert links(at)["Present"] == f"project={demo.id}&seq=002&shot={shots[0].id}"
    at = open_page(SEQUENCE, project=demo.id, seq="002", shot=shots[2].id)
    assert links(at)["Present"] == f"project={demo.id}&seq=002&shot={shots[2].id}"
    at = open_page(SHOT, project=demo.id, seq="002", shot=shots[1].id)
    assert links(at)["Present"] == f"project={demo.id}&seq=002&shot={shots[1].id}"
    assert PRESENT.url_path == "present" and PRESENT.icon == "▶️"


def test_a_rerun_keeps_the_players_data_and_a_new_place_is_a_new_visit(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    first, second = store.read_shots(demo.id, "001")[:2]
    at = open_page(PRESENT, project=demo.id, seq="001", shot=first.id)
    before = player_data(at)
    assert player_data(at.run()) == before  # same data: the player is left as it is
    at.query_params["shot"] = second.id  # a place the player did not report (Back, a link)
    after = player_data(at.run())
    assert (after["start"], after["visit"]) == (second.id, before["visit"] + 1)


def test_a_review_runs_from_the_present_page(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    shot = store.read_shots(demo.id, "001")[1]
    at = open_page(PRESENT, project=demo.id, seq="001", shot=shot.id)
    at.text_input(key="present:author_name").input("Client").run()
    at.button(key="present:author_ok").click().run()
    at.text_area(key="present:text").input("the boat should be red").run()
    at.button(key="present:retake").click().run()
    assert not at.exception, [e.value for e in at.exception]
    saved = store.read_shot(demo.id, "001", shot.id)
    assert saved.status == "rejected"
    assert [(c.author, c.text, c.verdict) for c in saved.comments] == [
        ("Client", "the boat should be red", "retake")
    ]
    # The thread below the player shows it; the player still shows the same shot.
    assert any("the boat should be red" in as_read(m.value) for m in at.markdown)
    assert player_data(at)["slides"]
