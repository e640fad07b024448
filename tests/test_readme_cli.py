"""The README's command-line examples run as written (documentation that cannot drift from the CLI).

Every ```sh block with ``$ storyboard …`` lines is a session: the blocks run in order in one fresh
workspace, each command's output (stdout, then stderr) must be the lines below it. Shot ids and
version ids are random: the first time the README shows one, it stands for the id printed there,
and later commands use the real id in its place. Times only have to look like times.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from storyboard_core.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"

#: Random ids: each README id stands for one real id, the same one everywhere.
IDS = re.compile(r"shot-[0-9a-f]{12}|\d{8}T\d{12}Z")
#: Times: any time of the same shape.
TIMES = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC")


@dataclass(frozen=True)
class Example:
    """One ``$ storyboard …`` line of the README and the output lines shown below it."""

    command: str
    output: tuple[str, ...]


def readme_examples(text: str) -> list[Example]:
    """The examples of every ```sh block with ``$ `` lines, in order."""
    examples: list[Example] = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        command: str | None = None
        output: list[str] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    examples.append(Example(command, tuple(output)))
                command, output = line[2:], []
            elif command is not None:
                output.append(line)
        if command is not None:
            examples.append(Example(command, tuple(output)))
    return examples


Runner = Callable[[list[str]], tuple[int, str]]


def _pieces(line: str) -> list[str]:
    """The line split around its ids and times (odd places: an id or a time)."""
    return re.split(f"({IDS.pattern}|{TIMES.pattern})", line)


def _match_line(shown: str, printed: str, ids: dict[str, str]) -> None:
    """``printed`` is ``shown`` but for ids (bound in ``ids``) and times; else AssertionError."""
    expected, actual = _pieces(shown.rstrip()), _pieces(printed.rstrip())
    assert len(expected) == len(actual), (shown, printed)
    for n, (want, got) in enumerate(zip(expected, actual, strict=True)):
        if n % 2 == 0 or TIMES.fullmatch(want):
            assert want == got or (TIMES.fullmatch(want) and TIMES.fullmatch(got)), (shown, printed)
            continue
        assert IDS.fullmatch(got), (shown, printed)
        bound = ids.setdefault(want, got)
        assert bound == got, f"{want} stood for {bound}, now {got}: {printed}"
        assert list(ids.values()).count(got) == 1, f"{got} stands for two ids of the README"


def run_examples(examples: list[Example], run: Runner) -> None:
    """Run each example, the README's ids replaced by the real ones; check every output line."""
    ids: dict[str, str] = {}
    for example in examples:
        words = shlex.split(IDS.sub(lambda m: ids.get(m.group(), m.group()), example.command))
        assert words[0] == "storyboard", example.command
        status, printed = run(words[1:])
        lines = printed.splitlines()
        assert len(lines) == len(example.output), (example.command, printed)
        for shown, line in zip(example.output, lines, strict=True):
            _match_line(shown, line, ids)
        failed = any(line.startswith("storyboard: ") for line in example.output)
        assert (status != 0) == failed, (example.command, status, printed)


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Runner:
    """The CLI in-process on a fresh workspace: exit status and stdout followed by stderr."""

    def run(argv: list[str]) -> tuple[int, str]:
        status = main(["--workspace", str(tmp_path / "workspace"), *argv])
        out, err = capsys.readouterr()
        return status, out + err

    return run


def test_the_readme_has_cli_examples() -> None:
    commands = {e.command.split()[1] for e in readme_examples(README.read_text("utf-8"))}
    assert {"new", "shots", "set", "history", "restore", "bible"} <= commands


def test_readme_cli_examples_run(run: Runner) -> None:
    run_examples(readme_examples(README.read_text("utf-8")), run)


DRIFTS = [
    ("l-orage\n", "lorage\n"),  # another output
    ("saved shot-1a2b3c4d5e6f\n$ storyboard set", "saved shot-6f5e4d3c2b1a\n$ storyboard set"),
    ("rewrites 1 text(s):\n", "rewrites 1 text(s):\nand one more line\n"),
    ("storyboard: generation.steps", "generation.steps"),  # an error shown as a success
]


@pytest.mark.parametrize(("shown", "drifted"), DRIFTS)
def test_a_drifted_example_fails(run: Runner, shown: str, drifted: str) -> None:
    """The check above can fail: the same examples, one of them changed, do not pass."""
    text = README.read_text("utf-8")
    assert shown in text
    with pytest.raises(AssertionError):
        run_examples(readme_examples(text.replace(shown, drifted, 1)), run)
