"""The app's sound parts: dialogue and speaker saved with the shot, a camera move applied from a
preset or taken off, a shot's sound removed, soundtracks moved and removed on the sequence page,
and the waveform drawn under the storyboard with a mark at each cut."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from storyboard_core import Project, Store
from storyboard_core.audio import add_soundtrack, set_shot_sound
from storyboard_core.timeline.camera import preset
from tests.core.audio.tones import write_tone
from tests.hostile import as_read
from ui.frame.registry import SEQUENCE, SHOT

from .conftest import OpenPage, click, run, storyboard_view


@pytest.fixture
def tone(tmp_path: Path) -> Path:
    return write_tone(tmp_path / "Theme.wav", seconds=2.0)


def _key(at: AppTest, name: str) -> str:
    q = at.query_params
    return f"shot:{q['project']}/{q['seq']}/{q['shot']}:0:{name}"


def test_dialogue_and_speaker_are_saved_with_the_shot(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    shot = store.read_shots(demo.id, "001")[0]
    at = open_page(SHOT, project=demo.id, seq="001", shot=shot.id)
    at.text_area(key=_key(at, "dialogue")).input("Not yet.\nWait.").run()
    at.text_input(key=_key(at, "speaker")).input("Léa").run()
    click(at, "shot_save")
    saved = store.read_shot(demo.id, "001", shot.id)
    assert (saved.dialogue, saved.speaker) == ("Not yet.\nWait.", "Léa")


def test_a_preset_camera_move_is_applied_and_taken_off(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    shot = store.read_shots(demo.id, "001")[0]
    at = open_page(SHOT, project=demo.id, seq="001", shot=shot.id)
    choice = next(s for s in at.selectbox if s.label == "Preset")
    choice.set_value("push-in").run()
    apply = next(b for b in at.button if b.label == "Apply the move")
    apply.click()
    run(at)
    assert store.read_shot(demo.id, "001", shot.id).camera_move == preset("push-in")
    assert "Camera move saved" in [as_read(t.value) for t in at.toast]

    choice = next(s for s in at.selectbox if s.label == "Preset")
    assert choice.value == "custom"  # a saved move is shown as its framings
    choice.set_value("still").run()
    next(b for b in at.button if b.label == "Apply the move").click()
    run(at)
    assert store.read_shot(demo.id, "001", shot.id).camera_move is None


def test_a_shot_sound_is_shown_and_removed(
    demo: Project, store: Store, open_page: OpenPage, tone: Path
) -> None:
    shot = store.read_shots(demo.id, "001")[0]
    set_shot_sound(store, demo.id, "001", shot.id, tone, start=0.5)
    at = open_page(SHOT, project=demo.id, seq="001", shot=shot.id)
    assert any("audio/Theme.wav" in as_read(m.value) for m in at.markdown)
    click(at, f"shot_sound_remove:{shot.id}")
    assert store.read_shot(demo.id, "001", shot.id).sound is None


def test_soundtracks_are_moved_and_removed_and_the_waveform_shows_the_cuts(
    demo: Project, store: Store, open_page: OpenPage, tone: Path
) -> None:
    at = storyboard_view(open_page(SEQUENCE, project=demo.id, seq="001"))
    assert not [h for h in at.get("html") if "waveform" in h.proto.body]  # silent: none

    add_soundtrack(store, demo.id, tone)
    add_soundtrack(store, demo.id, tone, seq_id="001", start=1.0)
    run(at)
    svg = next(h.proto.body for h in at.get("html") if 'data-testid="waveform"' in h.proto.body)
    shots = store.read_shots(demo.id, "001")
    assert svg.count("<line ") == len(shots) and "#1</text>" in svg

    start = at.number_input(key="soundtrack:001:0:audio/Theme-2.wav:start")
    start.set_value(2.5).run()
    assert store.read_sequence(demo.id, "001").soundtracks[0].start == 2.5
    click(at, "soundtrack:project:0:audio/Theme.wav:remove")
    assert store.read_project(demo.id).soundtracks == []


def test_a_soundtrack_past_the_end_is_refused_naming_the_field(
    demo: Project, store: Store, open_page: OpenPage, tone: Path
) -> None:
    add_soundtrack(store, demo.id, tone, seq_id="001")
    at = storyboard_view(open_page(SEQUENCE, project=demo.id, seq="001"))
    key = next(n.key for n in at.number_input if n.key and n.key.endswith(":start"))
    at.number_input(key=key).set_value(9999.0).run()
    assert any("soundtracks[0].start" in as_read(e.value) for e in at.error)
    assert store.read_sequence(demo.id, "001").soundtracks[0].start == 0.0
