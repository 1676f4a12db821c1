"""Who works at this counter: the login form, what a failed login says, the officer once in,
and the counters to choose from at the login.

`Session` is plain state: the controller sends the login through the link and
reports back here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from counter.link import RETRY_SECONDS, ServerLink
from counter.texts import Say
from shared.errors import ApiError, ServerUnavailable
from shared.models import CounterState, Officer
from shared.periodic import Every

log = logging.getLogger(__name__)

_LOCK_MINUTES = re.compile(r"(\d+)\s*minute")
_PIN = re.compile(r"^[0-9]{4,12}$")


class Session:
    """The login's state: busy while asking, its error, then the officer and the counter."""

    def __init__(self, say: Say) -> None:
        self.say = say
        self.officer: Officer | None = None
        self.counter_code = ""
        self.login_error = ""
        self.login_busy = False

    @property
    def logged_in(self) -> bool:
        return self.officer is not None

    def start(self, username: str, pin: str, counter: str) -> bool:
        """A login is asked for: True (now busy) when the form is filled right, else say why."""
        error = ""
        if not username:
            error = self.say("need_username")
        elif not counter:
            error = self.say("need_counter")
        elif not _PIN.match(pin):
            error = self.say("bad_pin")
        self.login_error = error
        self.login_busy = not error
        return not error

    def failed(self, exc: BaseException | None, counter: str) -> None:
        """The server did not let the officer in: say why, in the officer's words."""
        self.login_busy = False
        self.login_error = self._error_text(exc, counter)

    def opened(self, officer: Officer, counter: str) -> None:
        self.login_busy = False
        self.officer = officer
        self.counter_code = counter

    def closed(self, reason: str = "") -> None:
        """Logged out; `reason` shows on the login screen (e.g. the session ended)."""
        self.officer = None
        self.login_error = reason

    def _error_text(self, exc: BaseException | None, counter: str) -> str:
        if isinstance(exc, ServerUnavailable):
            return self.say("server_unreachable")
        if isinstance(exc, ApiError):
            if exc.code == "wrong_pin":
                return self.say("wrong_pin")
            if exc.code == "locked":
                return self.say("locked", n=lock_minutes(exc))
            if exc.code == "counter_not_allowed":
                return self.say("counter_not_allowed", counter=counter)
            if exc.code == "unknown_counter":
                return self.say("unknown_counter", counter=counter)
            return self.say("err_other", message=exc.message)
        log.error("login failed unexpectedly", exc_info=exc)
        return self.say("err_bug")


class CounterChoice:
    """The login's list of counters as the server has them, read in the background."""

    def __init__(self, link: ServerLink, on_change: Callable[[], None]) -> None:
        self.link = link
        self.on_change = on_change
        self.counters: list[str] = []  # "L01 - Loket 1 (Agency)"; [] until read
        self.loading = False
        self._retry = Every(RETRY_SECONDS, self.load)

    def load(self) -> None:
        """Read the server's counters (GET /board), unless they are read or on their way."""
        if self.loading or self.counters:
            return
        self.loading = True
        self.link.counters(self._read)

    def tick(self, now: float) -> None:
        """The app's clock: ask again while the list is not read (the server was away)."""
        self._retry.tick(now)

    def _read(self, counters: list[CounterState] | None, exc: BaseException | None) -> None:
        self.loading = False
        if exc is not None or counters is None:
            # The app keeps the config's list meanwhile; the retry asks again.
            log.info("counters not read from the server yet (%s)", exc)
            return
        self.counters = [f"{c.code} - {c.name} ({c.agency_name})" for c in counters]
        self.on_change()


def lock_minutes(exc: ApiError) -> int:
    """Minutes left of a lock-out: the answer's `minutes` field, else read from the message."""
    minutes = exc.extra.get("minutes")
    if isinstance(minutes, int):
        return minutes
    m = _LOCK_MINUTES.search(exc.message)
    return int(m.group(1)) if m else 5
