"""The public surface of storyboard_core: the stable names in one ``__all__``, the old names lazily.

The root defines the stable names (errors, models, ``Store``, the shared aliases); every other name it
used to export resolves on first use from the module named in its lazy table.
"""

from __future__ import annotations

import importlib
import inspect

import pytest

import storyboard_core
from storyboard_core import errors
from storyboard_core.lazy import LazyNames

LAZY: dict[str, str] = storyboard_core._LAZY.where
COMFYUI_LAZY: dict[str, str] = importlib.import_module("storyboard_core.comfyui")._LAZY.where


def _defined_at_the_root() -> set[str]:
    """The public names the root binds itself: not modules, not names the lazy table cached."""
    return {
        name
        for name, value in vars(storyboard_core).items()
        if not name.startswith("_") and not inspect.ismodule(value) and name not in LAZY
    }


@pytest.mark.parametrize("module", ["errors", "models", "types"])
def test_each_public_list_is_unique_and_sorted_constants_first(module: str) -> None:
    """Upper-case constants first, then the rest, each group sorted (the httpx layout)."""
    names = importlib.import_module(f"storyboard_core.{module}").__all__
    assert len(names) == len(set(names))
    constants = [n for n in names if n.isupper()]
    others = [n for n in names if not n.isupper()]
    assert names == sorted(constants) + sorted(others)


def test_the_root_lists_each_name_once() -> None:
    names = storyboard_core.__all__
    assert len(names) == len(set(names))


def test_all_is_what_the_root_defines() -> None:
    # ``takes`` is bound at the root only because importing its module would shadow it.
    assert _defined_at_the_root() == {*storyboard_core.__all__, "takes"}


def test_the_stable_names_are_the_errors_models_store_and_aliases() -> None:
    modules = ("errors", "models", "types")
    expected = {"Finding", "Store", "Version"}
    for module in modules:
        expected |= set(importlib.import_module(f"storyboard_core.{module}").__all__)
    assert set(storyboard_core.__all__) == expected


def test_every_error_class_is_exported() -> None:
    raised = {
        name
        for name, member in vars(errors).items()
        if inspect.isclass(member)
        and issubclass(member, errors.StoryboardError)
        and not name.startswith("_")
    }
    assert raised <= set(storyboard_core.__all__)


def test_no_name_is_both_stable_and_lazy() -> None:
    assert not set(LAZY) & {*storyboard_core.__all__, "takes"}


@pytest.mark.parametrize(
    ("package", "table"), [("storyboard_core", LAZY), ("storyboard_core.comfyui", COMFYUI_LAZY)]
)
def test_every_lazy_name_resolves_to_its_modules_object(
    package: str, table: dict[str, str]
) -> None:
    root = importlib.import_module(package)
    for name, module in table.items():
        assert getattr(root, name) is getattr(importlib.import_module(module, package), name), name
        assert name in dir(root), name


def test_old_root_imports_keep_working() -> None:
    from storyboard_core import add_comment, project_csv
    from storyboard_core.review.comments import add_comment as in_review
    from storyboard_core.shotlist import project_csv as in_shotlist

    assert (add_comment, project_csv) == (in_review, in_shotlist)


def test_takes_stays_the_function_once_its_module_is_imported() -> None:
    importlib.import_module("storyboard_core.takes")
    from storyboard_core import takes

    assert inspect.isfunction(takes)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'add_coment'"):
        _ = storyboard_core.add_coment
    assert not hasattr(storyboard_core, "add_coment")


def test_a_lazy_table_refuses_nothing_it_lists_and_everything_else() -> None:
    """The mechanism itself, on a package whose modules are known."""
    table = LazyNames("storyboard_core", {".review.comments": "add_comment"})
    assert (
        table.resolve("add_comment")
        is importlib.import_module("storyboard_core.review.comments").add_comment
    )
    with pytest.raises(AttributeError):
        table.resolve("open_comments")


def test_the_api_the_app_and_cli_need_is_exported() -> None:
    stable = {"Store", "Project", "Sequence", "Shot", "Generation", "StoryboardError"}
    stable |= {"InvalidDataError", "ConflictError", "NotFoundError", "BrokenFileError"}
    assert stable | {"UnsafePathError"} <= set(storyboard_core.__all__)
    assert {"FORMATS", "resolve_format", "default_workspace"} <= set(LAZY)


def test_public_classes_and_functions_have_docstrings() -> None:
    for name in [*storyboard_core.__all__, *LAZY]:
        member = getattr(storyboard_core, name)
        if inspect.isclass(member) or inspect.isfunction(member):
            assert inspect.getdoc(member), name


def test_errors_share_one_base() -> None:
    for name in [*storyboard_core.__all__, *LAZY]:
        member = getattr(storyboard_core, name)
        if inspect.isclass(member) and issubclass(member, Exception):
            assert issubclass(member, storyboard_core.StoryboardError), name
