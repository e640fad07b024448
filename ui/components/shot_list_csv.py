"""The shot list as a spreadsheet: Export CSV, and Import CSV with a preview before anything is written."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from storyboard_core import ConflictError, StoryboardError
from storyboard_core.shotlist import ImportPlan, apply_import
from storyboard_core.types import LOOSE
from ui.frame.services import editor_store, import_plan, shot_list_csv
from ui.frame.state import flash
from ui.frame.text import md

IMPORT_ROUND = "csv_import_round"  # bumped after an import, to empty the file uploader


def export_csv_button(project: str, seq: str | None = None) -> None:
    """Download the shot list (one sequence, or the whole project) as CSV for a spreadsheet."""
    seqs = (seq,) if seq is not None else None
    st.download_button(
        "Export CSV",
        shot_list_csv(project, seqs),
        file_name=f"{project}-{seq.replace(LOOSE, 'loose') if seq else 'shots'}.csv",
        mime="text/csv",
        key=f"export_csv:{seq or ''}",
        help="Every shot with its id: edit it in a spreadsheet, then bring it back with Import CSV",
    )


def import_csv_panel(project: str) -> None:
    """Upload an edited shot list, see every change field by field, then apply it (or not)."""
    rounds: dict[str, int] = st.session_state.setdefault(IMPORT_ROUND, {})
    upload = st.file_uploader(
        "Shot list CSV (from Export CSV, edited in a spreadsheet)",
        type=["csv", "txt"],
        key=f"csv_import:{project}:{rounds.get(project, 0)}",
    )
    if upload is None:
        st.caption(
            "Nothing is written until you press Apply. UTF-8 with or without BOM, “,” or “;” "
            "separated, as spreadsheets save it."
        )
        return
    raw = upload.getvalue()
    try:
        plan = import_plan(project, hashlib.sha256(raw).hexdigest(), raw)
    except StoryboardError as exc:
        st.error(f"{md(upload.name)} cannot be imported: {md(str(exc))}", icon="⛔")
        return
    _preview(plan)
    label = f"Apply {len(plan.changes)} shot change(s)" if plan.changes else "Nothing to apply"
    if st.button(label, type="primary", disabled=not plan.changes, key="csv_import_apply"):
        bar = st.progress(0.0, text="Writing…")

        def progress(done: int, total: int) -> None:
            bar.progress(done / total, text=f"Writing… {done} of {total} file(s)")

        try:
            saved = apply_import(editor_store(), plan, on_progress=progress)
        except ConflictError as exc:
            st.error(
                f"Shot {md(exc.shot_id)} changed while you were looking at the preview; nothing "
                "of its file was written. Look at the new preview and apply again.",
                icon="⚠️",
            )
        except StoryboardError as exc:
            st.error(f"Nothing more was written: {md(str(exc))}", icon="⛔")
        else:
            rounds[project] = rounds.get(project, 0) + 1
            flash(f"Imported: {len(saved)} shot(s) saved")
            st.rerun()


def _preview(plan: ImportPlan) -> None:
    st.markdown(
        f"**{len(plan.changes)}** shot(s) change, **{plan.field_count()}** field(s); "
        f"{plan.unchanged} unchanged."
    )
    if plan.changes:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "row": c.row,
                        "shot": c.shot_id,
                        "title": c.title,
                        "field": f.column,
                        "now": str(f.old),
                        "after import": str(f.new),
                    }
                    for c in plan.changes
                    for f in c.changes
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    if plan.clashes:
        st.warning(
            "Refused: these shots changed in the project since the export, in the same fields. "
            "Export again, redo the edit, and import.",
            icon="⚠️",
        )
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "row": c.row,
                        "shot": c.shot_id,
                        "field": c.column,
                        "in the file": str(c.in_file),
                        "in the project": str(c.in_project),
                    }
                    for c in plan.clashes
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    problems = plan.problems + plan.unknown_ids
    if problems:
        st.error("These rows cannot be imported; the others can:", icon="⛔")
        st.dataframe(
            pd.DataFrame(
                [{"row": p.row, "column": p.column, "problem": p.message} for p in problems]
            ),
            hide_index=True,
            width="stretch",
        )
    for note in plan.notes:
        st.caption(md(str(note)))
    if plan.unknown_columns:
        st.caption("Ignored columns: " + md(", ".join(plan.unknown_columns)))


__all__ = ["export_csv_button", "import_csv_panel"]
