"""Storyboard Studio: the entrypoint is only a frame (page config, sidebar, navigation).

Run it with ``make run`` (or ``streamlit run app.py``); the pages live in ``pages/`` and are registered
in ``ui/registry.py``.
"""

from __future__ import annotations

import streamlit as st

from ui import drafts
from ui.errors import run_page
from ui.sidebar import sidebar
from ui.state import navigation, show_flash

st.set_page_config(page_title="Storyboard Studio", page_icon="🎬", layout="wide")

page = navigation()
sidebar(unsaved=sum(1 for d in drafts.drafts().values() if d.changed()))
show_flash()
run_page(page)
