"""The queue rules (docs/ARCHITECTURE.md): issue, call, recall, start, finish, skip, requeue,
transfer, cancel, pause, resume. Each is one serialised write transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.problems import Problem, conflict, invalid, not_found
from server.queue import events as ev
from server.queue import quotas
from server.queue.site import Site
from server.queue.wire import NewTicket, counter_info, counter_state, ticket_wire
from server.store.db import Store
from server.store.rawsql import DAILY, STOPS, TICKETS, Raw
from server.store.tables import CounterRow, ServiceStopRow, TicketRow
from shared.models import (
    CounterAnswer,
    CounterInfo,
    CounterStatus,
    EventType,
    Ticket,
    TicketStatus,
)
from shared.schedule import open_state
from shared.timeutil import business_day, format_time, utcnow

Clock = Callable[[], datetime]
# Called inside the write transaction of every event, with its session (the rooms above
# the queue core decide their own rows there, e.g. server/notify/ its messages). It must
# be cheap for an issue: that is the kiosk's hot path.
EventHook = Callable[[Session, EventType, datetime, Ticket | None, CounterInfo | None], None]
# Called inside the write that stops a service for the day: (session, service, reason, at).
StopHook = Callable[[Session, str, str, datetime], None]
# Called inside the write that issued a ticket with a contact phone (a booking's check-in):
# (session, ticket, phone as given, at).
PhoneHook = Callable[[Session, Ticket, str, datetime], None]
ACTIVE = (TicketStatus.CALLED, TicketStatus.SERVING)


@dataclass
class Issued:
    ticket: Ticket
    created: bool  # False: a repeated request_id answered with the first ticket
    body: bytes  # the ticket's JSON: the answer, serialized once (also into the event)
    group: str | None = None  # its priority group: for the issuing kiosk's answer only


class QueueService:
    """The rules over a Store; `publish` receives committed events in seq order."""

    def __init__(
        self,
        store: Store,
        site: Site | Callable[[], Site],
        publish: Callable[[list[tuple[int, str]]], None] | None = None,
        clock: Clock = utcnow,
        on_event: EventHook | None = None,
        on_stop: StopHook | None = None,
        on_phone: PhoneHook | None = None,
    ) -> None:
        self.store = store
        self.on_event = on_event
        self.on_stop = on_stop
        self.on_phone = on_phone
        # A server's context passes its current site: a swapped site counts from the next
        # write (swaps happen between write transactions, under the write lock).
        self._site = site
        self.publish = publish
        self.clock = clock

    @property
    def site(self) -> Site:
        site = self._site
        return site if isinstance(site, Site) else site()

    # -- set-up -------------------------------------------------------------

    def sync_counters(self) -> None:
        """Create a row for each configured counter (config is the source of truth)."""
        with self.store.write() as s:
            have = set(s.scalars(select(CounterRow.code)))
            for code in self.site.counters:
                if code not in have:
                    s.add(CounterRow(code=code, status=CounterStatus.CLOSED, priority_streak=0))

    def close_past_days(self) -> int:
        """End tickets left open from earlier business days, so nothing waits forever.

        Waiting ones are cancelled, called ones marked no-show, served ones done;
        each change is logged as an event like any other. Returns how many.
        """
        ends = {
            TicketStatus.WAITING: (TicketStatus.CANCELLED, EventType.CANCELLED),
            TicketStatus.CALLED: (TicketStatus.NO_SHOW, EventType.NO_SHOW),
            TicketStatus.SERVING: (TicketStatus.DONE, EventType.DONE),
        }
        with self.store.write() as s:
            now = self.clock()
            rows = s.scalars(
                select(TicketRow).where(
                    TicketRow.business_day < business_day(self.site.tz, now),
                    TicketRow.status.in_(list(ends)),
                )
            ).all()
            held = {c.ticket_id: c for c in s.scalars(select(CounterRow))}
            for row in rows:
                status, kind = ends[TicketStatus(row.status)]
                row.status = status
                row.finished_at = now
                counter = held.get(row.id)
                if counter is not None:
                    counter.ticket_id = None
                    counter.updated_at = now
                if row.service in self.site.services:
                    # The counter that held it goes with it: its app and the TVs free it.
                    info = (
                        counter_info(self.site, counter)
                        if counter is not None and counter.code in self.site.counters
                        else None
                    )
                    ticket = ticket_wire(s, self.site, row, position=False)
                    self._event(s, kind, now, ticket=ticket, counter=info)
            return len(rows)

    def today(self) -> date:
        return business_day(self.site.tz, self.clock())

    # -- issuing --------------------------------------------------------------

    def issue(
        self,
        service: str,
        priority: bool,
        request_id: str,
        device_id: int | None,
        group: str | None = None,
    ) -> Issued:
        with self.store.write() as s:
            return self.issue_in(s, service, priority, request_id, device_id, group=group)

    def issue_in(
        self,
        s: Session,
        service: str,
        priority: bool,
        request_id: str,
        device_id: int | None,
        *,
        online: bool = False,
        phone: str | None = None,
        group: str | None = None,
    ) -> Issued:
        """Issue within a write already open. `online`: a booking's check-in, whose window
        server/booking/ checked: it joins the line now, outside the walk-in quota. `phone`:
        the booking's, handed to `on_phone` with the new ticket (messages, server/notify/)."""
        db = Raw(s)  # the hot path: see server/store/rawsql.py
        found = db.scalar("SELECT id FROM tickets WHERE request_id = :rid", rid=request_id)
        existing = s.get(TicketRow, found) if found is not None else None
        if existing is not None:
            if existing.issued_service != service and existing.transferred_from is None:
                raise conflict(
                    "request_id_reused", "This request_id was already used for another service."
                )
            ticket = ticket_wire(s, self.site, existing)
            again = ticket.model_dump_json().encode()
            return Issued(ticket, created=False, body=again, group=existing.priority_group)
        if service not in self.site.services:
            raise not_found("service", service)
        _agency, svc = self.site.services[service]
        if priority and not svc.priority:
            raise conflict("priority_not_offered", f"{svc.name} has no priority queue.")
        if group is not None:
            self.check_group(group, priority=priority)
        now = self.clock()
        day = business_day(self.site.tz, now)
        stop = db.values(STOPS, business_day=day, service=service)
        stopped = db.scalar(
            "SELECT reason FROM service_stops WHERE business_day = :business_day"
            " AND service = :service",
            **stop,
        )
        if stopped is not None:  # for bookings too: the blanks ran out for everyone
            raise conflict(
                "service_stopped", f"{svc.name} is stopped for today: {stopped}", reason=stopped
            )
        state = open_state(self.site.schedule_for(service), self.site.tz, now)
        if not state.open and not online:
            opens = state.opens_at
            when = f" Opens again {opens.date()} {format_time(opens)}." if opens else ""
            raise conflict(
                "service_closed",
                f"{svc.name} is not issuing tickets now ({state.reason}).{when}",
                reason=state.reason,
                opens_at=opens.isoformat() if opens else None,
            )
        number = self._next_number(db, day, service)
        quota = self.site.quota_for(service)
        if quota is not None and not online:
            # Walk-ins have the quota less the online places. Bookings checked in
            # today took numbers too: counted only when the number alone says full.
            walk_ins = quotas.walk_in_quota(svc, quota)
            if number > walk_ins and number - quotas.checked_in_today(db, service, day) > walk_ins:
                raise conflict("quota_reached", f"Today's quota for {svc.name} is full.")
        new = NewTicket(
            id=0,
            business_day=day,
            service=service,
            number=number,
            code=self.site.ticket_code(svc.prefix, number),
            priority=priority,
            status=TicketStatus.WAITING.value,
            issued_at=now,
            queued_at=now,
            priority_group=group,
        )
        columns = {**vars(new), "issued_service": service, "request_id": request_id}
        del columns["id"]
        new.id = db.insert(TICKETS, "id", device_id=device_id, **columns)
        ticket = ticket_wire(s, self.site, new)
        body = ticket.model_dump_json()
        self._event(s, EventType.ISSUED, now, ticket=ticket, ticket_json=body)
        if phone and self.on_phone is not None:
            self.on_phone(s, ticket, phone, now)
        return Issued(ticket, created=True, body=body.encode(), group=group)

    def check_group(self, group: str, *, priority: bool = True) -> None:
        """A 422 naming `priority_group` unless it is one of the site's groups (and the
        ticket a priority one: a group says who the priority is for)."""
        groups = self.site.config.queue.priority_groups
        if self.site.config.queue.group(group) is None:
            known = ", ".join(g.code for g in groups) or "-"
            raise invalid(
                (
                    "priority_group",
                    f"Kelompok prioritas {group!r} tidak dikenal (pilihan: {known}).",
                    f"Unknown priority group {group!r} (one of: {known}).",
                )
            )
        if not priority:
            raise invalid(
                (
                    "priority_group",
                    "Kelompok prioritas hanya untuk antrean prioritas.",
                    "A priority group is given only with priority: true.",
                )
            )

    def set_group(self, code: str, group: str | None) -> CounterAnswer:
        """The officer says who their current ticket's visitor is (or clears it): for the
        reports; the ticket's place in line is not changed."""
        with self.store.write() as s:
            counter = self._counter(s, code)
            row = self._require_current(s, counter, ACTIVE, "set the group of")
            if group is not None:
                self.check_group(group)
            row.priority_group = group
            return self._answer(s, counter, row)

    @staticmethod
    def _next_number(db: Raw, day: date, service: str) -> int:
        """The next number of a service today (the caller holds the write lock)."""
        key = db.values(DAILY, business_day=day, service=service)
        number = db.scalar(
            "UPDATE daily_numbers SET last_number = last_number + 1"
            " WHERE business_day = :business_day AND service = :service RETURNING last_number",
            **key,
        )
        if number is None:
            db.insert(DAILY, business_day=day, service=service, last_number=1)
            number = 1
        return int(number)

    def stop_service(self, service: str, reason: str, by: str) -> ServiceStopRow:
        """Stop a service for the rest of today: kiosks get 409 service_stopped, and the
        rooms above are told in the same transaction (`on_stop`). Stopping it again keeps
        the first reason."""
        if service not in self.site.services:
            raise not_found("service", service)
        text = " ".join(reason.split())
        if not 1 <= len(text) <= 200:
            raise invalid(
                (
                    "reason",
                    "Tuliskan alasannya (1 sampai 200 karakter), mis. blangko habis.",
                    "Give the reason (1 to 200 characters), e.g. blanks ran out.",
                )
            )
        with self.store.write() as s:
            now = self.clock()
            day = business_day(self.site.tz, now)
            row = s.get(ServiceStopRow, (day, service))
            if row is not None:
                return row
            row = ServiceStopRow(
                business_day=day, service=service, reason=text, stopped_by=by, stopped_at=now
            )
            s.add(row)
            s.flush()
            if self.on_stop is not None:
                self.on_stop(s, service, text, now)
            # the TVs and kiosks read the board and the services again: the stop shows
            self._event(s, EventType.SITE_CHANGED, now)
            return row

    def cancel(self, ticket_id: int, *, device_id: int | None, supervisor: bool) -> Ticket:
        with self.store.write() as s:
            row = s.get(TicketRow, ticket_id)
            if row is None:
                raise not_found("ticket", ticket_id)
            if not supervisor and (device_id is None or row.device_id != device_id):
                raise Problem(
                    403, "forbidden", "Only the issuing kiosk or a supervisor can cancel."
                )
            if row.status != TicketStatus.WAITING:
                raise conflict("not_waiting", f"Ticket {row.code} is {row.status}, not waiting.")
            now = self.clock()
            row.status = TicketStatus.CANCELLED
            row.finished_at = now
            ticket = ticket_wire(s, self.site, row)
            self._event(s, EventType.CANCELLED, now, ticket=ticket)
            return ticket

    # -- counter actions -------------------------------------------------------

    def call_next(self, code: str) -> CounterAnswer:
        with self.store.write() as s:
            counter = self._counter(s, code)
            if counter.status == CounterStatus.PAUSED:
                raise conflict("counter_paused", "The counter is paused; resume it first.")
            now = self.clock()
            current = self._current(s, counter)
            if current is not None:
                # "Next" closes the visitor in front of the officer (the call button has no start).
                self._finish(s, counter, current, now)
            row = self._pick(s, counter, now)
            if row is None:
                return self._answer(s, counter, None)
            row.status = TicketStatus.CALLED
            row.counter = code
            row.officer = counter.officer
            row.called_at = now
            counter.ticket_id = row.id
            counter.status = CounterStatus.OPEN
            counter.updated_at = now
            return self._answer(s, counter, row, EventType.CALLED, now)

    def _pick(self, s: Session, counter: CounterRow, now: datetime) -> TicketRow | None:
        services = self.site.counters[counter.code].services
        day = business_day(self.site.tz, now)

        def first(priority: bool) -> TicketRow | None:
            return s.scalar(
                select(TicketRow)
                .where(
                    TicketRow.business_day == day,
                    TicketRow.service.in_(services),
                    TicketRow.status == TicketStatus.WAITING,
                    TicketRow.priority.is_(priority),
                )
                .order_by(TicketRow.queued_at, TicketRow.id)
                .limit(1)
            )

        prio, regular = first(True), first(False)
        limit = self.site.config.queue.priority_max_in_row
        if prio is not None and (regular is None or counter.priority_streak < limit):
            counter.priority_streak += 1
            return prio
        counter.priority_streak = 0
        return regular

    def recall(self, code: str) -> CounterAnswer:
        with self.store.write() as s:
            counter = self._counter(s, code)
            row = self._require_current(s, counter, (TicketStatus.CALLED,), "recall")
            row.recalls += 1
            return self._answer(s, counter, row, EventType.RECALLED, self.clock())

    def start(self, code: str) -> CounterAnswer:
        with self.store.write() as s:
            counter = self._counter(s, code)
            row = self._require_current(s, counter, (TicketStatus.CALLED,), "start")
            now = self.clock()
            row.status = TicketStatus.SERVING
            row.serving_at = now
            return self._answer(s, counter, row, EventType.SERVING, now)

    def finish(self, code: str) -> CounterAnswer:
        with self.store.write() as s:
            counter = self._counter(s, code)
            row = self._require_current(s, counter, ACTIVE, "finish")
            self._finish(s, counter, row, self.clock())
            return self._answer(s, counter, None)

    def _finish(self, s: Session, counter: CounterRow, row: TicketRow, now: datetime) -> None:
        self.site.estimates.clear()  # a new service time
        row.status = TicketStatus.DONE
        row.serving_at = row.serving_at or row.called_at
        row.finished_at = now
        counter.ticket_id = None
        ticket = ticket_wire(s, self.site, row, position=False)
        self._event(s, EventType.DONE, now, ticket=ticket, counter=counter_info(self.site, counter))

    def skip(self, code: str) -> CounterAnswer:
        with self.store.write() as s:
            counter = self._counter(s, code)
            row = self._require_current(s, counter, (TicketStatus.CALLED,), "mark as no-show")
            now = self.clock()
            row.status = TicketStatus.NO_SHOW
            row.finished_at = now
            counter.ticket_id = None
            ticket = ticket_wire(s, self.site, row, position=False)
            info = counter_info(self.site, counter)
            self._event(s, EventType.NO_SHOW, now, ticket=ticket, counter=info)
            return self._answer(s, counter, None)

    def requeue(self, code: str, ticket_code: str) -> CounterAnswer:
        with self.store.write() as s:
            counter = self._counter(s, code)
            now = self.clock()
            row = s.scalar(
                select(TicketRow)
                .where(
                    TicketRow.business_day == business_day(self.site.tz, now),
                    TicketRow.code == ticket_code.strip().upper(),
                    TicketRow.service.in_(self.site.counters[code].services),
                )
                .order_by(TicketRow.id.desc())
                .limit(1)
            )
            if row is None:
                raise not_found("ticket", ticket_code)
            if row.status != TicketStatus.NO_SHOW:
                raise conflict("not_no_show", f"Ticket {row.code} is {row.status}, not a no-show.")
            window = timedelta(minutes=self.site.config.queue.requeue_window_minutes)
            if row.finished_at is not None and now - row.finished_at > window:
                raise conflict(
                    "requeue_window_passed", f"Ticket {row.code} missed its call too long ago."
                )
            # Back to waiting in its original place (queued_at is kept).
            row.status = TicketStatus.WAITING
            row.counter = None
            row.officer = None
            row.called_at = None
            row.finished_at = None
            ticket = ticket_wire(s, self.site, row)
            info = counter_info(self.site, counter)
            self._event(s, EventType.REQUEUED, now, ticket=ticket, counter=info)
            return self._answer(s, counter, None)

    def transfer(self, code: str, service: str) -> CounterAnswer:
        with self.store.write() as s:
            counter = self._counter(s, code)
            if service not in self.site.services:
                raise not_found("service", service)
            row = self._require_current(s, counter, ACTIVE, "transfer")
            if row.service == service:
                raise conflict("same_service", "The ticket is already in that service.")
            now = self.clock()
            row.status = TicketStatus.TRANSFERRED
            row.serving_at = row.serving_at or row.called_at
            row.finished_at = now
            counter.ticket_id = None
            copy = TicketRow(
                business_day=row.business_day,
                service=service,
                issued_service=row.issued_service,
                number=row.number,
                code=row.code,
                priority=row.priority,
                priority_group=row.priority_group,
                status=TicketStatus.WAITING,
                request_id=None,
                device_id=row.device_id,
                issued_at=row.issued_at,
                queued_at=now,
                recalls=0,
                transferred_from=row.id,
            )
            s.add(copy)
            s.flush()
            ticket = ticket_wire(s, self.site, copy)
            info = counter_info(self.site, counter)
            self._event(s, EventType.TRANSFERRED, now, ticket=ticket, counter=info)
            return self._answer(s, counter, None)

    def pause(self, code: str) -> CounterAnswer:
        with self.store.write() as s:
            counter = self._counter(s, code)
            if self._current(s, counter) is not None:
                raise conflict("counter_busy", "Finish or skip the current ticket before pausing.")
            if counter.status == CounterStatus.PAUSED:
                return self._answer(s, counter, None)
            counter.status = CounterStatus.PAUSED
            return self._counter_event(s, counter, EventType.PAUSED)

    def resume(self, code: str) -> CounterAnswer:
        with self.store.write() as s:
            counter = self._counter(s, code)
            if counter.status == CounterStatus.OPEN:
                return self._answer(s, counter, None)
            counter.status = CounterStatus.OPEN
            return self._counter_event(s, counter, EventType.RESUMED)

    def open_counter(self, code: str, officer: str) -> None:
        """An officer logged in: a closed counter opens (a paused one stays paused)."""
        with self.store.write() as s:
            counter = self._counter(s, code)
            counter.officer = officer
            if counter.status == CounterStatus.CLOSED:
                counter.status = CounterStatus.OPEN
                self._counter_event(s, counter, EventType.RESUMED)

    def close_counter(self, code: str) -> None:
        """The officer logged out: the counter no longer counts as open for estimates."""
        with self.store.write() as s:
            counter = self._counter(s, code)
            if self._current(s, counter) is None and counter.status != CounterStatus.CLOSED:
                counter.status = CounterStatus.CLOSED
                counter.officer = None
                self._counter_event(s, counter, EventType.PAUSED)

    # -- helpers ---------------------------------------------------------------

    def _counter(self, s: Session, code: str) -> CounterRow:
        row = s.get(CounterRow, code) if code in self.site.counters else None
        if row is None:
            raise not_found("counter", code)
        return row

    @staticmethod
    def _current(s: Session, counter: CounterRow) -> TicketRow | None:
        if counter.ticket_id is None:
            return None
        row = s.get(TicketRow, counter.ticket_id)
        return row if row is not None and row.status in ACTIVE else None

    def _require_current(
        self, s: Session, counter: CounterRow, states: tuple[TicketStatus, ...], verb: str
    ) -> TicketRow:
        row = self._current(s, counter)
        if row is None:
            raise conflict("no_current_ticket", f"There is no ticket at this counter to {verb}.")
        if row.status not in states:
            raise conflict("wrong_state", f"Ticket {row.code} is {row.status}; cannot {verb} it.")
        return row

    def _event(self, s: Session, kind: EventType, at: datetime, **kw: object) -> None:
        ev.record(s, kind, at, publish=self.publish, **kw)  # type: ignore[arg-type]
        if self.on_event is not None:
            self.on_event(s, kind, at, kw.get("ticket"), kw.get("counter"))  # type: ignore[arg-type]

    def _counter_event(self, s: Session, counter: CounterRow, kind: EventType) -> CounterAnswer:
        self.site.estimates.clear()  # counters open for a service changed
        now = self.clock()
        counter.updated_at = now
        self._event(s, kind, now, counter=counter_info(self.site, counter))
        return self._answer(s, counter, None)

    def _answer(
        self,
        s: Session,
        counter: CounterRow,
        row: TicketRow | None,
        kind: EventType | None = None,
        at: datetime | None = None,
    ) -> CounterAnswer:
        s.flush()
        ticket = ticket_wire(s, self.site, row, position=False) if row is not None else None
        if kind is not None and at is not None:
            self._event(s, kind, at, ticket=ticket, counter=counter_info(self.site, counter))
        served = served_today(s, counter.code, self.today())
        current = self._current(s, counter)
        return CounterAnswer(
            counter=counter_state(s, self.site, counter, served),
            ticket=ticket,
            priority_group=current.priority_group if current is not None else None,
        )


def served_today(s: Session, counter: str, day: date) -> int:
    return int(
        s.scalar(
            select(func.count()).where(
                TicketRow.business_day == day,
                TicketRow.counter == counter,
                TicketRow.status == TicketStatus.DONE,
            )
        )
        or 0
    )
