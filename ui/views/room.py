"""The review room on the present page: start one, join it, follow the presenter or lead it.

The room itself is ``storyboard_core.room`` (one registry per process and workspace). Here, a
fragment reruns every ``POLL_SECONDS``: it says "still here" (the heartbeat), draws the room's
buttons and sends the room's state to a small component, which hands it to the player's room
extension (``assets/player-room.js``) through a window event; the presenter's moves come back the
same way. Only the fragment reruns, so a follower sees a move within a poll or two.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import streamlit as st

from storyboard_core import StoryboardError
from storyboard_core.room import Place, Room, Rooms, rooms_for
from ui.components.comments import author
from ui.frame.services import access, workspace_path
from ui.frame.state import Selection
from ui.frame.text import md

POLL_SECONDS = 0.25
WATCH_SECONDS = 1.0
"""How often a present page without a room looks for one that started."""
ROOM_KEY = "review_room"  # the room component's key
_SESSION = "review_room_session"  # this browser session's id in rooms
_JOINED = "review_room_joined"  # the room id this session is in
_GO = "review_room_go"  # (nonce, shot) the presenter chose from a notice

_GLUE = """
const hooks = new WeakMap();
let moves = 0;
export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const win = parentElement.ownerDocument.defaultView || window;
  let hook = hooks.get(parentElement);
  if (!hook) {
    // Every move is a new value (a return to an earlier place too), so every one reaches Python.
    const listener = (event) => hook.send && hook.send("move", { ...event.detail, n: ++moves });
    hook = { send: null, listener };
    hooks.set(parentElement, hook);
    win.addEventListener("sb-room:move", listener);
  }
  hook.send = setStateValue;
  win.sbRoomState = data;
  win.dispatchEvent(new win.CustomEvent("sb-room:state", { detail: data }));
  return () => {};
}
"""
_room_component = st.components.v2.component("storyboard_room", js=_GLUE)


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
    rooms = _rooms()
    room = _joined(rooms, sel.project) or rooms.find(sel.project, (sel.seq,))
    if room is not None and not access().sees(sel.project, room.seq):
        room = None
    if room is None:
        _offer(sel, shots)
        _watch(sel.project, sel.seq)
        return
    if st.session_state.get(_JOINED) != room.id:
        try:
            rooms.join(room.id, _me(), _name(), editor=access().is_editor)
        except StoryboardError:
            return
        st.session_state[_JOINED] = room.id
    _live(room.id)


def _joined(rooms: Rooms, project: str) -> Room | None:
    """The room this session is in, while it runs (a follower keeps it across sequences)."""
    room_id = st.session_state.get(_JOINED)
    if not room_id:
        return None
    try:
        room = rooms.get(room_id)
    except StoryboardError:
        return None
    return room if room.project == project and not room.ended else None


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


@st.fragment(run_every=POLL_SECONDS)
def _live(room_id: str) -> None:
    """The room as it stands: the heartbeat, the buttons, and the state sent to the player."""
    rooms, me = _rooms(), _me()
    try:
        room = rooms.beat(room_id, me)
    except StoryboardError:
        st.info("The review room is over.", icon="🎬")
        return
    if room.ended:
        st.info(f"The review room has ended: {md(room.ended)}", icon="🎬")
        _send(room, rooms, me)
        return
    if room.presenter == me:
        _presenter(room, rooms, me)
    else:
        _participant(room, rooms, me)
    _send(room, rooms, me)


def _send(room: Room, rooms: Rooms, me: str) -> None:
    data: dict[str, Any] = room.snapshot(me, rooms.now())
    go = st.session_state.get(_GO)
    if go and room.presenter == me:
        data["go"] = {"nonce": go[0], "shot": go[1]}
    _room_component(key=ROOM_KEY, data=data, on_move_change=lambda: _moved(room.id))


def _moved(room_id: str) -> None:
    """The presenter's player moved: the room follows (before this run draws it)."""
    value = st.session_state.get(ROOM_KEY)
    move = value.get("move") if isinstance(value, Mapping) else None
    if not isinstance(move, Mapping):
        return
    place = Place(
        seq=str(move.get("seq") or ""),
        shot=str(move.get("shot") or ""),
        playing=bool(move.get("playing")),
        position=float(move.get("position") or 0),
        text=bool(move.get("text")),
    )
    # Refused when the lead went to someone else meanwhile: their moves count now.
    _do(_rooms().move, room_id, _me(), place)


def presenter_showed(seq: str, shot: str) -> None:
    """The page's player reported another shot: when this session leads, the room follows at once.

    The player's report starts a full run of the page, which may swallow the room component's own
    report of the same move (a fragment run asked for during a full run); this one always arrives.
    """
    room_id = st.session_state.get(_JOINED)
    if not room_id:
        return
    rooms, me = _rooms(), _me()
    with contextlib.suppress(StoryboardError):
        room = rooms.get(room_id)
        if room.presenter == me and not room.ended and room.place.shot != shot:
            rooms.move(room_id, me, replace(room.place, seq=seq, shot=shot, position=0.0))


def _do(action: Callable[..., object], *args: Any) -> None:
    """A room action from a button; a refusal (the room ended meanwhile) is said by the next run."""
    with contextlib.suppress(StoryboardError):
        action(*args)


def _presenter(room: Room, rooms: Rooms, me: str) -> None:
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


def _participant(room: Room, rooms: Rooms, me: str) -> None:
    mine = room.member(me)
    following = bool(mine and mine.following)
    word = "Following" if following else "Stepped away from"
    st.caption(f"🎥 {word} {md(room.presenter_name)}'s review room · {len(room.members)} in it")
    left, right = st.columns(2)
    if following:
        left.button(
            "Stop following",
            key="present:room_away",
            on_click=_do,
            args=(rooms.follow, room.id, me, False),
        )
    else:
        left.button(
            "Follow the presenter",
            key="present:room_back",
            on_click=_do,
            args=(rooms.follow, room.id, me, True),
            type="primary",
        )
    seq, shot = st.query_params.get("seq", room.seq), st.query_params.get("shot", "")
    right.button(
        "Look at this shot",
        key="present:room_ask",
        disabled=following or not shot,
        help="Ask the presenter to show the shot on your screen",
        on_click=_do,
        args=(rooms.ask, room.id, me, seq, shot),
    )
