"""What each ComfyUI server offers, cached and fetched in the background.

One fetch reads a server's ``Capabilities`` (its node types with their choices, and its model files:
``capabilities.py``); the catalog offers their checkpoints, samplers and schedulers, and the renderer
routes shots by the capabilities themselves.

The shot editor offers these as choices on every rerun, so ``ServerCatalog.get`` never waits for the
network: it returns what it has (or ``None``) and, when that is missing or stale, starts one
background fetch for the server. A server that cannot be asked gets an entry with ``error`` set and
empty lists, retried sooner than a good entry is refreshed; one that answered before keeps what it
offered then (a poll that times out on a busy machine must not turn the editor's choices into free
text and back), and is tried again as soon.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..errors import ComfyUIError
from ..settings import ServerConfig, redact_url
from .capabilities import Capabilities, read_capabilities
from .client import ClientFactory, default_client_factory

logger = logging.getLogger("storyboard_core.comfyui.catalog")


@dataclass(frozen=True)
class Catalog:
    """What one server offered when last asked (``fetched_at`` from the catalog's clock).

    ``error`` says why the server could not be asked; the lists are empty and ``capabilities`` is
    ``None`` then. ``last_error`` says why the latest ask failed when the lists are kept from an
    earlier one that succeeded.
    """

    checkpoints: tuple[str, ...] = ()
    samplers: tuple[str, ...] = ()
    schedulers: tuple[str, ...] = ()
    fetched_at: float = 0.0
    error: str | None = None
    capabilities: Capabilities | None = None
    last_error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the server answered."""
        return self.error is None


class ServerCatalog:
    """A non-blocking, thread-safe cache of each server's ``Catalog``, refreshed after ``ttl`` s.

    ``error_ttl`` is how soon a server that could not be asked is tried again. ``clock`` is
    injectable for tests (default ``time.monotonic``).
    """

    def __init__(
        self,
        client_factory: ClientFactory = default_client_factory,
        ttl: float = 60.0,
        *,
        error_ttl: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client_factory = client_factory
        self._ttl = ttl
        self._error_ttl = error_ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], Catalog] = {}
        self._fetching: dict[tuple[str, str], threading.Thread] = {}

    @staticmethod
    def _key(server: ServerConfig) -> tuple[str, str]:
        # The token is part of the key: a new token may open a server that refused the old one.
        return (server.url, server.token)

    def get(self, server: ServerConfig) -> Catalog | None:
        """The cached catalog of ``server`` (``None`` if not fetched yet); never waits for the network.

        Starts a background fetch when there is no entry or it is older than its time to live.
        """
        key = self._key(server)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or self._stale(entry):
                self._start_fetch(key, server)
            return entry

    def refresh(self, server: ServerConfig) -> None:
        """Fetch ``server``'s catalog again in the background (after models were installed)."""
        with self._lock:
            self._start_fetch(self._key(server), server)

    def wait(self, server: ServerConfig, timeout: float) -> Catalog | None:
        """Wait up to ``timeout`` s for a fetch in flight, then return the cached catalog (for scripts)."""
        with self._lock:
            thread = self._fetching.get(self._key(server))
        if thread is not None:
            thread.join(timeout)
        with self._lock:
            return self._entries.get(self._key(server))

    def close(self, timeout: float = 5.0) -> None:
        """Wait up to ``timeout`` s for fetches in flight (their clients close themselves)."""
        deadline = self._clock() + timeout
        with self._lock:
            threads = list(self._fetching.values())
        for thread in threads:
            thread.join(max(0.0, deadline - self._clock()))

    def _stale(self, entry: Catalog) -> bool:
        failed = entry.error is not None or entry.last_error is not None
        ttl = self._error_ttl if failed else self._ttl
        return self._clock() - entry.fetched_at >= ttl

    def _start_fetch(self, key: tuple[str, str], server: ServerConfig) -> None:
        """Start a fetch for ``key`` unless one runs. Caller holds the lock."""
        running = self._fetching.get(key)
        if running is not None and running.is_alive():
            return
        thread = threading.Thread(
            target=self._fetch,
            args=(key, server),
            name=f"catalog-{redact_url(server.url)}",
            daemon=True,
        )
        self._fetching[key] = thread
        thread.start()

    def _fetch(self, key: tuple[str, str], server: ServerConfig) -> None:
        try:
            with self._client_factory(server) as client:
                caps = read_capabilities(client)
            entry = Catalog(
                checkpoints=caps.choices("CheckpointLoaderSimple", "ckpt_name"),
                samplers=caps.choices("KSampler", "sampler_name"),
                schedulers=caps.choices("KSampler", "scheduler"),
                fetched_at=self._clock(),
                capabilities=caps,
            )
        except ComfyUIError as exc:
            entry = Catalog(fetched_at=self._clock(), error=str(exc))
        except Exception as exc:
            # A bug must not leave the entry missing forever (the editor would wait for it).
            logger.exception("could not read the catalog of %s", redact_url(server.url))
            entry = Catalog(fetched_at=self._clock(), error=f"{type(exc).__name__}: {exc}")
        with self._lock:
            previous = self._entries.get(key)
            if not entry.ok and previous is not None and previous.ok:
                entry = replace(previous, fetched_at=entry.fetched_at, last_error=entry.error)
            self._entries[key] = entry
            if self._fetching.get(key) is threading.current_thread():
                del self._fetching[key]


__all__ = ["Catalog", "ServerCatalog"]
