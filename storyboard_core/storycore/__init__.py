"""Importing StoryCore Creative Studio projects, whatever shape their files are in.

``import_storycore(store, folder)`` reads a StoryCore project folder (never writing to it) and
creates a new project in the workspace; the ``ImportReport`` it returns says where every shot came
from and every value it had to change. See ``shapes`` for the file shapes it knows.
"""

from .importer import import_storycore
from .reader import MAX_FILE_BYTES
from .report import Change, Conflict, FileIssue, ImportReport, SequenceCount, ShotSource

__all__ = [
    "MAX_FILE_BYTES",
    "Change",
    "Conflict",
    "FileIssue",
    "ImportReport",
    "SequenceCount",
    "ShotSource",
    "import_storycore",
]
