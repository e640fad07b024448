"""The editor's name for comments, remembered in the workspace (``settings.json``, section ``review``).

An editor is asked their name once; every browser session of that workspace then comments under it
(and can change it, for everyone: one name per workspace). A reviewer's name comes from the gate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import StoryboardError
from ..settings import read_section, update_section
from .comments import clean_author

SECTION = "review"


def editor_name(workspace: Path) -> str:
    """The remembered name, or "" (none yet, or ``settings.json`` unreadable: then it is asked)."""
    try:
        section = read_section(workspace, SECTION)
    except StoryboardError:
        return ""
    name = section.get("editor_name") if isinstance(section, dict) else None
    return name if isinstance(name, str) else ""


def remember_editor_name(workspace: Path, name: str) -> str:
    """Keep ``name`` (cleaned as a comment's author; ``InvalidDataError`` when it is not one)."""
    clean = clean_author(name)

    def change(raw: Any) -> Any:
        return {**(raw if isinstance(raw, dict) else {}), "editor_name": clean}

    update_section(workspace, SECTION, change)
    return clean
