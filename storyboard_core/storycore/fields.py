"""One StoryCore shot, whatever its writer, mapped to our shot's fields.

Each of our fields is looked for in every place a StoryCore writer puts it (``title`` or ``name``,
``generation.parameters.cfgScale`` or ``prompt_modules.technical.cfg_scale``…), first match wins.
A value taken as it was is removed from the leftovers; a value that had to change (frames to
seconds, ``generated`` to ``review``, clamped into our range) is reported as a ``Change`` and its
original stays in the leftovers, which the shot keeps under ``storycore``: nothing is lost.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..models import CAMERA_MOVEMENTS, SEED_MAX, SHOT_TYPES
from ..types import field_path
from .report import Change

#: Frames per second of a "production shot" whose plan does not say.
DEFAULT_FPS = 24.0

Path_ = tuple[str, ...]
#: A converter: the value as found -> (accepted, our value, why it changed or "" if it did not).
Converter = Callable[[Any], tuple[bool, Any, str]]

#: StoryCore's shot statuses in ours.
STATUS_MAP = {
    "draft": "draft",
    "planned": "draft",
    "generating": "draft",
    "generated": "review",
    "review": "review",
    "approved": "approved",
    "rejected": "rejected",
}
_SHOT_TYPE_ALIASES = {
    "closeup": "close-up",
    "extreme-closeup": "extreme-close-up",
    "point-of-view": "pov",
    "ots": "over-the-shoulder",
}
_CAMERA_ALIASES = {
    "track": "tracking",
    "boom": "crane",
    "jib": "crane",
    "none": "static",
    "fixed": "static",
    "hand-held": "handheld",
}
#: The text parts of a Python-engine prompt (``prompt_modules``), in the order they are joined.
PROMPT_MODULES = ("subject", "camera", "lighting", "color", "style")
SEQUENCE_REFS: tuple[Path_, ...] = (
    ("sequencePlanId",),
    ("sequence_id",),
    ("metadata", "sequence_id"),
)
_ID_PATHS: tuple[Path_, ...] = (("id",), ("shot_id",))


class _Missing:
    pass


MISSING = _Missing()


def get_path(data: Any, path: Path_) -> Any:
    """``data[a][b]…`` for ``path == (a, b, …)``, or ``MISSING`` when any step is absent."""
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return MISSING
        data = data[key]
    return data


def _pop_path(data: dict[str, Any], path: Path_) -> None:
    """Remove ``path`` from ``data``, and the parents it leaves empty."""
    parents = [data]
    for key in path[:-1]:
        parents.append(parents[-1][key])
    del parents[-1][path[-1]]
    for parent, key in zip(reversed(parents[:-1]), reversed(path[:-1]), strict=True):
        if parent[key] == {}:
            del parent[key]


def raw_shot_id(raw: dict[str, Any]) -> str | None:
    """The id StoryCore gave a shot (``id`` or ``shot_id``), as text, or None."""
    for path in _ID_PATHS:
        value = get_path(raw, path)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return None


def sequence_refs(raw: dict[str, Any]) -> list[str]:
    """The sequence ids a shot names (``sequencePlanId``, ``sequence_id``, ``metadata.sequence_id``)."""
    refs = []
    for path in SEQUENCE_REFS:
        value = get_path(raw, path)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            refs.append(str(value).strip())
    return refs


def has_generation(raw: dict[str, Any]) -> bool:
    """Whether a copy carries generation data (``generation`` or ``prompt_modules.technical``)."""
    return bool(get_path(raw, ("generation",)) or get_path(raw, ("prompt_modules", "technical")))


# ------------------------------------------------------------------ converters
def text(value: Any) -> tuple[bool, Any, str]:
    """Text as it is; a number becomes its text."""
    if isinstance(value, str):
        return True, value, ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return True, str(value), "a number, imported as text"
    return False, None, f"is {type(value).__name__}, not text"


def nonempty_text(value: Any) -> tuple[bool, Any, str]:
    """Text that is not empty (a sampler or scheduler name)."""
    ok, result, why = text(value)
    if ok and not result.strip():
        return False, None, "is empty"
    return ok, result, why


def number(
    low: float, high: float, *, whole: bool = False, step: int | None = None, scale: float = 1.0
) -> Converter:
    """A number, scaled (``value * scale``), rounded to a whole number or a multiple of ``step``, clamped."""

    def convert(value: Any) -> tuple[bool, Any, str]:
        reasons = []
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                return False, None, f"{value!r} is not a number"
            reasons.append("text read as a number")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            return False, None, f"{value!r} is not a number"
        # An integer stays one (a seed may exceed what a float holds exactly).
        result: float = value * scale if scale != 1.0 else value
        if step is not None and result % step:
            result = round(result / step) * step
            reasons.append(f"rounded to a multiple of {step}")
        elif whole and result != round(result):
            result = round(result)
            reasons.append("rounded to a whole number")
        if result < low or result > high:
            clamped = min(max(result, low), high)
            reasons.append(
                f"{_num(result)} is out of our range {_num(low)} to {_num(high)}, "
                f"clamped to {_num(clamped)}"
            )
            result = clamped
        # An integer is kept as it is: float() would change one beyond 2**53 (a big position).
        out: int | float = (
            int(result) if whole or step is not None or isinstance(result, int) else float(result)
        )
        return True, out, "; ".join(reasons)

    return convert


def _num(value: float) -> str:
    """A number as a person writes it: ``30``, ``7.5``, ``18446744073709551615``."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def frames(fps: float) -> Converter:
    """A duration in frames at ``fps`` frames per second, as seconds."""
    seconds = number(0, 86400, scale=1 / fps)

    def convert(value: Any) -> tuple[bool, Any, str]:
        ok, result, why = seconds(value)
        if ok:
            result = round(result, 3)
            why = "; ".join(r for r in (f"{value} frames at {fps:g} fps, in seconds", why) if r)
        return ok, result, why

    return convert


