"""Booking requests per client address: token buckets at the site's rate (read each time)."""

from __future__ import annotations

import math
import threading

from server.access.ratelimit import Buckets, RateLimited
from server.problems import Problem
from shared.config import ServerConfig


class BookingLimiter:
    """`take(address, config)` spends one request or raises RateLimited.

    The buckets are made again when the rate given changes.
    """

    def __init__(self, what: str = "booking") -> None:
        self.what = what  # said in the 429's message
        self._lock = threading.Lock()
        self._rate: tuple[int, int] | None = None
        self._buckets: Buckets | None = None

    def take(self, address: str, config: ServerConfig) -> None:
        """Spend one of `address`'s requests; a 429 Problem (with retry_after) if none is left."""
        rate = (config.booking_per_minute, config.booking_burst)
        with self._lock:
            if self._buckets is None or self._rate != rate:
                self._buckets = Buckets(rate[0] / 60.0, float(rate[1]))
                self._rate = rate
            buckets = self._buckets
        try:
            buckets.take(address)
        except RateLimited as exc:
            wait = max(1, math.ceil(exc.retry_after))
            raise Problem(
                429,
                "rate_limited",
                f"Too many {self.what} requests from this address; try again in {wait} s.",
                retry_after=wait,
            ) from exc
