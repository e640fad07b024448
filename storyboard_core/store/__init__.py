"""The project store, split by job: one ``Store`` over the modules below.

- ``view``: ``StoreView``, the reads (paths, projects, sequences, shots) and the shared ``StoreCaches``;
- ``writes``: ``Store``, the view plus every write (the locked-file primitives and the named writes),
  and ``ShotChanger``, what the review functions need (a ``Store`` or a reviewer's ``GuardedStore``);
- ``patches``: applying a patch to a shot and writing back only what changed;
- ``creation``: a new project built from a format and written into its own folder;
- ``versions``: earlier versions of a file, listed and restored (``history.py`` words them);
- ``checks``: ``Finding``s about a project's files as a whole (``storyboard validate``);
- ``parsing``: a file read into its model, and new shot ids.
"""

from __future__ import annotations

from .checks import Finding
from .creation import PROJECT_GITIGNORE
from .parsing import new_shot_id, parse_model
from .versions import Version
from .view import StoreCaches, StoreView
from .writes import ShotChanger, Store

__all__ = [
    "PROJECT_GITIGNORE",
    "Finding",
    "ShotChanger",
    "Store",
    "StoreCaches",
    "StoreView",
    "Version",
    "new_shot_id",
    "parse_model",
]
