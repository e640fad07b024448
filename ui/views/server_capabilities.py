"""What each configured ComfyUI server can run: its node types, video nodes, model files, and which
of the workspace's workflows it has everything for (``comfyui.capabilities``).

Read from the catalog's cache (``ServerCatalog``: fetched in the background, never waited for), so
the settings page stays instant even with servers offline.
"""

from __future__ import annotations

import re

import streamlit as st

from storyboard_core import StoryboardError
from storyboard_core.comfyui.capabilities import Capabilities, requirements
from storyboard_core.comfyui.workflows import BUILTIN, builtin_workflow, load_workflow
from storyboard_core.settings import ServerConfig
from storyboard_core.types import JsonDict
from ui.frame.services import server_catalog, workflows, workspace_path
from ui.frame.text import md

#: Node types that make or save clips (ComfyUI's own and the Video Helper Suite's).
_VIDEO_NODE = re.compile(r"Video|WEBM|Animated", re.IGNORECASE)


def video_nodes(caps: Capabilities) -> list[str]:
    """The server's node types that make or save video, sorted."""
    return sorted(n for n in caps.nodes if _VIDEO_NODE.search(n))


def _graphs() -> list[tuple[str, JsonDict | str]]:
    """Each workflow's name and graph (or why it cannot be read): the built-in one first."""
    graphs: list[tuple[str, JsonDict | str]] = [(BUILTIN, builtin_workflow())]
    for info in workflows():
        if info.error is not None:
            graphs.append((info.name, info.error))
            continue
        try:
            graphs.append((info.name, load_workflow(workspace_path(), info.name)))
        except StoryboardError as exc:
            graphs.append((info.name, str(exc)))
    return graphs


def workflow_rows(caps: Capabilities) -> list[dict[str, str]]:
    """One row per workflow: whether this server can run it, else what it lacks (text, escaped)."""
    rows = []
    for name, graph in _graphs():
        if isinstance(graph, str):
            verdict = f"unusable file: {graph}"
        else:
            lacks = caps.missing(requirements(graph))
            verdict = "✅ can run it" if not lacks else "⛔ lacks " + ", ".join(lacks)
        rows.append({"Workflow": md(name), "On this server": md(verdict)})
    return rows


def capabilities_report(server: ServerConfig) -> None:
    """What ``server`` offers, as last read, and the workflows it can run."""
    catalog = server_catalog(server)
    if catalog is None:
        st.caption("Capabilities: being read…")
        return
    if catalog.error is not None or catalog.capabilities is None:
        st.caption(md(f"Capabilities cannot be read: {catalog.error or 'no answer'}"))
        return
    caps = catalog.capabilities
    videos = video_nodes(caps)
    models = " · ".join(f"{folder} {len(files)}" for folder, files in sorted(caps.models.items()))
    st.caption(
        md(
            f"{len(caps.nodes)} node types · video nodes: {', '.join(videos) or 'none'} · "
            f"models: {models or 'no folders'}"
        )
    )
    st.table(workflow_rows(caps))  # st.table parses Markdown in its cells: escaped above
