"""The public surface of storyboard_core: one ``__all__``, every name importable and documented."""

from __future__ import annotations

import inspect

import storyboard_core


def test_all_names_are_importable_and_unique() -> None:
    names = storyboard_core.__all__
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(storyboard_core, name), name


def test_all_is_sorted_constants_first() -> None:
    """Upper-case constants first, then the rest, each group sorted (the httpx layout)."""
    names = storyboard_core.__all__
    constants = [n for n in names if n.isupper()]
    others = [n for n in names if not n.isupper()]
    assert names == sorted(constants) + sorted(others)


def test_the_api_the_app_and_cli_need_is_exported() -> None:
    expected = {
        "Store",
        "Project",
        "Sequence",
        "Shot",
        "Generation",
        "StoryboardError",
        "InvalidDataError",
        "ConflictError",
        "NotFoundError",
        "BrokenFileError",
        "UnsafePathError",
        "FORMATS",
        "resolve_format",
        "default_workspace",
    }
    assert expected <= set(storyboard_core.__all__)


def test_public_classes_and_functions_have_docstrings() -> None:
    for name in storyboard_core.__all__:
        member = getattr(storyboard_core, name)
        if inspect.isclass(member) or inspect.isfunction(member):
            assert inspect.getdoc(member), name


def test_errors_share_one_base() -> None:
    for name in storyboard_core.__all__:
        member = getattr(storyboard_core, name)
        if inspect.isclass(member) and issubclass(member, Exception):
            assert issubclass(member, storyboard_core.StoryboardError), name
