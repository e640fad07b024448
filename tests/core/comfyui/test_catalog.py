"""ServerCatalog: what a server offers, fetched in the background, never blocking the caller."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from storyboard_core.comfyui.catalog import Catalog, ServerCatalog
from storyboard_core.comfyui.client import ComfyUIClient
from storyboard_core.settings import ServerConfig
from tests.fake_comfyui.server import FakeComfyUI

from ..helpers import wait_for

# get() only looks at a dict and maybe starts a thread: far below this even on a loaded machine.
NON_BLOCKING_S = 0.2


def quick_client(server: ServerConfig) -> ComfyUIClient:
    quick = httpx.Timeout(0.5)
    return ComfyUIClient(server.url, token=server.token or None, timeout=quick, long_timeout=quick)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    value = call()
    return value, time.monotonic() - started


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def catalog(clock: Clock) -> Iterator[ServerCatalog]:
    cat = ServerCatalog(quick_client, ttl=60, error_ttl=5, clock=clock)
    try:
        yield cat
    finally:
        cat.close()


def server_at(url: str) -> ServerConfig:
    return ServerConfig(name="s", url=url)


def test_first_get_is_none_then_the_servers_lists(
    catalog: ServerCatalog, fake_comfyui: FakeComfyUI
) -> None:
    fake_comfyui.set_checkpoints(["sd15.safetensors", "xl.safetensors"])
    server = server_at(fake_comfyui.url)
    first, took = timed(lambda: catalog.get(server))
    assert first is None and took < NON_BLOCKING_S
    entry: Catalog = wait_for(lambda: catalog.get(server))
    assert entry.ok
    assert entry.checkpoints == ("sd15.safetensors", "xl.safetensors")
    assert "euler" in entry.samplers and "dpmpp_2m" in entry.samplers
    assert "normal" in entry.schedulers and "karras" in entry.schedulers
    assert entry.fetched_at == 100.0


def test_a_server_without_checkpoints_has_an_empty_list(
    catalog: ServerCatalog, fake_comfyui: FakeComfyUI
) -> None:
    server = server_at(fake_comfyui.url)
    entry = catalog.get(server) or catalog.wait(server, 5)
    assert entry is not None and entry.ok and entry.checkpoints == ()


def test_cached_until_stale_then_refreshed_in_the_background(
    catalog: ServerCatalog, clock: Clock, fake_comfyui: FakeComfyUI
) -> None:
    server = server_at(fake_comfyui.url)
    catalog.get(server)
    old = catalog.wait(server, 5)
    assert old is not None and old.checkpoints == ()
    fake_comfyui.set_checkpoints(["new.safetensors"])
    calls = len(fake_comfyui.requests)
    clock.now += 30  # fresh: served from the cache, no request
    assert catalog.get(server) == old
    assert len(fake_comfyui.requests) == calls
    clock.now += 30  # stale: the old entry now, a fetch behind it
    assert catalog.get(server) == old
    fresh = wait_for(lambda: (catalog.get(server) or old).checkpoints == ("new.safetensors",))
    assert fresh


def test_refresh_fetches_again(catalog: ServerCatalog, fake_comfyui: FakeComfyUI) -> None:
    server = server_at(fake_comfyui.url)
    catalog.get(server)
    catalog.wait(server, 5)
    fake_comfyui.set_checkpoints(["added.safetensors"])
    catalog.refresh(server)
    entry = catalog.wait(server, 5)
    assert entry is not None and entry.checkpoints == ("added.safetensors",)


def test_a_server_that_answered_keeps_its_lists_while_it_cannot_be_asked(
    catalog: ServerCatalog, clock: Clock, fake_comfyui: FakeComfyUI
) -> None:
    server = server_at(fake_comfyui.url)
    fake_comfyui.set_checkpoints(["kept.safetensors"])
    catalog.get(server)
    good = catalog.wait(server, 5)
    assert good is not None and good.ok
    fake_comfyui.go_down()
    catalog.refresh(server)
    kept = catalog.wait(server, 5)
    assert kept is not None and kept.ok and kept.checkpoints == ("kept.safetensors",)
    assert kept.last_error is not None and fake_comfyui.url in kept.last_error
    # Asked again as soon as an error entry would be, not after the good entry's time to live.
    fake_comfyui.come_back()
    fake_comfyui.set_checkpoints(["back.safetensors"])
    clock.now += 5
    catalog.get(server)
    back = wait_for(lambda: (catalog.get(server) or kept).checkpoints == ("back.safetensors",))
    assert back


def test_offline_server_gives_an_error_entry_without_blocking(
    catalog: ServerCatalog, clock: Clock, refused_url: str
) -> None:
    server = server_at(refused_url)
    first, took = timed(lambda: catalog.get(server))
    assert first is None and took < NON_BLOCKING_S
    entry: Catalog = wait_for(lambda: catalog.get(server))
    assert not entry.ok
    assert entry.error == f"ComfyUI at {refused_url}: connection refused"
    assert entry.checkpoints == entry.samplers == entry.schedulers == ()
    again, took = timed(lambda: catalog.get(server))
    assert again == entry and took < NON_BLOCKING_S
    # An error is retried sooner than a good entry is refreshed.
    with FakeComfyUI(port=int(refused_url.rsplit(":", 1)[1])) as back:
        clock.now += 5
        assert catalog.get(server) == entry  # still the error, while a new fetch runs
        fresh = wait_for(lambda: (catalog.get(server) or entry).ok)
        assert fresh
        assert back.requests_to("/object_info")


def test_a_hanging_server_never_blocks_get(
    catalog: ServerCatalog, fake_comfyui: FakeComfyUI
) -> None:
    server = server_at(fake_comfyui.url)
    fake_comfyui.hang()
    try:
        for _ in range(3):
            value, took = timed(lambda: catalog.get(server))
            assert value is None and took < NON_BLOCKING_S
        entry: Catalog = wait_for(lambda: catalog.get(server))
        assert entry.error is not None and "no answer within" in entry.error
    finally:
        fake_comfyui.healthy()


def test_each_token_has_its_own_entry(catalog: ServerCatalog) -> None:
    with FakeComfyUI(require_token="tok-0123456789") as fake:
        without = server_at(fake.url)
        with_token = ServerConfig(name="s", url=fake.url, token="tok-0123456789")
        catalog.get(without)
        catalog.get(with_token)
        refused = catalog.wait(without, 5)
        allowed = catalog.wait(with_token, 5)
        assert refused is not None and refused.error is not None and "401" in refused.error
        assert allowed is not None and allowed.ok
