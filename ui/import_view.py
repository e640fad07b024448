"""The dashboard's "Import a StoryCore project": a folder path, the import, and its report.

The report is shown in the run that made the import (it is not kept in the session: the new
project, and its ``storycore`` keys, are what lasts); ``storyboard import-storycore --json`` gives
the same report to keep.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from storyboard_core import ImportReport, StoryboardError, import_storycore

from .data import store
from .registry import DASHBOARD
from .state import link
from .text import md


def import_section() -> None:
    """A folder path and an Import button; after an import, its report and a link to the project."""
    with st.expander("Import a StoryCore project", icon="📥"):
        st.caption(
            "A StoryCore Creative Studio project folder on this machine (the one holding "
            "project.json). It is only read: a new project is created in this workspace."
        )
        folder = st.text_input(
            "StoryCore project folder",
            key="dash_import_folder",
            placeholder="/home/marie/StoryCore/orage",
        )
        name = st.text_input("New project name (optional)", key="dash_import_name")
        if not st.button("Import", key="dash_import"):
            return
        if not folder.strip():
            st.error("Enter the path of a StoryCore project folder.")
            return
        try:
            report = import_storycore(
                store(), Path(folder.strip()).expanduser(), name=name.strip() or None
            )
        except StoryboardError as exc:
            st.error(md(str(exc)), icon="⛔")
            return
        import_report(report)


def _cell(value: Any) -> str:
    # One type per column (values from files are of any kind); None shows as empty.
    return "" if value is None else repr(value)


def import_report(report: ImportReport) -> None:
    """What one import did: counts, files not read, notes, and every shot, change and conflict."""
    st.success(
        md(
            f"Imported {report.project_name}: {report.shot_count} shots in "
            f"{len(report.sequences)} sequences, {report.loose_shots} loose shots "
            f"(StoryCore shape {report.shape})."
        ),
        icon="✅",
    )
    link(DASHBOARD, md(f"Open {report.project_name}"), icon="📁", project=report.project_id)
    for issue in report.unreadable:
        st.warning(md(f"Not read: {issue}"), icon="🧯")
    for dropped in report.dropped:
        st.warning(md(f"Dropped: {dropped}"), icon="🗑️")
    for note in report.notes:
        st.info(md(note))
    if not report.dropped:
        st.caption("Dropped: nothing. Every value StoryCore had is kept on the shots.")
    st.dataframe(
        pd.DataFrame(
            {
                "Sequence": [s.id for s in report.sequences],
                "Name": [s.name for s in report.sequences],
                "Shots": [s.shots for s in report.sequences],
                "StoryCore id": [s.storycore_id for s in report.sequences],
                "From": [", ".join(s.files) for s in report.sequences],
            }
        ),
        hide_index=True,
        key="dash_import_sequences",
    )
    with st.expander(f"Shots and their source files ({report.shot_count})"):
        st.dataframe(
            pd.DataFrame(
                {
                    "Shot": [s.shot for s in report.shots],
                    "Title": [s.title for s in report.shots],
                    "Sequence": [s.sequence or "loose" for s in report.shots],
                    "From": [s.file for s in report.shots],
                    "Also in": [", ".join(s.other_files) for s in report.shots],
                }
            ),
            hide_index=True,
            key="dash_import_shots",
        )
    with st.expander(f"Conversions ({len(report.changes)})"):
        st.dataframe(
            pd.DataFrame(
                {
                    "Where": [c.where for c in report.changes],
                    "Field": [c.field for c in report.changes],
                    "StoryCore": [_cell(c.before) for c in report.changes],
                    "Imported": [_cell(c.after) for c in report.changes],
                    "Why": [c.reason for c in report.changes],
                }
            ),
            hide_index=True,
            key="dash_import_changes",
        )
    with st.expander(f"Conflicts between copies ({len(report.conflicts)})"):
        st.dataframe(
            pd.DataFrame(
                {
                    "Shot": [c.shot for c in report.conflicts],
                    "Field": [c.field for c in report.conflicts],
                    "Used": [_cell(c.used_value) for c in report.conflicts],
                    "From": [c.used_file for c in report.conflicts],
                    "Other": [_cell(c.other_value) for c in report.conflicts],
                    "In": [c.other_file for c in report.conflicts],
                }
            ),
            hide_index=True,
            key="dash_import_conflicts",
        )
