"""Hostile text for the tests of any page: what a project file, a teammate or a server may put in a name.

``hostile(field)`` gives one field's text: the field's name (to find it on a page), then every piece of
``PIECES`` that fits the field's length limit. ``RAW_MARKERS`` are substrings that only the raw text
holds: none may reach an element that parses Markdown, and ``rewritten(value)`` lists what Streamlit
would still turn into an icon, emoji, link or arrow after parsing. ``as_read(value)`` undoes ``ui.frame.text.md`` (the
escapes and word joiners), for tests that check what a message says. ``arrange(store)`` fills a
workspace with hostile text in every field (a page added later can be walked over it). Host names are
under ``.invalid`` or on 127.0.0.1, so nothing a test shows could reach another machine.
"""

from __future__ import annotations

import io
import json
import re
import string
from dataclasses import dataclass

from PIL import Image

from storyboard_core import Store, add_entry, update_style
from storyboard_core.settings import SETTINGS_FILE
from ui.frame.text import WORD_JOINER

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
    # An address starts where its run of name characters starts (the look-behind): tried from
    # every character of a 10,000-letter word instead, it cost a tenth of tests/app's CPU.
    re.compile(r"(?<![-.\w+])[-.\w+]+@[-\w]+(?:\.[-\w]+)+"),
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


# --------------------------------------------------------------------------- a hostile workspace
PROJECT_NAME = hostile("project name", limit=200)
PROJECT_DESCRIPTION = hostile("project description")
SEQ_NAME = hostile("sequence name", limit=200)
SEQ_DESCRIPTION = hostile("sequence description")
SHOT_TEXT = {
    f: hostile(f"shot {f}") for f in ("title", "description", "prompt", "negative_prompt", "notes")
}
LOOSE_TITLE = hostile("loose shot title")
CARD_TITLE = hostile("card title")
CARD_PROMPT = hostile("card prompt")
CHECKPOINT = hostile("checkpoint")
# A file name: no slash, at most 255 bytes.
WORKFLOW = "workflow **Bold** ![x](javascript:alert(1)) <img src=x onerror=alert(1)> :material_home: :smile: $x$ a -> b"
BROKEN_WORKFLOW = "broken " + WORKFLOW.removeprefix("workflow ")
SERVER = hostile("server", limit=60)
SERVER_URL = "http://127.0.0.1:1/![x](http://url.hostile.invalid/x.png)"  # refused at once, locally
RENDER_SERVER = hostile("render server")
FILE_VALUE = "![x](http://file.hostile.invalid/x.png) :material/home:"


@dataclass(frozen=True)
class Hostile:
    """The hostile project's ids."""

    project: str
    seq: str
    shot: str


def png() -> bytes:
    """A tiny valid PNG, for a frame the editor shows."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "gray").save(out, format="PNG")
    return out.getvalue()


#: A bible entry's name: every piece but those holding "@", "[" or "]" (they mark mentions).
BIBLE_NAME = " ".join(p for p in ("bible", *PIECES) if not set(p) & set("@[]\n") and len(p) < 40)[
    :100
].strip()


def arrange(store: Store) -> Hostile:
    """Fill ``store``'s workspace with hostile text, through the core where it can be.

    One project (name, description, a bible entry, a style), its first sequence (name, description)
    with a shot holding
    hostile text in every field, a frame and earlier renders (server, workflow) and a second shot
    without a frame (its card is the app's own HTML); a loose shot; a usable and a broken workflow
    file with hostile names; a broken project whose error quotes a hostile value; two servers in
    ``settings.json``, the active one with a hostile name and URL path (on 127.0.0.1, refused).
    """
    workspace = store.root
    project = store.create_project(PROJECT_NAME, description=PROJECT_DESCRIPTION)
    seq = store.list_sequences(project.id)[0].id
    store.rename_sequence(project.id, seq, SEQ_NAME, description=SEQ_DESCRIPTION)
    shot = store.read_shots(project.id, seq)[0]
    renders = store.project_dir(project.id) / "renders"
    renders.mkdir()
    for name in ("a.png", "b.png"):
        (renders / name).write_bytes(png())
    store.update_shot(
        project.id,
        seq,
        shot.id,
        {
            **SHOT_TEXT,
            "generation": {"workflow": WORKFLOW, "checkpoint": CHECKPOINT},
            "render": {
                "image": "renders/a.png",
                "server": RENDER_SERVER,
                "workflow": WORKFLOW,
                "seed": 7,
                "versions": [
                    {"image": f"renders/{name}", "source": "render", "server": RENDER_SERVER}
                    | {"workflow": WORKFLOW, "seed": seed}
                    for name, seed in (("b.png", 6), ("a.png", 7))
                ],
            },
        },
    )
    store.add_shot(project.id, seq, {"title": CARD_TITLE, "prompt": CARD_PROMPT})
    store.add_shot(project.id, None, {"title": LOOSE_TITLE})
    # The bible and the styles: a name may hold anything but the marks of a mention.
    add_entry(
        store, project.id, "characters", BIBLE_NAME, hostile("description"), hostile("negative")
    )
    update_style(store, project.id, None, {"prompt_suffix": hostile("suffix")})
    workflows = workspace / "workflows"
    workflows.mkdir()
    (workflows / f"{WORKFLOW}.json").write_text(json.dumps({"1": {"class_type": "X"}}), "utf-8")
    (workflows / f"{BROKEN_WORKFLOW}.json").write_text(f"{{{FILE_VALUE}", "utf-8")
    # A project whose file quotes hostile text in its error message.
    (workspace / "broken").mkdir()
    (workspace / "broken" / "project.json").write_text(
        json.dumps({"id": "broken", "name": "x", "created_at": FILE_VALUE}), "utf-8"
    )
    settings = {
        "comfyui": {
            "servers": [
                {"name": SERVER, "url": SERVER_URL, "token": "", "active": True},
                {"name": "plain", "url": "http://127.0.0.1:2", "token": "", "active": False},
            ]
        }
    }
    (workspace / SETTINGS_FILE).write_text(json.dumps(settings), "utf-8")
    return Hostile(project.id, seq, shot.id)
