"""The takes of a shot: every frame made for it (renders and uploads) and exactly what made each.

``shot.render`` is the shot's current frame; ``shot.render.versions`` lists every take, oldest first::

    {"image": "renders/<shot id>/20261201T101500Z-1a2b3c4d.png", "source": "render",
     "server": "http://127.0.0.1:8188", "prompt_id": "…", "seed": 123, "workflow": "built-in",
     "rendered_at": "2026-12-01T10:15:00.123456Z",
     "inputs": {"prompt": …, "negative_prompt": …, "generation": {… every setting, seed as used},
                "workflow": "built-in", "server": …},
     "fingerprint": "<sha256 of what the shot asked for>"}

An upload has ``"source": "upload"`` and its ``original_name`` instead of ``inputs``. Takes written by
earlier versions lack ``source``, ``inputs`` and ``fingerprint``: they are read as renders whose inputs
are unknown (never called stale).

What a render is made of is computed in one place, ``take_inputs``; a shot is *stale* when what it
asks for now (its ``fingerprint``) differs from what made its current frame. Every change of a shot's
takes is one locked read-modify-write (``Store.change_shot``), so concurrent writers never drop a take.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .bible.style import ShotContext, effective
from .errors import NotFoundError
from .files import write_atomic
from .media.images import check_image
from .models import BUILTIN, ClipFacts, Shot, Timestamp, now, to_json_dict
from .paths import check_shot_id, inside
from .store import Store
from .types import JsonDict, Patch

#: Takes are saved below ``<project>/renders/<shot id>/``.
RENDERS_DIR = "renders"
#: An original file name is kept to this many characters (it is shown, never used as a path).
MAX_ORIGINAL_NAME = 255


class TakeInputs(BaseModel):
    """What a render was made from, as sent to ComfyUI."""

    model_config = ConfigDict(extra="allow")

    prompt: str = ""
    negative_prompt: str = ""
    generation: JsonDict = Field(default_factory=dict)
    workflow: str = ""
    server: str = ""
    video: JsonDict | None = None  # a clip's {{fps}}, {{frames}} and the shot's duration


class Take(BaseModel):
    """One take of a shot: its image (relative to the project), where it came from and what made it."""

    model_config = ConfigDict(extra="allow")

    image: str
    source: Literal["render", "upload"] = "render"
    server: str = ""
    prompt_id: str = ""
    seed: int | None = None
    workflow: str = ""
    rendered_at: Timestamp | None = None
    inputs: TakeInputs | None = None
    fingerprint: str | None = None
    original_name: str | None = None
    video: ClipFacts | None = None

    @property
    def is_video(self) -> bool:
        """True for a clip (its ``image`` is the poster)."""
        return self.video is not None

    def to_json(self) -> JsonDict:
        """The take as written in the shot (fields that do not apply are left out)."""
        return self.model_dump(mode="json", exclude_none=True)


# -- what makes a render -------------------------------------------------------------------------------


def take_inputs(
    shot: Shot,
    *,
    seed: int,
    workflow: str,
    server: str,
    context: ShotContext | None = None,
    video: JsonDict | None = None,
) -> JsonDict:
    """Everything a render of ``shot`` is made from: the one definition of "the final prompt".

    The prompt, negative prompt and settings are the shot's effective ones in ``context`` (its
    project's bible and styles, ``storyboard_core.bible.style.effective``: mentions expanded, suffixes
    added, settings inherited); ``None`` is a shot on its own. ``seed`` is the seed actually used (a
    -1 is drawn by the caller), ``workflow`` the workflow's name (``BUILTIN`` for the built-in one)
    and ``server`` the server's display URL. The placeholders of the workflow are filled from this,
    so what is recorded is what was sent. ``video`` is a clip's ``{{fps}}`` and ``{{frames}}`` with
    the shot's ``duration`` they were made from (left out for a still).
    """
    made = effective(shot, context)
    generation = dict(made.generation)
    generation.pop("workflow", None)  # recorded once, resolved, as ``workflow``
    generation["seed"] = int(seed)
    made_inputs: JsonDict = TakeInputs(
        prompt=made.prompt,
        negative_prompt=made.negative_prompt,
        generation=generation,
        workflow=workflow,
        server=server,
        video=video,
    ).model_dump(mode="json")
    if video is None:
        del made_inputs["video"]  # a still's inputs (and digest) stay as they always were
    return made_inputs


def shot_workflow(shot: Shot) -> str:
    """The workflow a render of ``shot`` uses unless told otherwise."""
    return shot.generation.workflow or BUILTIN


def fingerprint(
    shot: Shot,
    context: ShotContext | None = None,
    *,
    workflow: str | None = None,
    clip: bool = False,
) -> str:
    """A digest of what ``shot`` asks a render for in ``context`` (``workflow``: the shot's own).

    For a ``clip``, the shot's duration counts too: it decides the clip's ``{{frames}}``. The seed is the shot's effective setting (-1 stays -1: a new random seed is not a change of
    inputs) and the server is left out (the same inputs on another server make the same take).
    Changing a bible entry the shot mentions or a style it inherits changes the digest.
    """
    seed = int(effective(shot, context).generation["seed"])
    inputs = take_inputs(
        shot,
        seed=seed,
        workflow=workflow or shot_workflow(shot),
        server="",
        context=context,
    )
    inputs.pop("server")
    if clip:
        inputs["duration"] = shot.duration
    try:
        data = orjson.dumps(inputs, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:  # an unknown setting beyond 64 bits, a lone surrogate
        data = json.dumps(inputs, sort_keys=True).encode("ascii")
    return hashlib.sha256(data).hexdigest()


def render_take(
    shot: Shot,
    inputs: JsonDict,
    *,
    image: str,
    prompt_id: str,
    at: datetime,
    context: ShotContext | None = None,
    video: ClipFacts | None = None,
) -> Take:
    """The take of a finished render of ``shot`` in ``context`` made from ``inputs`` (``take_inputs``).

    For a clip, ``image`` is its poster and ``video`` the clip's file and facts.
    """
    made = TakeInputs.model_validate(inputs)
    return Take(
        image=image,
        source="render",
        server=made.server,
        prompt_id=prompt_id,
        seed=made.generation.get("seed"),
        workflow=made.workflow,
        rendered_at=at,
        inputs=made,
        fingerprint=fingerprint(shot, context, workflow=made.workflow, clip=video is not None),
        video=video,
    )


# -- reading takes ---------------------------------------------------------------------------------------


def render_versions(shot: Shot) -> list[JsonDict]:
    """Every take of ``shot`` as stored, oldest first (the current frame too, even if set by hand)."""
    render = shot.render
    if render is None:
        return []
    versions = [dict(v) for v in render.versions if isinstance(v, dict) and v.get("image")]
    if all(v.get("image") != render.image for v in versions):
        current = to_json_dict(render)
        current.pop("versions", None)
        versions.insert(0, current)
    return versions


def _parse(raw: JsonDict) -> Take:
    try:
        return Take.model_validate(raw)
    except ValidationError:
        # A take edited by hand into something unreadable still shows its image.
        return Take(image=str(raw["image"]))


def takes(shot: Shot) -> list[Take]:
    """Every take of ``shot``, oldest first."""
    return [_parse(v) for v in render_versions(shot)]


def current_take(shot: Shot) -> Take | None:
    """The take that is the shot's frame, or ``None`` without a frame."""
    if shot.render is None:
        return None
    image = shot.render.image
    # Only the matching take is parsed: this runs for every card of a sequence page.
    raw = next((v for v in render_versions(shot) if v.get("image") == image), None)
    return None if raw is None else _parse(raw)


