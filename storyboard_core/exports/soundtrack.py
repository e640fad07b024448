"""The MP4's sound and dialogue: the mix as an AAC track and the captions as a soft subtitle track.

Both follow the running order built on the MP4's frames, so a sound placed on a cut starts on it
and a caption shows exactly while its shot is on screen. What the mix had to leave out (a missing
or damaged file) is reported as an ``ExportWarning``; the MP4 is made, silent there.
"""

from __future__ import annotations

import struct
import warnings
from fractions import Fraction

import av
from av.container import OutputContainer
from av.subtitles.stream import SubtitleStream

from ..audio import MixTrack, mix, placements
from ..timeline.captions import Cue, cues
from ..timeline.running_order import RunningOrder
from .handout import ExportWarning, Handout

#: The ASS header FFmpeg's mov_text encoder needs to open (one default style); players use their own.
_ASS_HEADER = (
    b"[Script Info]\nScriptType: v4.00+\nPlayResX: 384\nPlayResY: 288\n\n"
    b"[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, "
    b"OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, "
    b"Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n"
    b"Style: Default,Sans,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0\n\n"
    b"[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
)
_MS = Fraction(1, 1000)


class SoundAndCaptions:
    """The MP4's audio and subtitle streams, added before the picture's first packet."""

    def __init__(self, container: OutputContainer, handout: Handout, fps: int) -> None:
        order: RunningOrder = handout.running_order(fps)
        self._track: MixTrack | None = None
        if placements(order):
            mixed = mix(handout.folder, order)
            for warning in mixed.warnings:
                warnings.warn(warning, ExportWarning, stacklevel=2)
            self._track = MixTrack(container, mixed)
        self._cues = cues(order.shots)
        self._container = container
        self._next_cue = 0
        self._subtitles: SubtitleStream | None = None
        if self._cues:
            stream = container.add_stream("mov_text")
            stream.time_base = _MS
            stream.codec_context.subtitle_header = _ASS_HEADER
            self._subtitles = stream

    def write_until(self, seconds: float) -> None:
        """Mux the sound and the captions that start before ``seconds``."""
        if self._track is not None:
            self._track.write_until(seconds)
        while self._next_cue < len(self._cues) and self._cues[self._next_cue].start < seconds:
            self._mux_cue(self._cues[self._next_cue])
            self._next_cue += 1

    def _mux_cue(self, cue: Cue) -> None:
        text = cue.text.encode("utf-8")
        packet = av.Packet(struct.pack(">H", len(text)) + text)  # mov_text: length, then UTF-8
        assert self._subtitles is not None  # cues exist only with their stream
        packet.stream = self._subtitles
        packet.time_base = _MS
        packet.pts = packet.dts = round(cue.start * 1000)
        packet.duration = round(cue.end * 1000) - packet.pts
        self._container.mux(packet)

    def close(self) -> None:
        """The rest of the captions and the sound, flushed (call before closing the container)."""
        for cue in self._cues[self._next_cue :]:
            self._mux_cue(cue)
        self._next_cue = len(self._cues)
        if self._track is not None:
            self._track.close()
