"""Store: a new project from each format, its slug, and what a new project refuses (``store/creation.py``)."""

from __future__ import annotations

import pytest

from storyboard_core import (
    FORMATS,
    InvalidDataError,
    Store,
)

from .store_files import on_disk

# ----------------------------------------------------------------------------- create


@pytest.mark.parametrize("format_id", sorted(FORMATS))
def test_create_from_each_format(store: Store, format_id: str) -> None:
    fmt = FORMATS[format_id]
    project = store.create_project("Film", format_id=format_id, shots_per_sequence=3)
    summaries = store.list_sequences(project.id)
    assert len(summaries) == fmt.sequences
    assert [s.id for s in summaries] == [f"{n:03d}" for n in range(1, fmt.sequences + 1)]
    assert [s.order for s in summaries] == list(range(1, fmt.sequences + 1))
    seq = store.read_sequence(project.id, "001")
    durations = [s.duration for s in seq.shots]
    assert sum(durations) == pytest.approx(fmt.seconds_per_sequence)
    assert max(durations) - min(durations) <= 0.001
    assert seq.duration == pytest.approx(fmt.seconds_per_sequence)
    summary = store.summarize_project(project.id)
    assert summary.counts.shots == 3 * fmt.sequences
    assert summary.counts.duration == pytest.approx(fmt.total_seconds)
    assert summary.format == format_id


def test_format_table_matches_the_spec() -> None:
    table = {f.id: (f.name, f.sequences, f.seconds_per_sequence) for f in FORMATS.values()}
    assert table == {
        "court-metrage": ("Court-métrage", 15, 60),
        "moyen-metrage": ("Moyen-métrage", 20, 120),
        "long-metrage-standard": ("Long-métrage standard", 30, 180),
        "long-metrage-premium": ("Long-métrage premium", 40, 180),
        "tres-long-metrage": ("Très long-métrage", 50, 180),
        "special-tv": ("Spécial TV", 25, 144),
        "episode-serie": ("Épisode de série", 11, 120),
    }


@pytest.mark.parametrize("shots", [1, 7, 100])
def test_shots_per_sequence_split_evenly(store: Store, shots: int) -> None:
    project = store.create_project(
        "Split", format_id="custom", sequences=1, seconds_per_sequence=100, shots_per_sequence=shots
    )
    seq = store.read_sequence(project.id, "001")
    assert len(seq.shots) == shots
    assert [s.position for s in seq.shots] == list(range(1, shots + 1))
    assert sum(s.duration for s in seq.shots) == pytest.approx(100)
    assert seq.duration == pytest.approx(100)
    assert len({s.id for s in seq.shots}) == shots


def test_default_is_one_shot_per_sequence(store: Store) -> None:
    project = store.create_project("One")
    seq = store.read_sequence(project.id, "001")
    assert len(seq.shots) == 1
    assert seq.shots[0].duration == 60


@pytest.mark.parametrize("shots", [0, 101, -1])
def test_shots_per_sequence_out_of_range_refused(store: Store, shots: int) -> None:
    with pytest.raises(InvalidDataError) as caught:
        store.create_project("Bad", shots_per_sequence=shots)
    assert "shots_per_sequence" in caught.value.by_field()
    assert "100" in str(caught.value)
    assert store.list_projects() == []
    assert [p for p in store.root.iterdir()] == [], "no half-built project left behind"


def test_custom_format(store: Store) -> None:
    project = store.create_project(
        "Mine", format_id="custom", sequences=2, seconds_per_sequence=30, shots_per_sequence=3
    )
    assert project.format == "custom"
    assert [s.counts.duration for s in store.list_sequences(project.id)] == [30, 30]
    with pytest.raises(InvalidDataError) as caught:
        store.create_project("Mine", format_id="custom", sequences=0, seconds_per_sequence=0)
    assert set(caught.value.by_field()) == {"sequences", "seconds_per_sequence"}
    with pytest.raises(InvalidDataError) as caught:
        store.create_project("Mine", format_id="imax")
    assert "format" in caught.value.by_field()


def test_slugs_are_unique(store: Store) -> None:
    first = store.create_project("Orage")
    second = store.create_project("Orage")
    third = store.create_project("L'Orage d'été")
    assert (first.id, second.id, third.id) == ("orage", "orage-2", "l-orage-d-ete")
    assert [p.id for p in store.list_projects()] == ["l-orage-d-ete", "orage", "orage-2"]
    assert on_disk(store.project_dir("orage-2") / "project.json")["id"] == "orage-2"


def test_empty_name_refused(store: Store) -> None:
    with pytest.raises(InvalidDataError) as caught:
        store.create_project("   ")
    assert "name" in caught.value.by_field()
