"""Mentions of bible entries in prompts: ``@Léa``, ``@[Café de Flore]``, and ``@@`` for a literal ``@``.

The rules, in the order they apply while reading a text from left to right:

- ``@@`` is one literal ``@`` (everywhere, also where no mention could start);
- ``@[Any Name]`` mentions the entry called ``Any Name`` (anything but ``]`` and line breaks inside);
- ``@Name`` mentions the entry called ``Name``: letters (accents included), digits and ``_``, with
  single hyphens inside (``@Jean-Luc``); the name ends at any other character (``@Léa's`` is Léa);
- an ``@`` right after a letter or digit (``me@example.com``) or followed by nothing name-like is text.

Names match without regard to case, Unicode normalisation or repeated spaces (``@léa`` is ``Léa``).
A mention expands to its entry's description, itself expanded: a description may mention other
entries, at any depth. A mention that leads back to itself (``@A`` → ``@B`` → ``@A``) is a *cycle*,
reported and left unexpanded, like an unknown name; either makes a render refuse (``Expansion.ok``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

#: A name's characters: word characters plus combining accents (``e`` + U+0301 is still a letter).
_WORD = r"[\w\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
MENTION = re.compile(rf"@@|(?<!{_WORD})@(?:\[([^\]\n\r]+)\]|(\w{_WORD}*(?:-{_WORD}+)*))")
_PLAIN_NAME = re.compile(rf"\w{_WORD}*(?:-{_WORD}+)*")
#: An expansion longer than this is refused (descriptions mentioning each other many times over).
MAX_EXPANDED_CHARS = 50_000


class Described(Protocol):
    """What a mention expands to: anything with a ``name`` and a ``description``."""

    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...


def name_key(name: str) -> str:
    """The form names are compared in: NFC, case-folded, spaces collapsed (``" LÉA "`` → ``"léa"``)."""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())
    return " ".join(folded.split())


def mention_of(name: str) -> str:
    """How to mention ``name`` in a prompt: ``@Léa``, or ``@[Café de Flore]`` when it needs brackets."""
    plain = _PLAIN_NAME.fullmatch(unicodedata.normalize("NFC", name))
    return f"@{name}" if plain else f"@[{name}]"


@dataclass(frozen=True)
class Mention:
    """One mention in a text: the name as written and where it is (``text[start:end]``)."""

    name: str
    start: int
    end: int


def find_mentions(text: str) -> list[Mention]:
    """Every mention in ``text``, in order (``@@`` escapes are not mentions)."""
    found = []
    for match in MENTION.finditer(text):
        name = match.group(1) or match.group(2)
        if name is not None:
            found.append(Mention(name, match.start(), match.end()))
    return found


@dataclass(frozen=True)
class Problem:
    """A mention that cannot be expanded: unknown, part of a cycle, or expanding without end."""

    name: str
    kind: str  # "unknown", "cycle" or "too long"
    within: str = ""  # the entry whose description holds it; empty for the text itself
    chain: tuple[str, ...] = ()  # for a cycle: the names from the first to the repeated one

    def __str__(self) -> str:
        where = f" (in the description of {mention_of(self.within)})" if self.within else ""
        if self.kind == "too long":
            return (
                f"the prompt expands to more than {MAX_EXPANDED_CHARS} characters "
                f"(descriptions mention each other too often, last {mention_of(self.name)})"
            )
        if self.kind == "cycle":
            path = " → ".join(mention_of(n) for n in self.chain)
            return f"{mention_of(self.name)} mentions itself: {path}{where}"
        return f"{mention_of(self.name)} is not in the bible{where}"


@dataclass(frozen=True)
class Expansion:
    """A text with its mentions expanded, the entries it used (first use first) and its problems."""

    text: str
    used: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when every mention was expanded."""
        return not self.problems

    @property
    def unknown(self) -> tuple[str, ...]:
        """The unknown names, as written, each once."""
        return tuple(dict.fromkeys(p.name for p in self.problems if p.kind == "unknown"))


class _TooLong(Exception):
    pass


def expand(text: str, entries: Mapping[str, Described]) -> Expansion:
    """``text`` with every mention replaced by its entry's (expanded) description.

    ``entries`` maps ``name_key(name)`` to the entry. An entry with an empty description expands to
    its name. Unknown mentions and cycles stay as written and are listed in ``problems``; an
    expansion beyond ``MAX_EXPANDED_CHARS`` is refused as a whole (a "too long" problem).
    """
    used: list[str] = []
    problems: list[Problem] = []
    size = 0

    def run(source: str, chain: tuple[str, ...], within: str) -> str:
        nonlocal size
        out: list[str] = []
        pos = 0
        for match in MENTION.finditer(source):
            out.append(source[pos : match.start()])
            pos = match.end()
            name = match.group(1) or match.group(2)
            if name is None:
                out.append("@")
                continue
            key = name_key(name)
            entry = entries.get(key)
            if entry is None:
                problems.append(Problem(name, "unknown", within))
                out.append(match.group(0))
            elif key in chain:
                names = [entries[k].name for k in chain[chain.index(key) :]] + [entry.name]
                problems.append(Problem(entry.name, "cycle", within, tuple(names)))
                out.append(match.group(0))
            else:
                if entry.name not in used:
                    used.append(entry.name)
                out.append(run(entry.description or entry.name, (*chain, key), entry.name))
            size += len(out[-1])
            if size > MAX_EXPANDED_CHARS:
                raise _TooLong
        out.append(source[pos:])
        return "".join(out)

    try:
        result = run(text, (), "")
    except _TooLong:
        return Expansion(text, tuple(used), (Problem(used[-1] if used else "", "too long"),))
    return Expansion(result, tuple(used), tuple(problems))


def rename_mentions(text: str, old: str, new: str) -> str:
    """``text`` with every mention of ``old`` (any spelling that matches) written as one of ``new``."""
    key = name_key(old)
    out: list[str] = []
    pos = 0
    for mention in find_mentions(text):
        if name_key(mention.name) == key:
            out.append(text[pos : mention.start])
            out.append(mention_of(new))
            pos = mention.end
    out.append(text[pos:])
    return "".join(out)


def mentions_name(text: str, name: str) -> bool:
    """True when ``text`` mentions ``name``."""
    key = name_key(name)
    return any(name_key(m.name) == key for m in find_mentions(text))


__all__ = [
    "MAX_EXPANDED_CHARS",
    "Described",
    "Expansion",
    "Mention",
    "Problem",
    "expand",
    "find_mentions",
    "mention_of",
    "mentions_name",
    "name_key",
    "rename_mentions",
]
