"""The review room on the present page: start one, join it, follow the presenter or lead it.

The room itself is ``storyboard_core.review.room`` (one registry per process and workspace). The page
hands the room's state to a small component, which passes it to the player's room extension
(``assets/player-room.js``) through a window event; the presenter's moves and a participant's
"look at this shot" come back the same way. What keeps a room of eight fast on a busy machine:

- A follower's fragment asks to run every ``POLL_SECONDS`` but each run first waits (up to
  ``WAIT_SECONDS``) for the room to change from what it last drew, so a move is drawn by the run it
  wakes, and an idle room costs about one short run a second per follower.
- The state sent is made once per room version and sent unchanged until the next one, so the
  component and the player only act when something changed.
- A follower's player does not report the shots the room moves it to (that would be a full run of
  the page per follower and move); the fragment puts the shot in the URL, and the rest of the page
  (the comments below) catches up once the presenter stays on a shot (``SETTLE_SECONDS``).
- Component values (a move, an ask) carry a number and are taken once, by their callback or by the
  next run that sees them, so a full run of the page that swallows a callback loses nothing.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from storyboard_core import StoryboardError
from storyboard_core.review.room import Place, Room, Rooms, rooms_for
from ui.components.comments import author
from ui.frame.services import access, workspace_path
from ui.frame.state import PRESENT_PLACE, Selection
from ui.frame.text import md

POLL_SECONDS = 0.1
"""How often a member's fragment asks to run (the runs themselves wait for a change)."""
WAIT_SECONDS = 1.0
"""How long a follower's run waits for the room to change (its own clicks wait at most this)."""
AWAY_WAIT_SECONDS = 0.5
"""The same for a member who stepped away (their own moves and clicks matter more)."""
LINGER_SECONDS = 0.25
"""How long a member's run stays after drawing, unless the room moves again. The browser has
asked for the next run already, and Streamlit drops what a fragment's run drew but had not sent
when the next run of that fragment starts: this gives the server's send loop time to send it (if
it did not, the next run draws it again when its wait ends)."""
LEAD_SECONDS = 1.0
"""How often the presenter's fragment looks for names and asks (their moves are sent at once)."""
WATCH_SECONDS = 1.0
"""How often a present page without a room looks for one that started."""
SETTLE_SECONDS = 5.0
"""How long the presenter stays on a shot before the room's pages catch up with it as a whole."""
ROOM_KEY = "review_room"  # the room component's key
_SESSION = "review_room_session"  # this browser session's id in rooms
_JOINED = "review_room_joined"  # the room id this session is in
_GO = "review_room_go"  # (nonce, shot) the presenter chose from a notice
_SENT = "review_room_sent"  # (room id, version, go nonce) and the state made for them
_TAKEN = "review_room_taken"  # per component value ("move", "ask"): the number last taken
_PAGE_SHOT = "review_room_page_shot"  # the shot the whole page was last drawn for
_INLINE = "review_room_inline"  # set by a whole-page run: its room fragment must not wait
_DRAWN = "review_room_drawn"  # (room id, version, how long to wait) a member's run last drew
_ACTED = "review_room_acted"  # this session acted on the room: its next run draws at once
_FOLLOWING = "review_room_following"  # (room id, whether this member followed) a run last saw

