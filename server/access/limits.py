"""The booking door's limits: bookings per client address, per session and for the whole
site; look-ups by code and phone per address, refused ones counted; check-ins per kiosk
and for the whole site, and which kiosk keeps guessing codes.

The rates are the site's (`[server]`), read on each request: buckets are made again
when a rate changes.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from server.access.ratelimit import Buckets, RateLimited
from server.problems import Problem
from shared.config import ServerConfig

# A kiosk refused this many check-ins (unknown codes, or over its rate) within
# GUESS_WINDOW seconds keeps guessing: the floor gets an alert (server/reports/alerts.py).
GUESS_ALERT = 10
GUESS_WINDOW = 300.0


class _Rated:
    """Buckets at a rate read from the config each time."""

    def __init__(self, rate: Callable[[ServerConfig], tuple[int, int]]) -> None:
        self._of = rate
        self._lock = threading.Lock()
        self._rate: tuple[int, int] | None = None
        self._buckets: Buckets | None = None

    def take(self, key: str, config: ServerConfig, what: str) -> None:
        rate = self._of(config)
        with self._lock:
            if self._buckets is None or self._rate != rate:
                self._buckets = Buckets(rate[0] / 60.0, float(rate[1]))
                self._rate = rate
            buckets = self._buckets
        try:
            buckets.take(key)
        except RateLimited as exc:
            wait = max(1, math.ceil(exc.retry_after))
            raise Problem(
                429,
                "rate_limited",
                f"Too many {what}; try again in {wait} s.",
                retry_after=wait,
            ) from exc


class BookingLimiter:
    """`take(address, config, session)` spends one request or raises a 429 Problem.

    `what` names the door in the 429 (the booking's, or the complaint form's buckets)."""

    def __init__(self, what: str = "booking") -> None:
        self.what = what
        self._address = _Rated(lambda c: (c.booking_per_minute, c.booking_burst))
        self._session = _Rated(lambda c: (c.booking_session_per_minute, c.booking_session_burst))
        self._overall = _Rated(lambda c: (c.booking_overall_per_minute, c.booking_overall_burst))

    def take(self, address: str, config: ServerConfig, session: str | None = None) -> None:
        """One request of `address` (a booking or a cancel); a booking also spends one of
        its session's (`session`: service, date and session as asked) and the site's."""
        self._address.take(address, config, f"{self.what} requests from this address")
        if session is not None:
            self._session.take(session[:80], config, "bookings for this session at once")
            self._overall.take("all", config, "bookings on this site at once")


# A client address's refused look-ups are counted over this many seconds.
LOOKUP_WINDOW = 3600.0


class _Refusals:
    """Refused attempts per key, within a window, bounded in memory."""

    def __init__(self, clock: Callable[[], float], keys: int = 10_000) -> None:
        self._clock = clock
        self._keys = keys
        self._lock = threading.Lock()
        self._seen: dict[str, deque[float]] = {}

    def add(self, key: str, keep: int) -> None:
        with self._lock:
            if key not in self._seen and len(self._seen) >= self._keys:
                self._seen.pop(next(iter(self._seen)))  # the oldest key goes first
            self._seen.setdefault(key, deque(maxlen=keep)).append(self._clock())

    def since(self, key: str, window: float) -> list[float]:
        """The refusals of `key` within the last `window` seconds, oldest first."""
        after = self._clock() - window
        with self._lock:
            return [t for t in self._seen.get(key, ()) if t >= after]

    def counts(self, window: float) -> dict[str, int]:
        """Key -> refusals within the last `window` seconds; keys with none are forgotten."""
        after = self._clock() - window
        with self._lock:
            counts = {k: sum(1 for t in q if t >= after) for k, q in self._seen.items()}
            for k in [k for k, n in counts.items() if n == 0]:
                del self._seen[k]
        return counts


class LookUpLimiter:
    """Look-ups of a booking by code and phone: the booking rate per address, and no more
    than `booking_lookup_misses_per_hour` refused pairs per address (a guesser's)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._address = _Rated(lambda c: (c.booking_per_minute, c.booking_burst))
        self._clock = clock
        self._refused = _Refusals(clock)

    def take(self, address: str, config: ServerConfig) -> None:
        """Before the pair is looked at: a 429 once the address has guessed too often."""
        misses = self._refused.since(address, LOOKUP_WINDOW)
        if len(misses) >= config.booking_lookup_misses_per_hour:
            wait = max(1, math.ceil(misses[-config.booking_lookup_misses_per_hour]
                                    + LOOKUP_WINDOW - self._clock()))  # fmt: skip
            raise Problem(
                429,
                "rate_limited",
                f"Too many look-ups that found nothing from this address; try again in {wait} s.",
                retry_after=wait,
            )
        self._address.take(address, config, "look-ups from this address")

    def refused(self, address: str, config: ServerConfig) -> None:
        """A pair that matched no booking."""
        self._refused.add(address, config.booking_lookup_misses_per_hour)


class CheckInLimiter:
    """Check-ins per kiosk and overall; remembers each kiosk's refused attempts."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._device = _Rated(lambda c: (c.check_in_per_minute, c.check_in_burst))
        self._overall = _Rated(lambda c: (c.check_in_overall_per_minute, c.check_in_overall_burst))
        self._refused = _Refusals(clock)

    def take(self, device: int, config: ServerConfig) -> None:
        """Counted before the code is looked at; a 429 counts as a refused attempt."""
        try:
            self._device.take(str(device), config, "check-ins from this kiosk")
            self._overall.take("all", config, "check-ins on this site")
        except Problem:
            self.refused(device)
            raise

    def refused(self, device: int) -> None:
        """A check-in this kiosk tried was refused (an unknown code)."""
        self._refused.add(str(device), GUESS_ALERT * 4)

    def guessing(self) -> dict[int, int]:
        """Device id -> attempts refused in the last GUESS_WINDOW s, for those at the alert."""
        counts = self._refused.counts(GUESS_WINDOW)
        return {int(d): n for d, n in counts.items() if n >= GUESS_ALERT}
