"""The dashboard's parts: the projects, the new-project form, the StoryCore import and one project's sequences."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from storyboard_core import SHOT_STATUSES, NotFoundError, StoryboardError
from storyboard_core.demo import create_demo_project
from storyboard_core.formats import CUSTOM, FORMAT_IDS, FORMATS
from storyboard_core.summaries import ProjectSummary
from storyboard_core.types import LOOSE, LOOSE_LABEL, clock
from ui.components.handouts import handouts
from ui.components.messages import dead_end, gone, reported
from ui.components.share import share_section
from ui.components.shot_card import STATUS_COLORS, STATUS_ICONS
from ui.components.shot_list_csv import export_csv_button, import_csv_panel
from ui.frame.registry import BIBLE, DASHBOARD, PRESENT, REVIEW, SEQUENCE, SHOT
from ui.frame.services import access, editor_store, store
from ui.frame.state import flash, go, link
from ui.frame.text import md

from .storycore_import import import_section

# A fixed Vega-Lite spec: st.bar_chart would build and schema-check an Altair chart on every
# rerun, which was most of the dashboard's time on a 100-sequence project (make bench).
STATUS_CHART = {
    "mark": {"type": "bar", "tooltip": True},
    "encoding": {
        "y": {"field": "sequence", "type": "nominal", "sort": None, "title": None},
        "x": {"field": "seconds", "type": "quantitative", "stack": True, "title": "Seconds"},
        "color": {
            "field": "status",
            "type": "nominal",
            "title": "Status",
            "scale": {
                "domain": list(SHOT_STATUSES),
                "range": [STATUS_COLORS[s] for s in SHOT_STATUSES],
            },
        },
    },
}


def format_label(format_id: str) -> str:
    """``"Court-métrage — 15 × 60 s"``; ``"Custom"`` for the custom format."""
    if format_id == CUSTOM:
        return "Custom — choose sequences and length"
    f = FORMATS[format_id]
    return f"{f.name} — {f.sequences} × {f.seconds_per_sequence:g} s"


def new_project_form() -> None:
    """Name, format and shots per sequence; creates the project and opens it."""
    with st.form("new_project", clear_on_submit=False):
        st.subheader("New project")
        name = st.text_input("Project name", placeholder="L'Orage")
        format_id = st.selectbox("Format", FORMAT_IDS, format_func=format_label)
        shots = st.number_input("Shots per sequence", min_value=1, max_value=100, value=1)
        c1, c2 = st.columns(2)
        sequences = c1.number_input(
            "Sequences (custom format)", min_value=1, max_value=999, value=10
        )
        seconds = c2.number_input(
            "Seconds per sequence (custom format)", min_value=1.0, max_value=86400.0, value=60.0
        )
        if st.form_submit_button("Create project", type="primary"):
            with reported():
                project = editor_store().create_project(
                    name,
                    format_id=format_id,
                    shots_per_sequence=int(shots),
                    sequences=int(sequences) if format_id == CUSTOM else None,
                    seconds_per_sequence=float(seconds) if format_id == CUSTOM else None,
                )
                flash(f"Created project {project.name}")
                go(DASHBOARD, project=project.id)


def project_list(projects: list[ProjectSummary]) -> None:
    """One card per project with its figures and a link to open it."""
    for p in projects:
        with st.container(border=True):
            if p.error:
                st.markdown(f"**{md(p.id)}**")
                st.error(f"This project cannot be opened: {md(p.error)}")
                continue
            c = p.counts
            left, right = st.columns([3, 2])
            with left:
                link(DASHBOARD, p.name, icon="📁", project=p.id)
                fmt = FORMATS[p.format].name if p.format in FORMATS else p.format.capitalize()
                st.caption(
                    f"{md(fmt)} · {p.sequences} sequences · {c.shots} shots · {clock(c.duration)}"
                    + (f" · last change {p.updated_at:%Y-%m-%d %H:%M}" if p.updated_at else "")
                )
                if p.broken_files:
                    st.warning(f"{len(p.broken_files)} file(s) cannot be read", icon="⚠️")
            with right:
                st.progress(
                    c.prompt_completion,
                    text=f"Prompts: {c.with_prompt} / {c.shots} shots",
                )


def workspace_view() -> None:
    """All projects, or the demo offer when the workspace is empty."""
    st.title("🎬 Storyboard Studio")
    projects = store().list_projects()
    if not projects:
        st.info("This workspace has no projects yet. Start from the demo, or create your own.")
        if st.button("Create demo project", type="primary"):
            with reported():
                project = create_demo_project(editor_store())
                go(DASHBOARD, project=project.id)
    else:
        st.subheader(f"Projects ({len(projects)})")
        project_list(projects)
    new_project_form()
    import_section()


def sequences_table(project: str) -> None:
    """The sequences as a table and a chart of duration by status; a row opens its sequence."""
    sequences = store().list_sequences(project)
    readable = [s for s in sequences if not s.error]
    if not readable:
        st.info("This project has no sequences yet.")
    else:
        table = pd.DataFrame(
            {
                "Order": [s.order for s in readable],
                "Sequence": [s.name for s in readable],
                "Shots": [s.counts.shots for s in readable],
                "Duration": [clock(s.counts.duration) for s in readable],
                "Prompts": [s.counts.prompt_completion for s in readable],
                **{
                    f"{STATUS_ICONS[st_]} {st_}": [
                        s.counts.status_counts.get(st_, 0) for s in readable
                    ]
                    for st_ in SHOT_STATUSES
                },
            },
            index=[s.id for s in readable],
        )
        event = st.dataframe(
            table,
            hide_index=True,
            on_select="rerun",
            selection_mode="single-row",
            key="dash_sequences",
            column_config={
                "Prompts": st.column_config.ProgressColumn(
                    "Prompts",
                    help="shots with a prompt",
                    format="percent",
                    min_value=0,
                    max_value=1,
                ),
            },
        )
        rows = event.selection.rows if event else []
        if rows:
            go(SEQUENCE, project=project, seq=readable[rows[0]].id)
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        chosen = c1.selectbox(
            "Open sequence",
            [s.id for s in readable],
            format_func={s.id: f"{s.order}. {s.name}" for s in readable}.__getitem__,
        )
        # A link, not a button that switches page: the click's own run draws the sequence.
        with c2.container(key="dash_open_sequence"):
            link(SEQUENCE, "Open", icon="📂", project=project, seq=chosen)

        st.caption("Seconds per sequence, by shot status")
        st.vega_lite_chart(
            pd.DataFrame(
                [
                    {"sequence": f"{s.order:03d} {s.name}", "status": st_, "seconds": seconds}
                    for s in readable
                    for st_, seconds in s.counts.status_seconds.items()
                ]
            ),
            # Horizontal bars, one readable row per sequence; past 40 sequences the rows get thinner
            # rather than the chart growing taller than a screen.
            {**STATUS_CHART, "height": {"step": 22} if len(readable) <= 40 else 880},
            width="stretch",
        )
    for s in sequences:
        if s.error:
            st.error(
                f"{md(s.file)} cannot be read and is not editable until fixed: {md(s.error)}",
                icon="🧯",
            )


def project_view(project: str) -> None:
    """One project: its figures, sequences, loose shots and a way to add a sequence."""
    try:
        summary = store().summarize_project(project)
    except NotFoundError as exc:  # never there, or deleted by hand
        dead_end(gone(project, None, exc))
    except StoryboardError as exc:  # a name that cannot be a project's
        dead_end(f"Project {project!r} was not found: {exc}")
    if summary.error:
        dead_end(f"Project {project!r} cannot be opened: {summary.error}")
    editor = access().is_editor
    top = st.columns([3, 1, 1])
    if editor:
        with top[0]:
            link(DASHBOARD, "All projects", icon="⬅️")
    first = next(
        (s for s in store().list_sequences(project) if not s.error and s.counts.shots), None
    )
    if first is not None:
        with top[1]:
            link(PRESENT, "Present", icon="▶️", project=project, seq=first.id)
    with top[2]:
        link(REVIEW, "Review summary", icon="📝", project=project)
    st.title(md(summary.name))
    if summary.description:
        st.caption(md(summary.description))
    if editor:  # a reviewer's link may open only some sequences: no figures of the others
        c = summary.counts
        m = st.columns(4)
        m[0].metric("Sequences", summary.sequences)
        m[1].metric("Shots", c.shots)
        m[2].metric("Prompts written", f"{c.prompt_completion:.0%}")
        m[3].metric("Total duration", clock(c.duration))
        link(BIBLE, "Bible and style", icon="📖", project=project)
    sequences_table(project)
    if editor:  # hand-outs of the whole project are an editor's
        readable = [s for s in store().list_sequences(project) if not s.error]
        handouts(
            project,
            name=project,
            key="dash_handout",
            sequences={s.id: f"{s.order}. {s.name}" for s in readable},
        )
    if summary.loose_shots and access().sees(project, None):
        with st.expander(f"{LOOSE_LABEL} ({summary.loose_shots})"):
            for shot in store().read_shots(project, None):
                link(
                    SHOT,
                    f"{shot.title or shot.id}",
                    icon="✏️",
                    project=project,
                    seq=LOOSE,
                    shot=shot.id,
                )
    if not editor:
        return
    share_section(project)
    with st.expander("Shot list as CSV (for a spreadsheet)"):
        export_csv_button(project)
        import_csv_panel(project)
    with st.expander("Add a sequence"), st.form("add_sequence"):
        name = st.text_input("Sequence name")
        shots = st.number_input("Shots", min_value=0, max_value=100, value=1)
        seconds = st.number_input("Seconds", min_value=1.0, max_value=86400.0, value=60.0)
        if st.form_submit_button("Add sequence"):
            with reported():
                seq = editor_store().add_sequence(
                    project, name, shots=int(shots), seconds=float(seconds)
                )
                go(SEQUENCE, project=project, seq=seq.id)
