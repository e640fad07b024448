"""The sequence page's parts: the shot grid, storyboard cards, render controls and arranging shots."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from storyboard_core import (
    SHOT_STATUSES,
    SHOT_TYPES,
    ConflictError,
    Sequence,
    Shot,
    StoryboardError,
    WriteError,
)
from storyboard_core.takes import stale_shots
from storyboard_core.types import LOOSE, LOOSE_LABEL
from ui.components.messages import dead_end, not_saved, readable, reported
from ui.components.render_jobs import job_line, live_jobs, sequence_jobs
from ui.components.shot_card import shot_card
from ui.components.shot_list_csv import export_csv_button, import_csv_panel
from ui.frame import drafts
from ui.frame.errors import guarded
from ui.frame.registry import DASHBOARD
from ui.frame.services import editor_store, renderer, shot_context, store
from ui.frame.state import (
    CONFIRM_DELETE,
    GRID_BASE,
    GRID_ERROR,
    GRID_ROUND,
    Selection,
    flash,
    show_flash,
)
from ui.frame.text import md
from ui.views.soundtracks import soundtracks_section

GRID_COLUMNS = ["title", "prompt", "negative_prompt", "duration", "shot_type", "status"]
CARDS_PER_PAGE = 12  # a page of cards costs a rerun ~1 ms per card


def load(sel: Selection) -> tuple[str, list[Shot], Sequence | None]:
    """The page's title, shots and sequence (None for loose shots); a dead end when missing or broken."""
    if not sel.project or not sel.seq:
        dead_end("Choose a project and a sequence on the dashboard first.")
    with readable(
        "This sequence cannot be read, so it cannot be edited until the file is fixed",
        back=DASHBOARD,
        label="Back to the project",
        project=sel.project,
        sequence=sel.seq,
    ):
        if sel.seq == LOOSE:
            return LOOSE_LABEL, store().read_shots(sel.project, None), None
        seq = store().read_sequence(sel.project, sel.seq)
    return seq.name, seq.shots, seq


def neighbours(project: str, seq_id: str) -> tuple[str | None, str | None]:
    """The previous and next readable sequences in order."""
    ids = [s.id for s in store().list_sequences(project) if not s.error]
    if seq_id not in ids:
        return None, None
    i = ids.index(seq_id)
    return (ids[i - 1] if i > 0 else None), (ids[i + 1] if i + 1 < len(ids) else None)


def grid_frame(shots: list[Shot]) -> pd.DataFrame:
    """The shots as the grid's table, indexed by shot id."""
    return pd.DataFrame(
        {
            "position": [s.position for s in shots],
            **{c: [getattr(s, c) for s in shots] for c in GRID_COLUMNS},
        },
        index=pd.Index([s.id for s in shots], name="id"),
    )


