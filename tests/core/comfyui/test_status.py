"""StatusMonitor: every state and transition against the fake ComfyUI, logging, non-blocking reads."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from storyboard_core.comfyui.client import ComfyUIClient, SystemInfo
from storyboard_core.comfyui.status import ServerStatus, StatusMonitor, test_connection
from storyboard_core.settings import ServerConfig
from tests.fake_comfyui.fixtures import fake_comfyui, refused_url  # noqa: F401
from tests.fake_comfyui.server import FakeComfyUI

from ..helpers import wait_for

TOKEN = "tok-SECRET-0123456789-wxyz"
LOGGER = "storyboard_core.comfyui.status"


def quick_client(server: ServerConfig) -> ComfyUIClient:
    return ComfyUIClient(server.url, token=server.token or None, timeout=httpx.Timeout(0.2))


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def state_logs(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelno == logging.INFO
    ]


@pytest.fixture
def server(fake_comfyui: FakeComfyUI) -> ServerConfig:  # noqa: F811
    return ServerConfig(name="local", url=fake_comfyui.url, token=TOKEN, active=True)


@pytest.fixture
def monitor(server: ServerConfig) -> Iterator[StatusMonitor]:
    m = StatusMonitor(lambda: [server], 0.05, client_factory=quick_client, clock=FakeClock())
    yield m
    m.stop()


def test_labels() -> None:
    url = "http://127.0.0.1:8188"
    info = SystemInfo("0.3.64", "cuda:0 NVIDIA RTX 4090 : cudaMallocAsync", 1, 2, 1, 1)
    cases = [
        (ServerStatus("online", url, "l", 1.0, "0.3.64", info), "ComfyUI: online · 0.3.64 · cuda:0 · queue 2"),
        (ServerStatus("offline", url, "l", 1.0, "connection refused"), f"ComfyUI: offline · connection refused · {url}"),
        (ServerStatus("timeout", url, "l", 1.0, "no answer within 1.0 s"), f"ComfyUI: timeout · no answer within 1.0 s · {url}"),
        (ServerStatus("checking", url, "l"), f"ComfyUI: checking · {url}"),
        (ServerStatus("error", url, "l", 1.0, "HTTP 500"), f"ComfyUI: error · HTTP 500 · {url}"),
    ]  # fmt: skip
    for status, label in cases:
        assert status.label == label


def test_checking_then_online(
    monitor: StatusMonitor, server: ServerConfig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    before = monitor.status()
    assert (before.state, before.url, before.name, before.checked_at) == (
        "checking",
        server.url,
        "local",
        None,
    )
    (after,) = monitor.check_now()
    assert after.state == "online"
    assert after.label == "ComfyUI: online · 0.3.64 · cpu · queue 0"
    assert after.checked_at == 1001.0  # from the injected clock
    assert monitor.status() == after == monitor.status(server.url)
    assert monitor.statuses() == [after]
    assert state_logs(caplog) == [f"ComfyUI at {server.url} is online (0.3.64)"]


def test_online_offline_online_logged_once_each(
    monitor: StatusMonitor,
    server: ServerConfig,
    fake_comfyui: FakeComfyUI,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    monitor.check_now()
    monitor.check_now()
    fake_comfyui.go_down()
    monitor.check_now()
    status = monitor.status()
    assert (status.state, status.detail) == ("offline", "connection refused")
    assert status.label == f"ComfyUI: offline · connection refused · {server.url}"
    monitor.check_now()
    fake_comfyui.come_back()
    monitor.check_now()
    monitor.check_now()
    assert monitor.status().state == "online"
    assert state_logs(caplog) == [
        f"ComfyUI at {server.url} is online (0.3.64)",
        f"ComfyUI at {server.url} is offline: connection refused",
        f"ComfyUI at {server.url} is online (0.3.64)",
    ]
    assert TOKEN not in caplog.text


def test_hang_is_timeout(
    monitor: StatusMonitor,
    server: ServerConfig,
    fake_comfyui: FakeComfyUI,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    monitor.check_now()
    fake_comfyui.hang()
    monitor.check_now()
    status = monitor.status()
    assert status.state == "timeout"
    assert status.label == f"ComfyUI: timeout · no answer within 0.2 s · {server.url}"
    assert state_logs(caplog)[-1] == (
        f"ComfyUI at {server.url} is not answering: no answer within 0.2 s"
    )
    fake_comfyui.healthy()
    monitor.check_now()
    assert monitor.status().state == "online"


@pytest.mark.parametrize(
    ("break_it", "detail"),
    [
        (FakeComfyUI.fail_500, "HTTP 500"),
        (FakeComfyUI.answer_non_json, "not ComfyUI (/system_stats answered text/html, not JSON)"),
    ],
)
def test_http_error_and_non_comfyui_answer_are_errors(
    monitor: StatusMonitor,
    server: ServerConfig,
    fake_comfyui: FakeComfyUI,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
    break_it: Callable[[FakeComfyUI], None],
    detail: str,
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    monitor.check_now()
    break_it(fake_comfyui)
    monitor.check_now()
    monitor.check_now()
    status = monitor.status()
    assert (status.state, status.detail) == ("error", detail)
    assert status.label == f"ComfyUI: error · {detail} · {server.url}"
    assert state_logs(caplog)[1:] == [f"ComfyUI at {server.url} answers with an error: {detail}"]


def test_refused_from_the_start_is_offline(refused_url: str) -> None:  # noqa: F811
    server = ServerConfig(name="gone", url=refused_url, active=True)
    monitor = StatusMonitor(lambda: [server], 5, client_factory=quick_client)
    try:
        assert monitor.status().state == "checking"
        monitor.check_now()
        assert monitor.status().state == "offline"
    finally:
        monitor.stop()


def test_status_never_blocks_while_the_server_hangs(
    server: ServerConfig,
    fake_comfyui: FakeComfyUI,  # noqa: F811
) -> None:
    fake_comfyui.hang()
    slow = httpx.Timeout(2.0)
    monitor = StatusMonitor(
        lambda: [server], 0.05, client_factory=lambda s: ComfyUIClient(s.url, timeout=slow)
    )
    monitor.start()
    try:
        wait_for(lambda: fake_comfyui.requests_to("/system_stats"))  # a check is in flight now
        started = time.perf_counter()
        for _ in range(10):
            assert monitor.status().state == "checking"
            monitor.statuses()
        assert time.perf_counter() - started < 0.05
    finally:
        fake_comfyui.healthy()  # lets the in-flight request finish so stop() joins at once
        monitor.stop()


def test_background_thread_polls_and_stops_quickly(
    server: ServerConfig,
    fake_comfyui: FakeComfyUI,  # noqa: F811
) -> None:
    monitor = StatusMonitor(lambda: [server], lambda: 0.05, client_factory=quick_client)
    monitor.start()
    monitor.start()  # a second start is harmless
    wait_for(lambda: monitor.status().state == "online")
    fake_comfyui.go_down()
    wait_for(lambda: monitor.status().state == "offline")
    fake_comfyui.come_back()
    wait_for(lambda: monitor.status().state == "online")
    started = time.monotonic()
    monitor.stop()
    assert time.monotonic() - started < 0.5
    assert not monitor.running


def test_long_poll_interval_does_not_delay_stop(server: ServerConfig) -> None:
    monitor = StatusMonitor(lambda: [server], 300, client_factory=quick_client)
    monitor.start()
    wait_for(lambda: monitor.status().state == "online")
    started = time.monotonic()
    monitor.stop()
    assert time.monotonic() - started < 0.5


def test_provider_is_read_again_every_poll(
    server: ServerConfig,
    refused_url: str,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    other = ServerConfig(name="other", url=refused_url)
    servers = [server]
    monitor = StatusMonitor(lambda: list(servers), 5, client_factory=quick_client)
    try:
        monitor.check_now()
        servers.append(other)
        assert monitor.status(refused_url).state == "checking"  # known, not yet checked
        monitor.check_now()
        assert [s.state for s in monitor.statuses()] == ["online", "offline"]
        assert monitor.status(refused_url).name == "other"
        servers.remove(server)
        monitor.check_now()
        assert [s.url for s in monitor.statuses()] == [refused_url]
        assert monitor.status().url == refused_url  # no active server left: the first one
    finally:
        monitor.stop()
    assert len(state_logs(caplog)) == 2


def test_token_change_gets_a_new_client(
    server: ServerConfig,
    fake_comfyui: FakeComfyUI,  # noqa: F811
) -> None:
    current = [server]
    monitor = StatusMonitor(lambda: current, 5, client_factory=quick_client)
    try:
        monitor.check_now()
        current[0] = server.model_copy(update={"token": "new-token"})
        monitor.check_now()
    finally:
        monitor.stop()
    sent = [r.headers.get("Authorization") for r in fake_comfyui.requests_to("/system_stats")]
    assert sent == [f"Bearer {TOKEN}", "Bearer new-token"]


def test_a_failing_provider_does_not_kill_the_thread(
    server: ServerConfig, caplog: pytest.LogCaptureFixture
) -> None:
    calls = {"n": 0}

    def flaky() -> list[ServerConfig]:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("settings.json vanished")
        return [server]

    monitor = StatusMonitor(flaky, 0.05, client_factory=quick_client)
    monitor.start()
    try:
        wait_for(lambda: calls["n"] >= 4)
        assert monitor.running
        assert monitor.status().state == "online"
    finally:
        monitor.stop()
    assert "ComfyUI status check failed" in caplog.text


def test_test_connection(server: ServerConfig, refused_url: str) -> None:  # noqa: F811
    clock = FakeClock()
    good = test_connection(server, client_factory=quick_client, clock=clock)
    assert (good.state, good.name, good.checked_at) == ("online", "local", 1001.0)
    assert good.info is not None and good.info.version == "0.3.64"
    bad = test_connection(ServerConfig(name="x", url=refused_url), client_factory=quick_client)
    assert (bad.state, bad.detail) == ("offline", "connection refused")


def test_a_failing_provider_is_logged_once_not_every_poll(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from storyboard_core import InvalidDataError
    from storyboard_core.errors import FieldProblem

    calls = 0

    def broken() -> list[ServerConfig]:
        nonlocal calls
        calls += 1
        raise InvalidDataError([FieldProblem("url", "bad")], where="settings.json")

    monitor = StatusMonitor(broken, poll_seconds=0.01)
    with caplog.at_level(logging.INFO, logger="storyboard_core.comfyui.status"):
        monitor.start()
        deadline = time.monotonic() + 5
        while calls < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        monitor.stop()
    assert calls >= 5
    failures = [r for r in caplog.records if "status check failed" in r.getMessage()]
    assert len(failures) == 1, [r.getMessage() for r in failures]
    assert "settings.json" in failures[0].getMessage()
