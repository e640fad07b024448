"""The present page in a real browser: Play keeps time, keys move, the URL follows, nothing leaves.

One server per module on a project of three short sequences: 001 has three shots of 0.6, 0.9 and
1.2 s, 002 three of 1 s, 003 one of 0.4 s. Times are measured in the page with ``performance.now()``
from the player's own ``data-index``/``data-playing`` changes, not from the test's clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Locator, Page, Request, expect

from storyboard_core import Slide, Store, export_file, player_document

from .conftest import Server, ServerFactory, click_and_wait, open_page, serve, wait_for_app

pytestmark = pytest.mark.browser

DURATIONS = {"001": [0.6, 0.9, 1.2], "002": [1.0, 1.0, 1.0], "003": [0.4]}
PROJECT = "animatic"
TOLERANCE_MS = 200


def make_project(store: Store) -> None:
    """Three sequences of short shots, each titled after its place (``001/2``)."""
    project = store.create_project(
        "Animatic", format_id="custom", sequences=3, seconds_per_sequence=3, shots_per_sequence=1
    )
    for seq_id, durations in DURATIONS.items():
        for _ in durations[1:]:
            store.add_shot(project.id, seq_id)
        shots = store.read_shots(project.id, seq_id)
        store.update_shots(
            project.id,
            seq_id,
            {
                shot.id: {"duration": seconds, "title": f"{seq_id}/{n}", "prompt": f"prompt {n}"}
                for n, (shot, seconds) in enumerate(zip(shots, durations, strict=True), start=1)
            },
        )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One app for the module, on the three-sequence project."""
    with serve(tmp_path_factory.mktemp("present"), demo=False, prepare=make_project) as running:
        yield running


@pytest.fixture
def outside(page: Page) -> list[str]:
    """Every request the page makes to anywhere but this machine (must stay empty)."""
    leaks: list[str] = []

    def check(request: Request) -> None:
        if not request.url.startswith(("http://127.0.0.1:", "data:", "blob:", "file://")):
            leaks.append(request.url)

    page.on("request", check)
    return leaks


def shot_ids(server: Server, seq: str) -> list[str]:
    return [s.id for s in Store(server.workspace).read_shots(PROJECT, seq)]


def player(page: Page) -> Locator:
    """The player (inside the component's shadow root; Playwright's CSS locators pierce it)."""
    return page.locator(".sb-player")


