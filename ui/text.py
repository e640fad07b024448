"""Text from files and people, shown as text.

Project files travel (git, shared folders, imports, review links): a title, prompt, note, comment or
server name may hold Markdown, HTML or Streamlit directives. Streamlit parses Markdown in titles,
captions, labels, page links, tabs, toasts, help tooltips and more, so every such string goes through
one of these helpers before it reaches an element. Nothing else in the app escapes text.
"""

from __future__ import annotations

import html as _html
import re

# Every ASCII punctuation mark that Markdown, GFM, Streamlit's directives (``:red[…]``,
# ``:material/…:``, emoji shortcodes) or its math (``$…$``) give a meaning to. CommonMark lets any
# ASCII punctuation be escaped with a backslash, and an escaped mark is always literal.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:&=^\"'])")


def md(text: str) -> str:
    """``text`` escaped for an element that parses Markdown (title, caption, label, link, toast…)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def html(text: str) -> str:
    """``text`` escaped for HTML that the app builds itself (``unsafe_allow_html`` snippets)."""
    return _html.escape(text, quote=True)
