"""Is each ComfyUI server up? A background monitor that the app can ask at any time without waiting.

``StatusMonitor`` polls every configured server (``GET /system_stats`` and ``GET /queue``) from one
daemon thread, with one reused client per server. ``status()`` only returns what the last poll saw,
so drawing the status badge never touches the network. A change of state is logged once (at INFO, on
``storyboard_core.status``), never once per poll, and never with a token.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from ..errors import (
    ComfyUIBadAnswerError,
    ComfyUIError,
    ComfyUIOfflineError,
    ComfyUITimeoutError,
    StoryboardError,
)
from ..settings import ServerConfig, redact_url
from .client import ClientFactory, ComfyUIClient, SystemInfo, default_client_factory

State = Literal["checking", "online", "offline", "timeout", "error"]

logger = logging.getLogger("storyboard_core.comfyui.status")

# The poll interval never drops below this, whatever a provider says: a tight loop would hammer
# the server and the CPU.
MIN_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class ServerStatus:
    """What the last check of one server found, and when (``checked_at``, from the monitor's clock)."""

    state: State
    url: str
    name: str
    checked_at: float | None = None
    detail: str = ""
    info: SystemInfo | None = None

    @property
    def label(self) -> str:
        """One line for a status badge, e.g. ``ComfyUI: online · 0.3.64 · cuda:0 · queue 2``."""
        url = redact_url(self.url)
        if self.state == "online" and self.info is not None:
            info = self.info
            return (
                f"ComfyUI: online · {info.version} · {info.device_short} · queue {info.queue_total}"
            )
        if self.state == "checking" or not self.detail:
            return f"ComfyUI: {self.state} · {url}"
        return f"ComfyUI: {self.state} · {self.detail} · {url}"

    @property
    def online(self) -> bool:
        """True when the last check found a working ComfyUI."""
        return self.state == "online"


def check_server(
    client: ComfyUIClient, server: ServerConfig, *, clock: Callable[[], float] = time.time
) -> ServerStatus:
    """Ask one server for its status with ``client`` (two quick GETs) and classify the answer."""
    state: State
    info: SystemInfo | None = None
    try:
        info = client.system_info()
        state, detail = "online", info.version
    except ComfyUIOfflineError as exc:
        state, detail = "offline", exc.reason
    except ComfyUITimeoutError as exc:
        state, detail = "timeout", exc.reason
    except ComfyUIBadAnswerError as exc:
        state, detail = "error", exc.reason
    except ComfyUIError as exc:
        state, detail = "error", str(exc)
    return ServerStatus(
        state=state, url=server.url, name=server.name, checked_at=clock(), detail=detail, info=info
    )


def test_connection(
    server: ServerConfig,
    *,
    client_factory: ClientFactory = default_client_factory,
    clock: Callable[[], float] = time.time,
) -> ServerStatus:
    """Check one server right now with a fresh client (for a "Test connection" button)."""
    with client_factory(server) as client:
        return check_server(client, server, clock=clock)


# pytest would otherwise collect ``test_connection`` from any test module that imports it.
test_connection.__test__ = False  # type: ignore[attr-defined]


def _describe(status: ServerStatus) -> str:
    url = redact_url(status.url)
    if status.state == "online":
        return f"ComfyUI at {url} is online ({status.detail})"
    if status.state == "timeout":
        return f"ComfyUI at {url} is not answering: {status.detail}"
    if status.state == "error":
        return f"ComfyUI at {url} answers with an error: {status.detail}"
    return f"ComfyUI at {url} is {status.state}: {status.detail}"


class StatusMonitor:
    """Polls the servers from ``servers_provider`` every ``poll_seconds`` in a daemon thread.

    ``servers_provider`` and a callable ``poll_seconds`` are called again before every round, so
    a change of settings takes effect at the next poll. ``clock`` stamps each check.
    ``on_change`` is called with a server whose state changed (came online, went offline), from
    the polling thread: the catalog reads its capabilities again then.
    """

    def __init__(
        self,
        servers_provider: Callable[[], list[ServerConfig]],
        poll_seconds: float | Callable[[], float] = 5.0,
        *,
        client_factory: ClientFactory = default_client_factory,
        clock: Callable[[], float] = time.time,
        on_change: Callable[[ServerConfig], None] | None = None,
    ) -> None:
        self._provider = servers_provider
        self._on_change = on_change
        self._poll_seconds = poll_seconds
        self._client_factory = client_factory
        self._clock = clock
        self._lock = threading.Lock()  # guards _statuses and _servers
        self._poll_lock = threading.Lock()  # one poll round at a time (thread vs check_now)
        self._statuses: dict[str, ServerStatus] = {}
        self._servers: list[ServerConfig] | None = None
        self._clients: dict[str, tuple[tuple[str, str], ComfyUIClient]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- reading (never blocks on the network) -----------------------------------------------------

    def _known_servers(self) -> list[ServerConfig]:
        with self._lock:
            servers = self._servers
        if servers is None:
            # Before the first poll: ask the provider (settings, no network) to show "checking".
            try:
                servers = list(self._provider())
            except Exception:
                servers = []
        return servers

    def status(self, url: str | None = None) -> ServerStatus:
        """The last known status of ``url`` (default: the active server); "checking" if not yet known."""
        servers = self._known_servers()
        if url is None:
            active = next((s for s in servers if s.active), servers[0] if servers else None)
            if active is None:
                return ServerStatus(state="checking", url="", name="")
            url, name = active.url, active.name
        else:
            name = next((s.name for s in servers if s.url == url), "")
        with self._lock:
            known = self._statuses.get(url)
        return known if known is not None else ServerStatus(state="checking", url=url, name=name)

    def statuses(self) -> list[ServerStatus]:
        """The last known status of every configured server, in settings order."""
        return [self.status(server.url) for server in self._known_servers()]

    # -- polling -----------------------------------------------------------------------------------

    def _client(self, server: ServerConfig) -> ComfyUIClient:
        key = (server.url, server.token)
        cached = self._clients.get(server.url)
        if cached is not None and cached[0] == key:
            return cached[1]
        if cached is not None:  # the token changed: the old client's header is stale
            cached[1].close()
        client = self._client_factory(server)
        self._clients[server.url] = (key, client)
        return client

    def _record(self, status: ServerStatus) -> bool:
        """Keep ``status``; True when the server's state changed."""
        with self._lock:
            previous = self._statuses.get(status.url)
            self._statuses[status.url] = status
        changed = previous is None or previous.state != status.state
        if changed:
            logger.info(_describe(status))
        return changed

    def check_now(self) -> list[ServerStatus]:
        """Run one poll round now, in the caller's thread; return the new statuses."""
        return self._poll(stoppable=False)

    def _poll(self, *, stoppable: bool) -> list[ServerStatus]:
        with self._poll_lock:
            servers = list(self._provider())
            with self._lock:
                self._servers = servers
                # Forget servers that were removed from the settings, and close their clients.
                urls = {s.url for s in servers}
                for gone in [u for u in self._statuses if u not in urls]:
                    del self._statuses[gone]
            for gone in [u for u in self._clients if u not in urls]:
                self._clients.pop(gone)[1].close()
            results = []
            for server in servers:
                if stoppable and self._stop.is_set():
                    break  # stop() was called: do not start another check that may take a second
                status = check_server(self._client(server), server, clock=self._clock)
                if self._record(status) and self._on_change is not None:
                    try:
                        self._on_change(server)
                    except Exception:  # a listener's bug must not stop the polling
                        logger.exception("status change listener failed")
                results.append(status)
            return results

    def _interval(self) -> float:
        value = self._poll_seconds() if callable(self._poll_seconds) else self._poll_seconds
        return max(MIN_POLL_SECONDS, float(value))

    def _run(self) -> None:
        last_failure: str | None = None
        while not self._stop.is_set():
            try:
                self._poll(stoppable=True)
                last_failure = None
            except Exception as exc:
                # A broken settings file or a bug must not kill the monitor for the whole session,
                # nor fill the log: each distinct failure is logged once, like a state change.
                if str(exc) != last_failure:
                    last_failure = str(exc)
                    if isinstance(exc, StoryboardError):
                        logger.warning("ComfyUI status check failed: %s", exc)
                    else:
                        logger.exception("ComfyUI status check failed")
            try:
                interval = self._interval()
            except Exception:
                logger.exception("ComfyUI poll interval unavailable; using 1 s")
                interval = 1.0
            # Event.wait, not sleep: stop() wakes the thread at once.
            self._stop.wait(interval)

    # -- lifetime ----------------------------------------------------------------------------------

    def start(self) -> None:
        """Start polling in a daemon thread (does nothing if already running)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="comfyui-status", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        """Stop polling and close the clients; waits at most ``timeout`` for a check in flight."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
        with self._poll_lock:
            for _, client in self._clients.values():
                client.close()
            self._clients.clear()

    @property
    def running(self) -> bool:
        """Whether the polling thread is alive."""
        return self._thread is not None and self._thread.is_alive()
