"""What differs between two takes of a shot, readably: "prompt: + heavy rain · seed 123 → 456 · CFG 7 → 5.5".

Texts (prompt, negative prompt) are compared word by word; every other input is shown old → new.
Only what both takes recorded is compared: a take from before inputs were recorded (or an upload)
still compares by its seed, workflow, server and source.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Literal

from .bible.style import ShotContext, effective
from .models import Shot
from .takes import Take, TakeInputs, current_take, shot_workflow, take_inputs

TEXT_FIELDS = ("prompt", "negative_prompt")
LABELS = {
    "source": "source",
    "original_name": "file",
    "prompt": "prompt",
    "negative_prompt": "negative prompt",
    "generation.checkpoint": "checkpoint",
    "generation.steps": "steps",
    "generation.cfg_scale": "CFG",
    "generation.sampler": "sampler",
    "generation.scheduler": "scheduler",
    "generation.seed": "seed",
    "generation.width": "width",
    "generation.height": "height",
    "generation.denoise": "denoise",
    "workflow": "workflow",
    "server": "server",
}

WordOp = Literal["=", "+", "-"]
# A word or a punctuation mark, with the white space before it: joined again, the tokens are the
# text exactly; compared without their spaces, "bay," and "bay" share the word.
_TOKEN = re.compile(r"\s*(?:[^\W_](?:[\w'’-]*[^\W_])?|\S)")
_EDGE = " \t\r\n,.;:!?"


@dataclass(frozen=True)
class InputChange:
    """One input that differs between two takes.

    ``words`` is set for a text: the new text as runs of words kept (``=``), added (``+``) and
    removed (``-``), in reading order.
    """

    field: str
    label: str
    old: Any
    new: Any
    words: tuple[tuple[WordOp, str], ...] | None = None

    def __str__(self) -> str:
        if self.words is not None:
            # The summary shows words; a comma that came with them adds nothing to read.
            edits = [
                f"{'+' if op == '+' else '−'} {text.strip(_EDGE) or text.strip()}"
                for op, text in self.words
                if op != "="
            ]
            return f"{self.label}: {' '.join(edits)}"
        return f"{self.label} {show(self.old)} → {show(self.new)}"


def show(value: Any) -> str:
    """A value as the diff shows it: ``7.0`` -> ``7``, ``""`` -> ``(none)``."""
    if value is None or value == "":
        return "(none)"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def take_values(take: Take) -> dict[str, Any]:
    """A take's inputs as flat ``{dotted field: value}``, in the order a diff lists them."""
    values: dict[str, Any] = {"source": take.source}
    if take.original_name is not None:
        values["original_name"] = take.original_name
    inputs = take.inputs
    if inputs is None:
        # Only what an early take recorded about itself.
        if take.seed is not None:
            values["generation.seed"] = take.seed
        if take.workflow:
            values["workflow"] = take.workflow
        if take.server:
            values["server"] = take.server
        return values
    values["prompt"] = inputs.prompt
    values["negative_prompt"] = inputs.negative_prompt
    values.update({f"generation.{k}": v for k, v in inputs.generation.items()})
    values["workflow"] = inputs.workflow
    values["server"] = inputs.server
    return values


def word_diff(old: str, new: str) -> tuple[tuple[WordOp, str], ...]:
    """``new`` compared with ``old`` word by word: runs kept (``=``), added (``+``), removed (``-``).

    Each run keeps the white space before its words: the kept and added runs joined are ``new``
    (but for white space at its end). A change of white space alone is no change of words.
    """
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    keys_a, keys_b = [t.strip() for t in a], [t.strip() for t in b]
    runs: list[tuple[WordOp, str]] = []
    matcher = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            # The same words; white space that differs between them counts as the new text's.
            runs.append(("=", "".join(b[j1:j2])))
            continue
        if tag in ("delete", "replace"):
            runs.append(("-", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            runs.append(("+", "".join(b[j1:j2])))
    return tuple(runs)


def diff_takes(old: Take, new: Take) -> list[InputChange]:
    """Every input recorded by both takes that differs, ``old`` → ``new``."""
    before, after = take_values(old), take_values(new)
    changes = []
    for field, value in after.items():
        if field not in before or before[field] == value:
            continue
        label = LABELS.get(field, field.removeprefix("generation."))
        previous = before[field]
        if field in TEXT_FIELDS and isinstance(previous, str) and isinstance(value, str):
            words = word_diff(previous, value)
            if all(op == "=" for op, _ in words):  # only spacing changed
                words = (("-", previous), ("+", value))
            changes.append(InputChange(field, label, previous, value, words))
        else:
            changes.append(InputChange(field, label, previous, value))
    return changes


def diff_summary(old: Take, new: Take) -> str:
    """The differences in one line, ``"prompt: + heavy rain · seed 123 → 456"``."""
    changes = diff_takes(old, new)
    return " · ".join(str(c) for c in changes) if changes else "no recorded input differs"


def changes_since_take(shot: Shot, context: ShotContext | None = None) -> list[InputChange]:
    """What ``shot`` asks for now in ``context`` that differs from what made its current take.

    Empty without a frame or for a take that recorded no inputs. A seed of -1 is compared as the
    seed the take drew (a new random seed is not a change).
    """
    take = current_take(shot)
    if take is None or take.inputs is None:
        return []
    seed = int(effective(shot, context).generation["seed"])
    if seed < 0:
        seed = take.inputs.generation.get("seed", seed)
    inputs = take_inputs(
        shot, seed=seed, workflow=shot_workflow(shot), server=take.inputs.server, context=context
    )
    return diff_takes(take, Take(image=take.image, inputs=TakeInputs.model_validate(inputs)))


__all__ = [
    "InputChange",
    "changes_since_take",
    "diff_summary",
    "diff_takes",
    "show",
    "take_values",
    "word_diff",
]
