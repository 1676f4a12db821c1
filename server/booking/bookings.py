"""Book, look up, cancel and check in: each one serialized write (or a read).

Called by the JSON routes (server/api/booking.py) and the pages alike, so a
rule is decided once. Writes run on the store's writer (`Store.submit`), where
queue.issue_in joins the same transaction for a check-in's ticket.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.access.limits import LookUpLimiter
from server.booking import phone_codes, places, rules
from server.booking.tables import BookingRow, LinkRow
from server.problems import Problem, conflict
from server.queue.rules import QueueService
from server.queue.site import Site
from server.queue.wire import ticket_wire
from server.store.db import Store
from server.store.tables import TicketRow
from shared.config import ServerConfig
from shared.models import (
    BookableAgency,
    BookableAnswer,
    BookableService,
    Booking,
    BookingCreated,
    BookingFindRequest,
    BookingRequest,
    OnlineTicket,
    Slot,
    SlotsAnswer,
)
from shared.schedule import open_ranges
from shared.timeutil import business_day, format_time

log = logging.getLogger(__name__)

BOOKED, CANCELLED, CHECKED_IN, EXPIRED = "booked", "cancelled", "checked_in", "expired"


# -- reads ----------------------------------------------------------------------


def bookable_view(site: Site, now: datetime) -> BookableAnswer:
    """The agencies and services that take bookings, and the dates open for them."""
    agencies: dict[str, BookableAgency] = {}
    days: set = set()
    for offered in rules.bookable_services(site):
        a, svc = offered.agency, offered.service
        days.update(rules.offered_days(site, svc, now))
        entry = agencies.setdefault(
            a.code,
            BookableAgency(
                code=a.code, name=a.name, name_en=a.name_en or a.name, color=a.color, services=[]
            ),
        )
        entry.services.append(
            BookableService(
                code=svc.code,
                name=svc.name,
                name_en=svc.name_en or svc.name,
                needs_nik=svc.needs_nik,
            )
        )
    return BookableAnswer(site=site.name, days=sorted(days), agencies=list(agencies.values()))


def slots_view(s: Session, site: Site, service: str, day: object, now: datetime) -> SlotsAnswer:
    """The sessions of `day` still to come, with their places left."""
    offered = rules.bookable(site, service)
    svc = offered.service
    sessions = rules.sessions_on(site, svc, day, now)  # type: ignore[arg-type]
    taken = places.taken(s, service, day)  # type: ignore[arg-type]
    slots = [
        Slot(
            session=(key := rules.session_key(x)),
            start=rules.said(x.start),
            end=rules.said(x.end),
            places=x.places,
            left=max(0, x.places - taken.get(key, 0)),
        )
        for x in sessions
    ]
    return SlotsAnswer(service=service, service_name=svc.name, date=day, slots=slots)  # type: ignore[arg-type]


def _status(site: Site, row: BookingRow, now: datetime) -> str:
    """As stored, except a booking whose window has passed reads as expired at once."""
    if row.status == BOOKED and rules.window_of(site, row.service, row.day, row.session)[1] <= now:
        return EXPIRED
    return row.status


def booking_wire(s: Session, site: Site, row: BookingRow, now: datetime) -> Booking:
    found = site.services.get(row.service)  # a service since removed keeps its code
    agency_code, agency_name = (found[0].code, found[0].name) if found else ("", "")
    start, end = rules.window_of(site, row.service, row.day, row.session)
    ticket = s.get(TicketRow, row.ticket_id) if row.ticket_id is not None else None
    return Booking(
        code=row.code,
        service=row.service,
        service_name=found[1].name if found else row.service,
        agency=agency_code,
        agency_name=agency_name,
        date=row.day,
        session=row.session,
        status=_status(site, row, now),
        come_from=start,
        come_until=end,
        nik=row.nik_masked,
        ticket=ticket.code if ticket else None,
    )


def _by_token(s: Session, token: str) -> BookingRow:
    row = None
    if 20 <= len(token) <= 100:
        hashed = rules.token_hash(token)
        row = s.scalar(select(BookingRow).where(BookingRow.token_hash == hashed))
        if row is None:  # a link made by a look-up (find)
            row = s.scalar(
                select(BookingRow).join(LinkRow, LinkRow.booking_id == BookingRow.id)
                .where(LinkRow.token_hash == hashed)
            )  # fmt: skip
    if row is None:
        # The same answer for any token: nothing says whether another booking exists.
        raise Problem(404, "unknown_booking", "No booking at this link.")
    return row


def lookup(store: Store, site: Site, token: str, now: datetime) -> Booking:
    """A booking by its booker's link."""
    with store.read() as s:
        return booking_wire(s, site, _by_token(s, token), now)