def grid_changes(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """The cells the user changed, as one patch per shot id."""
    if after.equals(before):  # the usual rerun: no edit, one vectorised comparison
        return {}
    old = before[GRID_COLUMNS].to_dict("index")
    patches: dict[str, dict[str, Any]] = {}
    for shot_id, row in after[GRID_COLUMNS].to_dict("index").items():
        for column, value in row.items():
            if column == "duration" and pd.isna(value):
                value = None  # let validation say a duration is required
            elif hasattr(value, "item"):
                value = value.item()  # numpy scalar -> Python, as the store expects
            if value != old[shot_id][column]:
                patches.setdefault(str(shot_id), {})[str(column)] = value
    return patches


def edited_frame(before: pd.DataFrame, state: dict[str, Any]) -> pd.DataFrame:
    """The grid as the user left it: ``before`` with the data editor's own edits applied."""
    after = before.copy()
    for row, cells in (state.get("edited_rows") or {}).items():
        for column, value in cells.items():
            if column in after.columns:
                after.loc[after.index[int(row)], column] = value
    return after


def shot_grid(sel: Selection, shots: list[Shot]) -> None:
    """Bulk editing: one Save writes only the shots that changed, refusing stale ones.

    The Save is a callback: it applies the data editor's state before the run, so the click's own
    run draws the saved rows (no second run).
    """
    assert sel.project is not None and sel.seq is not None
    grid_key = f"grid:{sel.project}/{sel.seq}"
    rounds: dict[str, int] = st.session_state.setdefault(GRID_ROUND, {})
    bases: dict[str, dict[str, str]] = st.session_state.setdefault(GRID_BASE, {})
    before = grid_frame(shots)
    editor_key = f"{grid_key}:{rounds.get(grid_key, 0)}"
    after = st.data_editor(
        before,
        key=editor_key,
        hide_index=True,
        num_rows="fixed",
        column_order=["position", *GRID_COLUMNS],
        column_config={
            "position": st.column_config.NumberColumn("#", disabled=True, width="small"),
            "title": st.column_config.TextColumn("Title"),
            "prompt": st.column_config.TextColumn("Prompt", width="large"),
            "negative_prompt": st.column_config.TextColumn("Negative prompt"),
            "duration": st.column_config.NumberColumn("Duration (s)", min_value=0, format="%.2f"),
            "shot_type": st.column_config.SelectboxColumn("Shot type", options=list(SHOT_TYPES)),
            "status": st.column_config.SelectboxColumn("Status", options=list(SHOT_STATUSES)),
        },
    )
    changes = grid_changes(before, after)
    # The stamps of the shots when this round of grid editing began: an edit on top of a shot that
    # changed on disk since is refused, never saved over the other change.
    if not changes:
        bases[grid_key] = {s.id: s.updated_at.isoformat() for s in shots}
    bases.setdefault(grid_key, {s.id: s.updated_at.isoformat() for s in shots})

    c1, c2, c3, c4 = st.columns([1, 1, 1, 3], vertical_alignment="center")
    c1.button(
        "Save",
        type="primary",
        disabled=not changes,
        key="grid_save",
        on_click=save_grid,
        args=(sel, grid_key, editor_key),
    )
    c2.button(
        "Reload grid",
        key="grid_reload",
        help="discard grid edits and show the file",
        on_click=_new_round,
        args=(grid_key,),
    )
    refused = st.session_state.setdefault(GRID_ERROR, {}).pop(grid_key, None)
    if refused:
        st.error(refused, icon="⚠️")
    if changes:
        c4.caption(f"● {len(changes)} shot(s) changed in the grid, not saved yet")
    with c3:
        export_csv_button(sel.project, sel.seq)
    # Built only while open (a closed expander would still run its body on every run).
    section = st.expander("Import CSV", key="seq_import_csv_open", on_change="rerun")
    if section.open:
        with section:
            import_csv_panel(sel.project)


def _new_round(grid_key: str) -> None:
    """Forget the grid's edits and base stamps: the next run shows the file."""
    st.session_state.setdefault(GRID_BASE, {}).pop(grid_key, None)
    rounds: dict[str, int] = st.session_state.setdefault(GRID_ROUND, {})
    rounds[grid_key] = rounds.get(grid_key, 0) + 1


@guarded
def save_grid(sel: Selection, grid_key: str, editor_key: str) -> None:
    """Save the grid's changed rows (a Save click, before the run that draws the result)."""
    assert sel.project is not None
    before = grid_frame(store().read_shots(sel.project, sel.seq_id))
    changes = grid_changes(before, edited_frame(before, st.session_state.get(editor_key) or {}))
    if not changes:
        return
    base = st.session_state.setdefault(GRID_BASE, {}).get(grid_key, {})
    refused = st.session_state.setdefault(GRID_ERROR, {})
    try:
        editor_store().update_shots(
            sel.project, sel.seq_id, changes, bases={k: base.get(k) for k in changes}
        )
    except ConflictError as exc:
        refused[grid_key] = (
            f"Shot {md(exc.shot_id)} was changed elsewhere since you started editing the grid. "
            "Nothing was saved. Reload the grid to see the other change, then redo your edit."
        )
    except WriteError as exc:
        refused[grid_key] = md(not_saved(exc, "grid edits"))
    except StoryboardError as exc:
        refused[grid_key] = f"Nothing was saved: {md(str(exc))}"
    else:
        _new_round(grid_key)
        flash(f"Saved {len(changes)} shot(s)")


def shot_actions(sel: Selection, shots: list[Shot]) -> None:
    """Add, duplicate, delete (with confirmation) and move the chosen shot."""
    assert sel.project is not None
    project, seq_id = sel.project, sel.seq_id
    st.subheader("Arrange shots")
    if not shots:
        if st.button("Add shot", key="add_first"):
            with reported():
                editor_store().add_shot(project, seq_id)
                st.rerun()
        return
    ids = [s.id for s in shots]
    by_id = {s.id: s for s in shots}
    chosen = st.selectbox(
        "Shot",
        ids,
        key="seq_selected_shot",
        format_func=lambda i: f"#{by_id[i].position} {by_id[i].title or i}",
    )
    cols = st.columns(5)
    with reported():
        if cols[0].button("Add shot", key="add_shot"):
            editor_store().add_shot(project, seq_id, position=by_id[chosen].position + 1)
            flash("Shot added")
            st.rerun()
        if cols[1].button("Duplicate", key="dup_shot"):
            editor_store().duplicate_shot(project, seq_id, chosen)
            flash("Shot duplicated")
            st.rerun()
        if cols[2].button("Move up", key="up_shot", disabled=by_id[chosen].position == 1):
            editor_store().move_shot(project, seq_id, chosen, by_id[chosen].position - 1)
            st.rerun()
        if cols[3].button(
            "Move down", key="down_shot", disabled=by_id[chosen].position == len(shots)
        ):
            editor_store().move_shot(project, seq_id, chosen, by_id[chosen].position + 1)
            st.rerun()
        if cols[4].button("Delete", key="del_shot"):
            st.session_state[CONFIRM_DELETE] = chosen
        if st.session_state.get(CONFIRM_DELETE) in by_id:
            doomed = by_id[st.session_state[CONFIRM_DELETE]]
            st.warning(
                f"Delete shot #{doomed.position} “{md(doomed.title)}”? It stays in the file history."
            )
            y, n, _ = st.columns([1, 1, 4])
            if y.button("Yes, delete", key="confirm_delete", type="primary"):
                editor_store().delete_shot(project, seq_id, doomed.id)
                st.session_state.pop(CONFIRM_DELETE, None)
                flash("Shot deleted")
                st.rerun()
            if n.button("Cancel", key="cancel_delete"):
                st.session_state.pop(CONFIRM_DELETE, None)
                st.rerun()


@st.fragment
def storyboard_panel(sel: Selection) -> None:
    """The storyboard cards as a fragment: a page of cards or a card's comment reruns only this."""
    show_flash()
    _, shots, _ = load(sel)  # a comment changed the file since the full run: read it again
    storyboard(sel, shots)


def storyboard(sel: Selection, shots: list[Shot]) -> None:
    """The shots as cards, a page of them at a time."""
    assert sel.project is not None and sel.seq is not None
    project_dir = store().project_dir(sel.project)
    pages = max(1, -(-len(shots) // CARDS_PER_PAGE))
    page = 1
    if pages > 1:
        page = int(st.number_input("Storyboard page", 1, pages, 1, key="cards_page"))
    visible = shots[(page - 1) * CARDS_PER_PAGE : page * CARDS_PER_PAGE]
    jobs = {j.shot_id: j for j in sequence_jobs(sel.project, sel.seq_id)}
    context = shot_context(sel.project, sel.seq_id)
    for row in range(0, len(visible), 4):
        for col, shot in zip(st.columns(4), visible[row : row + 4], strict=False):
            with col:
                shot_card(
                    shot,
                    project=sel.project,
                    seq=sel.seq,
                    project_dir=project_dir,
                    context=context,
                    unsaved=drafts.unsaved(drafts.draft_key(sel.project, sel.seq, shot.id)),
                    job_state=job_line(jobs[shot.id]) if shot.id in jobs else "",
                )
    soundtracks_section(sel, shots)


def render_controls(sel: Selection, shots: list[Shot]) -> None:
    """Render the chosen shots, or every shot without a frame, in the background."""
    assert sel.project is not None
    project, seq_id = sel.project, sel.seq_id
    st.subheader("Render")
    by_id = {s.id: s for s in shots}
    missing = [s.id for s in shots if s.render is None and s.prompt.strip()]
    stale = [s.id for s in stale_shots(shots, shot_context(project, seq_id))]
    chosen = st.multiselect(
        "Shots to render",
        list(by_id),
        key="render_selection",
        format_func=lambda i: f"#{by_id[i].position} {by_id[i].title or i}",
    )
    c1, c2, c3, _ = st.columns([1, 1, 1, 2])
    with reported():
        if c1.button("Render selected", key="render_selected", disabled=not chosen):
            for shot_id in chosen:
                renderer().submit(project, seq_id, shot_id)
            flash(f"Queued {len(chosen)} render(s)")
            st.rerun()
        for column, what, ids, help_text in (
            (c2, "missing", missing, "every shot with a prompt and no frame"),
            (c3, "stale", stale, "every shot whose prompt or settings changed since its frame"),
        ):
            if column.button(
                f"Render {what} ({len(ids)})",
                key=f"render_{what}",
                disabled=not ids,
                help=f"{help_text}, spread over the online servers",
            ):
                queue_spread(project, seq_id, ids)
    live_jobs(project, seq_id)


def queue_spread(project: str, seq_id: str | None, shot_ids: list[str]) -> None:
    """Queue renders of ``shot_ids`` over the online servers and say where they went."""
    jobs = renderer().submit_missing(project, seq_id, shot_ids)
    servers = sorted({j.server_url for j in jobs if j.server_url})  # "": refused, said on its job
    flash(f"Queued {len(jobs)} render(s) on {', '.join(servers)}")
    st.rerun()
