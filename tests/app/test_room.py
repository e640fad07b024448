"""The review room's part of the present page through ``app.py``: a member back after a silence.

Leading, following and asking run in real browsers (``tests/e2e/test_room.py``). Here the page runs
against this process's room registry, given a clock the test moves, to reach a silence longer than
the room's heartbeat timeout without waiting for it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from storyboard_core import Project, Store
from storyboard_core.review import room as room_module
from storyboard_core.review.room import HEARTBEAT_TIMEOUT, Rooms
from tests.core.review.test_room import Clock
from ui.frame.registry import PRESENT

from .conftest import OpenPage, click, run


@pytest.fixture
def rooms(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Rooms, Clock]:
    """The workspace's room registry (the one the page finds), on a clock the test moves."""
    clock = Clock()
    registry = Rooms(clock=clock)
    monkeypatch.setitem(room_module._REGISTRIES, str(workspace.resolve()), registry)
    return registry, clock


def test_a_member_dropped_after_a_silence_is_back_in_the_room_as_they_were(
    demo: Project, store: Store, open_page: OpenPage, rooms: tuple[Rooms, Clock]
) -> None:
    registry, clock = rooms
    shots = tuple(s.id for s in store.read_shots(demo.id, "001"))
    room = registry.start("lead", "Ana", project=demo.id, seq="001", shots=shots)
    at = open_page(PRESENT, project=demo.id, seq="001", shot=shots[0])
    me = at.session_state["review_room_session"]
    joined = registry.get(room.id).member(me)
    assert joined is not None and joined.following
    click(at, "present:room_away")
    stepped = registry.get(room.id).member(me)
    assert stepped is not None and not stepped.following

    # The page is silent for longer than the timeout (the presenter is not): the room drops it.
    for _ in range(2):
        clock.t += HEARTBEAT_TIMEOUT * 0.6
        registry.beat(room.id, "lead")
    assert registry.get(room.id).member(me) is None

    # Its next run is in the room again, still stepped away, and its buttons reach the room.
    run(at)
    back = registry.get(room.id).member(me)
    assert back is not None and not back.following
    assert any("Stepped away from Ana's review room · 2 in it" in c.value for c in at.caption)
    click(at, "present:room_back")
    followed = registry.get(room.id).member(me)
    assert followed is not None and followed.following