# -- writes (on the writer) -----------------------------------------------------------


NOT_THIS_PAIR = "No booking has this code with this phone number."


@dataclass(frozen=True)
class Door:
    """Who knocks at a limited door: the limits, the client's address, the site's rates."""

    limits: LookUpLimiter
    address: str
    settings: ServerConfig


def find(
    store: Store, site: Site, req: BookingFindRequest, now: datetime, door: Door
) -> BookingCreated:
    """A booking by its code and the phone given at booking: a new link to its page (the
    first link, which only its booker had, keeps working). A wrong pair is one 404 whichever
    part was wrong, and counts against the address (server/access/limits.py)."""
    door.limits.take(door.address, door.settings)
    try:
        return _find(store, site, req.code, req.phone, now)
    except Problem as problem:
        if problem.status in (404, 422):
            door.limits.refused(door.address, door.settings)
        raise


def _find(store: Store, site: Site, code: str, phone: str, now: datetime) -> BookingCreated:
    key = rules.normalize_code(code)
    given = rules.normalize_phone(phone)  # 422: the phone field is no phone number at all
    token = rules.new_token()
    with store.write() as s:
        row = s.scalar(select(BookingRow).where(BookingRow.code == key)) if key else None
        kept = row.phone if row is not None and row.phone else ""
        if row is None or not hmac.compare_digest(kept.encode(), given.encode()):
            raise Problem(404, "unknown_booking", NOT_THIS_PAIR)
        s.add(LinkRow(booking_id=row.id, token_hash=rules.token_hash(token), made_at=now))
        wire = booking_wire(s, site, row, now)
    log.info("booking #%d looked up by its code and phone: a new link", row.id)
    return BookingCreated(**wire.model_dump(), token=token)


def book(store: Store, site: Site, req: BookingRequest, now: datetime) -> BookingCreated:
    """A new booking: 201 with its code and link; 409 full, closed or already booked."""
    offered = rules.bookable(site, req.service)
    svc = offered.service
    name = rules.clean_name(req.name)
    phone = rules.normalize_phone(req.phone)
    nik = rules.clean_nik(req.nik) if svc.needs_nik else None  # else not even kept
    session_key = rules.find_session(site, svc, req.date, req.session, now)
    session = rules.session_of(site, svc.code, session_key)
    assert session is not None  # find_session found it
    token = rules.new_token()
    with store.write() as s:
        if phone_codes.required(site):  # the phone proven first: a wrong code books nothing
            phone_codes.use(s, phone, req.sms_code, now)
        active = s.scalar(
            select(BookingRow.code).where(
                BookingRow.service == svc.code,
                BookingRow.day == req.date,
                BookingRow.phone == phone,
                BookingRow.status.in_((BOOKED, CHECKED_IN)),
            )
        )
        if active is not None:
            raise conflict(
                "already_booked",
                f"This phone number already has a booking for {svc.name} on {req.date}.",
            )
        if not places.claim(s, svc.code, req.date, session_key, session.places):
            raise conflict("full", f"The session {session_key} of {req.date} is full.")
        code = rules.new_code()
        while s.scalar(select(BookingRow.id).where(BookingRow.code == code)) is not None:
            code = rules.new_code()
        row = BookingRow(
            site_id=1,
            code=code,
            token_hash=rules.token_hash(token),
            service=svc.code,
            day=req.date,
            session=session_key,
            status=BOOKED,
            name=name,
            phone=phone,
            nik_masked=rules.mask_nik(nik) if nik else None,
            created_at=now,
        )
        s.add(row)
        s.flush()
        wire = booking_wire(s, site, row, now)
    # The id, never the code: a code is what checks a booking in.
    log.info("booking #%d for %s %s %s", row.id, svc.code, req.date, session_key)
    return BookingCreated(**wire.model_dump(), token=token)


