"""The display's logic, with no Kivy: the board model, the spotlight hold queue, what to announce.

The app feeds it board snapshots and events (on the UI thread) and reads plain
dataclasses back for the widgets. Two watermarks keep it honest:

- `model_seq`: the seq the board model reflects; older events are already in it.
- `announce_seq`: calls at or below it are never announced (again). A board
  loaded after (re)connecting raises it to the board's seq, so a call that
  happened while we were away shows on the board but is not read out late,
  and a replayed call is never read out twice.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from display.publish import Rotation, Slide
from display.settings import Settings
from display.wire import Board, CounterInfo, Event, Ticket
from shared.api import CounterStatus, EventType

log = logging.getLogger(__name__)

CALL_EVENTS = (EventType.CALLED, EventType.RECALLED)
# More pending spotlights than this and the oldest are dropped: they stay in the
# recent list and on their counter, and a queue that only grows helps no one.
MAX_PENDING_SPOTLIGHTS = 8
# Same for the voice: a call read out minutes late misleads more than it helps.
MAX_PENDING_ANNOUNCEMENTS = 12
# A call replayed after a reconnect is read out late only if it is at most this old.
CATCH_UP_SECONDS = 20.0


@dataclass(frozen=True)
class Call:
    """One call to show large and to read out."""

    seq: int
    ticket_id: int
    code: str
    counter: str
    counter_name: str
    agency: str
    agency_name: str
    service_name: str
    recall: bool = False
    day: date | None = None  # the ticket's business day


@dataclass
class CounterView:
    """One counter tile."""

    code: str
    name: str
    agency: str
    agency_name: str
    status: str = ""  # unknown until the server says
    ticket_id: int | None = None
    ticket_code: str = ""
    ticket_status: str = ""
    ticket_day: date | None = None
    services: tuple[str, ...] = ()  # the services it serves
    waiting: int = 0  # people waiting for those services (filled when the board is drawn)


@dataclass
class AgencyGroup:
    """One agency column (group_by = agency): its counters and how many wait."""

    code: str
    name: str
    color: str
    waiting: int
    counters: list[CounterView] = field(default_factory=list)


@dataclass(frozen=True)
class WaitingView:
    agency: str
    name: str
    color: str
    waiting: int


@dataclass(frozen=True)
class StoppedView:
    """A service stopped for the rest of the day (blanks ran out, a system down), and why."""

    service: str
    name: str
    reason: str
    color: str


def call_from(event: Event) -> Call | None:
    """The call an event announces, if it is a call with everything we need."""
    t = event.ticket
    if event.type not in CALL_EVENTS or t is None:
        return None
    counter = t.counter or (event.counter.code if event.counter else "")
    counter_name = t.counter_name or (event.counter.name if event.counter else "") or counter
    return Call(
        seq=event.seq,
        ticket_id=t.id,
        code=t.code,
        counter=counter,
        counter_name=counter_name,
        agency=t.agency,
        agency_name=t.agency_name,
        service_name=t.service_name,
        recall=event.type == EventType.RECALLED,
        day=t.business_day,
    )


def call_from_ticket(t: Ticket, seq: int = 0) -> Call:
    return Call(
        seq=seq,
        ticket_id=t.id,
        code=t.code,
        counter=t.counter or "",
        counter_name=t.counter_name or t.counter or "",
        agency=t.agency,
        agency_name=t.agency_name,
        service_name=t.service_name,
        day=t.business_day,
    )


class SpotlightQueue:
    """The big "now calling" panel: each call stays at least `hold` seconds, later ones wait."""

    def __init__(
        self,
        hold_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        max_pending: int = MAX_PENDING_SPOTLIGHTS,
    ) -> None:
        self.hold = hold_seconds
        self.clock = clock
        self.max_pending = max_pending
        self.current: Call | None = None
        self.shown_at = 0.0
        self.pending: deque[Call] = deque()
        self.dropped = 0

    def push(self, call: Call) -> bool:
        """Queue a call; True if it is on screen now."""
        if self.current is None or self._held():
            self._show(call)
            return True
        if any(p.ticket_id == call.ticket_id for p in self.pending):
            return False  # a recall of a call still waiting for its turn
        self.pending.append(call)
        while len(self.pending) > self.max_pending:
            gone = self.pending.popleft()
            self.dropped += 1
            log.info("spotlight backlog full; %s shown only in the lists", gone.code)
        return False

    def tick(self) -> bool:
        """Advance when the current call has been held long enough; True if it changed."""
        if self.pending and self._held():
            self._show(self.pending.popleft())
            return True
        return False

    def seed(self, call: Call | None) -> None:
        """Show a call from a snapshot (no hold is owed to it)."""
        if self.current is None and call is not None:
            self.current = call
            self.shown_at = self.clock() - self.hold

    def drop_before(self, day: date) -> bool:
        """A new business day: earlier days' calls leave the panel; True if it changed."""
        before = self.current
        self.pending = deque(c for c in self.pending if c.day == day)
        if self.current is not None and self.current.day != day:
            self.current = self.pending.popleft() if self.pending else None
            self.shown_at = self.clock()
        return self.current is not before

    def _held(self) -> bool:
        return self.clock() - self.shown_at >= self.hold

    def _show(self, call: Call) -> None:
        self.current = call
        self.shown_at = self.clock()


