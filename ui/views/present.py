"""The present page's parts: which shots to play, the player mounted in the page, and the URL it moves.

The player (``storyboard_core.player.document``) runs in the browser: Previous, Next, the strip and Play change
the shot there at once, without a rerun. Each change is sent back through an ``st.components.v2``
component, and Python writes it into the URL (``seq=``, ``shot=``), so a reload or a shared link
lands on the shot on screen. The player holds the sequence in the URL and its neighbours; moving into
another sequence shifts that window, and the player keeps playing across it. The run a move starts
sends the slides' key alone when the player already has them (their frames are inline: megabytes
for a long sequence), and the sound comes by URL (``present_sound``), so a move costs a few KB.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NoReturn

import streamlit as st

from storyboard_core import StoryboardError
from storyboard_core.player.document import player_css, player_js, slides_stamp
from storyboard_core.types import LOOSE
from ui.components.clip_media import serve_clips_near, serve_frames
from ui.components.comments import comment_thread
from ui.components.messages import dead_end, readable
from ui.frame.registry import DASHBOARD, SEQUENCE, SHOT, PageSpec
from ui.frame.services import player_slides, store
from ui.frame.state import PRESENT_PLACE, PRESENT_VISIT, Selection, link
from ui.views.present_sound import handing_over, present_sound
from ui.views.room import review_room

PLAYER_KEY = "present_player"
#: Set by the player's report of a move, for the run it starts.
_MOVED = "present_moved"
#: The key of the slides last handed to the player (``_slides_key``).
_SLIDES_SENT = "present_slides_sent"
# Mounted inside the page (a shadow root keeps the two stylesheets apart); the keys reach the
# player wherever the focus is, except in a text field.
_GLUE = """
const players = new WeakMap();
const latest = new WeakMap();
let moves = 0;
// The last slides received, by their key: the run after a move sends the key alone.
let kept = { key: undefined, slides: [] };
export default function (component) {
  const { parentElement, setStateValue } = component;
  let data = component.data;
  if (data.slides) kept = { key: data.slidesKey, slides: data.slides };
  else if (data.slidesKey === kept.key) data = { ...data, slides: kept.slides };
  const call = {};
  latest.set(parentElement, call);
  const mounted = players.get(parentElement);
  if (mounted) {
    mounted.update(data);
  } else {
    // Every move is a new value (a return to an earlier shot too), so every one reaches Python.
    const onPlace = (slide) => setStateValue("place", { seq: slide.seq, shot: slide.shot, move: ++moves });
    players.set(parentElement, createPlayer(parentElement, { ...data, onPlace }));
  }
  // Streamlit calls this function again when the data changes, and may run the cleanup of an
  // earlier call that it abandoned while loading: only the latest call's cleanup removes the player.
  return () => {
    if (latest.get(parentElement) !== call) return;
    players.get(parentElement)?.destroy();
    players.delete(parentElement);
    latest.delete(parentElement);
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
_HEIGHT = "calc(100vh - 8rem)"  # the header, the links above the player, the padding


@dataclass(frozen=True)
class _WayBack:
    """Where a dead end on this page leads: the sequence, or the project for loose shots."""

    page: PageSpec
    label: str
    params: dict[str, str]

    def dead_end(self, message: str) -> NoReturn:
        dead_end(message, back=self.page, label=self.label, **self.params)


def present(sel: Selection) -> None:
    """The player for the project, sequence and shot in the URL (a message and a way back if wrong).

    Whatever is shown below the player (a shot's comments) follows ``shot``: the URL's shot, which
    is the one on screen once the player's report has run.
    """
    if not sel.project:
        dead_end("Choose a project to present: this link names none.")
    project = sel.project
    seq, window, more = _place(project, sel.seq)
    back = _way_back(project, seq)
    with readable(
        "This sequence cannot be presented", back=back.page, label=back.label, **back.params
    ):
        slides = [s for seq_id in window for s in player_slides(project, seq_id)]
    here = [s["shot"] for s in slides if s["seq"] == seq]
    if not here:
        back.dead_end("This sequence has no shots to present.")
    shot = sel.shot or here[0]
    if shot not in here:
        back.dead_end(f"Shot {shot!r} is not in this sequence.")
    st.html(_QUIET)
    _top_bar(project, seq, shot)
    visit, start = _visit(project, seq, shot, handing_over=handing_over())
    sound = present_sound(project, seq)
    folder = store().project_dir(project)
    # Every run serves the frames: a served file lives only while the latest run uses it.
    timed = serve_frames(folder, sound.timed(slides))
    key = _slides_key(project, window, sound.starts)
    # The run a move of the player started: the player has these slides (same key), so they are
    # not sent again. Any other run sends them.
    moved = st.session_state.pop(_MOVED, False)
    again = moved and st.session_state.get(_SLIDES_SENT) == key
    data = {
        "slides": None if again else timed,
        "slidesKey": key,
        "start": start,
        "visit": visit,
        "more": more,
        "height": _HEIGHT,
        "audio": sound.option(),
    }
    _player(key=PLAYER_KEY, data=data, on_place_change=_moved)
    st.session_state[_SLIDES_SENT] = key
    serve_clips_near(folder, slides, seq, shot)  # never all the clips
    review_room(Selection(project, seq, shot), here)
    _review_panel(Selection(project, seq, shot))
    sound.send_later()


def _slides_key(project: str, window: list[str | None], starts: dict[str, float]) -> str:
    """A name for this version of the player's slides: the files they come from (by modification
    time and size) and where each sequence starts on the mix. The run after a move sends the same
    slides with the same key, and the player keeps its strip as it is."""
    stamps = [(seq_id, slides_stamp(store(), project, seq_id)) for seq_id in window]
    return hashlib.sha256(repr((project, stamps, sorted(starts.items()))).encode()).hexdigest()


def _review_panel(sel: Selection) -> None:
    """The comments on the shot on screen and the form to add one: a review runs from here.

    One fixed label, so that a new comment (a rerun) does not close it in the reviewer's hands.
    """
    assert sel.project is not None and sel.shot is not None
    try:
        shot = store().read_shot(sel.project, sel.seq_id, sel.shot)
    except StoryboardError:
        return  # the player already said what it could; nothing to comment on
    with st.expander("💬 Comments and verdict on this shot"):
        comment_thread(sel, shot, key_prefix="present")


def _place(project: str, seq: str | None) -> tuple[str, list[str | None], bool]:
    """The sequence to present (the first one if the URL names none), the sequences the player
    holds (it and one either side; ``None`` = the loose shots) and whether more follow them."""
    try:
        listed = store().list_sequences(project)
    except StoryboardError as exc:
        dead_end(f"Project {project!r} cannot be presented: {exc}")
    ids = [s.id for s in listed if s.error is None]
    seq = seq or (ids[0] if ids else LOOSE)
    if seq == LOOSE:
        return seq, [None], False
    for broken in (s for s in listed if s.error is not None and s.id == seq):
        dead_end(
            f"{broken.file} cannot be read, so it cannot be presented until fixed: {broken.error}",
            label="Back to the project",
            project=project,
        )
    if seq not in ids:
        dead_end(
            f"Sequence {seq!r} was not found in project {project!r}.",
            label="Back to the project",
            project=project,
        )
    i = ids.index(seq)
    return seq, list(ids[max(0, i - 1) : i + 2]), i + 2 < len(ids)


def _way_back(project: str, seq: str) -> _WayBack:
    if seq == LOOSE:
        return _WayBack(DASHBOARD, "Back to the project", {"project": project})
    return _WayBack(SEQUENCE, "Back to the sequence", {"project": project, "seq": seq})


def _visit(project: str, seq: str, shot: str, *, handing_over: bool = False) -> tuple[int, str]:
    """Which arrival this is, and the shot it starts on: a new one when the URL leads elsewhere.

    The player reports every move and the URL follows it; that run must give the player the same
    data (or it would be set back to where it started). A place the player did not report (a first
    visit, a link, the browser's Back) is a new arrival, and the player goes there. The run that
    hands the player its sound (``handing_over``) is the same arrival.
    """
    place = (project, seq, shot)
    # The component's state goes when the page does (and is not there yet on the page's second run).
    fresh = PLAYER_KEY not in st.session_state and not handing_over
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
        st.session_state[_MOVED] = True


def _top_bar(project: str, seq: str, shot: str) -> None:
    """The way back (to the sequence, under the project's name) and to this shot's editor."""
    name = store().read_project(project).name  # ``link`` shows it as text
    left, right = st.columns([4, 1], vertical_alignment="center")
    with left:
        back = _way_back(project, seq)
        link(back.page, name, icon="⬅️", **back.params)
    with right:
        link(SHOT, "Edit this shot", icon="✏️", project=project, seq=seq, shot=shot)
