"""A small project to make hand-outs of: two sequences, French text, frames of distinct solid colours."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from storyboard_core import Store

#: The colour of each shot's frame, by title; "Sans image" has no frame (a placeholder or title card).
COLOURS = {
    "Léa à la fenêtre": (220, 30, 30),
    "Le cœur « battant »": (30, 200, 40),
    "Sans image": None,
    "L’éclair — enfin": (30, 40, 220),
}
SIZE = (320, 180)


@dataclass(frozen=True)
class Board:
    """The project's slug, its two sequence ids and its shot ids by title."""

    store: Store
    project: str
    sequences: tuple[str, str]
    shots: dict[str, str]

    @property
    def folder(self) -> Path:
        """The project's folder."""
        return self.store.project_dir(self.project)


def make_board(store: Store) -> Board:
    """Create the project: sequence 1 has the first two shots, sequence 2 the last two."""
    project = store.create_project(
        "L'Orage d'été",
        format_id="custom",
        sequences=2,
        seconds_per_sequence=5,
        shots_per_sequence=2,
    )
    store.update_project(project.id, {"description": "Un court-métrage — œuvre d’essai « été »"})
    seq_ids = tuple(s.id for s in store.list_sequences(project.id))
    assert len(seq_ids) == 2
    folder = store.project_dir(project.id)
    (folder / "renders").mkdir(exist_ok=True)
    shots: dict[str, str] = {}
    titles = iter(COLOURS.items())
    for seq_id, duration in zip(seq_ids, (2.0, 1.5), strict=True):
        for shot in store.read_shots(project.id, seq_id):
            title, colour = next(titles)
            patch: dict[str, object] = {
                "title": title,
                "duration": duration,
                "prompt": f"prompt de {title}: ça déchire",
                "notes": f"note : {title}",
                "status": "review",
            }
            if colour is not None:
                Image.new("RGB", SIZE, colour).save(folder / "renders" / f"{shot.id}.png")
                patch["render"] = {"image": f"renders/{shot.id}.png"}
            store.update_shot(project.id, seq_id, shot.id, patch)
            shots[title] = shot.id
    return Board(store, project.id, (seq_ids[0], seq_ids[1]), shots)


@pytest.fixture
def board(store: Store) -> Board:
    """The project of this folder's tests."""
    return make_board(store)
