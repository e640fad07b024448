"""The dashboard's "Import a StoryCore project": a folder path, the import, and its report.

The report is shown in the run that made the import (it is not kept in the session: the new
project, and its ``storycore`` keys, are what lasts); ``storyboard import-storycore --json`` gives
the same report to keep.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from storyboard_core import StoryboardError
from storyboard_core.storycore import ImportReport, import_storycore
from ui.frame.registry import DASHBOARD
from ui.frame.services import editor_store
from ui.frame.state import link
from ui.frame.text import md


def import_section() -> None:
    """A folder path and an Import button; after an import, its report and a link to the project."""
    with st.expander("Import a StoryCore project", icon="📥"):
        # A form: the typed path is sent with the click (and Enter imports), so no rerun of a
        # field losing focus can race the click and swallow it.
        with st.form("dash_import_form", border=False):
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
            clicked = st.form_submit_button("Import", key="dash_import")
        if not clicked:
            return
        if not folder.strip():
            st.error("Enter the path of a StoryCore project folder.")
            return
        try:
            report = import_storycore(
                editor_store(), Path(folder.strip()).expanduser(), name=name.strip() or None
            )
        except StoryboardError as exc:
            st.error(md(str(exc)), icon="⛔")
            return
        import_report(report)


def _cell(value: Any, *, from_file: bool) -> Any:
    # A value quoted from a file may be of any kind: shown as written (repr) so a column has one
    # type; the report's own texts and counts as they are.
    if value is None:
        return ""
    if from_file:
        return repr(value)
    return ", ".join(value) if isinstance(value, tuple) else value


def _heading(field: str) -> str:
    """``other_files`` -> ``Other files``; ``storycore_id`` -> ``StoryCore id``."""
    return field.replace("_", " ").capitalize().replace("Storycore", "StoryCore")


def _table(rows: Sequence[Any], key: str) -> None:
    """Report entries (dataclasses) as a table, one column per field."""
    frame = pd.DataFrame(
        [
            {
                _heading(f.name): _cell(getattr(row, f.name), from_file=f.type == "Any")
                for f in dataclasses.fields(row)
            }
            for row in rows
        ]
    )
    st.dataframe(frame, hide_index=True, key=key)


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
    link(DASHBOARD, f"Open {report.project_name}", icon="📁", project=report.project_id)
    for issue in report.unreadable:
        st.warning(md(f"Not read: {issue}"), icon="🧯")
    for dropped in report.dropped:
        st.warning(md(f"Dropped: {dropped}"), icon="🗑️")
    for note in report.notes:
        st.info(md(note))
    if not report.dropped:
        st.caption("Dropped: nothing. Every value StoryCore had is kept on the shots.")
    _table(report.sequences, "dash_import_sequences")
    parts: list[tuple[str, Sequence[Any], str]] = [
        ("Shots and the file each came from", report.shots, "shots"),
        ("Conversions", report.changes, "changes"),
        ("Conflicts between copies", report.conflicts, "conflicts"),
    ]
    for title, rows, key in parts:
        with st.expander(f"{title} ({len(rows)})"):
            _table(rows, f"dash_import_{key}")
