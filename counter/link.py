"""The counter's one way to the server: requests, the live event stream, and re-reads.

Its public methods run on one thread (the UI thread in the app, the test thread in
tests). Blocking calls go to the `Worker`; their answers come back through `post`,
which the app maps to `Clock.schedule_once`, and only while the session they were
asked for lasts: `begin` and `end` start a new one, so a late answer to an officer
who has logged out changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from counter.flow import Request
from shared.client import ApiClient, EventStream
from shared.errors import ApiError, ServerUnavailable
from shared.models import (
    CounterAnswer,
    CounterState,
    Event,
    EventType,
    HelpList,
    ServicesAnswer,
    SessionAnswer,
)
from shared.periodic import Every

if TYPE_CHECKING:
    from shared.client import ServerLocator, Worker

log = logging.getLogger(__name__)

# A re-read that found no server is asked again this often (and the login's counters).
RETRY_SECONDS = 3.0

T = TypeVar("T")
Post = Callable[[Callable[[], object]], None]
Done = Callable[[T | None, BaseException | None], None]
Read = tuple[CounterState | None, ServicesAnswer | None, HelpList | None]
HELP_EVENTS = (EventType.HELP_ASKED, EventType.HELP_TAKEN)


class SignIn(NamedTuple):
    """What a login brings back: the session, the services, where the live stream starts."""

    answer: SessionAnswer
    services: ServicesAnswer
    seq: int


def rereads_for(event: Event, counter: str, mine: Collection[str]) -> tuple[str, ...]:
    """What an event makes worth reading again: this counter, the waiting counts, the calls
    for help, or nothing."""
    if event.type in HELP_EVENTS:
        return ("help",)
    mine_changed = event.counter is not None and event.counter.code == counter
    held = event.ticket is not None and event.ticket.counter == counter
    # site.changed: the setup changed (names, services), so both are read again
    if event.type == EventType.SITE_CHANGED or mine_changed or held:
        return ("counter", "services")
    if event.ticket is not None and event.ticket.service in mine:
        return ("services",)
    return ()


class Connection:
    """What the officer is told about the server: connected, connecting (first time), down."""

    def __init__(self, stream: str = "connecting") -> None:
        self.stream = stream  # as the event stream last said
        self.http_down = False  # the last request found no server

    @property
    def state(self) -> str:
        if self.http_down or self.stream == "disconnected":
            return "down"
        return "connected" if self.stream == "connected" else "connecting"

    def stream_said(self, state: str) -> bool:
        """The stream's new state; True when it just came back (the server's word is news)."""
        if state == "connecting" and self.stream == "disconnected":
            state = "disconnected"  # still away: keep saying so until connected
        previous, self.stream = self.stream, state
        if state == "connected" and previous != "connected":
            self.http_down = False
            return True
        return False


def _send(client: ApiClient, code: str, request: Request) -> CounterAnswer:
    """One officer's action as its API call."""
    action = request.action
    if action == "call":
        return client.call(code)
    if action == "requeue":
        return client.requeue(code, request.ticket_code)
    if action == "transfer":
        return client.transfer(code, request.argument.strip())
    calls = {
        "recall": client.recall,
        "start": client.start,
        "finish": client.finish,
        "skip": client.skip,
        "pause": client.pause,
        "resume": client.resume,
    }
    return calls[action](code)


