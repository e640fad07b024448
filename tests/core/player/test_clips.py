"""Clips in the player's slides: the file a slide names, inlined only for the one-file player, the
clip's sound only when the shot's sound is the clip, and the clip extension in the player's script."""

from __future__ import annotations

import base64

from storyboard_core import Project, Store
from storyboard_core.media.clips import clip_audible, playable_clip
from storyboard_core.player.document import player_document, player_js, sequence_slides, shot_slides
from tests.video_takes import add_video_take


def test_a_slide_names_its_clip_and_inlines_it_only_when_asked(
    store: Store, project: Project
) -> None:
    first = store.read_shots(project.id, "001")[0]
    shot = add_video_take(store, project.id, "001", first.id)
    assert shot.render is not None and shot.render.video is not None
    slides = sequence_slides(store, project.id, "001")
    assert slides[0].clip_file == shot.render.video.clip and slides[0].clip == ""
    assert slides[0].image.startswith("data:image/jpeg")  # the poster is the frame
    assert (slides[1].clip_file, slides[1].clip) == ("", "")  # a still
    folder = store.project_dir(project.id)
    (inline,) = shot_slides(folder, [shot], seq="001", seq_name="One", inline_clips=True)
    head, _, data = inline.clip.partition(",")
    assert head == "data:video/mp4;base64"
    assert base64.b64decode(data) == (folder / shot.render.video.clip).read_bytes()
    assert inline.clip_audible is False


def test_a_clip_plays_its_sound_only_when_it_is_the_shot_s_sound(
    store: Store, project: Project
) -> None:
    first = store.read_shots(project.id, "001")[0]
    shot = add_video_take(store, project.id, "001", first.id)
    assert shot.render is not None and shot.render.video is not None
    assert not clip_audible(shot, shot.render.video)
    sound = {"file": shot.render.video.clip, "duration": 2.0}
    shot = store.update_shot(project.id, "001", first.id, {"sound": sound})
    assert clip_audible(shot, shot.render.video)
    assert sequence_slides(store, project.id, "001")[0].clip_audible
    other = {"file": "audio/line.wav", "duration": 2.0}
    shot = store.update_shot(project.id, "001", first.id, {"sound": other})
    assert not clip_audible(shot, shot.render.video)


def test_a_missing_or_unplayable_clip_is_no_clip(store: Store, project: Project) -> None:
    first = store.read_shots(project.id, "001")[0]
    shot = add_video_take(store, project.id, "001", first.id)
    video = shot.render.video if shot.render else None
    assert video is not None
    folder = store.project_dir(project.id)
    assert playable_clip(folder, video) == (folder / video.clip, "video/mp4")
    webp = video.model_copy(update={"clip": video.clip.replace(".mp4", ".webp")})
    (folder / webp.clip).write_bytes(b"RIFF")
    assert playable_clip(folder, webp) is None  # animated images show their poster
    outside = video.model_copy(update={"clip": "../elsewhere.mp4"})
    assert playable_clip(folder, outside) is None
    (folder / video.clip).unlink()
    assert playable_clip(folder, video) is None
    assert sequence_slides(store, project.id, "001")[0].clip_file == ""


def test_the_player_carries_the_clip_extension_and_lets_inline_clips_play() -> None:
    script = player_js()
    assert "registerPlayerExtension(function (api)" in script and '"sb-clip"' in script
    document = player_document([])
    assert "media-src data:;" in document
