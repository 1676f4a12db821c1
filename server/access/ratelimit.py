"""Token buckets keyed by client address (or anything), bounded in memory.

Used where a guess costs us CPU or a place: sign-in (PINs, passwords) and booking.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class RateLimited(Exception):
    """Too many requests; `retry_after` seconds until the next one is allowed."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after:.0f} s")
        self.retry_after = retry_after


class Buckets:
    """`rate` requests per second with bursts of `burst`, per key; at most `keys` keys.

    The oldest keys are forgotten first, which only ever lets a forgotten client a
    fresh burst: memory stays bounded whatever an attacker sends.
    """

    def __init__(
        self,
        rate: float,
        burst: float,
        keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.keys = keys
        self.clock = clock
        self._lock = threading.Lock()
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str) -> None:
        """Spend one token of `key`'s bucket, or raise RateLimited."""
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                raise RateLimited((1 - tokens) / self.rate)
            self._buckets[key] = (tokens - 1, now)
            while len(self._buckets) > self.keys:
                self._buckets.popitem(last=False)
