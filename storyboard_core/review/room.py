"""Review rooms: an editor presents, everyone in the room follows (shot, Play/Pause, position, notes).

One ``Rooms`` registry per process and workspace (``rooms_for``) holds every live room in memory;
nothing is written to disk. Each room has a version that every change raises, and a condition that
wakes readers waiting for a newer version (``wait``) at once. Sessions keep their place with
``beat`` (a heartbeat): a member unheard of for ``timeout`` seconds has left, and when the presenter
is unheard of, the room ends for everyone with a message. The clock is injectable so that tests
can move time.

>>> rooms = Rooms()
>>> room = rooms.start("s1", "Ana", project="orage", seq="001", shots=("a", "b"))
>>> rooms.join(room.id, "s2", "Bo", editor=False).members[1].name
'Bo'
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import NotFoundError, PermissionDeniedError

HEARTBEAT_TIMEOUT = 6.0
"""Seconds without a heartbeat after which a member has left (the presenter: the room ends)."""
ENDED_KEPT = 120.0
"""Seconds an ended room is kept, so that its followers read why it ended."""
NOTICES_KEPT = 5
"""How many "look at this shot" notices the presenter sees at most (the newest)."""


@dataclass(frozen=True)
class Member:
    """One person in a room: their session, their name, whether they may lead, whether they follow."""

    session: str
    name: str
    editor: bool
    following: bool = True
    seen: float = 0.0


@dataclass(frozen=True)
class Notice:
    """A participant's "look at this shot" for the presenter."""

    id: int
    name: str
    seq: str
    shot: str


@dataclass(frozen=True)
class Place:
    """Where the presenter is: the shot, playing or not, ms into the shot at ``at``, the notes shown."""

    seq: str
    shot: str
    playing: bool = False
    position: float = 0.0
    at: float = 0.0
    text: bool = False

    def position_at(self, now: float) -> float:
        """Milliseconds into the shot at ``now`` (it runs on while playing)."""
        return self.position + (max(0.0, now - self.at) * 1000 if self.playing else 0.0)


@dataclass(frozen=True)
class Room:
    """A room as it stands at one ``version``; ``ended`` says why it ended (empty while it runs)."""

    id: str
    project: str
    seq: str
    shots: tuple[str, ...]
    presenter: str
    place: Place
    members: tuple[Member, ...] = ()
    notices: tuple[Notice, ...] = ()
    version: int = 1
    ended: str = ""
    ended_at: float = 0.0

    def member(self, session: str) -> Member | None:
        """The member with ``session``, if in the room."""
        return next((m for m in self.members if m.session == session), None)

    @property
    def presenter_name(self) -> str:
        """Who leads the room."""
        lead = self.member(self.presenter)
        return lead.name if lead else ""

    def snapshot(self, session: str, now: float) -> dict[str, object]:
        """What one member's page needs, as JSON data (the position worked out for ``now``)."""
        me = self.member(session)
        return {
            "room": self.id,
            "version": self.version,
            "ended": self.ended,
            "presenter": self.presenter_name,
            "leading": session == self.presenter,
            "following": bool(me and me.following),
            "seq": self.place.seq,
            "shot": self.place.shot,
            "playing": self.place.playing,
            "position": round(self.place.position_at(now)),
            "text": self.place.text,
            "members": [m.name for m in self.members],
        }


@dataclass
class _Slot:
    room: Room
    changed: threading.Condition = field(default_factory=threading.Condition)