def is_stale(shot: Shot, context: ShotContext | None = None) -> bool:
    """True when the shot's inputs in ``context`` changed since its current take was rendered.

    A shot without a frame, a frame that was uploaded and a take from before inputs were recorded
    are never stale: there is nothing known to compare with.
    """
    take = current_take(shot)
    if take is None or not take.fingerprint:
        return False
    return take.fingerprint != fingerprint(shot, context, clip=take.is_video)


def stale_shots(shots: Iterable[Shot], context: ShotContext | None = None) -> list[Shot]:
    """The shots (all of one ``context``) whose current take is stale (``is_stale``), in order."""
    return [s for s in shots if is_stale(s, context)]


# -- changing takes ------------------------------------------------------------------------------------


def _with_takes(shot: Shot, new: list[Take]) -> Patch:
    data = [t.to_json() for t in new]
    patch: JsonDict = {"render": {**data[0], "versions": render_versions(shot) + data}}
    if shot.status == "rejected":
        patch["status"] = "review"  # a retake was asked for: this is it, to be looked at again
    return patch


def record_takes(
    store: Store, project: str, seq_id: str | None, shot_id: str, new: list[Take]
) -> Shot:
    """Add ``new`` takes to the shot, make the first its frame; return the saved shot.

    One locked read-modify-write: takes recorded at the same moment by other threads or processes
    are all kept. A rejected shot goes back to "review". No other field of the shot changes.
    """
    if not new:
        raise ValueError("record_takes needs at least one take")
    return store.change_shot(project, seq_id, shot_id, lambda shot: _with_takes(shot, new))