class AnnouncementQueue:
    """Calls waiting to be read out, in order; one at a time, never cut off."""

    def __init__(self, max_pending: int = MAX_PENDING_ANNOUNCEMENTS) -> None:
        self.max_pending = max_pending
        self.pending: deque[Call] = deque()
        self.playing: Call | None = None
        self.dropped = 0
        self.announced: list[int] = []  # seqs, most recent last (bounded)

    def push(self, call: Call) -> None:
        self.pending.append(call)
        while len(self.pending) > self.max_pending:
            gone = self.pending.popleft()
            self.dropped += 1
            log.warning("announcement backlog full; %s not read out", gone.code)

    def start_next(self) -> Call | None:
        """The next call to play, if nothing is playing."""
        if self.playing is not None or not self.pending:
            return None
        self.playing = self.pending.popleft()
        self.announced.append(self.playing.seq)
        del self.announced[:-200]
        return self.playing

    def finished(self) -> None:
        self.playing = None

    def drop_before(self, day: date) -> None:
        self.pending = deque(c for c in self.pending if c.day == day)

    @property
    def busy(self) -> bool:
        return self.playing is not None or bool(self.pending)


class BoardModel:
    """Counters, recent calls and waiting counts, kept current from a snapshot plus events."""

    def __init__(self, config: Settings, recent: int) -> None:
        self.config = config
        self.recent_size = max(recent, 1)
        self.seq = 0
        self.day: date | None = None  # the server's business day, as last seen
        self.counters: dict[str, CounterView] = {}
        self.recent: deque[Call] = deque(maxlen=self.recent_size)
        self.waiting: dict[str, int] = {}
        self.stopped: dict[str, tuple[str, str]] = {}  # service: (its name, the reason)
        self.running_text = ""
        self.publish = False  # the site's tv_publish
        self.service_agency = {s: a.code for a in config.agencies for s in a.services}
        self.agency_names: dict[str, str] = {}  # the server's, from the last board
        for c in config.counters:
            agency = next((a for a in config.agencies if a.code == c.agency), None)
            self.counters[c.code] = CounterView(
                code=c.code,
                name=c.name,
                agency=c.agency,
                agency_name=agency.name if agency else "",
                services=tuple(c.services),
            )

    def load(self, board: Board) -> None:
        self.seq = board.seq
        known = dict(self.counters)
        self.counters = {}
        for c in board.counters:
            view = CounterView(c.code, c.name, c.agency, c.agency_name, c.status.value)
            view.services = tuple(c.services)
            self._set_ticket(view, c.ticket)
            self.counters[c.code] = view
        if not board.counters:  # a server that lists none: our config's, until it does
            self.counters = known
        self.running_text = board.running_text
        self.publish = board.publish
        # board.recent is newest first; ours too
        self.recent = deque(
            [call_from_ticket(t) for t in board.recent[: self.recent_size]], maxlen=self.recent_size
        )
        self.waiting = {w.service: w.waiting for w in board.waiting}
        self.stopped = {
            w.service: (w.service_name or w.service, w.stop_reason)
            for w in board.waiting
            if w.stop_reason
        }
        for w in board.waiting:
            self.service_agency.setdefault(w.service, w.agency)
        # Agency names as the server has them now (the console renames them); our
        # config's for agencies no counter on the board belongs to.
        self.agency_names = {c.agency: c.agency_name for c in board.counters if c.agency_name}

    def new_day(self, day: date) -> bool:
        """The server's business day is `day`: True when that starts a new one here.

        Earlier days' calls leave the lists and the counters, and their waiting
        tickets stop counting (the server closes them at midnight; their events
        then change nothing here).
        """
        if self.day is not None and day <= self.day:
            return False
        first, self.day = self.day is None, day
        if first:
            return False
        self.recent = deque((c for c in self.recent if c.day == day), maxlen=self.recent_size)
        for view in self.counters.values():
            if view.ticket_id is not None and view.ticket_day != day:
                self._set_ticket(view, None)
        self.waiting = {}
        self.stopped = {}  # a stop is for its day only
        return True

    def _past(self, t: Ticket) -> bool:
        return self.day is not None and t.business_day is not None and t.business_day < self.day

    def apply(self, event: Event) -> None:
        """Apply one event newer than the model (the caller checks seq)."""
        self.seq = event.seq
        t, kind = event.ticket, event.type
        if event.counter is not None:
            self._counter_info(event.counter)
        if t is not None and self._past(t):
            # An earlier day's ticket closed at midnight: off its counter, never counted.
            if kind in (EventType.DONE, EventType.NO_SHOW, EventType.CANCELLED):
                self._clear(t.counter or (event.counter.code if event.counter else ""), t.id)
            return
        if kind == EventType.ISSUED and t:
            self._waiting(t.service, +1)
        elif kind == EventType.CANCELLED and t:
            self._waiting(t.service, -1)
        elif kind in (EventType.REQUEUED, EventType.TRANSFERRED) and t:
            self._waiting(t.service, +1)
            if kind == EventType.TRANSFERRED and event.counter:
                self._clear(event.counter.code, None)
        elif kind in CALL_EVENTS and t:
            call = call_from(event)
            if kind == EventType.CALLED:
                self._waiting(t.service, -1)
            view = self.counters.get(call.counter) if call else None
            if view is not None:
                self._set_ticket(view, t)
                view.status = CounterStatus.OPEN.value
            if call is not None:
                # (a deque built from a longer list keeps its *last* items: slice first)
                rest = [r for r in self.recent if r.ticket_id != call.ticket_id]
                self.recent = deque([call, *rest][: self.recent_size], maxlen=self.recent_size)
        elif kind == EventType.SERVING and t and t.counter in self.counters:
            self._set_ticket(self.counters[t.counter], t)
        elif kind in (EventType.DONE, EventType.NO_SHOW) and t:
            self._clear(t.counter or (event.counter.code if event.counter else ""), t.id)

    def _counter_info(self, info: CounterInfo) -> None:
        view = self.counters.get(info.code)
        if view is None:
            view = self.counters[info.code] = CounterView(
                info.code, info.name, info.agency, info.agency_name
            )
        view.status = info.status.value
        view.services = tuple(info.services)

    def _clear(self, code: str, ticket_id: int | None) -> None:
        view = self.counters.get(code)
        if view is not None and (ticket_id is None or view.ticket_id == ticket_id):
            self._set_ticket(view, None)

    @staticmethod
    def _set_ticket(view: CounterView, t: Ticket | None) -> None:
        view.ticket_id = t.id if t else None
        view.ticket_code = t.code if t else ""
        view.ticket_status = t.status.value if t else ""
        view.ticket_day = t.business_day if t else None

    def _waiting(self, service: str, delta: int) -> None:
        self.waiting[service] = max(0, self.waiting.get(service, 0) + delta)

    def waiting_by_agency(self) -> list[WaitingView]:
        totals: dict[str, int] = {}
        for service, n in self.waiting.items():
            agency = self.service_agency.get(service)
            if agency is not None:
                totals[agency] = totals.get(agency, 0) + n
        return [
            WaitingView(a.code, self.agency_name(a.code, a.name), a.color, totals.get(a.code, 0))
            for a in self.config.agencies
        ]

    def agency_name(self, code: str, ours: str) -> str:
        return self.agency_names.get(code, ours)

    def counter_views(self) -> list[CounterView]:
        """The counters, each with how many wait for the services it serves."""
        for view in self.counters.values():
            view.waiting = sum(self.waiting.get(s, 0) for s in view.services)
        return list(self.counters.values())

    def groups(self) -> list[AgencyGroup]:
        waiting = {w.agency: w.waiting for w in self.waiting_by_agency()}
        out: dict[str, AgencyGroup] = {
            a.code: AgencyGroup(
                a.code, self.agency_name(a.code, a.name), a.color, waiting.get(a.code, 0)
            )
            for a in self.config.agencies
        }
        for view in self.counter_views():
            group = out.get(view.agency)
            if group is None:
                group = out[view.agency] = AgencyGroup(view.agency, view.agency_name, "#546E7A", 0)
            group.counters.append(view)
        return [g for g in out.values() if g.counters]


