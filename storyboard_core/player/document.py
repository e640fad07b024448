"""The presentation player: shots as slides, and one self-contained HTML document that plays them.

A slide is what the player shows of one shot: its place, number, title, duration, prompt and notes,
and its frame inlined as ``data:`` URIs (a screen-sized image for the stage, a thumbnail for the
strip; see ``frames``); the present page's slides name the stage image instead, and the page serves
it by URL. ``player_document`` writes the player (HTML, CSS and JavaScript, no request of any kind)
around a list of slides, so the file opens from ``file://`` as well as from a server; the app's
present page mounts the same CSS and JavaScript (``player_css``, ``player_js``).

>>> from storyboard_core import Store
>>> from storyboard_core.player.document import player_document, sequence_slides
>>> html = player_document(sequence_slides(Store("workspace"), "orage", "001"))  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..media.clips import clip_audible, playable_clip
from ..media.frames import STAGE, THUMB, FrameError, frame_uri, served_frame
from ..models import Shot
from ..paths import PROJECT_FILE, image_in_project
from ..store import Store, StoreView
from ..timeline.camera import player_camera
from ..types import LOOSE, LOOSE_LABEL, JsonDict

"""The ``seq`` of a slide made from a loose shot (one kept in ``project.json``), as in the URL and CLI."""


class Slide(BaseModel):
    """One shot as the player shows it; ``image`` and ``thumb`` are ``data:`` URIs or empty."""

    model_config = ConfigDict(frozen=True)

    seq: str
    seq_name: str
    shot: str
    number: int
    title: str
    duration: float
    prompt: str = ""
    notes: str = ""
    image: str = ""
    thumb: str = ""
    missing: str = ""
    """Why a recorded frame is not shown (file gone, not an image, outside the project)."""
    frame_source: str = ""
    """The shot's frame file relative to the project when it is not inlined (``image`` is then
    empty): the present page serves it at stage size by URL (``frames.served_frame``), so the
    browser fetches only the frames it shows."""
    clip: str = ""
    """The current take's clip inlined as a ``data:`` URI (the one-file player); empty on the present
    page, which serves the clips near the shot on screen by URL apart from the slides."""
    clip_file: str = ""
    """The clip's file relative to the project (empty for a still): what the present page serves."""
    clip_audible: bool = False
    """The clip plays its own sound (``clips.clip_audible``); muted otherwise."""
    at: float = 0.0
    """Where the shot starts on the sound's timeline, in seconds (see ``player_sound``)."""
    dialogue: str = ""
    speaker: str = ""
    camera: JsonDict | None = None
    """The camera move as ``camera.player_camera`` gives it, or ``None`` for a still frame."""


def shot_slides(
    project_dir: Path,
    shots: Iterable[Shot],
    *,
    seq: str,
    seq_name: str,
    at: float = 0.0,
    inline_clips: bool = False,
    inline_frames: bool = True,
) -> list[Slide]:
    """The slides of ``shots``, in their order, with their frames read from ``project_dir``.

    The first starts at ``at`` seconds on the sound's timeline, each next one where the one before
    it ends (as in ``running_order`` without frame rounding). ``inline_clips`` puts every clip in its
    slide as a ``data:`` URI (the one-file player); else a slide only names its clip's file and the
    present page serves the few near the shot on screen. Without ``inline_frames`` a slide names its
    frame's file (``frame_source``; its stage-size copy made, not inlined) and only the thumbnail is
    inlined.
    """
    slides = []
    for shot in shots:
        slides.append(_slide(project_dir, shot, seq, seq_name, at, inline_clips, inline_frames))
        at += shot.duration
    return slides


def sequence_slides(
    store: StoreView, project: str, seq_id: str | None, *, inline_frames: bool = True
) -> list[Slide]:
    """The slides of one sequence, or of the project's loose shots for ``seq_id=None``."""
    folder = store.project_dir(project)
    if seq_id is None:
        shots = store.read_shots(project, None)
        return shot_slides(
            folder, shots, seq=LOOSE, seq_name=LOOSE_LABEL, inline_frames=inline_frames
        )
    seq = store.read_sequence(project, seq_id)
    return shot_slides(
        folder, seq.shots, seq=seq.id, seq_name=seq.name, inline_frames=inline_frames
    )


def project_slides(store: Store, project: str) -> list[Slide]:
    """Every readable sequence's slides, in the sequences' order (files that cannot be read are left out)."""
    slides: list[Slide] = []
    for summary in store.list_sequences(project):
        if summary.error is None:
            slides.extend(sequence_slides(store, project, summary.id))
    return slides


