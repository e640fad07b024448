"""The CLI starts quickly: neither importing it nor listing projects loads a heavy library.

The heavy parts of the core (pandas for the shot list, PIL, PyAV, ReportLab for hand-outs, httpx
for ComfyUI) are imported by the commands that use them. The probe runs a plain new Python: what
it sees is what the package root, the ``cli`` package and the core modules they reach import.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from storyboard_core import Store
from storyboard_core.cli import main

from .helpers import REPO, child_env

HEAVY = ("pandas", "av", "reportlab", "PIL", "httpx")

PROBE = """
import sys
{code}
print(sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy!r})))
"""


def heavy_imports(code: str) -> str:
    """The heavy libraries loaded after running ``code`` in a new Python, as a printed list."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(code=code, heavy=HEAVY)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=child_env(),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "code",
    [
        "import storyboard_core.cli",
        "from storyboard_core.cli import main; main(['--workspace', {ws!r}, 'projects'])",
        "from storyboard_core.cli import main; main(['--workspace', {ws!r}, 'sequences', 'orage'])",
        "from storyboard_core.cli import main\ntry: main(['--help'])\nexcept SystemExit: pass",
    ],
)
def test_the_cli_imports_no_heavy_library(code: str, workspace: Path) -> None:
    Store(workspace).create_project("Orage", shots_per_sequence=2)
    assert heavy_imports(code.format(ws=str(workspace))) == "[]"


def test_the_probe_would_see_a_heavy_library() -> None:
    """The check above can fail: the same probe notices pandas once the shot list writes a CSV."""
    assert "'pandas'" in heavy_imports(
        "import storyboard_core.cli, storyboard_core.shotlist as s; s.shot_list_csv([])"
    )


@pytest.mark.parametrize("option", ["--workspace", "--works", "--w"])
def test_the_command_run_gets_its_arguments(
    option: str, workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the command run is parsed with its arguments; argparse's abbreviations still work."""
    Store(workspace).create_project("Orage", shots_per_sequence=2)
    target = workspace / "s.csv"
    assert (
        main([option, str(workspace), "export", "orage", "--format", "csv", "-o", str(target)]) == 0
    )
    assert capsys.readouterr().out == f"{target}\n"
    assert main([option, str(workspace), "shots", "orage", "001"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
