"""A small, realistic sample project, so that a first run shows a real storyboard."""

from __future__ import annotations

from .models import Project
from .store import Store

DEMO_NAME = "L'Orage — demo"

_NEGATIVE = "blurry, low quality, watermark, text, deformed hands"

# (sequence name, description, [(title, shot type, camera movement, seconds, status, prompt)])
_SEQUENCES: list[tuple[str, str, list[tuple[str, str, str, float, str, str]]]] = [
    (
        "The harbour at dusk",
        "A fishing village waits for the storm.",
        [
            (
                "Establishing: the bay",
                "extreme-wide",
                "crane",
                8,
                "approved",
                "cinematic wide shot of a small Breton fishing harbour at dusk, heavy clouds rolling "
                "in from the sea, warm lights in stone houses, 35mm film, anamorphic",
            ),
            (
                "Nets on the quay",
                "medium",
                "dolly",
                5,
                "review",
                "old fisherman folding red nets on a wet granite quay, wind in his coat, "
                "overcast light, shallow depth of field",
            ),
            (
                "Léa at the window",
                "close-up",
                "static",
                4,
                "draft",
                "young woman looking out of a rain-streaked window, reflection of the harbour lights "
                "on the glass, moody teal and amber palette",
            ),
        ],
    ),
    (
        "The storm breaks",
        "The boats are still out when the wind turns.",
        [
            (
                "Lightning over the sea",
                "wide",
                "static",
                3,
                "approved",
                "lightning bolt striking a dark stormy sea, huge waves, a tiny trawler in the "
                "distance, dramatic chiaroscuro",
            ),
            (
                "On deck",
                "over-the-shoulder",
                "handheld",
                6,
                "draft",
                "over-the-shoulder view of a sailor gripping the wheel of a trawler in a storm, "
                "sea spray, yellow oilskin, night, flashlight beams",
            ),
            (
                "The lighthouse",
                "extreme-wide",
                "pan",
                5,
                "draft",
                "lonely lighthouse on a rock battered by waves at night, beam cutting through rain",
            ),
            ("Léa runs", "wide", "tracking", 4, "rejected", ""),
        ],
    ),
    (
        "Morning after",
        "Calm water, and one boat missing.",
        [
            (
                "Empty mooring",
                "medium",
                "static",
                6,
                "draft",
                "empty mooring buoy on calm grey water at dawn, mist, seagulls, melancholic",
            ),
            (
                "Faces on the quay",
                "pov",
                "dolly",
                5,
                "draft",
                "point of view walking along a quay lined with silent villagers at dawn, "
                "soft diffuse light",
            ),
        ],
    ),
]


def create_demo_project(store: Store) -> Project:
    """Create the demo project: three sequences of written shots, ready to edit and render."""
    project = store.create_project(
        DEMO_NAME,
        format_id="custom",
        sequences=len(_SEQUENCES),
        seconds_per_sequence=15,
        shots_per_sequence=1,
        description="A short film about a storm over a fishing village (sample project).",
    )
    for seq_index, (name, description, shots) in enumerate(_SEQUENCES, start=1):
        seq_id = f"{seq_index:03d}"
        store.rename_sequence(project.id, seq_id, name, description=description)
        placeholder = store.read_sequence(project.id, seq_id).shots[0].id
        for title, shot_type, movement, seconds, status, prompt in shots:
            store.add_shot(
                project.id,
                seq_id,
                {
                    "title": title,
                    "shot_type": shot_type,
                    "camera_movement": movement,
                    "duration": seconds,
                    "status": status,
                    "prompt": prompt,
                    "negative_prompt": _NEGATIVE if prompt else "",
                },
            )
        store.delete_shot(project.id, seq_id, placeholder)
    store.add_shot(
        project.id,
        None,
        {
            "title": "Alternate ending: the boat returns",
            "duration": 6,
            "prompt": "a battered trawler entering the harbour at sunrise, villagers cheering",
        },
    )
    return project
