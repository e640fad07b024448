"""Names a package offers without importing their modules until first used (PEP 562).

A package keeps old imports such as ``from storyboard_core import add_comment`` working without paying,
at ``import storyboard_core``, for every module (and pandas, PIL, httpx…) behind them::

    _LAZY = LazyNames(__name__, {".review": "add_comment open_comments"})

    def __getattr__(name: str) -> Any:
        return _LAZY.resolve(name)

    def __dir__() -> list[str]:
        return _LAZY.dir()

Typed code imports from the module itself (``from storyboard_core.review.comments import add_comment``): a
module-level ``__getattr__`` is ``Any`` to mypy.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from typing import Any


class LazyNames:
    """One package's table of lazily exported names: module (relative to the package) -> its names,
    separated by spaces (like ``namedtuple``'s fields, so that a long list stays a few lines)."""

    def __init__(self, package: str, table: Mapping[str, str]) -> None:
        self.package = package
        #: name -> the module it is imported from.
        self.where = {name: module for module, names in table.items() for name in names.split()}

    def resolve(self, name: str) -> Any:
        """The named object, imported from its module and kept on the package for the next lookup."""
        module = self.where.get(name)
        if module is None:
            raise AttributeError(f"module {self.package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, self.package), name)
        setattr(sys.modules[self.package], name, value)
        return value

    def dir(self) -> list[str]:
        """The package's names, imported or not yet: what ``dir(package)`` lists."""
        return sorted({*vars(sys.modules[self.package]), *self.where})


__all__ = ["LazyNames"]
