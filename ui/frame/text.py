"""Text from files and people, shown as text.

Project files travel (git, shared folders, imports, review links): a title, prompt, note, comment or
server name may hold Markdown, HTML or Streamlit directives. Which helper goes where, as checked in
Chromium against Streamlit 1.67:

- ``md(text)``: every element that parses Markdown. Title, header, subheader, caption, markdown and
  write; error, warning, info, success and toast; labels of buttons, download and form-submit buttons,
  page links, widgets, expanders and tabs; ``help`` tooltips; metric label, value and delta; progress
  text; ``st.table`` cells.
- ``html(text)``: text inside HTML the app builds itself for ``st.markdown(…, unsafe_allow_html=True)``.
- Neither: elements that show text literally, where an escape would show its backslashes.
  ``st.text``, ``st.code``, ``st.dataframe`` and ``st.data_editor`` cells and their selectbox-column
  options, selectbox and multiselect options (``format_func`` results), text-input and text-area
  values and placeholders, Vega-Lite chart labels and tooltips (vega-tooltip escapes them).

Nothing else in the app escapes text.
"""

from __future__ import annotations

import re
import string

# CommonMark lets any ASCII punctuation be backslash-escaped, and an escaped mark is always literal:
# escaping all of them needs no argument about which ones are harmless.
_PUNCTUATION = re.compile(f"([{re.escape(string.punctuation)}])")

# Streamlit rewrites text *after* parsing, so after escapes are gone: ``:material_home:`` (and
# ``:material/home:``) becomes an icon, ``:streamlit:`` a logo, ``:smile:`` an emoji, a bare
# ``http://…``, ``www.…`` or ``a@b.c`` a link, and a lone `` -> ``, `` -- ``, `` <= ``… an arrow or a dash.
# A word joiner (U+2060: invisible, no line break) breaks each of those patterns where it starts, and
# only there, so that "Scene: the bay" or "10.0.0.5:8188" keep their plain characters (for copying and
# searching). A name running to the end of the text counts as open: the app's own words may follow.
WORD_JOINER = "\u2060"
_REWRITTEN = re.compile(
    # :name: (icons, logo, emoji; not a port number at the end) and scheme://
    r"(?<=:)(?:(?=[\w+/-]*:)|(?=[\w+/-]+$)(?!\d+$)|(?=//))"
    r"|(?<=@)(?=[\w-])"  # e-mail addresses
    r"|(?<=www)(?=\.)"  # www.host
    # a lone ->, --, <-, >=, <= or ~= (<-> too), after its first character
    r"|(?:(?<=^[<>~-])|(?<=\s[<>~-]))"
    r"(?:(?<=-)(?=[->](?:\s|$))|(?<=<)(?=->?(?:\s|$))|(?<=[<>~])(?==(?:\s|$)))",
    re.IGNORECASE | re.MULTILINE,
)
# Explicit bidi controls (embeddings, overrides, isolates) in a name would reverse the app's own
# words after it ("Delete shot “‮…”?"). Such text is put in an isolate, as HTML's <bdi> does,
# closed by as many PDIs as it needs.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_FSI, _PDI = "\u2068", "\u2069"


def md(text: str) -> str:
    """``text`` escaped for an element that parses Markdown (title, caption, label, link, toast…)."""
    return _isolated(_PUNCTUATION.sub(r"\\\1", _REWRITTEN.sub(WORD_JOINER, text)))


def html(text: str) -> str:
    """``text`` escaped for HTML that the app builds itself (``unsafe_allow_html`` snippets).

    Every ASCII punctuation mark and line break becomes a character reference: a snippet inside a
    Markdown paragraph reads it as plain text too, and a blank line cannot end an HTML block. An
    empty ``<span>`` (not a word joiner: copied text stays clean) splits what Streamlit would
    rewrite after parsing.
    """
    parts = (_HTML_SPECIAL.sub(_reference, part) for part in _REWRITTEN.split(text))
    return _isolated("<span></span>".join(parts))


_HTML_SPECIAL = re.compile(f"[{re.escape(string.punctuation)}\r\n]")


def _reference(match: re.Match[str]) -> str:
    return f"&#{ord(match.group())};"


def _isolated(text: str) -> str:
    if not _BIDI.search(text):
        return text
    # A PDI in the text that closes nothing of its own would close our isolate: open one more for
    # it; isolates the text leaves open are closed before ours.
    depth = extra = 0
    for char in _BIDI.findall(text):
        if char in "\u2066\u2067\u2068":
            depth += 1
        elif char == _PDI:
            if depth:
                depth -= 1
            else:
                extra += 1
    return _FSI * (1 + extra) + text + _PDI * (1 + depth)
