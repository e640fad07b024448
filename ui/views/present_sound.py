"""The present page's sound: one mix under the whole project's timeline, sent once the page is up.

The mix covers every readable sequence end to end (``player_sound.present_play``), so the player
runs on into the next sequence without the sound changing; each slide's ``at`` is moved from its
sequence's timeline onto the project's. Mixing and encoding a long soundtrack takes seconds, so a
page whose mix this session has not received yet is painted without it first; the mix is built
(or found in the cache, keyed by its files' stamps) after the page, and a second run hands it to
the player, which starts its sound then. The mix is served by Streamlit's media file manager (as
``st.audio`` is) and the player gets its URL: every rerun, and there is one per move of the player,
sends that short URL instead of 3 MB of ``data:`` URI, and the player keeps the sound it has loaded
while the URL stays the same (it does for the same mix). The one-file player carries the mix inline.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit import runtime

from storyboard_core.player.sound import present_play, section_starts, sound_stamp
from storyboard_core.timeline.running_order import read_running_order
from storyboard_core.types import JsonDict
from ui.frame.services import player_mix, workspace_store

#: The stamp of the mix the player on this page last received (a session's own).
_SENT = "present_audio_sent"
#: Set for the run that hands the mix over: the same visit, the player stays where it is.
_HANDING = "present_audio_handing"


@dataclass(frozen=True)
class PresentSound:
    """What plays under a presentation: the sequences mixed, where each starts, the mix's stamp."""

    project: str
    play: tuple[str, ...]
    starts: dict[str, float]
    stamp: tuple[tuple[str, int, int], ...] | None

    def timed(self, slides: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``slides`` with their ``at`` on the mix's timeline (it was on their sequence's)."""
        return [{**s, "at": s["at"] + self.starts.get(s["seq"], 0.0)} for s in slides]

    def option(self) -> JsonDict | None:
        """The player's ``audio`` option, if this session's page already had it (else ``None``)."""
        if self.stamp is None or st.session_state.get(_SENT) != self.stamp:
            return None
        made = player_mix(self.project, self.play, self.stamp)
        if made is None:
            return None
        # The manager forgets a file at the next full run that does not add it again: added on
        # every run. Its id hashes only parts of a large file, so the name (in the hash too)
        # carries the mix's stamp: another mix of the same length never gets this one's URL.
        name = hashlib.sha256(repr((self.project, self.play, self.stamp)).encode()).hexdigest()
        url = runtime.get_instance().media_file_mgr.add(
            made.data, made.mime, "storyboard:present-sound", file_name=f"mix-{name[:16]}.webm"
        )
        return made.option(str(url))

    def send_later(self) -> None:
        """After the page is painted: build the mix it lacks and run again to hand it over."""
        if self.stamp is None or st.session_state.get(_SENT) == self.stamp:
            return
        player_mix(self.project, self.play, self.stamp)
        st.session_state[_SENT] = self.stamp
        st.session_state[_HANDING] = True
        st.rerun()


def handing_over() -> bool:
    """Whether this run only hands the mix to the player (once: the flag goes with the asking)."""
    return bool(st.session_state.pop(_HANDING, False))


def present_sound(project: str, seq: str) -> PresentSound:
    """The sound under a presentation of ``seq`` (a sequence id or ``LOOSE``) of ``project``."""
    store = workspace_store()
    play = tuple(present_play(store, project, seq))
    order = read_running_order(store, project, play)
    return PresentSound(project, play, section_starts(order), sound_stamp(store, project, order))
