"""The dialogue captions as a file: SubRip (``.srt``) or WebVTT (``.vtt``), on the MP4's cuts."""

from __future__ import annotations

from typing import BinaryIO

from ..timeline.captions import srt, vtt
from .handout import Handout, Progress, no_progress
from .options import ExportOptions


def write_srt(
    handout: Handout, out: BinaryIO, options: ExportOptions, progress: Progress = no_progress
) -> None:
    """Write each chosen shot's dialogue as an SRT cue from its start to its end."""
    out.write(srt(handout.running_order(options.fps).shots).encode("utf-8"))
    progress(1.0, "wrote the captions")


def write_vtt(
    handout: Handout, out: BinaryIO, options: ExportOptions, progress: Progress = no_progress
) -> None:
    """Write each chosen shot's dialogue as a WebVTT cue from its start to its end."""
    out.write(vtt(handout.running_order(options.fps).shots).encode("utf-8"))
    progress(1.0, "wrote the captions")
