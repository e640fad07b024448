"""The fields of issue 19 in the model: sound, dialogue, speaker, camera move, soundtracks.

Absent from a file while unused (files written before keep their bytes), set through the store's
ordinary edits, and refused with pydantic's words naming the field when out of range.
"""

from __future__ import annotations

from typing import Any

import pytest

from storyboard_core.errors import InvalidDataError
from storyboard_core.files import dumps
from storyboard_core.models import (
    DIALOGUE_MAX_CHARS,
    CameraMove,
    Framing,
    Project,
    Sequence,
    Shot,
    Sound,
    to_json_dict,
)
from storyboard_core.store import Store
from storyboard_core.validation import validate

NEW_KEYS = {"sound", "dialogue", "speaker", "camera_move", "soundtracks"}


def test_files_that_do_not_use_them_keep_their_bytes(store: Store, project: Project) -> None:
    path = store.sequence_path(project.id, "001")
    raw = path.read_bytes()
    assert dumps(to_json_dict(Sequence.model_validate_json(raw))) == raw
    project_file = store.project_dir(project.id) / "project.json"
    raw = project_file.read_bytes()
    assert dumps(to_json_dict(Project.model_validate_json(raw))) == raw
    assert not NEW_KEYS & set(to_json_dict(Shot(id="s")))


def test_dialogue_speaker_and_a_move_are_set_and_cleared_by_an_edit(
    store: Store, project: Project
) -> None:
    shot_id = store.read_sequence(project.id, "001").shots[0].id
    move = {"start": {"zoom": 1}, "end": {"zoom": 1.5, "x": 0.4}, "easing": "ease-out"}
    saved = store.update_shot(
        project.id,
        "001",
        shot_id,
        {"dialogue": "Where were you?", "speaker": "Léa", "camera_move": move},
    )
    assert (saved.dialogue, saved.speaker) == ("Where were you?", "Léa")
    assert saved.camera_move == CameraMove(end=Framing(zoom=1.5, x=0.4), easing="ease-out")
    written = store.sequence_path(project.id, "001").read_text()
    assert '"dialogue": "Where were you?"' in written and '"camera_move"' in written
    cleared = store.update_shot(
        project.id, "001", shot_id, {"dialogue": "", "speaker": "", "camera_move": None}
    )
    assert (cleared.dialogue, cleared.camera_move) == ("", None)
    assert not NEW_KEYS & set(store.sequence_path(project.id, "001").read_text().split('"'))


@pytest.mark.parametrize(
    ("patch", "field", "words"),
    [
        ({"camera_move": {"start": {"zoom": 0.5}}}, "camera_move.start.zoom", "from 1 to 8.0"),
        ({"camera_move": {"end": {"x": 1.5}}}, "camera_move.end.x", "from 0 to 1"),
        ({"camera_move": {"easing": "bounce"}}, "camera_move.easing", "'bounce' is not allowed"),
        ({"dialogue": "x" * (DIALOGUE_MAX_CHARS + 1)}, "dialogue", "at most 2000 characters"),
        (
            {"sound": {"file": "audio/a.wav", "duration": 1, "gain_db": 30}},
            "sound.gain_db",
            "from -60 to 24",
        ),
        (
            {"sound": {"file": "audio/a.wav", "duration": 1, "start": -1}},
            "sound.start",
            "from 0 to 86400",
        ),
        ({"sound": {"file": "../a.wav", "duration": 1}}, "sound.file", "a path inside the project"),
        (
            {"sound": {"file": "/etc/a.wav", "duration": 1}},
            "sound.file",
            "a path inside the project",
        ),
        ({"sound": {"file": "audio/a.wav"}}, "sound.duration", "is required"),
    ],
)
def test_out_of_range_values_are_refused_naming_the_field(
    store: Store, project: Project, patch: dict[str, Any], field: str, words: str
) -> None:
    shot_id = store.read_sequence(project.id, "001").shots[0].id
    before = store.sequence_path(project.id, "001").read_bytes()
    with pytest.raises(InvalidDataError) as caught:
        store.update_shot(project.id, "001", shot_id, patch)
    problems = caught.value.by_field()
    assert list(problems) == [field]
    assert words in problems[field]
    assert store.sequence_path(project.id, "001").read_bytes() == before


def test_a_sound_is_a_path_inside_the_project() -> None:
    assert validate(Sound, {"file": "audio/sub/a.wav", "duration": 2}).file == "audio/sub/a.wav"
    for bad in ("", "audio//a.wav", "audio\\a.wav", "a\x00.wav", "audio/../../x"):
        with pytest.raises(InvalidDataError, match="file"):
            validate(Sound, {"file": bad, "duration": 2})
