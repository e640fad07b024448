"""The editor's timeline: one clip per shot, in order, as OpenTimelineIO, Final Cut Pro 7 XML or CMX 3600 EDL.

Each clip is named for the shot, lasts its duration at the chosen frame rate, points at the frame
image (a missing reference when the shot has none) and carries the shot's notes as a marker. The
same OpenTimelineIO timeline is written by OTIO's own JSON writer or by the FCP XML and EDL adapters.
"""

from __future__ import annotations

from typing import BinaryIO

import opentimelineio as otio

from .handout import Handout, Progress, no_progress
from .options import ExportOptions
from .timecode import frame_lengths


def build_timeline(
    handout: Handout, fps: int, progress: Progress = no_progress
) -> otio.schema.Timeline:
    """The timeline of ``handout``: one video track with a clip per shot."""
    rate = float(fps)
    track = otio.schema.Track(name="Storyboard", kind=otio.schema.TrackKind.Video)
    shots = handout.shots
    lengths = frame_lengths((shot.duration for shot in shots), fps)
    for n, (shot, frames) in enumerate(zip(shots, lengths, strict=True), start=1):
        length = otio.opentime.RationalTime(frames, rate)
        available = otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate), length)
        if shot.frame is None:
            media: otio.core.MediaReference = otio.schema.MissingReference(name=shot.label)
        else:
            media = otio.schema.ExternalReference(
                target_url=shot.frame.absolute().as_uri(), available_range=available
            )
        metadata: dict[str, object] = {"storyboard": {"shot_id": shot.id, "status": shot.status}}
        if shot.frame is None:
            # An EDL names a clip's reel after its file; with none, "AX" (an auxiliary source)
            # rather than the clip's name, whose spaces would break the event line.
            metadata["cmx_3600"] = {"reel": "AX"}
        clip = otio.schema.Clip(
            name=shot.label, media_reference=media, source_range=available, metadata=metadata
        )
        if shot.notes:
            clip.markers.append(
                otio.schema.Marker(
                    # One line: an EDL writes the marker's name as a comment line.
                    name=" ".join(shot.notes.split()),
                    metadata={"storyboard": {"notes": shot.notes}},
                    marked_range=otio.opentime.TimeRange(
                        otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(1, rate)
                    ),
                    color=otio.schema.MarkerColor.YELLOW,
                )
            )
        track.append(clip)
        progress(n / len(shots), f"added shot {shot.label}")
    timeline = otio.schema.Timeline(name=handout.title, tracks=[track])
    timeline.global_start_time = otio.opentime.RationalTime(0, rate)
    return timeline


def _write(
    handout: Handout, out: BinaryIO, options: ExportOptions, progress: Progress, adapter: str
) -> None:
    timeline = build_timeline(handout, options.fps, progress)
    out.write(otio.adapters.write_to_string(timeline, adapter_name=adapter).encode("utf-8"))


def write_otio(
    handout: Handout, out: BinaryIO, options: ExportOptions, progress: Progress = no_progress
) -> None:
    """Write the timeline of ``handout`` as OpenTimelineIO JSON (``.otio``)."""
    _write(handout, out, options, progress, "otio_json")


def write_fcpxml(
    handout: Handout, out: BinaryIO, options: ExportOptions, progress: Progress = no_progress
) -> None:
    """Write the timeline of ``handout`` as Final Cut Pro 7 XML."""
    _write(handout, out, options, progress, "fcp_xml")


def write_edl(
    handout: Handout, out: BinaryIO, options: ExportOptions, progress: Progress = no_progress
) -> None:
    """Write the timeline of ``handout`` as a CMX 3600 EDL."""
    _write(handout, out, options, progress, "cmx_3600")
