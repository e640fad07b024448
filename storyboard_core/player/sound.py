"""The player's sound: one mix under everything a presentation may play, and where each shot sits in it.

Present plays a sequence and runs on into the next ones, so its mix is the project's whole timeline
(every readable sequence end to end, ``running_order``): moving into another sequence never changes
the sound, it plays on. The loose shots have their own. Each slide's ``at`` is its shot's start on
that timeline (``section_starts`` gives each sequence's), and the player seeks the mix there.

The mix is an Opus/WebM file (about 2.2 MB for three minutes, ``PlayerMix``). The one-file player
carries it inline as a ``data:`` URI, so it needs nothing but itself; the app's present page serves
it by URL instead, so that its reruns (one per move of the player) send a URL, not the mix again.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass

from ..audio import MIX_MIME, mix, mix_file, placements
from ..paths import PROJECT_FILE, image_in_project
from ..store import Store
from ..timeline.running_order import RunningOrder, read_running_order
from ..types import LOOSE, JsonDict

Stamp = tuple[tuple[str, int, int], ...]


def present_play(store: Store, project: str, seq: str) -> list[str]:
    """What the mix under ``seq`` covers: the loose shots alone, or every readable sequence."""
    if seq == LOOSE:
        return [LOOSE]
    return [s.id for s in store.list_sequences(project) if s.error is None]


def section_starts(order: RunningOrder) -> dict[str, float]:
    """Where each section of ``order`` starts on its timeline (by sequence id)."""
    return {section.seq: section.start for section in order.sections}


def sound_stamp(store: Store, project: str, order: RunningOrder) -> Stamp | None:
    """The files the mix of ``order`` is made of, with their modification times and sizes, to key
    a cache. ``None`` when nothing plays any sound there: the player then has no sound at all.
    """
    uses = placements(order)
    if not uses:
        return None
    folder = store.project_dir(project)
    paths = [folder / PROJECT_FILE]
    paths += [store.sequence_path(project, s.seq) for s in order.sections if s.seq != LOOSE]
    stamps = []
    for path in paths:
        info = path.stat()
        stamps.append((str(path), info.st_mtime_ns, info.st_size))
    for file in sorted({use.file for use in uses}):
        found = image_in_project(folder, file)
        if found is None:
            stamps.append((file, 0, -1))  # missing: a file put back makes a new mix
        else:
            seen = found.stat()
            stamps.append((file, seen.st_mtime_ns, seen.st_size))
    return tuple(stamps)


@dataclass(frozen=True)
class PlayerMix:
    """The mix a player plays: the WebM file, its length in seconds, what is not heard in it."""

    data: bytes
    duration: float
    missing: tuple[str, ...]
    mime: str = MIX_MIME["webm"]

    def option(self, src: str) -> JsonDict:
        """The player's ``audio`` option with the mix at ``src`` (a URL, or ``inline()``'s URI)."""
        return {"src": src, "duration": self.duration, "missing": list(self.missing)}

    def inline(self) -> JsonDict:
        """The ``audio`` option carrying the mix itself, as a ``data:`` URI."""
        return self.option(f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}")


def order_mix(order: RunningOrder, store: Store, project: str) -> PlayerMix | None:
    """The player's mix of ``order``, or ``None`` when no sound is placed in it. ``missing``
    says, sentence by sentence, what is not heard."""
    if not placements(order):
        return None
    made = mix(store.project_dir(project), order)
    return PlayerMix(mix_file(made, "webm"), made.duration, tuple(made.warnings))


def audio_option(order: RunningOrder, store: Store, project: str) -> JsonDict | None:
    """The one-file player's ``audio`` option for ``order``: ``{src, duration, missing}`` with the
    mix inline, or ``None`` when no sound is placed in it."""
    made = order_mix(order, store, project)
    return None if made is None else made.inline()


def player_audio(store: Store, project: str, play: Iterable[str]) -> PlayerMix | None:
    """The mix of a player playing ``play`` (sequence ids, ``LOOSE``) of ``project``."""
    return order_mix(read_running_order(store, project, play), store, project)


__all__ = [
    "PlayerMix",
    "audio_option",
    "order_mix",
    "player_audio",
    "present_play",
    "section_starts",
    "sound_stamp",
]
