"""The ComfyUI badge in the sidebar: it shows the monitor's state and never waits for the network.

The monitor is a ``st.cache_resource`` per workspace; each test has its own workspace, so its own
monitor, which is stopped afterwards.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from streamlit.testing.v1 import AppTest

from storyboard_core import Project, Store
from tests.fake_comfyui.server import FakeComfyUI
from ui.frame import services
from ui.frame.registry import BIBLE, DASHBOARD, PAGES, PRESENT, REVIEW, SEQUENCE, SETTINGS, SHOT

from .conftest import APP, TIMEOUT, OpenPage


@pytest.fixture(autouse=True)
def _stop_monitor(workspace: Path) -> Iterator[None]:
    """Stop this workspace's monitor after the test, so its thread does not poll on."""
    yield
    services._monitor(str(workspace)).stop()


def badge(at: AppTest) -> str:
    """The badge's HTML (the one sidebar markdown with the status)."""
    found = [m.value for m in at.sidebar.markdown if "comfyui-status" in m.value]
    assert len(found) == 1, [m.value for m in at.sidebar.markdown]
    return found[0]


def label(at: AppTest) -> str:
    """The badge's text after the dot."""
    text = badge(at).split("</span>", 1)[1].removesuffix("</div>").strip()
    return html.unescape(text.replace("<span></span>", ""))


def start(monkeypatch: pytest.MonkeyPatch, url: str) -> AppTest:
    """The app on a fresh server whose ComfyUI is at ``url``: its monitor's first poll asks ``url``."""
    monkeypatch.setenv("STORYBOARD_COMFYUI_URL", url)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def run_until(at: AppTest, wanted: str, *, tries: int = 100) -> AppTest:
    """Rerun the page until its badge label starts with ``wanted`` (bounded)."""
    for _ in range(tries):
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        if label(at).startswith(wanted):
            return at
        time.sleep(0.05)
    raise AssertionError(f"the badge never said {wanted!r}; it says {label(at)!r}")


def test_online_server_shows_version_device_and_queue(
    workspace: Path,
    fake_comfyui: FakeComfyUI,
    monkeypatch: pytest.MonkeyPatch,
    serving: None,
) -> None:
    at = run_until(start(monkeypatch, fake_comfyui.url), "ComfyUI: online")
    assert label(at) == "ComfyUI: online · 0.3.64 · cpu · queue 0"
    assert "data-state='online'" in badge(at)
    assert "#16a34a" in badge(at)  # the green dot
    assert fake_comfyui.requests_to("/system_stats")  # the monitor asked the fake, not the page


def test_refused_server_shows_offline_with_the_reason_and_url(
    workspace: Path, refused_url: str, monkeypatch: pytest.MonkeyPatch, serving: None
) -> None:
    at = run_until(start(monkeypatch, refused_url), "ComfyUI: offline")
    assert label(at) == f"ComfyUI: offline · connection refused · {refused_url}"
    assert "data-state='offline'" in badge(at)
    assert "#dc2626" in badge(at)  # the red dot


def test_badge_is_on_every_page(
    workspace: Path,
    demo: Project,
    store: Store,
    refused_url: str,
    monkeypatch: pytest.MonkeyPatch,
    open_page: OpenPage,
) -> None:
    monkeypatch.setenv("STORYBOARD_COMFYUI_URL", refused_url)
    first = store.read_shots(demo.id, "001")[0].id
    params = {
        DASHBOARD.key: {"project": demo.id},
        SEQUENCE.key: {"project": demo.id, "seq": "001"},
        SHOT.key: {"project": demo.id, "seq": "001", "shot": first},
        PRESENT.key: {"project": demo.id, "seq": "001", "shot": first},
        REVIEW.key: {"project": demo.id},
        BIBLE.key: {"project": demo.id},
        SETTINGS.key: {},
    }
    services._monitor(str(workspace)).check_now()  # the state is known before the pages are drawn
    for page in PAGES:
        at = open_page(page, **params[page.key])
        assert label(at) == f"ComfyUI: offline · connection refused · {refused_url}", page.key


def test_state_change_shows_on_the_next_runs(
    workspace: Path,
    fake_comfyui: FakeComfyUI,
    monkeypatch: pytest.MonkeyPatch,
    serving: None,
) -> None:
    app = run_until(start(monkeypatch, fake_comfyui.url), "ComfyUI: online")
    fake_comfyui.go_down()
    services._monitor(str(workspace)).check_now()
    assert label(app.run()) == f"ComfyUI: offline · connection refused · {fake_comfyui.url}"
    fake_comfyui.come_back()
    services._monitor(str(workspace)).check_now()
    assert label(app.run()).startswith("ComfyUI: online · 0.3.64")


def test_a_hanging_server_never_slows_a_page(
    workspace: Path,
    demo: Project,
    store: Store,
    fake_comfyui: FakeComfyUI,
    monkeypatch: pytest.MonkeyPatch,
    serving: None,
) -> None:
    fake_comfyui.hang()  # accepts connections, never answers: every check waits ~1 s for nothing
    monkeypatch.setenv("STORYBOARD_COMFYUI_URL", fake_comfyui.url)
    # Every HTTP request, with the thread that made it: a page run must never be one of them
    # (asserted by thread, not by the clock, so a loaded machine cannot make it pass or fail).
    callers: list[str] = []
    send = httpx.Client.send

    def recording_send(self: httpx.Client, *args: Any, **kwargs: Any) -> httpx.Response:
        callers.append(threading.current_thread().name)
        return send(self, *args, **kwargs)

    monkeypatch.setattr(httpx.Client, "send", recording_send)
    first = store.read_shots(demo.id, "001")[0].id
    visits = [
        (DASHBOARD, {}),
        (DASHBOARD, {"project": demo.id}),
        (SEQUENCE, {"project": demo.id, "seq": "001"}),
        (SHOT, {"project": demo.id, "seq": "001", "shot": first}),
        (SETTINGS, {}),
    ]
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    page_threads: set[str] = set()
    for page, params in visits:
        at.switch_page(page.path)
        at.query_params.clear()
        at.query_params.update(params)
        at.run()
        page_threads.add(threading.current_thread().name)
        assert not at.exception, [e.value for e in at.exception]
        assert label(at).startswith(("ComfyUI: checking", "ComfyUI: timeout")), page.key
    background = ("comfyui-status", "catalog-", "render-")
    assert callers, "the monitor asked the server in the background"
    assert all(name.startswith(background) for name in callers), callers
    assert not page_threads & set(callers)
    # The monitor does get its answer in the background: a timeout, shown by a later run.
    run_until(at, "ComfyUI: timeout")
    assert fake_comfyui.url in label(at)
    fake_comfyui.healthy()


def test_unusable_settings_show_as_an_error_not_checking_forever(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, serving: None
) -> None:
    (workspace / "settings.json").write_text('{"comfyui": {', encoding="utf-8")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    assert label(at).startswith("ComfyUI: error · settings.json"), label(at)
    assert "data-state='error'" in badge(at)
    (workspace / "settings.json").unlink()
    monkeypatch.setenv("STORYBOARD_COMFYUI_URL", "not a url")
    assert label(at.run()).startswith("ComfyUI: error · STORYBOARD_COMFYUI_URL"), label(at)
