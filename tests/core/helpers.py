"""Helpers shared by the core tests: starting other Python processes, waiting for a condition,
running the CLI in-process, small images."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from storyboard_core.cli import main

REPO = Path(__file__).resolve().parents[2]


def png_bytes(
    *, size: tuple[int, int] = (8, 8), color: tuple[int, int, int] = (10, 200, 10)
) -> bytes:
    """A real PNG of one colour (different colours: different bytes)."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def child_env() -> dict[str, str]:
    """The environment for a child Python: this checkout first on the import path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return env


def run_together(script: str, argvs: list[list[str]], *, timeout: float = 120) -> list[str]:
    """Run ``python -c script`` once per argument list, released at the same moment; their outputs.

    Each child prints ``ready`` once set up, then waits for a line on stdin: all start together.
    Fails the test when a child exits with an error.
    """
    children = [
        subprocess.Popen(
            [sys.executable, "-c", script, *argv],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env=child_env(),
        )
        for argv in argvs
    ]
    outputs: list[str] = []
    try:
        for child in children:
            assert child.stdout is not None and child.stdout.readline() == "ready\n"
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        for child in children:
            out, _ = child.communicate(timeout=timeout)
            assert child.returncode == 0
            outputs.append(out)
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.communicate()
    return outputs


def wait_for(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Call ``check()`` every 10 ms until it returns something true; return that value.

    Fails the test (``AssertionError``) when ``timeout`` seconds pass first.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError("condition not met in time")


class Run:
    """Run the CLI in-process on one workspace and keep what it printed."""

    def __init__(self, workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.workspace = workspace
        self.capsys = capsys
        self.out = self.err = ""

    def __call__(self, *args: str, json_out: bool = False) -> int:
        argv = ["--workspace", str(self.workspace), *(["--json"] if json_out else []), *args]
        code = main(argv)
        self.out, self.err = self.capsys.readouterr()
        return code

    def json(self, *args: str) -> Any:
        assert self(*args, json_out=True) == 0, self.err
        return json.loads(self.out)


def assert_one_line_error(run: Run, *words: str) -> None:
    """The CLI failed with one line on stderr holding each of ``words``, and printed nothing else."""
    assert run.out == ""
    assert run.err.startswith("storyboard: ")
    assert run.err.count("\n") == 1 and run.err.endswith("\n"), run.err
    for word in words:
        assert word in run.err, (word, run.err)
