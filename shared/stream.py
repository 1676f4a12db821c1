"""The live event stream: WS /api/v1/events?after=N on its own thread.

Every event reaches `on_event` exactly once and in seq order: repeats are
dropped, a gap makes us reconnect with after=<last seq>, and any disconnect
(network, server restart, close code 4008 "too slow") is followed by a
reconnect with exponential backoff and jitter. After REDISCOVER_AFTER failed
attempts in a row the locator forgets the server and browses again.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar, cast

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.sync.client import ClientConnection, connect

from shared.api import API_PATH
from shared.discovery import ServerLocator
from shared.errors import ServerUnavailable

if TYPE_CHECKING:
    from shared.models import Event

log = logging.getLogger(__name__)

# Module constants so tests can patch them small (as python-zeroconf's tests do).
BACKOFF_FIRST = 0.25  # seconds before the first retry
BACKOFF_CAP = 5.0  # a restarted server is back within seconds; never wait longer
REDISCOVER_AFTER = 3  # failed attempts in a row before browsing again (server moved)
OPEN_TIMEOUT = 5.0
CLOSE_TIMEOUT = 1.0
PING_INTERVAL = 10.0  # notices a vanished server (power cut, cable) within ~20 s
GAP_RETRIES = 3  # a gap that survives this many reconnects is a hole in the server's log

CLOSE_TOO_SLOW = 4008
CLOSE_LOG_RESET = 4009  # our after=N is past the server's log: its data was reset
CLOSE_UNAUTHORIZED = 4401

CONNECTING = "connecting"
CONNECTED = "connected"
DISCONNECTED = "disconnected"


def backoff_delay(failures: int) -> float:
    """Exponential backoff with full jitter in its upper half; failures >= 1."""
    ceiling = min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** max(0, failures - 1))
    return random.uniform(ceiling / 2, ceiling)


class _Numbered(Protocol):
    @property
    def seq(self) -> int: ...


E = TypeVar("E", bound=_Numbered)


def parse_event(message: str | bytes) -> Event:
    """The default reading of a message: the pydantic wire model (raises ValueError)."""
    # imported here: the TV reads events with its own few lines and never loads pydantic
    from shared.models import Event

    return Event.model_validate_json(message)


class _Gap(Exception):
    """The server skipped a seq; reconnect with after=last to fill it."""


class EventStream(Generic[E]):
    """Delivers the server's events to `on_event` on the stream's own thread.

    `parse` turns a message into an event (raising ValueError when it cannot); by
    default the pydantic `Event`.
    """

    def __init__(
        self,
        locator: ServerLocator,
        on_event: Callable[[E], None],
        on_state: Callable[[str], None] | None = None,
        after: int = 0,
        token: str | None = None,
        on_reset: Callable[[], None] | None = None,
        parse: Callable[[str | bytes], E] | None = None,
    ) -> None:
        self.locator = locator
        self.on_event = on_event
        self.parse = parse if parse is not None else cast(Callable[[str | bytes], E], parse_event)
        self.on_state = on_state
        # Called (on the stream's thread) when the server's log restarted below our
        # seq; the stream then delivers the new log from its first event.
        self.on_reset = on_reset
        self.token = token
        self._last = after
        self._state = ""
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._ws: ClientConnection | None = None
        self._ws_lock = threading.Lock()
        self._gap_at: tuple[int, int] = (-1, 0)  # (last seq at the gap, times seen)
        self.connects = 0  # successful connections, for tests and diagnostics

    @property
    def last_seq(self) -> int:
        return self._last

    @property
    def state(self) -> str:
        return self._state

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("EventStream already started")
        self._thread = threading.Thread(target=self._run, name="antrian-events")
        self._thread.start()

    def retry_now(self) -> None:
        """Cut a backoff wait short, e.g. when a REST call shows the server is back."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Close the connection and join the thread; no callback runs after this returns."""
        self._stopping.set()
        self._wake.set()
        with self._ws_lock:
            ws = self._ws
        if ws is not None:
            ws.close()  # thread-safe in websockets' sync client; wakes the reader
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.warning("event stream thread did not stop within %.1f s", timeout)

    # -- the thread --------------------------------------------------------------

    def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            self._set_state(CONNECTING)
            if self._session():
                failures = 0
            else:
                failures += 1
            if self._stopping.is_set():
                break
            self._set_state(DISCONNECTED)
            if failures and failures % REDISCOVER_AFTER == 0:
                log.info(
                    "event stream: %d failures in a row; looking for the server again", failures
                )
                self.locator.forget()
            self._wake.wait(backoff_delay(max(failures, 1)))
            self._wake.clear()
        self._set_state(DISCONNECTED)

    def _session(self) -> bool:
        """One connection, read until it ends; True if it delivered or stayed up."""
        try:
            base = self.locator.locate(cancel=self._stopping)
        except ServerUnavailable as exc:
            log.info("event stream: %s", exc)
            return False
        url = base.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        url = f"{url}{API_PATH}/events?after={self._last}"
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else None
        try:
            with connect(
                url,
                additional_headers=headers,
                open_timeout=OPEN_TIMEOUT,
                close_timeout=CLOSE_TIMEOUT,
                ping_interval=PING_INTERVAL,
                ping_timeout=PING_INTERVAL,
                proxy=None,
            ) as ws:
                with self._ws_lock:
                    if self._stopping.is_set():
                        return True
                    self._ws = ws
                self.connects += 1
                self._set_state(CONNECTED)
                log.debug("event stream connected to %s", url)
                for message in ws:
                    self._deliver(message)
            return True
        except _Gap:
            return True  # reconnect after the shortest backoff; the log fills the gap
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else None
            if code == CLOSE_UNAUTHORIZED:
                log.error("event stream: the server refused our token")
                return False
            if code == CLOSE_LOG_RESET:
                log.warning("event stream: the server's log restarted below %d; from 0", self._last)
                self._last = 0
                self._gap_at = (-1, 0)
                if self.on_reset is not None:
                    try:
                        self.on_reset()
                    except Exception:
                        log.exception("on_reset failed")
                return True
            if code == CLOSE_TOO_SLOW:
                log.warning("event stream: server says we are too slow; resuming at %d", self._last)
            elif not self._stopping.is_set():
                log.info("event stream closed (%s); resuming at %d", code, self._last)
            # A clean close (server restart, too slow) retries soon; a dropped line backs off.
            return code is not None
        except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as exc:
            if not self._stopping.is_set():
                log.info("event stream cannot connect to %s: %s", url, exc)
            return False
        finally:
            with self._ws_lock:
                self._ws = None

    def _deliver(self, message: str | bytes) -> None:
        try:
            event = self.parse(message)
        except ValueError:  # pydantic's ValidationError and json's errors are ValueErrors
            log.warning("event stream: unreadable message ignored: %.200r", message)
            return
        if event.seq <= self._last:
            return  # already delivered (replay overlap)
        if event.seq > self._last + 1:
            at, seen = self._gap_at
            seen = seen + 1 if at == self._last else 1
            self._gap_at = (self._last, seen)
            if seen <= GAP_RETRIES:
                log.warning(
                    "event stream: gap after %d (got %d); reconnecting", self._last, event.seq
                )
                raise _Gap
            log.error("events %d..%d missing from the server's log", self._last + 1, event.seq - 1)
        if self._stopping.is_set():
            return
        self._last = event.seq
        try:
            self.on_event(event)
        except Exception:
            log.exception("on_event failed for seq %d", event.seq)

    def _set_state(self, state: str) -> None:
        if state == self._state:
            return
        self._state = state
        if self.on_state is not None:
            try:
                self.on_state(state)
            except Exception:
                log.exception("on_state callback failed")