def _slide(
    project_dir: Path,
    shot: Shot,
    seq: str,
    seq_name: str,
    at: float,
    inline_clips: bool,
    inline_frames: bool,
) -> Slide:
    image = thumb = missing = clip = clip_file = frame_source = ""
    if shot.render is not None and shot.render.image:
        source = image_in_project(project_dir, shot.render.image)
        if source is None:
            missing = f"Frame not shown: {shot.render.image} is missing or outside the project"
        else:
            try:
                # The thumbnail first: making it decodes the whole image, so a broken one is
                # refused here, not served as it is.
                thumb = frame_uri(project_dir, source, THUMB)
                if inline_frames:
                    image = frame_uri(project_dir, source, STAGE)
                else:
                    served_frame(project_dir, source, STAGE)  # made now when it needs scaling
                    frame_source = shot.render.image
            except FrameError as exc:
                thumb = ""
                missing = f"Frame not shown: {exc}"
    video = shot.render.video if shot.render is not None else None
    playable = playable_clip(project_dir, video)
    if playable is not None:
        path, mime = playable
        clip_file = path.relative_to(project_dir).as_posix()
        if inline_clips:
            clip = f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")
    return Slide(
        seq=seq,
        seq_name=seq_name,
        shot=shot.id,
        number=shot.position,
        title=shot.title,
        duration=shot.duration,
        prompt=shot.prompt,
        notes=shot.notes,
        image=image,
        thumb=thumb,
        missing=missing,
        frame_source=frame_source,
        clip=clip,
        clip_file=clip_file,
        clip_audible=playable is not None and clip_audible(shot, video),
        at=at,
        dialogue=shot.dialogue,
        speaker=shot.speaker,
        camera=player_camera(shot.camera_move),
    )


def _asset_text(suffix: str) -> str:
    # The player's own file first, then its extensions (player-*.js/.css) in name order: an extension
    # registers itself with the player and may rely on the player's names, not on another extension.
    assets = files(__package__).joinpath("assets")
    extensions = sorted(
        entry.name
        for entry in assets.iterdir()
        if entry.name.startswith("player-") and entry.name.endswith(suffix)
    )
    return "\n".join(
        assets.joinpath(name).read_text(encoding="utf-8")
        for name in [f"player{suffix}", *extensions]
    )


@cache
def player_css() -> str:
    """The player's stylesheet with its extensions' (no fonts or images from anywhere: system fonts only)."""
    return _asset_text(".css")


@cache
def player_js() -> str:
    """The player's script with its extensions: it defines ``createPlayer(root, options)`` and touches nothing else."""
    return _asset_text(".js")


def player_document(
    slides: Iterable[Slide],
    *,
    title: str = "Storyboard",
    start: str = "",
    audio: JsonDict | None = None,
    feedback: JsonDict | None = None,
) -> str:
    """A complete HTML document playing ``slides``, starting on shot id ``start`` (else the first).

    ``audio`` is the sound the slides' ``at`` times refer to (``player_sound.audio_option``, or
    ``PlayerMix.inline()``), its ``src`` a ``data:`` URI. ``feedback`` (the one-file hand-out's, from
    ``feedback.handout_feedback``) turns on the reviewer's Approve / Retake, notes and "Export
    feedback" (``assets/player-feedback.js``). Everything is inline; the slides travel as JSON in a
    ``<script type="application/json">`` and reach the page only as text (``textContent``) and
    image sources, never as markup.
    """
    # What createPlayer takes (the present page adds ``visit``, ``more`` and ``height``).
    options: JsonDict = {"slides": [s.model_dump() for s in slides], "start": start, "audio": audio}
    if feedback is not None:
        options["feedback"] = feedback
    data = _script_json(options)
    css = player_css()
    js = player_js()
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # No request may leave the file: nothing but inline data, styles and scripts.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src data:; media-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
        f"<title>{html.escape(title)}</title>\n"
        f"<style>\nhtml, body {{ margin: 0; background: #0b0c0f; }}\n{css}</style>\n"
        "</head>\n<body>\n"
        '<div id="storyboard-player"></div>\n'
        f'<script type="application/json" id="storyboard-slides">{data}</script>\n'
        f"<script>\n{js}\n"
        "createPlayer(document.getElementById('storyboard-player'),\n"
        "  JSON.parse(document.getElementById('storyboard-slides').textContent));\n"
        "</script>\n</body>\n</html>\n"
    )


def _script_json(data: Any) -> str:
    # Inside <script>, only "</script" or "<!--" could end the block early: with every "<", ">" and
    # "&" written as a JSON escape, no text from a shot can.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def slides_stamp(store: StoreView, project: str, seq_id: str | None) -> tuple[int, int]:
    """The modification time and size of the file a sequence's slides come from, to key a cache."""
    path = (
        store.project_dir(project) / PROJECT_FILE
        if seq_id is None
        else store.sequence_path(project, seq_id)
    )
    info = path.stat()
    return info.st_mtime_ns, info.st_size
