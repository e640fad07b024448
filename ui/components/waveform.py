"""A soundtrack's waveform under the storyboard, with where each shot falls in it.

Drawn as an inline SVG from ``audio.peaks`` (the loudest sample of each slice): a bar per slice,
mirrored about the middle, and a line at each cut with the shot's number. Only numbers go into the
markup (the shots' numbers are integers), so nothing from a file can become markup.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import streamlit as st

#: Slices of the waveform: one every two pixels of a 1200-pixel-wide drawing.
BUCKETS = 600
_WIDTH, _HEIGHT = 1200, 90


def waveform_svg(levels: np.ndarray, cuts: Sequence[tuple[float, int]], duration: float) -> str:
    """The SVG of ``levels`` (0 to 1, one per slice of ``duration`` seconds) and a line at each cut
    (``(seconds, shot number)``)."""
    mid = _HEIGHT / 2
    step = _WIDTH / max(1, len(levels))
    bars = "".join(
        f'<rect x="{i * step:.1f}" y="{mid - h:.1f}" width="{max(step - 0.5, 0.5):.1f}" '
        f'height="{max(2 * h, 0.5):.1f}"/>'
        for i, level in enumerate(levels)
        for h in [float(level) * (mid - 2)]
    )
    marks = []
    for seconds, number in cuts:
        x = _WIDTH * seconds / duration if duration > 0 else 0.0
        marks.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{_HEIGHT}"/>'
            f'<text x="{x + 3:.1f}" y="11">#{int(number)}</text>'
        )
    return (
        f'<svg viewBox="0 0 {_WIDTH} {_HEIGHT}" width="100%" preserveAspectRatio="none" '
        'role="img" aria-label="The sound under this sequence, and where each shot starts" '
        'data-testid="waveform" style="background:#15171c;border-radius:4px;height:90px">'
        f'<g fill="#5fa8ff">{bars}</g>'
        f'<g stroke="#f5c542" stroke-width="1.5" fill="#f5c542" font-size="11" '
        f'font-family="sans-serif">{"".join(marks)}</g></svg>'
    )


def waveform(levels: np.ndarray, cuts: Sequence[tuple[float, int]], duration: float) -> None:
    """Show the waveform (see ``waveform_svg``)."""
    st.html(waveform_svg(levels, cuts, duration))
