"""storyboard_core is plain Python: importing it (and its CLI) never imports Streamlit, and importing
the package loads no heavy library (pandas, PIL, httpx…): each is imported where a feature uses it.
"""

from __future__ import annotations

import ast
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


HEAVY = ("pandas", "numpy", "pyarrow", "PIL", "av", "reportlab", "httpx", "streamlit")

#: What a cold ``storyboard projects`` or a page needs first: the root, the store and the light packages.
LIGHT_IMPORTS = """
import storyboard_core
import storyboard_core.store, storyboard_core.models
import storyboard_core.access, storyboard_core.comfyui, storyboard_core.exports, storyboard_core.storycore
"""

#: The modules that do need those libraries, used as they are used.
HEAVY_USES = """
import streamlit
import storyboard_core.comfyui.client, storyboard_core.exports.pdf, storyboard_core.exports.video
from storyboard_core.shotlist import shot_list_csv
shot_list_csv([])
"""

HEAVY_PROBE = f"""
import sys
print(sorted(name for name in {HEAVY!r} if name in sys.modules))
"""


def _heavy_after(code: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", code + HEAVY_PROBE],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return list(ast.literal_eval(result.stdout.strip()))


def test_importing_the_core_loads_no_heavy_library() -> None:
    """``import storyboard_core`` stays cheap: pandas, PIL, httpx… load where a feature uses them."""
    assert _heavy_after(LIGHT_IMPORTS) == []


def test_the_heavy_probe_would_see_them() -> None:
    """The check above can fail: the same probe sees every library once its user is imported."""
    assert _heavy_after(LIGHT_IMPORTS + HEAVY_USES) == sorted(HEAVY)
