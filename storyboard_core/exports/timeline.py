"""The editor's timeline: one clip per shot, in order, as OpenTimelineIO, Final Cut Pro 7 XML or CMX 3600 EDL.

Each clip is named for the shot, lasts its duration at the chosen frame rate, points at the frame
image (at its clip, for a video take; a missing reference when the shot has none) and carries the
shot's notes as a marker. Under the pictures, audio tracks carry every sound where it plays
(``audio.placements``), as many tracks as sounds overlap. The same OpenTimelineIO timeline is
written by OTIO's own JSON writer or by the FCP XML and EDL adapters; the EDL adapter writes only
the picture's track, so the sounds are added to it here as events of the stereo pair ``AA``
(and ``A3``, ``A4``… for sounds that overlap).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import BinaryIO

import opentimelineio as otio

from ..audio import Placement, placements
from ..paths import image_in_project
from .handout import Handout, HandoutShot, Progress, no_progress
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
        media = _picture(handout, shot, available, rate)
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
    tracks = [track, *_sound_tracks(handout, fps)]
    timeline = otio.schema.Timeline(name=handout.title, tracks=tracks)
    timeline.global_start_time = otio.opentime.RationalTime(0, rate)
    return timeline


def _picture(
    handout: Handout, shot: HandoutShot, available: otio.opentime.TimeRange, rate: float
) -> otio.core.MediaReference:
    """The shot's media: its clip (a video take), its frame, or a missing reference."""
    render = shot.shot.render
    clip = image_in_project(handout.folder, render.video.clip) if render and render.video else None
    if clip is not None and render is not None and render.video is not None:
        whole = otio.opentime.RationalTime(round(render.video.duration * rate), rate)
        return otio.schema.ExternalReference(
            target_url=clip.absolute().as_uri(),
            available_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate), whole),
        )
    if shot.frame is None:
        return otio.schema.MissingReference(name=shot.label)
    return otio.schema.ExternalReference(
        target_url=shot.frame.absolute().as_uri(), available_range=available
    )


def _sound_tracks(handout: Handout, fps: int) -> list[otio.schema.Track]:
    """The sounds on as few audio tracks as keep them from overlapping, in the order they start."""
    rate = float(fps)
    layers: list[tuple[otio.schema.Track, int]] = []  # each track and the frame where it ends
    for use in sorted(placements(handout.running_order(fps)), key=lambda u: u.at):
        at, length = round(use.at * fps), round(use.length * fps)
        if length < 1:
            continue
        free = next((i for i, (_, end) in enumerate(layers) if end <= at), None)
        if free is None:
            layers.append((otio.schema.Track(name=f"A{len(layers) + 1}", kind="Audio"), 0))
            free = len(layers) - 1
        track, end = layers[free]
        if at > end:
            track.append(otio.schema.Gap(duration=otio.opentime.RationalTime(at - end, rate)))
        track.append(_sound_clip(handout, use, length, rate))
        layers[free] = (track, at + length)
    return [track for track, _ in layers]


def _sound_clip(handout: Handout, use: Placement, length: int, rate: float) -> otio.schema.Clip:
    """One place a sound plays: its file from ``skip``, for ``length`` frames."""
    path = image_in_project(handout.folder, use.file)
    name = PurePosixPath(use.file).name
    skip = round(use.skip * rate)
    source = otio.opentime.TimeRange(
        otio.opentime.RationalTime(skip, rate), otio.opentime.RationalTime(length, rate)
    )
    media: otio.core.MediaReference
    if path is None:
        media = otio.schema.MissingReference(name=name)
    else:
        # As far as it is heard here (FCP XML needs a length for every file).
        heard = otio.opentime.TimeRange(
            otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(skip + length, rate)
        )
        media = otio.schema.ExternalReference(
            target_url=path.absolute().as_uri(), available_range=heard
        )
    metadata = {"storyboard": {"file": use.file, "gain_db": use.gain_db, "where": use.where}}
    return otio.schema.Clip(
        name=name, media_reference=media, source_range=source, metadata=metadata
    )


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
    """Write the timeline of ``handout`` as a CMX 3600 EDL: the pictures, then the sounds."""
    timeline = build_timeline(handout, options.fps, progress)
    pictures, *sounds = timeline.tracks
    timeline.tracks[:] = [pictures]
    text = otio.adapters.write_to_string(timeline, adapter_name="cmx_3600")
    events = len(re.findall(r"^\d{3}  ", text, flags=re.MULTILINE))
    writer = otio.adapters.from_name("cmx_3600").module().EDLWriter
    for layer, track in enumerate(sounds):
        # The first layer on the stereo pair; sounds that overlap it on channels of their own
        # (A3, A4…), as an edit system reads events of one channel never to overlap.
        channel = "AA" if layer == 0 else f"A{layer + 2}"
        stack = otio.schema.Stack(children=[track])
        lines = writer(stack, float(options.fps), "avid").get_content_for_track_at_index(0, None)
        for line in lines.splitlines():
            event = re.match(r"^(\d{3})  (.{8}) A    ", line)
            if event:
                events += 1
                line = f"{events:03d}  {event[2]} {channel:<5} {line[event.end() :]}"
            text += line + "\n"
    out.write(text.encode("utf-8"))