def cancel(
    store: Store,
    site: Site,
    token: str,
    now: datetime,
    release_after: timedelta = rules.RELEASE_AFTER,
) -> Booking:
    """The booker cancels; 409 unless still booked. The place (exactly one) goes back to
    its session `release_after` later, at a housekeeping round (retention.release_cancelled):
    never at the instant of the cancel, which a tout handing a place to a paying
    customer's script would choose. Zero: at once."""
    with store.write() as s:
        row = _by_token(s, token)
        status = _status(site, row, now)
        if status != BOOKED:
            raise conflict(f"booking_{status}", _REFUSED[status])
        row.status = CANCELLED
        row.cancelled_at = now
        if release_after <= timedelta(0):
            places.release(s, row.service, row.day, row.session)
            row.released_at = now
        wire = booking_wire(s, site, row, now)
    log.info("booking #%d cancelled", row.id)
    return wire


_REFUSED = {
    CANCELLED: "This booking was cancelled.",
    CHECKED_IN: "This booking was already used: its ticket was printed.",
    EXPIRED: "This booking's session is over.",
}


@dataclass
class CheckedIn:
    ticket: OnlineTicket
    created: bool  # False: the same request_id again


def check_in(
    store: Store, queue: QueueService, code: str, request_id: str, device_id: int | None
) -> CheckedIn:
    """A kiosk checks a booking in within its window: an ordinary ticket, marked online.

    409 too early (with when to come), too late, expired, cancelled or used.
    """
    site = queue.site
    key = rules.normalize_code(code)
    with store.write() as s:
        now = queue.clock()
        row = s.scalar(select(BookingRow).where(BookingRow.code == key)) if key else None
        if row is None:
            raise Problem(404, "unknown_booking", f"No booking has the code {key!r}.")
        if row.ticket_id is not None:
            ticket = s.get(TicketRow, row.ticket_id)
            if row.checkin_request_id == request_id and ticket is not None:
                return CheckedIn(_online(s, site, ticket, row.code), created=False)
            raise conflict("booking_checked_in", _REFUSED[CHECKED_IN])
        start, _end = rules.window_of(site, row.service, row.day, row.session)
        status = _status(site, row, now)
        if status == CANCELLED:
            raise conflict("booking_cancelled", _REFUSED[CANCELLED])
        if status == EXPIRED:
            today = business_day(site.tz, now)
            code_ = "too_late" if row.day == today else "booking_expired"
            raise conflict(code_, _REFUSED[EXPIRED], session=row.session, date=row.day.isoformat())
        if now < start:
            local = start.astimezone(site.tz)
            raise conflict(
                "too_early",
                f"Too early: please come back at {format_time(local)}"
                + ("" if local.date() == business_day(site.tz, now) else f" on {local.date()}")
                + ".",
                come_at=local.isoformat(),
            )
        schedule = site.schedule_for(row.service)
        if not schedule.always_open and not open_ranges(schedule, row.day):
            raise conflict("service_closed", f"{row.service} is closed today.")
        # the booking's phone: "your turn is near" messages, when the site sends them
        issued = queue.issue_in(
            s, row.service, False, request_id, device_id, online=True, phone=row.phone
        )
        if not issued.created:
            raise conflict("request_id_reused", "This request_id was already used for a ticket.")
        row.status = CHECKED_IN
        row.checked_in_at = now
        row.ticket_id = issued.ticket.id
        row.checkin_request_id = request_id
        log.info("booking #%d checked in: ticket %s", row.id, issued.ticket.code)
        return CheckedIn(OnlineTicket(**issued.ticket.model_dump(), booking=row.code), created=True)


def _online(s: Session, site: Site, row: TicketRow, code: str) -> OnlineTicket:
    return OnlineTicket(**ticket_wire(s, site, row).model_dump(), booking=code)
