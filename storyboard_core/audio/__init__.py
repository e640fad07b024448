"""Sound: files checked by decoding and kept in ``<project>/audio/`` (``decode``, ``folder``), placed
as soundtracks or a shot's sound (``placing``), mixed along a running order (``mix``) and encoded
for the MP4 and the player (``encode``)."""

from .decode import MAX_AUDIO_BYTES, MIX_RATE, AudioInfo, check_audio, decode_stereo
from .encode import MIX_MIME, MixTrack, mix_file
from .folder import AUDIO_DIR, ImportedSound, import_sound
from .mix import Mix, Placement, mix, peaks, placements, read_mix
from .placing import (
    SoundUse,
    add_soundtrack,
    clear_shot_sound,
    missing_sounds,
    project_duration,
    remove_soundtrack,
    set_shot_sound,
    sound_uses,
    update_soundtrack,
)

__all__ = [
    "AUDIO_DIR",
    "MAX_AUDIO_BYTES",
    "MIX_MIME",
    "MIX_RATE",
    "AudioInfo",
    "ImportedSound",
    "Mix",
    "MixTrack",
    "Placement",
    "SoundUse",
    "add_soundtrack",
    "check_audio",
    "clear_shot_sound",
    "decode_stereo",
    "import_sound",
    "missing_sounds",
    "mix",
    "mix_file",
    "peaks",
    "placements",
    "project_duration",
    "read_mix",
    "remove_soundtrack",
    "set_shot_sound",
    "sound_uses",
    "update_soundtrack",
]
