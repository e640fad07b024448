"""Hostile text for the tests of any page: what a project file, a teammate or a server may put in a name.

``hostile(field)`` gives one field's text: the field's name (to find it on a page), then every piece of
``PIECES`` that fits the field's length limit. ``RAW_MARKERS`` are substrings that only the raw text
holds: none may reach an element that parses Markdown, and ``rewritten(value)`` lists what Streamlit
would still turn into an icon, emoji, link or arrow after parsing. ``as_read(value)`` undoes ``ui.text.md`` (the
escapes and word joiners), for tests that check what a message says. Host names are under ``.invalid``
or on 127.0.0.1, so nothing a test shows could reach another machine.
"""

from __future__ import annotations

import re
import string

from ui.text import WORD_JOINER

LONG = "W" * 10_000  # one unbroken word

PIECES: tuple[str, ...] = (
    "**Bold** ![x](http://img.hostile.invalid/x.png)",
    "[click](http://link.hostile.invalid/)",
    '<img src="http://html.hostile.invalid/i.png" onerror="alert(1)">',
    '<script>alert("script")</script>',
    "[js](javascript:alert(1))",
    ":red[red] :blue-background[blue] :help[tip]",
    ":material/home: :material_star: :streamlit: :smile:",
    "$x^2$ $$y$$",
    "http://bare.hostile.invalid www.hostile.invalid eve@hostile.invalid",
    "a -> b -- c",
    "&lt;b&gt; &amp;",
    "\u202edesrever\u202c שלום مرحبا",
    "zero\u200bwidth\u200djoiner\ufeffmark",
    "emoji 🎬🔥👨‍👩‍👧",
    "\n# Heading\n\n- item\n\n> quote\n\n| a | b |\n|---|---|\n| c | d |\n",
    LONG,
)

# Substrings of the raw pieces that ``md`` always changes (an escape or a word joiner goes in).
RAW_MARKERS: tuple[str, ...] = (
    "**Bold**",
    "![",
    "](",
    "<img",
    "<script",
    "javascript:",
    ":red[",
    ":material/",
    ":material_",
    ":streamlit:",
    ":smile:",
    "$x^2$",
    "http://",
    "www.hostile",
    "@hostile",
    " -> ",
    "&lt;",
    "# Heading",
)


def hostile(field: str, *, limit: int | None = None) -> str:
    """Hostile text for ``field``: its name, then each piece that still fits in ``limit`` characters."""
    text = field
    for piece in PIECES:
        if limit is None or len(text) + 1 + len(piece) <= limit:
            text = f"{text} {piece}"
    return text


# What Streamlit 1.67's Markdown renderer rewrites in text nodes after parsing, when the escapes are
# gone (from its StreamlitMarkdown bundle): icons (it first turns ``:material/`` into ``:material_``),
# its logo, emoji shortcodes, GFM's bare links, and typographic arrows and dashes.
AFTER_PARSE: tuple[re.Pattern[str], ...] = (
    re.compile(r":material[_/](\w+):"),
    re.compile(r":streamlit:"),
    re.compile(r":(?=[\w+-]*[a-z])[\w+-]+:", re.IGNORECASE),  # (not a time: "12:34:56")
    re.compile(r"(https?://|www(?=\.))[-.\w]+", re.IGNORECASE),
    re.compile(r"[-.\w+]+@[-\w]+(?:\.[-\w]+)+"),
    re.compile(r"(^|\s)(<->|->|<-|--|>=|<=|~=)(\s|$)", re.MULTILINE),
)


def rewritten(value: str) -> list[str]:
    """What Streamlit would still rewrite in a Markdown element's value once its escapes are read."""
    text = _ESCAPE.sub(r"\1", value)
    return [m.group() for pattern in AFTER_PARSE for m in pattern.finditer(text)]


_ESCAPE = re.compile(f"\\\\([{re.escape(string.punctuation)}])")


def as_read(value: str) -> str:
    """A Markdown element's value as the reader sees it: without ``md``'s escapes and word joiners."""
    return _ESCAPE.sub(r"\1", value).replace(WORD_JOINER, "")