def choice(allowed: tuple[str, ...], aliases: dict[str, str], *, prefix: bool = False) -> Converter:
    """One of ``allowed``, whatever its case and separators; with ``prefix``, ``pan-left`` -> ``pan``."""

    def convert(value: Any) -> tuple[bool, Any, str]:
        if not isinstance(value, str):
            return False, None, f"{value!r} is not one of {', '.join(allowed)}"
        norm = "-".join(value.strip().lower().replace("_", " ").replace("-", " ").split())
        norm = aliases.get(norm, norm)
        if norm not in allowed and prefix:
            head = norm.split("-")[0]
            norm = aliases.get(head, head)
        if norm not in allowed:
            return False, None, f"{value!r} is not one of {', '.join(allowed)}"
        return True, norm, "" if norm == value else f"StoryCore's {value!r} is our {norm!r}"

    return convert


def status(value: Any) -> tuple[bool, Any, str]:
    """StoryCore's status in ours: planned and generating are draft, generated is review."""
    mapped = STATUS_MAP.get(value.strip().lower()) if isinstance(value, str) else None
    if mapped is None:
        return False, None, f"{value!r} is not a status we know"
    return True, mapped, "" if mapped == value else f"StoryCore's {value!r} is our {mapped!r}"


def resolution(part: int) -> Converter:
    """Width (``part=0``) or height (1) from a ``"1920x1080"`` resolution."""
    size = number(64, 8192, step=8)

    def convert(value: Any) -> tuple[bool, Any, str]:
        pieces = value.lower().split("x") if isinstance(value, str) else []
        if len(pieces) != 2:
            return False, None, f"{value!r} is not WIDTHxHEIGHT"
        if not pieces[part].strip().isdigit():
            return False, None, f"{value!r} is not WIDTHxHEIGHT"
        ok, result, why = size(int(pieces[part]))
        return ok, result, "; ".join(r for r in (f"from resolution {value!r}", why) if r)

    return convert


@dataclass
class MappedShot:
    """One copy of a shot in our terms: the fields it gave (dotted names), its leftovers, its changes."""

    fields: dict[str, Any]
    sort_key: float | None
    extra: dict[str, Any]
    changes: list[Change] = field(default_factory=list)


class _Mapper:
    def __init__(self, raw: dict[str, Any], where: str) -> None:
        self.raw = raw
        self.left = copy.deepcopy(raw)
        self.where = where
        self.fields: dict[str, Any] = {}
        self.changes: list[Change] = []

    def pick(self, name: str, candidates: list[tuple[Path_, Converter]]) -> None:
        """Set ``name`` from the first candidate place that holds a value its converter accepts."""
        refused: list[tuple[Path_, Any, str]] = []
        for path, convert in candidates:
            value = get_path(self.raw, path)
            if value is MISSING or value is None:
                continue
            ok, result, why = convert(value)
            if not ok:
                refused.append((path, value, why))
                continue
            self.fields[name] = result
            if why:
                self.changes.append(
                    Change(self.where, name, value, result, f"{field_path(path)}: {why}")
                )
            else:
                _pop_path(self.left, path)
            return
        if refused:
            path, value, why = refused[0]
            self.changes.append(
                Change(
                    self.where,
                    name,
                    value,
                    None,
                    f"{field_path(path)} {why}: our default is used, the value is kept under storycore",
                )
            )


