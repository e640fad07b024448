"""Run AppTest as a Streamlit server that has already served the app once, without the costs such a
server does not pay.

AppTest resets Streamlit's process-wide "pages directory" flag before every run, so each run looks like
the first request after a server start: a switched page then runs alone from ``pages/`` (the
pre-``st.navigation`` mode), and ``ui.frame.state.require_frame`` reruns it through ``app.py`` — twice the
work, and button clicks lost in the rerun. A running server leaves that mode for good once ``app.py``
has called ``st.navigation``. The tests and the benchmarks (``bench/pages.py``) both use this, so that
they measure and check what a browser gets.

Three costs of AppTest itself that a server does not have are taken away by
``components_scanned_once`` (a server looks for installed components once; AppTest read every
package's metadata for each AppTest, a quarter of tests/app's CPU), ``scripts_compiled_once`` (a
server compiles a page once; AppTest did on every run) and ``runs_awaited`` (AppTest polled for the
end of each run every millisecond). The last two were 12% of tests/app's CPU (py-spy).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from types import CodeType
from typing import Any

from streamlit.components.v2 import manifest_scanner
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import ScriptRunnerEvent
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import app_test as app_test_module
from streamlit.testing.v1 import local_script_runner


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


@contextlib.contextmanager
def components_scanned_once() -> Iterator[None]:
    """Within the block, the installed Streamlit components are looked for once: the packages do
    not change while it lasts, so the first answer serves every AppTest."""
    scan = manifest_scanner.scan_component_manifests
    found = scan()
    manifest_scanner.scan_component_manifests = lambda: found
    try:
        yield
    finally:
        manifest_scanner.scan_component_manifests = scan


@contextlib.contextmanager
def scripts_compiled_once() -> Iterator[None]:
    """Within the block, each version of a script is compiled once for every run, as ``streamlit
    run`` does. AppTest makes new script caches on every run, so it parsed ``app.py`` and the page
    (for Streamlit's "magic") and compiled them again each time. A code object is immutable."""
    compiled: dict[tuple[str, int, int], CodeType] = {}
    compile_script = ScriptCache.get_bytecode

    def get_bytecode(self: ScriptCache, script_path: str) -> Any:
        status = os.stat(script_path)
        version = (os.path.abspath(script_path), status.st_mtime_ns, status.st_size)
        if version not in compiled:
            compiled[version] = compile_script(self, script_path)
        return compiled[version]

    ScriptCache.get_bytecode = get_bytecode  # type: ignore[method-assign]
    try:
        yield
    finally:
        ScriptCache.get_bytecode = compile_script  # type: ignore[method-assign]


def _wait_for_the_run(runner: local_script_runner.LocalScriptRunner, timeout: float = 3) -> None:
    """Return once ``runner`` has shut down, as AppTest's ``require_widgets_deltas`` does."""
    stopped = threading.Event()

    def on_event(sender: Any, event: ScriptRunnerEvent, **payload: Any) -> None:
        if event == ScriptRunnerEvent.SHUTDOWN:
            stopped.set()

    runner.on_event.connect(on_event, weak=False)
    if runner.script_stopped() or stopped.wait(timeout):  # it may have stopped before connect
        return
    runner.request_stop()
    runner.join()
    raise RuntimeError(f"AppTest script run timed out after {timeout}(s)")


@contextlib.contextmanager
def runs_awaited() -> Iterator[None]:
    """Within the block, AppTest sleeps until a run's end. It polled every millisecond, each time
    scanning the run's whole list of events (one per message it sent), and took the GIL from the
    script's own thread to do it."""
    poll = local_script_runner.require_widgets_deltas
    local_script_runner.require_widgets_deltas = _wait_for_the_run
    try:
        yield
    finally:
        local_script_runner.require_widgets_deltas = poll
