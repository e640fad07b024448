"""``ui.frame.text``: escaped text reads the same, and nothing in it is left for Markdown or Streamlit to rewrite."""

from __future__ import annotations

import html as html_lib

import pytest

from tests.hostile import PIECES, as_read, rewritten
from ui.frame.text import WORD_JOINER, html, md

FSI, PDI = "\u2068", "\u2069"


def without_isolates(text: str) -> str:
    return text.removeprefix(FSI).removesuffix(PDI)


@pytest.mark.parametrize("piece", PIECES, ids=range(len(PIECES)))
def test_md_reads_the_same_and_leaves_nothing_to_rewrite(piece: str) -> None:
    escaped = md(piece)
    assert without_isolates(as_read(escaped)) == piece
    assert rewritten(escaped) == []


def test_the_pieces_are_rewritten_unescaped() -> None:
    # So that the test above can fail: raw, Streamlit would rewrite them.
    assert rewritten(" ".join(PIECES))


@pytest.mark.parametrize(
    "plain", ["Scene one", "Scene: the bay", "10.0.0.5:8188", "x --ar 16:9", "a->b"]
)
def test_md_adds_no_word_joiner_where_nothing_would_be_rewritten(plain: str) -> None:
    assert WORD_JOINER not in md(plain)


@pytest.mark.parametrize("piece", PIECES, ids=range(len(PIECES)))
def test_html_reads_the_same_and_holds_no_markup(piece: str) -> None:
    # The only markup: empty spans splitting what Streamlit would rewrite after parsing.
    escaped = html(piece).replace("<span></span>", "")
    assert without_isolates(html_lib.unescape(escaped)) == piece
    assert not set(escaped) & set("<>\"'\n*_[]()`$:\\")
    assert all(
        rewritten(html_lib.unescape(part)) == [] for part in html(piece).split("<span></span>")
    )


@pytest.mark.parametrize(
    "text", ["\u202eevil", "\u2067rtl", "\u2069\u202eunmatched close", "a\u2066b\u2069\u202ec"]
)
def test_bidi_controls_are_closed_inside_the_text(text: str) -> None:
    """An override or isolate in a name never reaches the app's words after it."""
    for escaped in (md(text), html(text)):
        depth = 0
        for char in escaped:
            if char in "\u2066\u2067\u2068":
                depth += 1
            elif char == PDI:
                depth -= 1
                assert depth >= 0, "a PDI of the text closed the isolate around it"
        assert depth == 0 and escaped.startswith(FSI) and escaped.endswith(PDI)


def test_text_without_bidi_controls_is_not_isolated() -> None:
    assert md("שלום") == "שלום"
