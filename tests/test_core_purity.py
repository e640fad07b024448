"""storyboard_core is plain Python: importing it (and its CLI) never imports Streamlit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PROBE = """
import sys
import storyboard_core, storyboard_core.cli
import pkgutil, importlib
for module in pkgutil.iter_modules(storyboard_core.__path__):
    if module.name != "__main__":
        importlib.import_module(f"storyboard_core.{module.name}")
print(sorted(m for m in sys.modules if m == "streamlit" or m.startswith("streamlit.")))
"""


def test_importing_the_core_does_not_import_streamlit() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_probe_would_see_streamlit() -> None:
    """The check above can fail: the same probe notices streamlit once something imports it."""
    result = subprocess.run(
        [sys.executable, "-c", "import streamlit\n" + PROBE],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "'streamlit'" in result.stdout