def query(page: Page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def expect_url_shot(page: Page, seq: str, shot: str) -> None:
    """The address bar follows the player (after the run the player's report starts)."""
    page.wait_for_function(
        "([seq, shot]) => { const q = new URLSearchParams(location.search);"
        " return q.get('seq') === seq && q.get('shot') === shot; }",
        arg=[seq, shot],
        timeout=15_000,
    )


RECORD = """
() => {
  const player = [...document.querySelectorAll('[data-testid="stBidiComponentIsolated"]')]
    .map((host) => host.shadowRoot && host.shadowRoot.querySelector('.sb-player'))
    .find(Boolean);
  window.__sbLog = [];
  new MutationObserver(() => window.__sbLog.push({
    at: performance.now(), index: player.dataset.index, seq: player.dataset.seq,
    shot: player.dataset.shot, playing: player.dataset.playing,
  })).observe(player, { attributes: true, attributeFilter: ['data-index', 'data-playing'] });
}
"""


def changes(log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The log without repeats: one entry per change of shot or of playing."""
    out: list[dict[str, Any]] = []
    for entry in log:
        if not out or (entry["shot"], entry["playing"]) != (out[-1]["shot"], out[-1]["playing"]):
            out.append(entry)
    return out


def test_play_advances_by_each_duration_into_the_next_sequences(
    page: Page, server: Server, outside: list[str]
) -> None:
    first = {seq: shot_ids(server, seq) for seq in DURATIONS}
    open_page(page, server, "present", project=PROJECT, seq="001", shot=first["001"][0])
    expect(player(page)).to_have_attribute("data-index", "0")
    page.evaluate(RECORD)
    player(page).get_by_role("button", name="▶ Play").click()
    expect(player(page)).to_have_attribute("data-playing", "false", timeout=30_000)
    log = changes(page.evaluate("window.__sbLog"))

    started = log[0]
    assert started["playing"] == "true" and started["shot"] == first["001"][0], log
    shown = [(e["seq"], e["shot"]) for e in log[1:-1]]
    expected_order = [(seq, shot) for seq in DURATIONS for shot in first[seq]][1:]
    assert shown == expected_order, log
    # Each shot starts when the durations before it add up to, measured from Play.
    flat = [d for seq in DURATIONS for d in DURATIONS[seq]]
    for n, entry in enumerate(log[1:-1], start=1):
        due = sum(flat[:n]) * 1000
        assert abs(entry["at"] - started["at"] - due) < TOLERANCE_MS, (n, entry, log)
    # The 3-shot sequence takes the sum of its durations; the whole play, the sum of all of them.
    sequence_ms = log[3]["at"] - started["at"]
    assert abs(sequence_ms - sum(DURATIONS["001"]) * 1000) < TOLERANCE_MS, log
    total_ms = log[-1]["at"] - started["at"]
    assert log[-1]["playing"] == "false"
    assert abs(total_ms - sum(flat) * 1000) < TOLERANCE_MS, log
    expect_url_shot(page, "003", first["003"][0])
    assert not outside


def test_keys_move_the_player_and_the_url_follows_to_a_reload(
    page: Page, server: Server, outside: list[str]
) -> None:
    one, two = shot_ids(server, "001"), shot_ids(server, "002")
    open_page(page, server, "present", project=PROJECT, seq="001", shot=one[0])
    view = player(page)
    expect(view).to_have_attribute("data-shot", one[0])
    expect(view.locator(".sb-title")).to_have_text("001/1")
    view.evaluate("node => { node.__first = true; }")

    page.keyboard.press("ArrowRight")
    expect(view).to_have_attribute("data-shot", one[1])
    expect(view.locator(".sb-title")).to_have_text("001/2")
    expect_url_shot(page, "001", one[1])
    wait_for_app(page)
    # The run that put the shot in the URL left the player alone: the same element, not a new one.
    assert view.evaluate("node => node.__first === true")

    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # from the end of 001 on into 002
    expect(view).to_have_attribute("data-shot", two[0])
    expect_url_shot(page, "002", two[0])
    wait_for_app(page)
    expect(view.locator(".sb-thumb")).to_have_count(7)  # now 001 to 003 (3 + 3 + 1 shots)
    assert view.evaluate("node => node.__first === true")  # updated in place, not mounted again
    page.keyboard.press("ArrowLeft")
    expect(view).to_have_attribute("data-shot", one[2])
    expect_url_shot(page, "001", one[2])

    page.keyboard.press(" ")
    expect(view).to_have_attribute("data-playing", "true")
    page.keyboard.press(" ")
    expect(view).to_have_attribute("data-playing", "false")
    shown = view.get_attribute("data-shot")
    assert shown is not None
    seq = view.get_attribute("data-seq")
    assert seq is not None
    expect_url_shot(page, seq, shown)

    page.reload()
    wait_for_app(page)
    expect(player(page)).to_have_attribute("data-shot", shown)
    assert query(page) == {"project": PROJECT, "seq": seq, "shot": shown}
    assert not outside


def test_the_strip_jumps_and_the_prompt_toggles(page: Page, server: Server) -> None:
    one = shot_ids(server, "001")
    open_page(page, server, "present", project=PROJECT, seq="001", shot=one[0])
    view = player(page)
    view.locator(f'.sb-thumb[data-index="{2}"]').click()
    expect(view).to_have_attribute("data-shot", one[2])
    expect(view.locator(".sb-text")).to_be_hidden()
    view.get_by_role("button", name="Prompt & notes").click()
    expect(view.locator(".sb-text")).to_be_visible()
    expect(view.locator(".sb-text")).to_contain_text("prompt 3")
    expect_url_shot(page, "001", one[2])


def test_the_back_button_takes_the_player_back(page: Page, server: Server) -> None:
    one = shot_ids(server, "001")
    open_page(page, server, "present", project=PROJECT, seq="001", shot=one[0])
    player(page).get_by_role("button", name="Next ▶").click()
    expect_url_shot(page, "001", one[1])
    page.go_back()
    expect(player(page)).to_have_attribute("data-shot", one[0])
    expect_url_shot(page, "001", one[0])
    player(page).get_by_role("button", name="Next ▶").click()  # the same move again is reported
    expect(player(page)).to_have_attribute("data-shot", one[1])
    expect_url_shot(page, "001", one[1])


def test_present_links_open_the_player_on_their_shot(
    page: Page, server_factory: ServerFactory
) -> None:
    server = server_factory(prepare=make_project)
    one = shot_ids(server, "001")
    open_page(page, server, "shot", project=PROJECT, seq="001", shot=one[1])
    click_and_wait(page, page.locator('[data-testid="stMain"]').get_by_role("link", name="Present"))
    expect(player(page)).to_have_attribute("data-shot", one[1])
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_have_attribute("data-collapsed", "true")

    # Leaving the page takes the player and its keys away.
    click_and_wait(
        page, page.locator('[data-testid="stMain"]').get_by_role("link", name="Edit this shot")
    )
    page.evaluate(
        "window.__placed = 0; document.addEventListener('sb-place', () => window.__placed++)"
    )
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(500)
    assert page.evaluate("window.__placed") == 0
    expect(player(page)).to_have_count(0)
    expect(sidebar).to_have_attribute("data-collapsed", "false")


def test_the_player_document_works_from_a_file(
    page: Page, server: Server, tmp_path: Path, outside: list[str]
) -> None:
    # The hand-out export writes the same player (`storyboard export … --format html`).
    document = export_file(Store(server.workspace), PROJECT, "html", tmp_path / "animatic.html")
    page.goto(document.as_uri())
    view = player(page)
    expect(view).to_have_attribute("data-index", "0")
    expect(view.locator(".sb-title")).to_have_text("001/1")
    page.keyboard.press("ArrowRight")
    expect(view).to_have_attribute("data-index", "1")
    page.keyboard.press("Space")  # Play, by the shots' durations
    expect(view).to_have_attribute("data-playing", "true")
    expect(view).to_have_attribute("data-index", "2", timeout=5_000)
    page.keyboard.press("Space")
    expect(view).to_have_attribute("data-playing", "false")
    page.keyboard.press("End")
    expect(view.locator(".sb-title")).to_have_text("003/1")
    assert not outside


HOSTILE = '<img src=x onerror="window.__owned=1"></script><b>bold</b> **md** & {{x}}'


def test_hostile_text_is_shown_as_text(page: Page, tmp_path: Path) -> None:
    slide = Slide(
        seq="001",
        seq_name=HOSTILE,
        shot="shot-1",
        number=1,
        title=HOSTILE,
        duration=1,
        prompt=HOSTILE,
        notes=HOSTILE,
    )
    document = tmp_path / "hostile.html"
    document.write_text(player_document([slide], title=HOSTILE), encoding="utf-8")
    page.goto(document.as_uri())
    view = player(page)
    expect(view.locator(".sb-title")).to_have_text(HOSTILE)
    expect(view.locator(".sb-card-prompt")).to_have_text(HOSTILE)
    view.get_by_role("button", name="Prompt & notes").click()
    expect(view.locator(".sb-text-body").last).to_have_text(HOSTILE)
    assert page.locator("img[src=x], b").count() == 0
    assert page.evaluate("window.__owned") is None
    expect(page).to_have_title(HOSTILE)
