"""Which workspace folder to use: ``--workspace``, else ``$STORYBOARD_WORKSPACE``, else ``./workspace``."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "STORYBOARD_WORKSPACE"


def default_workspace(explicit: str | Path | None = None, *, base: Path | None = None) -> Path:
    """The workspace folder to use.

    ``explicit`` (a ``--workspace`` argument) wins, then ``$STORYBOARD_WORKSPACE``, then ``workspace``
    inside ``base`` (the app passes its own folder; the CLI the current directory).
    """
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return (base or Path.cwd()) / "workspace"
