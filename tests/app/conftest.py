"""Fixtures of the AppTest tests: a temporary workspace, a demo project in it, and the app itself.

Every test drives the real entrypoint (``app.py``) through ``streamlit.testing.v1.AppTest`` and reaches a
page with ``switch_page`` and the query parameters the browser would carry. Assertions read the files
on disk through a second ``Store`` (no cache shared with the app), never only the screen.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

from storyboard_core import Project, Store
from storyboard_core.comfyui.status import StatusMonitor
from storyboard_core.demo import create_demo_project
from ui.frame.registry import PageSpec

from .serving import (
    as_running_server,
    components_scanned_once,
    runs_awaited,
    scripts_compiled_once,
)

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT = 30

OpenPage = Callable[..., AppTest]


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty workspace the app opens (``ui/frame/services.py`` reads the variable on every run)."""
    folder = tmp_path / "workspace"
    folder.mkdir()
    monkeypatch.setenv("STORYBOARD_WORKSPACE", str(folder))
    return folder


@pytest.fixture
def store(workspace: Path) -> Store:
    """A store of our own on the app's workspace, to arrange files and to check what was written."""
    return Store(workspace)


@pytest.fixture(scope="session")
def _demo_made_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project, made once per worker: made for each test, its 22 durable writes (each with
    two fsyncs) were a tenth of these tests' CPU (py-spy)."""
    folder = tmp_path_factory.mktemp("demo")
    return folder / create_demo_project(Store(folder)).id


@pytest.fixture
def demo(store: Store, _demo_made_once: Path) -> Project:
    """The demo project: three sequences of written shots and one loose shot (a copy, its files
    written now: caches keyed by a file's time and size see them as new)."""
    shutil.copytree(_demo_made_once, store.root / _demo_made_once.name, copy_function=shutil.copy)
    return store.read_project(_demo_made_once.name)


@pytest.fixture
def serving() -> Iterator[None]:
    """Run AppTest as a server that has already served the app once (see ``tests/app/serving.py``)."""
    with as_running_server():
        yield


@pytest.fixture(autouse=True, scope="session")
def _lean_app_test() -> Iterator[None]:
    """Every AppTest without three costs of its own (see ``tests/app/serving.py``)."""
    with components_scanned_once(), scripts_compiled_once(), runs_awaited():
        yield


@pytest.fixture
def app(workspace: Path, serving: None) -> AppTest:
    """The app after its first run from the entrypoint (the dashboard, with the sidebar)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def open_page(app: AppTest) -> OpenPage:
    """``open_page(SHOT, project=…, seq=…, shot=…)``: switch to a page with that URL and run it."""

    def open_(page: PageSpec, **params: str) -> AppTest:
        app.switch_page(page.path)
        app.query_params.clear()
        app.query_params.update(params)
        app.run()
        assert not app.exception, [e.value for e in app.exception]
        return app

    return open_


def run(at: AppTest) -> AppTest:
    """Run the app again (a rerun, as after any interaction) and fail on an exception element."""
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def click(at: AppTest, key: str) -> AppTest:
    """Click the button with ``key`` and run the app."""
    at.button(key=key).click()
    return run(at)


@pytest.fixture
def snapshot(workspace: Path) -> Callable[[], dict[str, bytes]]:
    """``snapshot()``: the bytes of every project file (history and locks aside), to prove nothing changed."""

    def take() -> dict[str, bytes]:
        return {
            str(p.relative_to(workspace)): p.read_bytes()
            for p in sorted(workspace.rglob("*.json"))
            if not any(part.startswith(".") for part in p.relative_to(workspace).parts)
        }

    return take


@pytest.fixture(autouse=True)
def _no_streamlit_deprecations(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Streamlit logs its deprecations instead of warning: fail on them as on any warning."""
    yield
    deprecations = [
        r.getMessage()
        for r in caplog.get_records("setup") + caplog.get_records("call")
        if r.name.startswith("streamlit.deprecation")
    ]
    assert not deprecations, deprecations


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], bytes]:
    """``media(url)``: the bytes behind a media URL of the app's last runs (downloads, images)."""
    stores: list[MemoryMediaFileStorage] = []

    class Recording(MemoryMediaFileStorage):
        def __init__(self, endpoint: str) -> None:
            super().__init__(endpoint)
            stores.append(self)

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", Recording)

    def read(url: str) -> bytes:
        name = url.rsplit("/", 1)[-1]
        for storage in reversed(stores):
            try:
                return storage.get_file(name).content
            except Exception:
                continue
        raise AssertionError(f"no media file {url}")

    return read


def storyboard_view(at: AppTest) -> AppTest:
    """Choose the sequence page's Storyboard view (only the chosen view is built) and run."""
    at.session_state["seq_view"] = "Storyboard"
    return at.run()


@pytest.fixture(autouse=True)
def _monitors_stop_with_their_test(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test's status monitors stop when it ends. The app keeps one per workspace for the life of
    the process, and every test has its own workspace: left running, hundreds of them polled dead
    servers in the one pytest process, and late render tests timed out behind them."""
    started: list[StatusMonitor] = []
    start = StatusMonitor.start

    def recording_start(self: StatusMonitor) -> None:
        started.append(self)
        start(self)

    monkeypatch.setattr(StatusMonitor, "start", recording_start)
    yield
    for monitor in started:
        monitor.stop(timeout=1.0)
