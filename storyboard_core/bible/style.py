"""What a shot really renders with: its prompt expanded, the style added, settings inherited.

Three levels give a value, the first that has one wins:

1. the shot, for the settings it sets itself (``Shot.own_settings``);
2. its sequence's style (``Sequence.style``), where a value is set;
3. the project's style (``Project.style``), where a value is set;
4. otherwise the default of ``Generation`` (``steps`` 20, ``seed`` -1 = random, …).

Which settings are the shot's own: the names listed in ``shot.own_settings``. A shot from a file
written before styles existed has no such list; then every setting whose value differs from its
default is its own, so an old file renders as it did. A style's ``settings.seed`` is a *seed lock*:
every shot of that sequence (or project) renders with that seed unless it sets its own.

The prompt is the shot's prompt with its ``@mentions`` expanded (``storyboard_core.bible.mentions``), then
the style's ``prompt_suffix`` (the sequence's if it has one, else the project's), joined by ", ".
The negative prompt is the shot's, then the ``negative`` of every bible entry mentioned, then the
style's ``negative_suffix``. Suffixes may mention entries too (``@[Film Noir]`` from the styles).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..models import STYLE_SETTINGS, Bible, Generation, Project, Sequence, Shot, Style, to_json_dict
from ..paths import PROJECT_FILE, sequence_file
from ..store import Store, StoreView
from ..types import Patch
from ..validation import validate
from .entries import entry_map
from .mentions import Expansion, Problem, expand, name_key

Source = Literal["shot", "sequence", "project", "default"]
_DEFAULTS = Generation().model_dump(mode="json")


@dataclass(frozen=True)
class ShotContext:
    """What a shot's render takes from around it: the bible and the styles of its project and sequence."""

    bible: Bible = field(default_factory=Bible)
    project_style: Style = field(default_factory=Style)
    sequence_style: Style | None = None

    @classmethod
    def of(cls, project: Project, sequence: Sequence | None = None) -> ShotContext:
        """The context of a shot of ``sequence`` (``None``: a loose shot of ``project``)."""
        return cls(project.bible, project.style, None if sequence is None else sequence.style)

    @classmethod
    def read(cls, store: StoreView, project: str, seq_id: str | None) -> ShotContext:
        """The context of the shots of ``seq_id`` (``None``: loose shots), read from the store.

        Both reads are cached until their file changes, so a page may ask on every rerun.
        """
        meta = store.read_project(project)
        style = None if seq_id is None else store.read_sequence_style(project, seq_id)
        return cls(meta.bible, meta.style, style)


def own_settings(shot: Shot) -> frozenset[str]:
    """The style settings ``shot`` sets itself (see the module's rules for older files)."""
    if shot.own_settings is not None:
        return frozenset(shot.own_settings) & frozenset(STYLE_SETTINGS)
    values = shot.generation.model_dump(mode="json")
    return frozenset(f for f in STYLE_SETTINGS if values[f] != _DEFAULTS[f])


@dataclass(frozen=True)
class Effective:
    """A shot's prompt, negative prompt and settings as rendered, and where each setting comes from.

    ``generation`` holds every setting of ``Generation`` (and any unknown ones of the shot);
    ``sources`` says for each style setting and for ``prompt_suffix``/``negative_suffix`` which
    level gave it. ``used`` names the bible entries mentioned, first mention first.
    """

    prompt: str
    negative_prompt: str
    generation: dict[str, Any]
    sources: dict[str, Source]
    used: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every mention could be expanded (a render is refused otherwise)."""
        return not self.problems

    def problem_message(self) -> str:
        """The problems, in one sentence for the user ("" when there are none)."""
        return "; ".join(dict.fromkeys(str(p) for p in self.problems))


def _levels(context: ShotContext) -> list[tuple[Source, Style]]:
    levels: list[tuple[Source, Style]] = []
    if context.sequence_style is not None:
        levels.append(("sequence", context.sequence_style))
    levels.append(("project", context.project_style))
    return levels


def _join(text: str, extra: list[str]) -> str:
    # Without anything to add, the text stays exactly as written (old takes keep their fingerprint).
    extra = [e.strip() for e in extra if e.strip()]
    if not extra:
        return text
    return ", ".join([p for p in [text.strip().rstrip(","), *extra] if p])


def effective(shot: Shot, context: ShotContext | None = None) -> Effective:
    """The prompt, negative prompt and settings ``shot`` renders with in ``context``.

    ``context`` ``None`` is a shot on its own (no bible, no style). Unknown mentions and cycles
    are in ``problems`` (the texts keep them as written); nothing raises.
    """
    context = context or ShotContext()
    entries = entry_map(context.bible)
    levels = _levels(context)
    own = own_settings(shot)
    generation = to_json_dict(shot.generation)
    sources: dict[str, Source] = {}
    for name in STYLE_SETTINGS:
        sources[name] = "shot"
        if name in own:
            continue
        source, value = next(
            ((s, v) for s, style in levels if (v := getattr(style.settings, name)) is not None),
            ("default", _DEFAULTS[name]),
        )
        generation[name] = value
        sources[name] = source

    suffixes: dict[str, str] = {}
    for attr in ("prompt_suffix", "negative_suffix"):
        source, text = next(
            ((s, v) for s, style in levels if (v := getattr(style, attr)) is not None),
            ("default", ""),
        )
        suffixes[attr], sources[attr] = text, source

    prompt = expand(shot.prompt, entries)
    suffix = expand(suffixes["prompt_suffix"], entries)
    used = list(dict.fromkeys(prompt.used + suffix.used))
    negatives: list[Expansion] = [expand(shot.negative_prompt, entries)]
    negatives += [expand(entries[name_key(n)].negative, entries) for n in used]
    negatives.append(expand(suffixes["negative_suffix"], entries))
    problems = [*prompt.problems, *suffix.problems] + [p for n in negatives for p in n.problems]
    return Effective(
        prompt=_join(prompt.text, [suffix.text]),
        negative_prompt=_join(negatives[0].text, [n.text for n in negatives[1:]]),
        generation=generation,
        sources=sources,
        used=tuple(used),
        problems=tuple(dict.fromkeys(problems)),
    )


def update_style(store: Store, project: str, seq_id: str | None, patch: Patch) -> Style:
    """Change the project's style (``seq_id=None``) or a sequence's; return the style as saved.

    ``patch`` maps ``prompt_suffix``, ``negative_suffix`` and ``settings`` (a partial mapping of
    ``STYLE_SETTINGS``) to values; ``None`` clears a value (it is inherited again). Raises
    ``InvalidDataError`` naming the bad field; nothing is written then.
    """
    where = PROJECT_FILE if seq_id is None else sequence_file(seq_id)
    saved: list[Style] = []

    def change(container: Project | Sequence) -> bool:
        data = to_json_dict(container.style)
        settings = {**data.get("settings", {}), **patch.get("settings", {})}
        merged = {**data, **{k: v for k, v in patch.items() if k != "settings"}}
        merged["settings"] = settings
        container.style = validate(Style, merged, where=f"{where} style")
        saved.append(container.style)
        return True

    store.edit_container(project, seq_id, change)
    return saved[0]


__all__ = ["Effective", "ShotContext", "Source", "effective", "own_settings", "update_style"]
