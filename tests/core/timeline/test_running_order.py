"""The running order: shots end to end with their start times, sections that remember where they
sit on the project's timeline, a subset or a new order, and cuts on frames when asked."""

from __future__ import annotations

import pytest

from storyboard_core.errors import NotFoundError
from storyboard_core.exports.timecode import frame_lengths
from storyboard_core.models import Project, Sequence, Shot
from storyboard_core.store import Store
from storyboard_core.timeline.running_order import read_running_order, running_order
from storyboard_core.types import LOOSE


def _project(
    durations: dict[str, list[float]], loose: tuple[float, ...] = ()
) -> tuple[Project, list[Sequence]]:
    def shots(prefix: str, values: list[float]) -> list[Shot]:
        return [
            Shot(id=f"{prefix}-{i}", position=i, duration=d) for i, d in enumerate(values, start=1)
        ]

    project = Project(id="p", name="P", shots=shots("loose", list(loose)))
    sequences = [
        Sequence(id=seq_id, name=seq_id, order=n, shots=shots(f"s{seq_id}", values))
        for n, (seq_id, values) in enumerate(durations.items(), start=1)
    ]
    return project, sequences


def test_shots_start_where_the_previous_ones_end() -> None:
    project, sequences = _project({"001": [1.5, 2.0], "002": [0.5, 3.0]})
    order = running_order(project, sequences)
    assert [(p.seq, p.start, p.end) for p in order.shots] == [
        ("001", 0.0, 1.5),
        ("001", 1.5, 3.5),
        ("002", 3.5, 4.0),
        ("002", 4.0, 7.0),
    ]
    assert order.duration == order.project_duration == 7.0
    assert [(s.seq, s.start, s.project_start) for s in order.sections] == [
        ("001", 0.0, 0.0),
        ("002", 3.5, 3.5),
    ]


def test_a_subset_in_another_order_keeps_each_sequence_s_place_on_the_project_timeline() -> None:
    project, sequences = _project({"001": [2.0], "002": [3.0], "003": [4.0]}, loose=(1.0,))
    order = running_order(project, sequences, ["003", LOOSE, "001"])
    assert [(s.seq, s.start, s.duration, s.project_start) for s in order.sections] == [
        ("003", 0.0, 4.0, 5.0),
        (LOOSE, 4.0, 1.0, None),
        ("001", 5.0, 2.0, 0.0),
    ]
    assert order.project_duration == 9.0  # the loose shots are not on the project's timeline


def test_an_unknown_sequence_is_not_found() -> None:
    project, sequences = _project({"001": [2.0]})
    with pytest.raises(NotFoundError, match="no sequence 009"):
        running_order(project, sequences, ["001", "009"])


def test_with_a_frame_rate_every_cut_falls_on_a_frame_as_in_the_mp4() -> None:
    durations = [1.01, 0.333, 2.5, 0.02]
    project, sequences = _project({"001": durations[:2], "002": durations[2:]})
    order = running_order(project, sequences, fps=24)
    cuts = [round(p.start * 24, 9) for p in order.shots]
    lengths = frame_lengths(durations, 24)
    assert cuts == [0, lengths[0], sum(lengths[:2]), sum(lengths[:3])]
    assert order.duration * 24 == pytest.approx(sum(lengths))
    # The project's timeline is on the same frames: each section starts where it sits on it.
    assert [s.start for s in order.sections] == [s.project_start for s in order.sections]
    assert order.project_duration == order.duration


def test_read_from_the_store_leaves_out_unreadable_sequences(
    store: Store, project: Project
) -> None:
    store.sequence_path(project.id, "002").write_text("{ broken")
    order = read_running_order(store, project.id)
    assert [s.seq for s in order.sections] == ["001", "003"]
    assert order.sections[1].project_start == 60.0
    assert len(order.shots) == 8
