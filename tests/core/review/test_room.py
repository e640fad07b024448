"""The review room registry: leading, following, stepping away, handing over, ending, waking readers."""

from __future__ import annotations

import threading
import time

import pytest

from storyboard_core.errors import NotFoundError, PermissionDeniedError
from storyboard_core.review.room import HEARTBEAT_TIMEOUT, Place, Rooms, rooms_for


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def rooms(clock: Clock) -> Rooms:
    return Rooms(clock=clock)


def started(rooms: Rooms) -> str:
    room = rooms.start("lead", "Ana", project="p", seq="001", shots=("a", "b", "c"))
    rooms.join(room.id, "f1", "Bo", editor=False)
    rooms.join(room.id, "f2", "Cy", editor=True)
    return room.id


def test_followers_see_the_presenters_moves(rooms: Rooms, clock: Clock) -> None:
    rid = started(rooms)
    before = rooms.get(rid).version
    rooms.move(rid, "lead", Place("001", "b", playing=True, position=500, text=True))
    clock.t += 2
    room = rooms.get(rid)
    assert room.version == before + 1
    seen = room.snapshot("f1", clock())
    assert seen["shot"] == "b" and seen["playing"] and seen["text"]
    assert seen["position"] == 2500  # it ran on for the 2 s since the move
    assert seen["members"] == ["Ana", "Bo", "Cy"]
    assert seen["presenter"] == "Ana" and not seen["leading"] and seen["following"]


def test_only_the_presenter_moves(rooms: Rooms) -> None:
    rid = started(rooms)
    with pytest.raises(PermissionDeniedError, match="only the presenter"):
        rooms.move(rid, "f1", Place("001", "c"))


def test_stepping_away_and_back(rooms: Rooms, clock: Clock) -> None:
    rid = started(rooms)
    rooms.follow(rid, "f1", False)
    assert rooms.get(rid).snapshot("f1", clock())["following"] is False
    rooms.follow(rid, "f1", True)
    assert rooms.get(rid).snapshot("f1", clock())["following"] is True


def test_a_member_may_join_again_stepped_away(rooms: Rooms, clock: Clock) -> None:
    rid = started(rooms)
    rooms.leave(rid, "f1")
    rooms.join(rid, "f1", "Bo", editor=False, following=False)
    assert rooms.get(rid).snapshot("f1", clock())["following"] is False


def test_look_at_this_shot_reaches_the_presenter(rooms: Rooms) -> None:
    rid = started(rooms)
    room = rooms.ask(rid, "f1", "001", "c")
    assert [(n.name, n.shot) for n in room.notices] == [("Bo", "c")]
    room = rooms.dismiss(rid, "lead", room.notices[0].id)
    assert room.notices == ()
    with pytest.raises(PermissionDeniedError):
        rooms.ask(rid, "stranger", "001", "a")


def test_the_lead_goes_only_to_an_editor(rooms: Rooms, clock: Clock) -> None:
    rid = started(rooms)
    with pytest.raises(PermissionDeniedError, match="an editor"):
        rooms.hand_over(rid, "lead", "f1")
    room = rooms.hand_over(rid, "lead", "f2")
    assert room.presenter == "f2" and room.presenter_name == "Cy"
    rooms.move(rid, "f2", Place("001", "c"))
    with pytest.raises(PermissionDeniedError):
        rooms.move(rid, "lead", Place("001", "a"))
    assert rooms.get(rid).snapshot("f2", clock())["leading"] is True


def test_the_room_ends_when_the_presenter_leaves(rooms: Rooms) -> None:
    rid = started(rooms)
    room = rooms.leave(rid, "lead")
    assert room.ended == "Ana ended the room"
    assert rooms.find("p") is None
    with pytest.raises(PermissionDeniedError, match="ended"):
        rooms.follow(rid, "f1", False)


def test_a_silent_presenter_ends_the_room(rooms: Rooms, clock: Clock) -> None:
    rid = started(rooms)
    clock.t += HEARTBEAT_TIMEOUT / 2
    rooms.beat(rid, "f1")
    rooms.beat(rid, "lead")
    clock.t += HEARTBEAT_TIMEOUT / 2 + 1
    rooms.beat(rid, "lead")
    room = rooms.get(rid)
    assert not room.ended
    assert [m.name for m in room.members] == ["Ana", "Bo"]  # Cy never beat again: gone
    clock.t += HEARTBEAT_TIMEOUT + 1
    assert rooms.get(rid).ended == "Ana left, so the room has ended"
    clock.t += 10_000
    with pytest.raises(NotFoundError):
        rooms.get(rid)


def test_one_room_per_shots_and_leaving_a_follower(rooms: Rooms) -> None:
    rid = started(rooms)
    with pytest.raises(PermissionDeniedError, match="already"):
        rooms.start("f2", "Cy", project="p", seq="001", shots=("a",))
    assert rooms.find("p", ("002",)) is None
    room = rooms.leave(rid, "f1")
    assert [m.name for m in room.members] == ["Ana", "Cy"] and not room.ended


def test_a_waiting_reader_wakes_at_once() -> None:
    rooms = Rooms()
    rid = started(rooms)
    version = rooms.get(rid).version
    woke: list[float] = []

    def reader() -> None:
        rooms.wait(rid, version, timeout=5)
        woke.append(time.monotonic())

    thread = threading.Thread(target=reader)
    thread.start()
    time.sleep(0.05)
    moved = time.monotonic()
    rooms.move(rid, "lead", Place("001", "b"))
    thread.join(2)
    assert woke and woke[0] - moved < 0.5


def test_one_registry_per_workspace(tmp_path: object) -> None:
    assert rooms_for("/tmp/x") is rooms_for("/tmp/x/.")
    assert rooms_for("/tmp/x") is not rooms_for("/tmp/y")