GLUE = """
let send = null;
let current = null;
let last = "";
let count = 0;
let listening = false;
// An event that came while no mount could send it (between one mount's cleanup and the next
// mount), newest per kind: the next mount sends it, so a click in that gap still counts.
const pending = new Map();
function emit(kind, detail) {
  const value = { ...detail, n: ++count };
  if (send) send(kind, value);
  else pending.set(kind, value);
}
export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const win = parentElement.ownerDocument.defaultView || window;
  const call = {};
  current = call;
  send = setStateValue;
  for (const [kind, value] of pending) send(kind, value);
  pending.clear();
  if (!listening) {
    // One listener per page, sending through the latest mount; every value is new (numbered), so
    // a return to an earlier place reaches Python too.
    listening = true;
    win.addEventListener("sb-room:move", (e) => emit("move", e.detail));
    win.addEventListener("sb-room:ask", (e) => emit("ask", e.detail));
  }
  const text = JSON.stringify(data);
  if (text !== last) {
    last = text;
    win.sbRoomState = data;
    win.dispatchEvent(new win.CustomEvent("sb-room:state", { detail: data }));
  }
  return () => {
    if (current !== call) return; // an earlier call's cleanup, run after a newer call
    current = null;
    send = null;
    last = "";
    win.sbRoomState = null;
    win.dispatchEvent(new win.CustomEvent("sb-room:state", { detail: null }));
  };
}
"""
"""The room component's script: hands the room's state to the player, and the player's moves and
asks back to Python (as the component's ``move`` and ``ask`` values)."""
_room_component = st.components.v2.component("storyboard_room", js=GLUE)


def _rooms() -> Rooms:
    return rooms_for(workspace_path())


def _me() -> str:
    session: str = st.session_state.setdefault(_SESSION, secrets.token_urlsafe(8))
    return session


def _name() -> str:
    granted = access()
    return author() or granted.name or ("Editor" if granted.is_editor else "Reviewer")


def review_room(sel: Selection, shots: list[str]) -> None:
    """The room for the sequence in view: Start (an editor), or the room joined and followed."""
    assert sel.project is not None and sel.seq is not None
    st.session_state[_PAGE_SHOT] = sel.shot
    rooms = _rooms()
    room = _joined(rooms, sel.project)
    ended = room if room is not None and room.ended else None
    if room is None or ended is not None:
        room = rooms.find(sel.project, (sel.seq,))
    if room is not None and not access().sees(sel.project, room.seq):
        room = None
    if room is None and ended is not None:  # said until the registry forgets it
        st.info(f"The review room has ended: {md(ended.ended)}", icon="🎬")
        _send(ended, rooms.now())
    if room is None:
        _offer(sel, shots)
        _watch(sel.project, sel.seq)
        return
    if room.member(_me()) is None:
        try:
            room = _join(rooms, room.id)
        except StoryboardError:
            return
    st.session_state[_JOINED] = room.id
    st.session_state[_INLINE] = True
    if room.presenter == _me():
        _lead(room.id)
    else:
        _member(room.id)


def _join(rooms: Rooms, room_id: str) -> Room:
    """This session in the room, following or not as it last was there."""
    last = st.session_state.get(_FOLLOWING)
    following = bool(last[1]) if last and last[0] == room_id else True
    return rooms.join(room_id, _me(), _name(), editor=access().is_editor, following=following)


def _here(rooms: Rooms, room_id: str) -> Room:
    """The room after this session's heartbeat. A member whose page went silent for longer than
    the room's timeout (a stalled machine, a sleeping laptop) was dropped meanwhile: they are back
    in it, as they were, rather than shown a room whose buttons no longer reach them."""
    room = rooms.beat(room_id, _me())
    if room.member(_me()) is None and not room.ended:
        room = _join(rooms, room_id)
    return room


def _joined(rooms: Rooms, project: str) -> Room | None:
    """The room this session is in (ended too, to say so), while the registry keeps it."""
    room_id = st.session_state.get(_JOINED)
    if not room_id:
        return None
    try:
        room = rooms.get(room_id)
    except StoryboardError:
        return None
    return room if room.project == project else None


@st.fragment(run_every=WATCH_SECONDS)
def _watch(project: str, seq: str) -> None:
    """A room started on these shots after this page opened: join it (the whole page redraws)."""
    room = _rooms().find(project, (seq,))
    if room is not None and access().sees(project, room.seq):
        st.rerun(scope="app")