class Rooms:
    """Every live room of one process and workspace; thread-safe (one lock, one condition per room)."""

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, timeout: float = HEARTBEAT_TIMEOUT
    ) -> None:
        self._clock = clock
        self._timeout = timeout
        self._lock = threading.Lock()
        self._slots: dict[str, _Slot] = {}

    # ------------------------------------------------------------------------------------ reads
    def find(self, project: str, seqs: tuple[str, ...] | None = None) -> Room | None:
        """The running room on ``project`` (within ``seqs`` when given), if any."""
        with self._lock:
            self._sweep()
            for slot in self._slots.values():
                room = slot.room
                if (
                    room.project == project
                    and not room.ended
                    and (seqs is None or room.seq in seqs)
                ):
                    return room
        return None

    def get(self, room_id: str) -> Room:
        """The room as it stands now (ended if its presenter stopped beating); ``NotFoundError``."""
        with self._lock:
            self._sweep()
            return self._slot(room_id).room

    def wait(self, room_id: str, version: int, timeout: float) -> Room:
        """The room once its version is past ``version``, or as it is after ``timeout`` seconds."""
        with self._lock:
            slot = self._slot(room_id)
        with slot.changed:
            slot.changed.wait_for(lambda: slot.room.version > version, timeout)
        return self.get(room_id)

    def now(self) -> float:
        """The registry's clock."""
        return self._clock()

    # ----------------------------------------------------------------------------------- writes
    def start(
        self, session: str, name: str, *, project: str, seq: str, shots: tuple[str, ...]
    ) -> Room:
        """A new room led by ``session`` (an editor), on the shot first in ``shots``."""
        if not shots:
            raise NotFoundError("there is no shot to present in a room")
        if self.find(project, (seq,)) is not None:
            raise PermissionDeniedError("a review room is already running on these shots")
        now = self._clock()
        room = Room(
            id=secrets.token_urlsafe(8),
            project=project,
            seq=seq,
            shots=shots,
            presenter=session,
            place=Place(seq, shots[0], at=now),
            members=(Member(session, name, True, True, now),),
        )
        with self._lock:
            self._slots[room.id] = _Slot(room)
        return room

    def join(
        self, room_id: str, session: str, name: str, *, editor: bool, following: bool = True
    ) -> Room:
        """``session`` in the room (following the presenter unless told otherwise: a member back
        after a silence keeps their choice); a member already in it stays as is."""

        def change(room: Room) -> Room:
            if room.member(session):
                return room
            member = Member(session, name, editor, following, self._clock())
            return replace(room, members=(*room.members, member))

        return self._change(room_id, change)

    def beat(self, room_id: str, session: str) -> Room:
        """``session`` is still here (without a version change: nobody needs to redraw for it)."""
        with self._lock:
            self._sweep()
            slot = self._slot(room_id)
            room = slot.room
            now = self._clock()
            members = tuple(
                replace(m, seen=now) if m.session == session else m for m in room.members
            )
            slot.room = replace(room, members=members)
            return slot.room

    def move(self, room_id: str, session: str, place: Place) -> Room:
        """The presenter's new place (its ``at`` set to now); ``PermissionDeniedError`` for others."""

        def change(room: Room) -> Room:
            self._require_presenter(room, session)
            return replace(room, place=replace(place, at=self._clock()))

        return self._change(room_id, change)

    def follow(self, room_id: str, session: str, following: bool) -> Room:
        """A participant steps away (``False``) or follows the presenter again (``True``)."""

        def change(room: Room) -> Room:
            members = tuple(
                replace(m, following=following) if m.session == session else m for m in room.members
            )
            return replace(room, members=members)

        return self._change(room_id, change)

    def ask(self, room_id: str, session: str, seq: str, shot: str) -> Room:
        """A participant's "look at this shot" for the presenter (the newest few are kept)."""

        def change(room: Room) -> Room:
            me = room.member(session)
            if me is None:
                raise PermissionDeniedError("only someone in the room can point at a shot")
            number = max((n.id for n in room.notices), default=0) + 1
            notices = (*room.notices, Notice(number, me.name, seq, shot))[-NOTICES_KEPT:]
            return replace(room, notices=notices)

        return self._change(room_id, change)

    def dismiss(self, room_id: str, session: str, notice: int) -> Room:
        """The presenter is done with a notice."""

        def change(room: Room) -> Room:
            self._require_presenter(room, session)
            return replace(room, notices=tuple(n for n in room.notices if n.id != notice))

        return self._change(room_id, change)

    def hand_over(self, room_id: str, session: str, to: str) -> Room:
        """The presenter gives the lead to another editor in the room."""

        def change(room: Room) -> Room:
            self._require_presenter(room, session)
            target = room.member(to)
            if target is None or not target.editor:
                raise PermissionDeniedError("the lead can only go to an editor in the room")
            members = tuple(
                replace(m, following=True, seen=self._clock()) if m.session == to else m
                for m in room.members
            )
            return replace(room, presenter=to, members=members, notices=())

        return self._change(room_id, change)

    def leave(self, room_id: str, session: str) -> Room:
        """``session`` leaves; when it is the presenter's, the room ends for everyone."""

        def change(room: Room) -> Room:
            if session == room.presenter:
                return self._ended(room, f"{room.presenter_name} ended the room")
            return replace(room, members=tuple(m for m in room.members if m.session != session))

        return self._change(room_id, change)

    # --------------------------------------------------------------------------------- internals
    def _require_presenter(self, room: Room, session: str) -> None:
        if room.ended:
            raise PermissionDeniedError(f"the room has ended: {room.ended}")
        if session != room.presenter:
            raise PermissionDeniedError("only the presenter leads the room")

    def _slot(self, room_id: str) -> _Slot:
        slot = self._slots.get(room_id)
        if slot is None:
            raise NotFoundError("this review room is over")
        return slot

    def _change(self, room_id: str, change: Callable[[Room], Room]) -> Room:
        with self._lock:
            self._sweep()
            slot = self._slot(room_id)
            if slot.room.ended:
                raise PermissionDeniedError(f"the room has ended: {slot.room.ended}")
            room = change(slot.room)
            if room is not slot.room:
                self._publish(slot, replace(room, version=slot.room.version + 1))
            return slot.room

    def _ended(self, room: Room, why: str) -> Room:
        return replace(room, ended=why, ended_at=self._clock(), notices=())

    def _publish(self, slot: _Slot, room: Room) -> None:
        with slot.changed:
            slot.room = room
            slot.changed.notify_all()

    def _sweep(self) -> None:
        """Members unheard of for too long leave; a silent presenter ends the room; old ends go."""
        now = self._clock()
        for room_id, slot in list(self._slots.items()):
            room = slot.room
            if room.ended:
                if now - room.ended_at > ENDED_KEPT:
                    del self._slots[room_id]
                continue
            lead = room.member(room.presenter)
            if lead is None or now - lead.seen > self._timeout:
                name = lead.name if lead else "the presenter"
                ended = self._ended(room, f"{name} left, so the room has ended")
                self._publish(slot, replace(ended, version=room.version + 1))
                continue
            here = tuple(m for m in room.members if now - m.seen <= self._timeout)
            if len(here) != len(room.members):
                self._publish(slot, replace(room, members=here, version=room.version + 1))


_REGISTRIES: dict[str, Rooms] = {}
_REGISTRIES_LOCK = threading.Lock()


def rooms_for(workspace: Path | str) -> Rooms:
    """The one registry of this process for ``workspace``."""
    key = str(Path(workspace).resolve())
    with _REGISTRIES_LOCK:
        return _REGISTRIES.setdefault(key, Rooms())