def use_render_version(
    store: Store, project: str, seq_id: str | None, shot_id: str, image: str
) -> Shot:
    """Make the take whose ``image`` is given the shot's frame; return the saved shot.

    Raises ``NotFoundError`` when the shot has no take with that image. The takes are kept.
    """

    def change(shot: Shot) -> Patch:
        versions = render_versions(shot)
        chosen = next((v for v in versions if v.get("image") == image), None)
        if chosen is None:
            raise NotFoundError(f"shot {shot_id} has no take {image!r}")
        return {"render": {**chosen, "versions": versions}}

    return store.change_shot(project, seq_id, shot_id, change)


def upload_take(
    store: Store, project: str, seq_id: str | None, shot_id: str, data: bytes, original_name: str
) -> Shot:
    """Add an image of one's own (a drawn board, a photo) as a take and make it the frame.

    The file is checked by decoding it (``check_image``: PNG, JPEG or WebP, at most 20 MB and 8192
    pixels a side; ``InvalidDataError`` naming the file otherwise), saved as it came under
    ``renders/<shot id>/`` and recorded with its original name. Returns the saved shot.
    """
    name = PurePath(original_name.replace("\\", "/")).name[:MAX_ORIGINAL_NAME] or "upload"
    kind = check_image(data, name)
    store.read_shot(project, seq_id, shot_id)  # an unknown shot fails before anything is written
    project_dir = store.project_dir(project)
    folder = inside(project_dir, project_dir / RENDERS_DIR / check_shot_id(shot_id))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    file_name = f"{stamp}-upload-{secrets.token_hex(4)}{kind.suffix}"
    path = folder / file_name
    write_atomic(path, data)
    take = Take(
        image=f"{RENDERS_DIR}/{shot_id}/{file_name}",
        source="upload",
        rendered_at=now(),
        original_name=name,
    )
    try:
        return record_takes(store, project, seq_id, shot_id, [take])
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()  # not recorded: no file nobody knows about
        raise


__all__ = [
    "RENDERS_DIR",
    "Take",
    "TakeInputs",
    "current_take",
    "fingerprint",
    "is_stale",
    "record_takes",
    "render_take",
    "render_versions",
    "shot_workflow",
    "stale_shots",
    "take_inputs",
    "takes",
    "upload_take",
    "use_render_version",
]