def _offer(sel: Selection, shots: list[str]) -> None:
    if not access().is_editor:
        return
    assert sel.project is not None and sel.seq is not None and sel.shot is not None
    project, seq, shot = sel.project, sel.seq, sel.shot

    def start() -> None:
        rooms = _rooms()
        room = rooms.start(_me(), _name(), project=project, seq=seq, shots=tuple(shots))
        rooms.move(room.id, _me(), Place(seq, shot))
        st.session_state[_JOINED] = room.id

    st.button(
        "Start a review room",
        icon="🎥",
        key="present:room_start",
        on_click=start,
        help="Everyone who opens Present on these shots follows your player",
    )


def _current(room_id: str, *, leading: bool, inline: bool) -> Room | None:
    """The room after this session's heartbeat, or ``None`` when the whole page must redraw
    (the room is over or ended, or the lead changed hands: another fragment draws it now)."""
    try:
        room = _here(_rooms(), room_id)
    except StoryboardError:
        room = None
    if room is None or room.ended or (room.presenter == _me()) != leading:
        if not inline:
            st.rerun(scope="app")
        return None
    return room


@st.fragment(run_every=LEAD_SECONDS)
def _lead(room_id: str) -> None:
    """The presenter's part: who is in the room, their asks, the lead and the end."""
    inline = bool(st.session_state.pop(_INLINE, False))
    _take("move", room_id)  # a move whose callback a whole-page run swallowed
    room = _current(room_id, leading=True, inline=inline)
    if room is None:
        return
    _presenter(room)
    _send(room, _rooms().now())
    _keep_place(room, inline=inline)


@st.fragment(run_every=POLL_SECONDS)
def _member(room_id: str) -> None:
    """A participant's part: wait (a short while) for the room to move, then follow or step away.

    The wait comes first, so that a move is drawn by the run it wakes rather than by the next one:
    a run's end and the next one's start cost 0.1–0.2 s per follower when eight follow on two
    cores (row 14 of ``make bench``: p90 1.4–1.6 s with the wait last, 0.5 s with it first).
    Meanwhile what the last run drew stays live, and the present page does not fade what a run
    has not redrawn yet. A run after this member acted (a click, an ask) draws at once; a click
    during the wait is taken when the wait ends.
    """
    inline = bool(st.session_state.pop(_INLINE, False))
    _take("ask", room_id)
    acted = st.session_state.pop(_ACTED, False)
    drawn = st.session_state.get(_DRAWN)
    if not (inline or acted) and drawn and drawn[0] == room_id:
        with contextlib.suppress(StoryboardError):
            _rooms().wait(room_id, drawn[1], drawn[2])
    room = _current(room_id, leading=False, inline=inline)
    if room is None:
        return
    me = room.member(_me())
    following = bool(me and me.following)
    st.session_state[_FOLLOWING] = (room_id, following)
    _participant(room, following)
    _send(room, _rooms().now())
    if following:
        _keep_place(room, inline=inline)
    wait = WAIT_SECONDS if following else AWAY_WAIT_SECONDS
    st.session_state[_DRAWN] = (room_id, room.version, wait)
    if not inline:  # a whole-page run must not stay: the rest of the page comes after it
        with contextlib.suppress(StoryboardError):
            _rooms().wait(room_id, room.version, LINGER_SECONDS)


def _keep_place(room: Room, *, inline: bool) -> None:
    """The URL shows the room's shot (no player reports it: that would be a run of the whole page
    per member and move); the whole page follows once the presenter stays on it."""
    project = room.project
    if not access().sees(project, room.place.seq):
        return  # a sequence beyond a review link's scope: its player does not hold it either
    place = (project, room.place.seq, room.place.shot)
    if st.session_state.get(PRESENT_PLACE) != place:
        st.query_params["seq"] = room.place.seq
        st.query_params["shot"] = room.place.shot
        st.session_state[PRESENT_PLACE] = place
    settled = _rooms().now() - room.place.at >= SETTLE_SECONDS
    if not inline and settled and st.session_state.get(_PAGE_SHOT) != room.place.shot:
        st.rerun(scope="app")