class ServerLink:
    """Requests on the worker, the event stream and the re-reads it asks for, one counter's."""

    def __init__(
        self,
        locator: ServerLocator,
        worker: Worker,
        post: Post,
        *,
        live: bool = True,
        timeout: float = 5.0,
        on_read: Callable[[CounterState | None, ServicesAnswer | None, HelpList | None], None],
        on_session_over: Callable[[], None],
        on_change: Callable[[], None],
        mine: Callable[[], Collection[str]],
    ) -> None:
        self.locator = locator
        self.worker = worker
        self.post = post
        self.live = live  # False: no event stream (tests of the request path alone)
        self.timeout = timeout
        self.on_read = on_read  # a re-read's answer: the counter, the counts, the help calls
        self.on_session_over = on_session_over  # the server ended the officer's session
        self.on_change = on_change  # the connection or a re-read changed what is shown
        self.mine = mine  # the services of this counter, to know whose tickets matter
        # Made on the worker's thread at the first request (finding the server may take a while).
        self.client: ApiClient | None = None
        self.connection = Connection()
        self.stream: EventStream[Event] | None = None
        self.generation = 0  # bumps with every session so late answers of an old one drop
        self.active = False  # in a session: events and re-reads matter
        self.counter_code = ""
        self.last_seq = 0
        self.refreshing = False
        self._pending: set[str] = set()  # "counter", "services": re-reads wanted
        self._retry = Every(RETRY_SECONDS, self._retry_read)

    # -- requests -----------------------------------------------------------------

    def api(self) -> ApiClient:
        """The API client, made (finding the server first) on first use: worker thread only."""
        if self.client is None:
            self.client = ApiClient(self.locator.locate(), timeout=self.timeout)
        return self.client

    def submit(
        self, fn: Callable[[ApiClient], T], done: Done[T], *, any_session: bool = False
    ) -> None:
        """`fn(client)` on the worker; `done(result, error)` back on the UI thread, unless
        the session changed meanwhile (with `any_session`, even then)."""
        generation = self.generation

        def back(result: T | None, exc: BaseException | None) -> None:
            if any_session or generation == self.generation:
                done(result, exc)

        def on_done(result: T | None, exc: BaseException | None) -> None:  # the worker's thread
            self.post(lambda: back(result, exc))

        self.worker.submit(lambda: fn(self.api()), on_done)

    def request(self, fn: Callable[[ApiClient], T], done: Done[T]) -> None:
        """`submit` in the officer's session: each answer says whether the server is there,
        and a 401 (the session ended) goes to `on_session_over` instead of `done`."""

        def outcome(result: T | None, exc: BaseException | None) -> None:
            if isinstance(exc, ApiError) and exc.status == 401:
                log.info("the server ended the session: %s", exc)
                self.on_session_over()
                return
            if exc is None:
                self.connection.http_down = False
            elif isinstance(exc, ServerUnavailable):
                self.connection.http_down = True
            done(result, exc)

        self.submit(fn, outcome)

    def sign_in(self, username: str, pin: str, counter: str, done: Done[SignIn]) -> None:
        """Log in, and read what the counter's screen needs from the start."""

        def job(client: ApiClient) -> SignIn:
            answer = client.login(username, pin, counter)
            # The board's seq is where the live stream starts: no replay of the whole day.
            seq = client.board(recent=0).seq
            return SignIn(answer, client.services(), seq)

        self.submit(job, done)

    def sign_out(self) -> None:
        """Close the server's session, in the background (nobody waits for the answer)."""
        if self.client is not None:
            self.submit(lambda client: client.logout(), lambda _r, _e: None, any_session=True)

    def counters(self, done: Done[list[CounterState]]) -> None:
        """The server's counters (GET /board), whatever the session."""
        self.submit(lambda client: client.board(recent=0).counters, done, any_session=True)

    def act(self, request: Request, done: Done[CounterAnswer]) -> None:
        code = self.counter_code
        self.request(lambda client: _send(client, code, request), done)

    # -- the session ----------------------------------------------------------------

    def begin(self, counter: str, seq: int) -> None:
        """Logged in at `counter`: a new session, live from the board's `seq` on."""
        self.generation += 1
        self.active = True
        self.counter_code = counter
        self.last_seq = seq
        self.connection = Connection("connecting" if self.live else "connected")
        self._start_stream()

    def end(self) -> None:
        """Logged out (or quitting): the stream stops and answers on their way are dropped."""
        self.stop_stream()
        self.generation += 1
        self.active = False
        self._pending.clear()
        self.refreshing = False

    # -- live state ---------------------------------------------------------------------

    def _start_stream(self) -> None:
        if not self.live or self.client is None:
            return
        generation = self.generation

        def on_event(event: Event) -> None:  # the stream's thread
            self.post(lambda: self._on_event(generation, event))

        def on_state(state: str) -> None:  # the stream's thread
            self.post(lambda: self._on_stream_state(generation, state))

        self.stream = EventStream(
            self.locator, on_event, on_state, after=self.last_seq, token=self.client.token
        )
        self.stream.start()

    def stop_stream(self) -> None:
        stream, self.stream = self.stream, None
        if stream is not None:
            stream.stop()

    def _on_stream_state(self, generation: int, state: str) -> None:
        if generation != self.generation:
            return  # a stream of a session that has ended
        was = self.connection.state
        if self.connection.stream_said(state):
            # Whatever happened while we were away, the server's word is the truth.
            self.want("counter", "services", "help")
        if self.connection.state != was:
            self.on_change()

    def _on_event(self, generation: int, event: Event) -> None:
        if generation != self.generation:
            return
        self.last_seq = max(self.last_seq, event.seq)
        what = rereads_for(event, self.counter_code, self.mine())
        if what:
            self.want(*what)

    def want(self, *what: str) -> None:
        """Read `what` ("counter", "services", "help") again; one at a time, wishes merged.

        With nothing named, whatever is still wanted (a retry: also asks if the server is back).
        """
        if not self.active:
            return
        self._pending.update(what)
        if self.refreshing:
            return  # the running re-read picks these up when it ends
        todo, self._pending = self._pending, set()
        self.refreshing = True
        code = self.counter_code

        def read(client: ApiClient) -> Read:
            state = client.counter(code) if "counter" in todo else None
            services = client.services() if "services" in todo else None
            calls = client.help_calls() if "help" in todo else None
            return state, services, calls

        self.request(read, lambda result, exc: self._read_done(todo, result, exc))

    def _read_done(self, todo: set[str], result: Read | None, exc: BaseException | None) -> None:
        self.refreshing = False
        if exc is None and result is not None:
            self.on_read(*result)
        elif isinstance(exc, ServerUnavailable):
            # Keep what we wanted; the stream's next "connected" (or the retry) asks again.
            self._pending |= todo
        else:
            log.error("refresh failed", exc_info=exc)
        self.on_change()
        if self._pending and not self.connection.http_down:
            self.want()

    def tick(self, now: float) -> None:
        """The app's clock: retry a re-read that found no server, when due."""
        self._retry.tick(now)

    def _retry_read(self) -> None:
        if self.active and (self.connection.http_down or self._pending) and not self.refreshing:
            self.want()

    @property
    def pending(self) -> frozenset[str]:
        """The re-reads still wanted (waiting for the running one, or for the server)."""
        return frozenset(self._pending)
