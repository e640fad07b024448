"""Storyboard Studio: the entrypoint is only a frame (page config, sidebar, navigation).

Run it with ``make run`` (or ``streamlit run app.py``); the pages live in ``pages/`` and are registered
in ``ui/frame/registry.py``.
"""

from __future__ import annotations

import streamlit as st

from ui.frame import drafts
from ui.frame.errors import error_boundary, workspace_ready
from ui.frame.gate import outside_scope, passed
from ui.frame.registry import PRESENT
from ui.frame.services import renderer
from ui.frame.sidebar import sidebar
from ui.frame.state import navigation, show_flash

access = passed()  # before anything else: a session that has not passed sees only the gate
page = navigation(reviewer=not access.is_editor, outside=outside_scope)
# The present page shows the storyboard, not the app: its sidebar starts collapsed.
st.set_page_config(
    page_title="Storyboard Studio",
    page_icon="🎬",
    layout="wide",
    initial_sidebar_state="collapsed" if page.url_path == PRESENT.url_path else "auto",
)
with error_boundary():  # no traceback ever reaches the page: a message and a reference instead
    show_flash()  # first: a Save's toast need not wait for the sidebar
    drafts.take_in_everywhere()  # before the sidebar counts unsaved shots
    sidebar(access)
    if workspace_ready():
        renderer()  # made on the first run of any page, so renders left by a previous run resume
        page.run()