def _send(room: Room, now: float) -> None:
    """The room's state for this member, made once per version (and presenter's "Go")."""
    go = st.session_state.get(_GO) if room.presenter == _me() else None
    key = (room.id, room.version, go[0] if go else "")
    sent = st.session_state.get(_SENT)
    if not sent or sent[0] != key:
        data: dict[str, Any] = room.snapshot(_me(), now)
        if go:
            data["go"] = {"nonce": go[0], "shot": go[1]}
        sent = st.session_state[_SENT] = (key, data)
    _room_component(
        key=ROOM_KEY,
        data=sent[1],
        on_move_change=lambda: _take("move", room.id),
        on_ask_change=lambda: _take("ask", room.id),
    )


def _take(kind: str, room_id: str) -> None:
    """Apply the component's newest ``kind`` value ("move" or "ask") once, whoever sees it first."""
    value = st.session_state.get(ROOM_KEY)
    item = value.get(kind) if isinstance(value, Mapping) else None
    if not isinstance(item, Mapping):
        return
    taken: dict[str, object] = st.session_state.setdefault(_TAKEN, {})
    if taken.get(kind) == item.get("n"):
        return
    taken[kind] = item.get("n")
    seq, shot = str(item.get("seq") or ""), str(item.get("shot") or "")
    rooms, me = _rooms(), _me()
    if kind == "ask":
        with contextlib.suppress(StoryboardError):
            _here(rooms, room_id)  # an ask from a member dropped by a silence is heard too
        _do(rooms.ask, room_id, me, seq, shot)
        return
    place = Place(
        seq=seq,
        shot=shot,
        playing=bool(item.get("playing")),
        position=float(item.get("position") or 0),
        text=bool(item.get("text")),
    )
    # Refused when the lead went to someone else meanwhile: their moves count now.
    _do(rooms.move, room_id, me, place)


def _do(action: Callable[..., object], *args: Any) -> None:
    """A room action; a refusal (the room ended meanwhile) is said by the next run."""
    st.session_state[_ACTED] = True
    with contextlib.suppress(StoryboardError):
        action(*args)


def _presenter(room: Room) -> None:
    rooms, me = _rooms(), _me()
    names = ", ".join(m.name for m in room.members)
    st.caption(f"🎥 You lead the review room · in the room: {md(names)}")
    for notice in room.notices:

        def go(number: int = notice.id, shot: str = notice.shot) -> None:
            st.session_state[_GO] = (secrets.token_hex(4), shot)
            _do(rooms.dismiss, room.id, me, number)

        left, right = st.columns([4, 1], vertical_alignment="center")
        left.info(f"{md(notice.name)} asks you to look at shot {md(notice.shot)}", icon="👀")
        right.button("Go", key=f"present:room_go:{notice.id}", on_click=go)
    editors = [m for m in room.members if m.editor and m.session != me]
    left, middle, right = st.columns([3, 1, 1], vertical_alignment="bottom")
    if editors:
        chosen = left.selectbox(
            "Hand the lead to",
            [m.session for m in editors],
            format_func=lambda s: md(next(m.name for m in editors if m.session == s)),
            key="present:room_heir",
        )
        middle.button(
            "Hand the lead",
            key="present:room_hand",
            on_click=_do,
            args=(rooms.hand_over, room.id, me, chosen),
        )
    right.button(
        "End the room",
        key="present:room_end",
        on_click=_do,
        args=(rooms.leave, room.id, me),
    )


def _participant(room: Room, following: bool) -> None:
    rooms, me = _rooms(), _me()
    word = "Following" if following else "Stepped away from"
    left, right = st.columns([3, 1], vertical_alignment="center")
    left.caption(f"🎥 {word} {md(room.presenter_name)}'s review room · {len(room.members)} in it")
    if following:
        right.button(
            "Stop following",
            key="present:room_away",
            on_click=_do,
            args=(rooms.follow, room.id, me, False),
        )
    else:
        right.button(
            "Follow the presenter",
            key="present:room_back",
            on_click=_do,
            args=(rooms.follow, room.id, me, True),
            type="primary",
        )
