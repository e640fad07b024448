"""Run AppTest as a Streamlit server that has already served the app once.

AppTest resets Streamlit's process-wide "pages directory" flag before every run, so each run looks like
the first request after a server start: a switched page then runs alone from ``pages/`` (the
pre-``st.navigation`` mode), and ``ui.frame.state.require_frame`` reruns it through ``app.py`` — twice the
work, and button clicks lost in the rerun. A running server leaves that mode for good once ``app.py``
has called ``st.navigation``. The tests and the benchmarks (``bench/pages.py``) both use this, so that
they measure and check what a browser gets.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import app_test as app_test_module


class ServingPagesManager(PagesManager):
    """The pages manager of a server where a session already ran ``st.navigation``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        PagesManager.uses_pages_directory = False
        super().__init__(*args, **kwargs)


@contextlib.contextmanager
def as_running_server() -> Iterator[None]:
    """Within the block, every AppTest run goes through the entrypoint, as on a running server."""
    original = app_test_module.PagesManager  # type: ignore[attr-defined]
    app_test_module.PagesManager = ServingPagesManager  # type: ignore[attr-defined]
    try:
        yield
    finally:
        app_test_module.PagesManager = original  # type: ignore[attr-defined]
        PagesManager.uses_pages_directory = None
