"""The present page's sound: one mix under the whole project's timeline, sent once the page is up.

The mix covers every readable sequence end to end (``player_sound.present_play``), so the player
runs on into the next sequence without the sound changing; each slide's ``at`` is moved from its
sequence's timeline onto the project's. Mixing and encoding a long soundtrack takes seconds, so a
page whose mix this session has not received yet is painted without it first; the mix is built
(or found in the cache, keyed by its files' stamps) after the page, and a second run hands it to
the player, which starts its sound then. The mix travels as a ``data:`` URI: the same path as the
one-file player, and nothing to serve or to expire.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from storyboard_core.player_sound import present_play, section_starts, sound_stamp
from storyboard_core.running_order import read_running_order
from storyboard_core.types import JsonDict
from ui.frame.services import player_audio_option, workspace_store

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
        return player_audio_option(self.project, self.play, self.stamp)

    def send_later(self) -> None:
        """After the page is painted: build the mix it lacks and run again to hand it over."""
        if self.stamp is None or st.session_state.get(_SENT) == self.stamp:
            return
        player_audio_option(self.project, self.play, self.stamp)
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
