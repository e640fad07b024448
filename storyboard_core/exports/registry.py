"""The hand-out formats, in one table that the CLI and the app both read, and the one call that makes any of them."""

from __future__ import annotations

import importlib
import io
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import FieldProblem, InvalidDataError
from ..store import Store, StoreView
from .handout import Handout, Progress, Writer, gather_handout, no_progress
from .options import ExportOptions


@dataclass(frozen=True)
class ExportFormat:
    """One hand-out format: its name, file suffix and type, its writer and the options it reads.

    ``writer`` is ``"module:function"`` in this package, imported on first use: the PDF, video
    and timeline libraries cost a second to import, which the CLI's other commands should not pay.
    """

    id: str
    label: str
    suffix: str
    mime: str
    writer: str
    options: tuple[str, ...]

    def write(
        self, handout: Handout, out: BinaryIO, options: ExportOptions, progress: Progress
    ) -> None:
        """Write ``handout`` in this format to ``out``."""
        module, function = self.writer.split(":")
        write: Writer = getattr(importlib.import_module(f"{__package__}.{module}"), function)
        write(handout, out, options, progress)


_PDF_OPTIONS = ("layout", "paper", "orientation", "fields")
EXPORT_FORMATS: dict[str, ExportFormat] = {
    f.id: f
    for f in (
        ExportFormat(
            "pdf", "PDF storyboard", ".pdf", "application/pdf", "pdf:write_pdf", _PDF_OPTIONS
        ),
        ExportFormat(
            "mp4",
            "Animatic video (MP4)",
            ".mp4",
            "video/mp4",
            "video:write_mp4",
            ("fps", "width", "burn_in", "burn_captions"),
        ),
        ExportFormat(
            "otio",
            "OpenTimelineIO timeline",
            ".otio",
            "application/json",
            "timeline:write_otio",
            ("fps",),
        ),
        ExportFormat(
            "fcpxml",
            "Final Cut Pro 7 XML",
            ".xml",
            "application/xml",
            "timeline:write_fcpxml",
            ("fps",),
        ),
        ExportFormat("edl", "CMX 3600 EDL", ".edl", "text/plain", "timeline:write_edl", ("fps",)),
        ExportFormat(
            "html",
            "One-file player (HTML)",
            ".html",
            "text/html",
            "player_file:write_html",
            (),
        ),
        ExportFormat("csv", "Shot list (CSV)", ".csv", "text/csv", "shot_list:write_csv", ()),
        ExportFormat(
            "srt",
            "Dialogue captions (SRT)",
            ".srt",
            "application/x-subrip",
            "captions:write_srt",
            ("fps",),
        ),
        ExportFormat(
            "vtt", "Dialogue captions (WebVTT)", ".vtt", "text/vtt", "captions:write_vtt", ("fps",)
        ),
    )
}


def export_format(format_id: str) -> ExportFormat:
    """The format called ``format_id``; ``InvalidDataError`` listing the known ones otherwise."""
    try:
        return EXPORT_FORMATS[format_id]
    except KeyError:
        known = ", ".join(EXPORT_FORMATS)
        raise InvalidDataError(
            [FieldProblem("format", f"{format_id!r} is not a hand-out format (one of {known})")]
        ) from None


@dataclass(frozen=True)
class _Request:
    """What to export: one call's arguments, checked and gathered before anything is written."""

    fmt: ExportFormat
    handout: Handout
    options: ExportOptions
    progress: Progress

    def write(self, out: BinaryIO) -> None:
        self.fmt.write(self.handout, out, self.options, self.progress)


def _request(
    store: StoreView,
    project: str,
    format_id: str,
    sequences: Iterable[str],
    shots: Iterable[str],
    options: ExportOptions | None,
    progress: Progress,
) -> _Request:
    fmt = export_format(format_id)
    handout = gather_handout(store, project, sequences, shots)
    return _Request(fmt, handout, options or ExportOptions(), progress)


def export_bytes(
    store: StoreView,
    project: str,
    format_id: str,
    *,
    sequences: Iterable[str] = (),
    shots: Iterable[str] = (),
    options: ExportOptions | None = None,
    progress: Progress = no_progress,
) -> bytes:
    """The hand-out of ``project`` (or of ``sequences``, or only ``shots``) in ``format_id``, as bytes."""
    request = _request(store, project, format_id, sequences, shots, options, progress)
    buffer = io.BytesIO()
    request.write(buffer)
    return buffer.getvalue()


def export_file(
    store: Store,
    project: str,
    format_id: str,
    target: Path,
    *,
    sequences: Iterable[str] = (),
    shots: Iterable[str] = (),
    options: ExportOptions | None = None,
    progress: Progress = no_progress,
) -> Path:
    """Write the hand-out to ``target``, whole or not at all (a failed export leaves no half file)."""
    request = _request(store, project, format_id, sequences, shots, options, progress)
    target = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            request.write(out)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