class DisplayController:
    """Everything the TV decides; the app calls it on the UI thread and redraws from it."""

    def __init__(self, config: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.clock = clock
        self.tz = config.site.tz
        # (the server's time in the last board, our clock then): the server's time now,
        # so the board turns to a new day at the server's midnight, whatever our wall clock.
        self._server_clock: tuple[datetime, float] | None = None
        d = config.display
        self.model = BoardModel(config, d.recent_calls)
        self.spotlight = SpotlightQueue(d.hold_seconds, clock)
        self.announcements = AnnouncementQueue()
        self.announce_seq = 0
        self.state = "connecting"
        self.has_board = False
        self.resyncing = True  # until the first board, events wait
        self.server_reset = False  # the last board came from a server whose data was reset
        # "ok" | "failed" | "off" (not read out, by the config): for the board's sign and
        # for the device heartbeat; `voice_problem` says why it failed.
        self.voice_state = "ok" if config.voice.enabled else "off"
        self.voice_problem = ""
        self._held: list[Event] = []
        self.reload_wanted = False  # a site.changed came: load the board again
        self.colors = {a.code: a.color for a in config.agencies}
        self.rotation = Rotation(clock)  # the slides of GET /info (the site's tv_publish)
        self._slide: Slide | None = None

    # -- feeding -------------------------------------------------------------

    def set_state(self, state: str) -> bool:
        """Stream state; True when a board must be (re)loaded before events count."""
        self.state = state
        if state == "connected":
            self.resyncing = True
            return True
        return False

    def load_board(self, board: Board) -> list[Call]:
        """A snapshot after (re)connecting: calls up to its seq are never announced."""
        self.server_reset = server_reset = self.has_board and board.seq < self.model.seq
        if server_reset:
            log.warning(
                "server seq went back (%d < %d): its data was reset", board.seq, self.model.seq
            )
            self.announce_seq = board.seq
        # a display that just started cannot know what was read out before it: nothing late
        floor = self.announce_seq if self.has_board else board.seq
        self._server_clock = (board.time, self.clock())
        self._new_day(board.time)
        self.model.load(board)
        self.has_board = True
        self.announce_seq = max(self.announce_seq, board.seq)
        shown = self.recent()
        if shown:
            self.spotlight.seed(shown[0])
        held, self._held, self.resyncing = self._held, [], False
        calls = []
        for event in held:
            if event.seq <= board.seq:
                call = self._late_call(event, board, floor)
            else:
                call = self.apply_event(event)
            if call is not None:
                calls.append(call)
        return calls

    def _late_call(self, event: Event, board: Board, floor: int) -> Call | None:
        """A call replayed after a reconnect, already in the board: read out only if just made.

        (A server restart leaves a few seconds when a call can be made and we are
        not yet back; older calls would only mislead, and `floor` stops repeats.)
        """
        call = call_from(event)
        if call is None or event.seq <= floor or not self._shown(call.counter) or self._past(call):
            return None
        if (board.time - event.at).total_seconds() > CATCH_UP_SECONDS:
            return None
        self.spotlight.push(call)
        if self.config.voice.enabled:
            self.announcements.push(call)
        return call

    def refresh_board(self, board: Board) -> None:
        """A periodic snapshot to correct drift; announcing is not affected."""
        self._server_clock = (board.time, self.clock())
        self._new_day(board.time)
        if board.seq >= self.model.seq:
            self.model.load(board)

    def apply_event(self, event: Event) -> Call | None:
        """One event from the stream; returns the call to announce, if any."""
        if self.resyncing:
            self._held.append(event)
            return None
        if event.type == EventType.SITE_CHANGED:
            self.reload_wanted = True  # counters, names, running text: the app reloads the board
            self.rotation.loaded_at = None  # and what the site publishes
        self._new_day(event.at)
        if event.seq > self.model.seq:
            self.model.apply(event)
        call = call_from(event)
        if call is None or event.seq <= self.announce_seq or self._past(call):
            return None
        self.announce_seq = event.seq
        if not self._shown(call.counter):
            return None  # another zone's TV shows and reads out that one
        self.spotlight.push(call)
        if self.config.voice.enabled:
            self.announcements.push(call)
        return call

    def voice_failed(self, why: str) -> bool:
        """The voice could not play; True when it just stopped working (logged once)."""
        if self.voice_state == "off":
            return False
        self.voice_problem = why
        if self.voice_state == "failed":
            return False
        self.voice_state = "failed"
        log.error("the voice does not work (%s): calls are shown, not read out", why)
        return True

    def voice_worked(self) -> bool:
        """An announcement played; True when the voice just came back."""
        if self.voice_state != "failed":
            return False
        self.voice_state, self.voice_problem = "ok", ""
        log.warning("the voice works again")
        return True

    def tick(self) -> bool:
        """Called a few times a second: True when the board must be redrawn."""
        now = self.server_now()
        rolled = now is not None and self._new_day(now)
        moved = self.spotlight.tick()
        slide = self.slide()
        turned, self._slide = slide is not self._slide, slide
        return moved or rolled or turned

    def slide(self) -> Slide | None:
        """What the spotlight panel publishes now, or None: it is the call's.

        A call always comes first: a new one takes the panel at once (the slides wait
        IDLE_SECONDS after it), and calls waiting for the panel keep it too."""
        if not self.model.publish or self.spotlight.pending:
            return None
        spot = self.spotlight
        return self.rotation.current(spot.shown_at if spot.current is not None else None)

    def info_wanted(self, max_age: float) -> bool:
        """The site publishes and our slides are missing or older than `max_age` seconds."""
        loaded = self.rotation.loaded_at
        return self.model.publish and (loaded is None or self.clock() - loaded > max_age)

    def server_now(self) -> datetime | None:
        """The server's time now, from its last board and our monotonic clock since."""
        if self._server_clock is None:
            return None
        at, then = self._server_clock
        return at + timedelta(seconds=self.clock() - then)

    def _new_day(self, at: datetime) -> bool:
        day = at.astimezone(self.tz).date()
        if not self.model.new_day(day):
            return False
        log.info("a new business day (%s): earlier days' numbers leave the board", day)
        self.spotlight.drop_before(day)
        self.announcements.drop_before(day)
        return True

    def _past(self, call: Call) -> bool:
        day = self.model.day
        return day is not None and call.day is not None and call.day < day

    # -- reading -------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self.state == "connected" and not self.resyncing

    def color(self, agency: str) -> str:
        return self.colors.get(agency, "#546E7A")

    def _shown(self, code: str) -> bool:
        only = self.config.display.counters
        return not only or code in only

    def marquee(self) -> str:
        """The site's running text when it has one, else this TV's own marquee."""
        return self.model.running_text or self.config.display.marquee

    def counters(self) -> list[CounterView]:
        return [v for v in self.model.counter_views() if self._shown(v.code)]

    def recent(self) -> list[Call]:
        return [c for c in self.model.recent if self._shown(c.counter)]

    def waiting(self) -> list[WaitingView]:
        return self.model.waiting_by_agency()

    def stopped(self) -> list[StoppedView]:
        """Every service stopped today, on every TV (a visitor of any zone may wait for it)."""
        agency = self.model.service_agency
        return [
            StoppedView(code, name, reason, self.color(agency.get(code, "")))
            for code, (name, reason) in self.model.stopped.items()
        ]

    def groups(self) -> list[AgencyGroup]:
        groups = []
        for g in self.model.groups():
            g.counters = [c for c in g.counters if self._shown(c.code)]
            if g.counters:
                groups.append(g)
        return groups


def replay(controller: DisplayController, events: Iterable[Event]) -> list[Call]:
    """Feed several events; the calls to announce, in order."""
    return [c for e in events if (c := controller.apply_event(e)) is not None]
