"""The player's sound and timed slides: where each shot starts on the mix, its dialogue and camera
move, the mix inlined in the one-file player, and a missing file said, never fatal."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import av
import pytest

from storyboard_core.audio.placing import add_soundtrack
from storyboard_core.exports import export_bytes
from storyboard_core.exports.player_file import LARGE_PLAYER_BYTES, size_warning
from storyboard_core.models import Project
from storyboard_core.player.document import player_document, sequence_slides
from storyboard_core.player.sound import (
    player_audio,
    present_play,
    section_starts,
    sound_stamp,
)
from storyboard_core.store import Store
from storyboard_core.timeline.camera import player_camera, preset
from storyboard_core.timeline.running_order import read_running_order
from storyboard_core.types import LOOSE

from .tones import write_tone


def test_slides_carry_their_start_dialogue_and_camera_move(store: Store, small: Project) -> None:
    second = store.read_sequence(small.id, "002").shots[1]
    move = preset("push-in")
    store.update_shot(
        small.id,
        "002",
        second.id,
        {"dialogue": "Wait.\nNot yet.", "speaker": "Léa", "camera_move": move.model_dump()},
        base_updated_at=second.updated_at,
    )
    slides = sequence_slides(store, small.id, "002")
    assert [s.at for s in slides] == [0.0, 2.0]  # on the sequence's own timeline
    assert (slides[1].dialogue, slides[1].speaker) == ("Wait.\nNot yet.", "Léa")
    assert slides[1].camera == player_camera(move)
    assert slides[1].camera is not None and slides[1].camera["from"] == [0.0, 0.0, 1.0]
    assert slides[0].camera is None and slides[0].dialogue == ""


def test_present_mixes_the_whole_timeline_so_the_next_sequence_plays_on(
    store: Store, small: Project, tmp_path: Path
) -> None:
    assert present_play(store, small.id, "002") == ["001", "002"]
    assert present_play(store, small.id, LOOSE) == [LOOSE]
    order = read_running_order(store, small.id, ["001", "002"])
    assert section_starts(order) == {"001": 0.0, "002": 4.0}
    assert sound_stamp(store, small.id, order) is None  # no sound: no mix, no player sound
    assert player_audio(store, small.id, ["001", "002"]) is None

    add_soundtrack(store, small.id, write_tone(tmp_path / "Theme.wav", seconds=6.0))
    order = read_running_order(store, small.id, ["001", "002"])
    stamp = sound_stamp(store, small.id, order)
    assert stamp is not None and any(name == "audio/Theme.wav" for name, _, _ in stamp)
    made = player_audio(store, small.id, ["001", "002"])
    assert made is not None and made.missing == ()
    assert made.duration == pytest.approx(8.0)
    with av.open(io.BytesIO(made.data)) as decoded:
        assert decoded.streams.audio[0].codec_context.name == "opus"
    # Served by URL on the present page; inline in the one-file player.
    assert made.option("/media/x.webm") == {
        "src": "/media/x.webm",
        "duration": made.duration,
        "missing": [],
    }
    head, data = made.inline()["src"].split(",", 1)
    assert head == "data:audio/webm;base64"
    assert base64.b64decode(data) == made.data


def test_a_missing_sound_is_said_and_the_stamp_changes_when_it_comes_back(
    store: Store, small: Project, tmp_path: Path
) -> None:
    add_soundtrack(store, small.id, write_tone(tmp_path / "Theme.wav", seconds=2.0))
    kept = store.project_dir(small.id) / "audio/Theme.wav"
    data = kept.read_bytes()
    kept.unlink()
    order = read_running_order(store, small.id, ["001", "002"])
    gone = sound_stamp(store, small.id, order)
    made = player_audio(store, small.id, ["001", "002"])
    assert made is not None and made.missing
    assert "audio/Theme.wav is missing" in made.missing[0]
    kept.write_bytes(data)
    assert sound_stamp(store, small.id, order) != gone


def test_the_one_file_player_carries_the_mix_and_the_times(
    store: Store, small: Project, tmp_path: Path
) -> None:
    add_soundtrack(store, small.id, write_tone(tmp_path / "Theme.wav", seconds=3.0), start=4.5)
    html = export_bytes(store, small.id, "html", sequences=["002"]).decode()
    data = json.loads(
        re.search(r'id="storyboard-slides">(.*?)</script>', html, re.S).group(1)  # type: ignore[union-attr]
    )
    # The mix is the hand-out's own (002 alone, from 0 s); the project's soundtrack starts where
    # 002 sits on the project's timeline, 0.5 s into it.
    assert [s["at"] for s in data["slides"]] == [0.0, 2.0]
    assert data["audio"]["duration"] == pytest.approx(4.0)
    assert data["audio"]["src"].startswith("data:audio/webm;base64,")
    assert "media-src data:" in html


def test_a_player_without_sound_has_none() -> None:
    assert '"audio":null' in player_document([])


def test_a_one_file_player_over_50_mb_is_warned_about() -> None:
    assert size_warning(LARGE_PLAYER_BYTES) is None
    warning = size_warning(LARGE_PLAYER_BYTES + 1)
    assert warning is not None and "over 50 MB" in warning
