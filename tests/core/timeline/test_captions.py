"""Dialogue captions as SRT and VTT: the shots' times, the speaker's name, escapes; read back."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from storyboard_core.models import Shot
from storyboard_core.timeline.captions import ZERO_WIDTH_SPACE, caption_text, cues, srt, vtt
from storyboard_core.timeline.running_order import PlacedShot

_TIMING = re.compile(
    r"^(\d\d):(\d\d):(\d\d)[,.](\d{3}) --> (\d\d):(\d\d):(\d\d)[,.](\d{3})$", re.MULTILINE
)


def _seconds(h: str, m: str, s: str, ms: str) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def read_srt(text: str) -> list[tuple[float, float, str]]:
    """A small SubRip reader: (start, end, text) per cue."""
    found = []
    for block in text.strip("\n").split("\n\n"):
        number, timing, *lines = block.split("\n")
        assert number.isdigit()
        t = _TIMING.match(timing)
        assert t is not None
        body = "\n".join(lines).replace(ZERO_WIDTH_SPACE, "")
        found.append((_seconds(*t.groups()[:4]), _seconds(*t.groups()[4:]), body))
    return found


def read_vtt(text: str) -> list[tuple[float, float, str]]:
    """A small WebVTT reader: (start, end, text) per cue, character references decoded."""
    head, *blocks = text.strip("\n").split("\n\n")
    assert head == "WEBVTT"
    found = []
    for block in blocks:
        _, timing, *lines = block.split("\n")
        t = _TIMING.match(timing)
        assert t is not None
        body = "\n".join(lines)
        assert "-->" not in body and "<" not in body
        found.append((_seconds(*t.groups()[:4]), _seconds(*t.groups()[4:]), html.unescape(body)))
    return found


def _placed(*shots: tuple[float, str, str]) -> list[PlacedShot]:
    placed, start = [], 0.0
    for n, (duration, dialogue, speaker) in enumerate(shots, start=1):
        shot = Shot(id=f"s{n}", duration=duration, dialogue=dialogue, speaker=speaker)
        placed.append(PlacedShot("001", shot, start, duration))
        start += duration
    return placed


def test_a_cue_per_shot_with_dialogue_at_the_shot_s_times() -> None:
    shots = _placed((2.5, "Where were you?", "Léa"), (1.0, "", ""), (3.25, "Out.", ""))
    assert read_srt(srt(shots)) == [(0.0, 2.5, "Léa: Where were you?"), (3.5, 6.75, "Out.")]
    assert read_vtt(vtt(shots)) == [(0.0, 2.5, "Léa: Where were you?"), (3.5, 6.75, "Out.")]
    assert srt(shots).startswith("1\n00:00:00,000 --> 00:00:02,500\nLéa: Where were you?\n\n2\n")
    assert vtt(shots).startswith("WEBVTT\n\n1\n00:00:00.000 --> 00:00:02.500\n")


def test_long_times_and_shots_of_no_length() -> None:
    shots = _placed((3725.5, "", ""), (0.0, "never seen", ""), (1.0, "late", ""))
    assert "01:02:05,500 --> 01:02:06,500" in srt(shots)
    assert [c.text for c in cues(shots)] == ["late"]


def test_markup_and_arrows_are_escaped() -> None:
    line = "a <b>bold</b> & --> arrow"
    shots = _placed((1.0, line, "<Ann>"))
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; --&gt; arrow" in vtt(shots)
    assert read_vtt(vtt(shots))[0][2] == f"<Ann>: {line}"
    assert "-->" not in srt(shots).split("\n", 2)[2]
    assert read_srt(srt(shots))[0][2] == f"<Ann>: {line}"


def test_blank_lines_inside_dialogue_do_not_end_the_cue() -> None:
    assert (
        caption_text("  First line\n\n   \nsecond line  \n", "Bo") == "Bo: First line\nsecond line"
    )
    shots = _placed((1.0, "one\n\ntwo", ""), (1.0, "three", ""))
    assert [c[2] for c in read_srt(srt(shots))] == ["one\ntwo", "three"]


_LINE = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u200b"),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)


@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0.01, max_value=600, allow_nan=False),
            st.lists(_LINE, min_size=1, max_size=3).map("\n".join),
            st.one_of(st.just(""), _LINE),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_both_formats_read_back_to_the_cues(shots: list[tuple[float, str, str]]) -> None:
    placed = _placed(*shots)
    expected = [(c.start, c.end, c.text) for c in cues(placed)]
    assert read_srt(srt(placed)) == expected
    assert read_vtt(vtt(placed)) == expected
