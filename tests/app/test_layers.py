"""The app's layers import only downwards: views -> components -> frame, never back.

``ui/frame`` (what every page runs inside) imports neither ``ui.components`` nor ``ui.views``;
``ui/components`` (widgets several pages share) never imports ``ui.views``. Read from the source, so
an import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path, PurePosixPath

import pytest

REPO = Path(__file__).resolve().parents[2]
UI = REPO / "ui"

# The layers below which each layer may not reach up: a module of the key may not import these.
FORBIDDEN = {"frame": ("ui.components", "ui.views"), "components": ("ui.views",)}


def imported(module: str, source: str) -> list[str]:
    """Every module the source of ``module`` (dotted, e.g. ``ui.frame.state``) imports, made absolute."""
    package = module.split(".")[:-1]
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, *([node.module] if node.module else [])])
            # ``from ui import views`` imports a module: count each name as ``target.name`` too.
            found += [target, *(f"{target}.{a.name}" for a in node.names)]
    return found


def violations(path: PurePosixPath, source: str) -> list[str]:
    """The imports of the file at ``path`` (relative to the repository) that reach up a layer."""
    module = ".".join(path.with_suffix("").parts)  # ``ui.frame.__init__``: its package is ui.frame
    layer = path.parts[1] if len(path.parts) > 2 else ""
    above = FORBIDDEN.get(layer, ())
    return [
        f"{path}: imports {name}"
        for name in imported(module, source)
        if any(name == up or name.startswith(up + ".") for up in above)
    ]


def ui_files() -> list[Path]:
    return sorted(UI.rglob("*.py"))


def test_the_layers_exist() -> None:
    layers = {p.relative_to(UI).parts[0] for p in ui_files() if len(p.relative_to(UI).parts) > 1}
    assert layers == {"frame", "components", "views"}


@pytest.mark.parametrize("path", ui_files(), ids=lambda p: str(p.relative_to(UI)))
def test_no_module_imports_a_layer_above_its_own(path: Path) -> None:
    relative = PurePosixPath(path.relative_to(REPO).as_posix())
    assert violations(relative, path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("ui/frame/sidebar.py", "from ui.views.present import present\n"),
        ("ui/frame/sidebar.py", "from ..components import messages\n"),
        ("ui/frame/services.py", "def f():\n    import ui.components.shot_card\n"),
        ("ui/frame/__init__.py", "from ..views import review\n"),
        ("ui/components/messages.py", "from ..views.shot.editor import load\n"),
        ("ui/components/messages.py", "from ui import views\n"),
    ],
)
def test_the_check_sees_an_import_that_reaches_up(path: str, source: str) -> None:
    """The check can fail: each of these reaches up a layer, absolute, relative or in a function."""
    assert violations(PurePosixPath(path), source) != []


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("ui/frame/sidebar.py", "from .services import monitor\n"),
        ("ui/components/messages.py", "from ui.frame.state import link\n"),
        ("ui/components/shot_card.py", "from .comments import comment_thread\n"),
        (
            "ui/views/shot/editor.py",
            "from ui.components.messages import reported\nfrom . import looks\n",
        ),
    ],
)
def test_the_check_lets_an_import_downwards_pass(path: str, source: str) -> None:
    assert violations(PurePosixPath(path), source) == []
