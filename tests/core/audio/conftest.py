"""A small project for the sound tests: two sequences of two 2-second shots (8 s in all)."""

from __future__ import annotations

import pytest

from storyboard_core.models import Project
from storyboard_core.store import Store


@pytest.fixture
def small(store: Store) -> Project:
    """Sequences 001 and 002, each of two shots of 2 s: the project's timeline is 8 s long."""
    return store.create_project(
        "Sons", format_id="custom", sequences=2, seconds_per_sequence=4, shots_per_sequence=2
    )