def map_shot(raw: dict[str, Any], *, shot_id: str, fps: float = DEFAULT_FPS) -> MappedShot:
    """Map one StoryCore shot to our fields; ``shot_id`` is the id it will have with us."""
    m = _Mapper(raw, shot_id)
    for (key,) in _ID_PATHS:  # the id moves to ours only when it is kept as it was
        if key in raw and str(raw[key]).strip() == shot_id:
            _pop_path(m.left, (key,))
            break
    own_fps = get_path(raw, ("timing", "fps"))
    if isinstance(own_fps, int | float) and not isinstance(own_fps, bool) and own_fps > 0:
        fps = float(own_fps)
    m.pick("title", [(("title",), text), (("name",), text)])
    m.pick("description", [(("description",), text)])
    m.pick(
        "position",
        [
            ((key,), number(-math.inf, math.inf))
            for key in ("position", "order", "orderIndex", "number", "shot_number")
        ],
    )
    seconds = number(0, 86400)
    m.pick(
        "duration",
        [
            (("duration",), seconds),
            (("duration_seconds",), seconds),
            (("timing", "duration"), frames(fps)),
        ],
    )
    shot_type = choice(SHOT_TYPES, _SHOT_TYPE_ALIASES)
    m.pick(
        "shot_type",
        [
            (("shot_type",), shot_type),
            (("type",), shot_type),
            (("metadata", "shot_type"), shot_type),
        ],
    )
    camera = choice(CAMERA_MOVEMENTS, _CAMERA_ALIASES, prefix=True)
    m.pick(
        "camera_movement",
        [
            (("camera_movement",), camera),
            (("metadata", "camera_movement"), camera),
            (("camera", "movement", "type"), camera),
        ],
    )
    m.pick("status", [(("status",), status), (("metadata", "status"), status)])
    m.pick(
        "prompt",
        [
            (("prompt",), text),
            (("generation", "prompt"), text),
            (("metadata", "imagePrompt"), text),
        ],
    )
    if "prompt" not in m.fields:
        _compose_prompt(m)
    m.pick(
        "negative_prompt",
        [
            (("negative_prompt",), text),
            (("generation", "negativePrompt"), text),
            (("metadata", "negativePrompt"), text),
            (("prompt_modules", "technical", "negative_prompt"), text),
        ],
    )
    m.pick("notes", [(("notes",), text)])
    _map_generation(m)
    position = m.fields.pop("position", None)
    return MappedShot(m.fields, position, m.left, m.changes)


def _compose_prompt(m: _Mapper) -> None:
    """The Python engine has no prompt, only its parts: join them, and keep the parts."""
    parts = [(k, get_path(m.raw, ("prompt_modules", k))) for k in PROMPT_MODULES]
    used = [(k, v.strip()) for k, v in parts if isinstance(v, str) and v.strip()]
    if used:
        prompt = ", ".join(v for _, v in used)
        m.fields["prompt"] = prompt
        names = ", ".join(f"prompt_modules.{k}" for k, _ in used)
        m.changes.append(Change(m.where, "prompt", None, prompt, f"joined from {names}"))


def _map_generation(m: _Mapper) -> None:
    params: Path_ = ("generation", "parameters")
    tech: Path_ = ("prompt_modules", "technical")
    steps = number(1, 150, whole=True)
    cfg = number(0, 30)
    seed = number(-1, SEED_MAX, whole=True)
    size = number(64, 8192, step=8)
    denoise = number(0, 1)
    m.pick(
        "generation.checkpoint",
        [(("generation", "model"), text), (("generation", "checkpoint"), text)],
    )
    m.pick("generation.steps", [((*params, "steps"), steps), ((*tech, "steps"), steps)])
    m.pick("generation.cfg_scale", [((*params, "cfgScale"), cfg), ((*tech, "cfg_scale"), cfg)])
    m.pick(
        "generation.sampler",
        [((*params, "sampler"), nonempty_text), ((*tech, "sampler"), nonempty_text)],
    )
    m.pick(
        "generation.scheduler",
        [((*params, "scheduler"), nonempty_text), ((*tech, "scheduler"), nonempty_text)],
    )
    m.pick("generation.seed", [((*params, "seed"), seed), ((*tech, "seed"), seed)])
    for part, dim in enumerate(("width", "height")):
        m.pick(
            f"generation.{dim}",
            [
                ((*params, dim), size),
                ((*tech, dim), size),
                ((*tech, "resolution"), resolution(part)),
            ],
        )
    m.pick(
        "generation.denoise",
        [((*params, "denoisingStrength"), denoise), ((*tech, "denoise"), denoise)],
    )
