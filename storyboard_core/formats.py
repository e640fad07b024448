"""Project formats: how many sequences a new project gets and how long each one runs."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import FieldProblem, InvalidDataError

MAX_SHOTS_PER_SEQUENCE = 100
MAX_SEQUENCES = 999
#: The longest a shot may run (``Shot.duration``), and so a sequence's share of one shot.
MAX_SHOT_SECONDS = 86400


@dataclass(frozen=True)
class ProjectFormat:
    """A named film format: ``sequences`` sequences of ``seconds_per_sequence`` seconds each."""

    id: str
    name: str
    sequences: int
    seconds_per_sequence: float

    @property
    def total_seconds(self) -> float:
        """The running time of a project in this format."""
        return self.sequences * self.seconds_per_sequence


FORMATS: dict[str, ProjectFormat] = {
    f.id: f
    for f in (
        ProjectFormat("court-metrage", "Court-métrage", 15, 60),
        ProjectFormat("moyen-metrage", "Moyen-métrage", 20, 120),
        ProjectFormat("long-metrage-standard", "Long-métrage standard", 30, 180),
        ProjectFormat("long-metrage-premium", "Long-métrage premium", 40, 180),
        ProjectFormat("tres-long-metrage", "Très long-métrage", 50, 180),
        ProjectFormat("special-tv", "Spécial TV", 25, 144),
        ProjectFormat("episode-serie", "Épisode de série", 11, 120),
    )
}
CUSTOM = "custom"
FORMAT_IDS: tuple[str, ...] = (*FORMATS, CUSTOM)


def resolve_format(
    format_id: str,
    *,
    sequences: int | None = None,
    seconds_per_sequence: float | None = None,
) -> ProjectFormat:
    """The format for ``format_id``; ``custom`` takes its two numbers from the caller.

    Raises ``InvalidDataError`` naming the field for an unknown format or out-of-range numbers.
    """
    if format_id != CUSTOM:
        found = FORMATS.get(format_id)
        if found is None:
            raise InvalidDataError(
                [
                    FieldProblem(
                        "format", f"unknown format {format_id!r}; allowed: " + ", ".join(FORMAT_IDS)
                    )
                ]
            )
        return found
    problems = []
    if sequences is None or not 1 <= sequences <= MAX_SEQUENCES:
        problems.append(
            FieldProblem(
                "sequences",
                f"a custom format needs 1 to {MAX_SEQUENCES} sequences (got {sequences})",
            )
        )
    if seconds_per_sequence is None or not 0 < seconds_per_sequence <= 86400:
        problems.append(
            FieldProblem(
                "seconds_per_sequence",
                f"a custom format needs 0 to 86400 seconds per sequence (got {seconds_per_sequence})",
            )
        )
    if problems:
        raise InvalidDataError(problems)
    assert sequences is not None and seconds_per_sequence is not None
    return ProjectFormat(CUSTOM, "Custom", sequences, seconds_per_sequence)


def split_duration(
    total: float,
    parts: int,
    *,
    total_field: str = "seconds_per_sequence",
    parts_field: str = "shots_per_sequence",
) -> list[float]:
    """Split ``total`` seconds into ``parts`` near-equal durations (to the millisecond) that add up to it.

    Raises ``InvalidDataError`` naming ``parts_field`` or ``total_field`` (the caller's names for
    the two numbers) when there are not 1 to 100 parts, or a part would not be a shot's duration.
    """
    if not 1 <= parts <= MAX_SHOTS_PER_SEQUENCE:
        raise InvalidDataError(
            [FieldProblem(parts_field, f"must be from 1 to {MAX_SHOTS_PER_SEQUENCE} (got {parts})")]
        )
    limit = MAX_SHOT_SECONDS * parts
    if not (math.isfinite(total) and 0 <= round(total * 1000) <= limit * 1000):
        raise InvalidDataError(
            [
                FieldProblem(
                    total_field,
                    f"must be from 0 to {limit} seconds for {parts} shot{'s' if parts > 1 else ''} "
                    f"(a shot runs at most {MAX_SHOT_SECONDS} s; got {total})",
                )
            ]
        )
    millis = round(total * 1000)
    base, extra = divmod(millis, parts)
    # The first `extra` shots get one millisecond more, so the sum is exact.
    return [(base + (1 if i < extra else 0)) / 1000 for i in range(parts)]
