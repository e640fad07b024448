"""Wrong passcodes and bad review links, counted per client address: 5 free tries, then a doubling wait.

After the 5th wrong try from one address, the next is accepted only 2 s later, then 4 s, 8 s… up to
15 minutes; a right answer clears the count. Every wrong try is logged with the address. One
``Throttle`` is shared by every session of a server process (it is thread-safe); the clock is
injectable for tests.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import ThrottledError

FREE_TRIES = 5
FIRST_WAIT = 2.0
MAX_WAIT = 15 * 60.0
_FORGET_AFTER = 24 * 3600.0  # a quiet address starts afresh a day later
_MAX_ADDRESSES = 10_000

logger = logging.getLogger("storyboard_core.access")


@dataclass
class _Record:
    failures: int = 0
    last: float = 0.0


class Throttle:
    """Counts wrong tries per address and says how long an address must wait."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._records: dict[str, _Record] = {}

    @staticmethod
    def wait_after(failures: int) -> float:
        """Seconds to wait after ``failures`` wrong tries in a row (0 for the free ones)."""
        if failures < FREE_TRIES:
            return 0.0
        return float(min(MAX_WAIT, FIRST_WAIT * 2 ** (failures - FREE_TRIES)))

    def retry_after(self, address: str) -> float:
        """Seconds before ``address`` may try again (0: now)."""
        with self._lock:
            record = self._records.get(address)
            if record is None:
                return 0.0
            left = record.last + self.wait_after(record.failures) - self._clock()
            return max(0.0, left)

    def check(self, address: str) -> None:
        """``ThrottledError`` when ``address`` must still wait."""
        left = self.retry_after(address)
        if left > 0:
            logger.warning("access refused to %s: throttled for %.0f s more", address, left)
            raise ThrottledError(address, left)

    def failure(self, address: str, what: str) -> None:
        """Count a wrong try (``what``: "wrong passcode", "bad review link") and log it."""
        with self._lock:
            at = self._clock()
            self._forget(at)
            record = self._records.setdefault(address, _Record())
            record.failures += 1
            record.last = at
            failures = record.failures
        logger.warning("%s from %s (%d wrong in a row)", what, address, failures)

    def success(self, address: str) -> None:
        """Clear ``address``'s count."""
        with self._lock:
            self._records.pop(address, None)

    def _forget(self, at: float) -> None:
        # Bounded memory: quiet addresses go, and a flood of addresses cannot grow the table forever.
        if len(self._records) < _MAX_ADDRESSES:
            return
        for address, record in list(self._records.items()):
            if at - record.last > _FORGET_AFTER or len(self._records) >= _MAX_ADDRESSES:
                del self._records[address]
