"""The present page's parts: which shots to play, the player mounted in the page, and the URL it moves.

The player (``storyboard_core.player``) runs in the browser: Previous, Next, the strip and Play change
the shot there at once, without a rerun. Each change is sent back through an ``st.components.v2``
component, and Python writes it into the URL (``seq=``, ``shot=``), so a reload or a shared link
lands on the shot on screen. The player holds the sequence in the URL and its neighbours; moving into
another sequence shifts that window, and the player keeps playing across it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from storyboard_core import (
    SequenceSummary,
    StoryboardError,
    player_css,
    player_js,
    sequence_slides,
    slides_stamp,
)

from .data import store, workspace_path
from .registry import DASHBOARD, SEQUENCE, SHOT
from .state import LOOSE, PRESENT_PLACE, PRESENT_VISIT, Selection
from .text import md
from .widgets import dead_end, readable

PLAYER_KEY = "present_player"
# Mounted inside the page (a shadow root keeps the two stylesheets apart); the keys reach the
# player wherever the focus is, except in a text field.
_GLUE = """
const players = new WeakMap();
let moves = 0;
export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const mounted = players.get(parentElement);
  if (mounted) {
    mounted.update(data);
  } else {
    // Every move is a new value (a return to an earlier shot too), so every one reaches Python.
    const onPlace = (slide) => setStateValue("place", { seq: slide.seq, shot: slide.shot, move: ++moves });
    players.set(parentElement, createPlayer(parentElement, { ...data, onPlace }));
  }
  return () => {
    players.get(parentElement)?.destroy();
    players.delete(parentElement);
  };
}
"""
_player = st.components.v2.component(
    "storyboard_player", css=player_css(), js=player_js() + _GLUE, isolate_styles=True
)

# Quiet chrome: less padding above the player, and no fading or "Running" badge while the URL
# catches up with the shot on screen.
_QUIET = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 3.75rem; padding-bottom: 0.75rem; }
[data-testid="stMain"] [data-stale="true"] { opacity: 1 !important; transition: none !important; }
[data-testid="stStatusWidget"] { visibility: hidden; }
</style>"""
_PLAYER_HEIGHT = "calc(100vh - 8rem)"  # the header, the links above the player, the padding


def present(sel: Selection) -> None:
    """The player for the project, sequence and shot in the URL (a message and a way back if wrong)."""
    if not sel.project:
        dead_end("Choose a project to present: this link names none.")
    try:
        listed = store().list_sequences(sel.project)
    except StoryboardError as exc:
        dead_end(f"Project {sel.project!r} cannot be presented: {exc}")
    sequences = [s for s in listed if s.error is None]
    seq = sel.seq or (sequences[0].id if sequences else LOOSE)
    for broken in (s for s in listed if s.error is not None and s.id == seq):
        dead_end(
            f"{broken.file} cannot be read, so it cannot be presented until fixed: {broken.error}",
            label="Back to the project",
            project=sel.project,
        )
    found = _window(sequences, seq)
    if found is None:
        dead_end(
            f"Sequence {seq!r} was not found in project {sel.project!r}.",
            back=DASHBOARD,
            label="Back to the project",
            project=sel.project,
        )
    window, more = found
    back = (DASHBOARD, "Back to the project", {"project": sel.project})
    if seq != LOOSE:
        back = (SEQUENCE, "Back to the sequence", {"project": sel.project, "seq": seq})
    with readable("This sequence cannot be presented", back=back[0], label=back[1], **back[2]):
        slides = [
            slide
            for seq_id in window
            for slide in _slides(str(workspace_path()), sel.project, seq_id)
        ]
    here = [s for s in slides if s["seq"] == seq]
    if not here:
        dead_end("This sequence has no shots to present.", back=back[0], label=back[1], **back[2])
    shot = sel.shot or here[0]["shot"]
    if not any(s["shot"] == shot for s in here):
        dead_end(f"Shot {shot!r} is not in this sequence.", back=back[0], label=back[1], **back[2])
    st.html(_QUIET)
    _top_bar(sel.project, seq, shot)
    visit, start = _visit(sel.project, seq, shot)
    _player(
        key=PLAYER_KEY,
        data={
            "slides": slides,
            "start": start,
            "visit": visit,
            "more": more,
            "height": _PLAYER_HEIGHT,
        },
        on_place_change=_moved,
    )


def _visit(project: str, seq: str, shot: str) -> tuple[int, str]:
    """Which arrival this is, and the shot it starts on: a new one when the URL leads elsewhere.

    The player reports every move and the URL follows it; that run must give the player the same
    data (or it would be set back to where it started). A place the player did not report (a first
    visit, a link, the browser's Back) is a new arrival, and the player goes there.
    """
    place = (project, seq, shot)
    fresh = PLAYER_KEY not in st.session_state  # the component's state goes when the page does
    if fresh or st.session_state.get(PRESENT_PLACE) != place:
        number = st.session_state.get(PRESENT_VISIT, (0, ""))[0] + 1
        st.session_state[PRESENT_VISIT] = (number, shot)
    st.session_state[PRESENT_PLACE] = place
    visit: tuple[int, str] = st.session_state[PRESENT_VISIT]
    return visit


def _moved() -> None:
    """The player moved to another shot: put it in the URL (before the run this starts)."""
    value = st.session_state.get(PLAYER_KEY)
    place = value.get("place") if isinstance(value, Mapping) else None
    project = st.query_params.get("project")
    if not (project and isinstance(place, Mapping)):
        return
    seq, shot = str(place.get("seq") or ""), str(place.get("shot") or "")
    if seq and shot:
        st.query_params["seq"] = seq
        st.query_params["shot"] = shot
        st.session_state[PRESENT_PLACE] = (project, seq, shot)


def _top_bar(project: str, seq: str, shot: str) -> None:
    name = store().read_project(project).name
    left, right = st.columns([4, 1], vertical_alignment="center")
    with left:
        if seq == LOOSE:
            st.page_link(DASHBOARD.path, label=md(f"⬅️ {name}"), query_params={"project": project})
        else:
            st.page_link(
                SEQUENCE.path, label=md(f"⬅️ {name}"), query_params={"project": project, "seq": seq}
            )
    with right:
        st.page_link(
            SHOT.path,
            label="Edit this shot",
            icon="✏️",
            query_params={"project": project, "seq": seq, "shot": shot},
        )


def _window(sequences: list[SequenceSummary], seq: str) -> tuple[list[str | None], bool] | None:
    """The sequences the player holds (``seq`` and one either side; ``None`` = the loose shots)
    and whether more follow them; ``None`` if there is no such sequence."""
    if seq == LOOSE:
        return [None], False
    ids = [s.id for s in sequences]
    if seq not in ids:
        return None
    i = ids.index(seq)
    return list(ids[max(0, i - 1) : i + 2]), i + 2 < len(ids)


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_slides(
    root: str, project: str, seq_id: str | None, stamp: tuple[int, int]
) -> list[dict[str, Any]]:
    # ``stamp`` (the file's mtime and size) is only the cache key: a save makes a new entry.
    return [s.model_dump() for s in sequence_slides(store(), project, seq_id)]


def _slides(root: str, project: str, seq_id: str | None) -> list[dict[str, Any]]:
    return _cached_slides(root, project, seq_id, slides_stamp(store(), project, seq_id))
