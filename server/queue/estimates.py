"""A short-lived cache of what estimates need, kept off the issuing hot path."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

# Seconds an estimate's inputs are reused; finishing a ticket or opening,
# pausing or closing a counter clears them at once.
TTL = 10.0
# Each entry lives between TTL * (1 - SPREAD) and TTL: entries made together (every
# service's in the first second of a busy morning) must not all lapse together. Worked
# out again at once, 17 services cost the writer ~20 ms, and at 500 issues/s every
# kiosk waited up to 50 ms more each time (bench.issue_rate, at t = 10 s).
SPREAD = 0.25


class EstimateCache:
    """Per service: (mean service minutes, counters open now)."""

    def __init__(self, ttl: float = TTL) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._values: dict[str, tuple[float, tuple[float, int]]] = {}

    def get(self, service: str, compute: Callable[[], tuple[float, int]]) -> tuple[float, int]:
        now = time.monotonic()
        with self._lock:
            hit = self._values.get(service)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        value = compute()
        with self._lock:
            self._values[service] = (now - random.uniform(0, SPREAD * self.ttl), value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
