"""The shared wording: one duration format and one field-path format for every face of the tool."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import storyboard_core
from storyboard_core.types import clock, field_path


@pytest.mark.parametrize(
    ("seconds", "shown"), [(0, "0:00"), (65, "1:05"), (754.5, "12:34"), (4500, "1:15:00")]
)
def test_a_duration_reads_the_same_everywhere(seconds: float, shown: str) -> None:
    assert clock(seconds) == shown


def test_a_field_path_indexes_lists_and_dots_fields() -> None:
    assert field_path(("servers", 0, "url")) == "servers[0].url"
    assert field_path(("generation", "steps")) == "generation.steps"
    assert field_path(()) == ""


def test_the_leaf_module_imports_nothing_of_the_project() -> None:
    source = (Path(storyboard_core.__file__).parent / "types.py").read_text(encoding="utf-8")
    imported = [
        node.module or ""
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.level > 0
    ]
    assert imported == []
