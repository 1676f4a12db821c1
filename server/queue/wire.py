"""Turn rows into wire models (shared/models.py), with position and estimated wait."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.queue.site import Site
from server.store.rawsql import TICKETS, Raw
from server.store.tables import CounterRow, TicketRow
from shared.models import CounterInfo, CounterState, CounterStatus, Ticket, TicketStatus

_LINE = (
    "SELECT count(*) FROM tickets WHERE business_day = :business_day AND service = :service"
    " AND status = :status"
)
_BEFORE = "(queued_at < :queued_at OR (queued_at = :queued_at AND id < :id))"
# Same order as call-next: priority first, then queued_at, then id (timestamps can tie).
# All read only ix_tickets_waiting, never the table.
_PRIORITY_LINE = f"{_LINE} AND priority = :priority"
_AHEAD_PRIORITY = f"{_PRIORITY_LINE} AND {_BEFORE}"
_AHEAD_REGULAR = f"{_LINE} AND (priority = :priority OR {_BEFORE})"
# A ticket just issued is last in its line: count the line, then take away the ticket
# and any behind it (usually none). Counting a range with nothing to compare on each
# entry is about twice as fast on a long line (700 waiting: 100 µs instead of 210).
# One statement for both counts: each statement is a trip through the driver.
_BEHIND = "(queued_at > :queued_at OR (queued_at = :queued_at AND id >= :id))"
_NEW_PRIORITY = f"SELECT ({_PRIORITY_LINE}) - ({_PRIORITY_LINE} AND {_BEHIND})"
_NEW_REGULAR = f"SELECT ({_LINE}) - ({_LINE} AND priority = :regular AND {_BEHIND})"


@dataclass
class NewTicket:
    """A ticket inserted by raw SQL (server/store/rawsql.py): no ORM instance to build."""

    id: int
    business_day: date
    service: str
    number: int
    code: str
    priority: bool
    status: str
    issued_at: datetime
    queued_at: datetime
    called_at: datetime | None = None
    counter: str | None = None
    recalls: int = 0
    transferred_from: int | None = None
    priority_group: str | None = None  # stored, never put on the wire by ticket_wire


# What the wire model is built from: a row, or a ticket just inserted by raw SQL.
TicketLike = TicketRow | NewTicket


def ahead_of(session: Session, row: TicketLike) -> int:
    """Waiting tickets of the same service that will be called before this one."""
    if row.status != TicketStatus.WAITING:
        return 0
    db = Raw(session)  # on every issue: see server/store/rawsql.py
    params = db.values(
        TICKETS,
        business_day=row.business_day,
        service=row.service,
        status=TicketStatus.WAITING.value,
        priority=True,
        queued_at=row.queued_at,
        id=row.id,
    )
    if isinstance(row, NewTicket):  # on every issue
        params["regular"] = db.values(TICKETS, priority=False)["priority"]
        return int(db.scalar(_NEW_PRIORITY if row.priority else _NEW_REGULAR, **params))
    return int(db.scalar(_AHEAD_PRIORITY if row.priority else _AHEAD_REGULAR, **params) or 0)


def mean_service_minutes(session: Session, site: Site, service: str) -> float:
    """Mean of the recent service times of a service, or the configured default."""
    n = site.config.queue.recent_services_for_estimate
    rows = session.execute(
        select(TicketRow.serving_at, TicketRow.finished_at)
        .where(
            TicketRow.service == service,
            TicketRow.status == TicketStatus.DONE,
            TicketRow.serving_at.is_not(None),
            TicketRow.finished_at.is_not(None),  # as ix_tickets_finished (partial)
        )
        .order_by(TicketRow.finished_at.desc())
        .limit(n)
    ).all()
    minutes = [(f - s).total_seconds() / 60 for s, f in rows if s is not None and f is not None]
    if not minutes:
        return site.config.queue.default_service_minutes
    return max(0.5, sum(minutes) / len(minutes))


def open_counters(session: Session, site: Site, service: str) -> int:
    codes = [c.code for c in site.counters_for(service)]
    if not codes:
        return 0
    return int(
        session.scalar(
            select(func.count()).where(
                CounterRow.code.in_(codes), CounterRow.status == CounterStatus.OPEN
            )
        )
        or 0
    )


def estimate(session: Session, site: Site, service: str, ahead: int) -> tuple[int, int]:
    """(minutes, counters open now): ahead x mean service time / counters open (at least one).

    Both from the one cached entry, so saying how many counters are open costs nothing.
    """
    mean, counters = site.estimates.get(
        service,
        lambda: (
            mean_service_minutes(session, site, service),
            open_counters(session, site, service),
        ),
    )
    return math.ceil(ahead * mean / max(1, counters)), counters


def estimate_minutes(session: Session, site: Site, service: str, ahead: int) -> int:
    return estimate(session, site, service, ahead)[0]


def ticket_wire(session: Session, site: Site, row: TicketLike, *, position: bool = True) -> Ticket:
    agency, svc = site.services[row.service]
    counter = site.counters.get(row.counter) if row.counter else None
    ahead = ahead_of(session, row) if position else 0
    waiting = row.status == TicketStatus.WAITING
    minutes = counters = None
    if waiting and position:
        minutes, counters = estimate(session, site, row.service, ahead)
    return Ticket(
        id=row.id,
        code=row.code,
        number=row.number,
        service=row.service,
        service_name=svc.name,
        agency=agency.code,
        agency_name=agency.name,
        priority=row.priority,
        status=TicketStatus(row.status),
        issued_at=row.issued_at.astimezone(site.tz),
        ahead=ahead,
        estimated_wait_minutes=minutes,
        counters_open=counters,
        counter=row.counter,
        counter_name=counter.name if counter else None,
        called_at=row.called_at.astimezone(site.tz) if row.called_at else None,
        recalls=row.recalls,
        transferred_from=row.transferred_from,
        business_day=row.business_day,
    )


def counter_info(site: Site, row: CounterRow) -> CounterInfo:
    cfg = site.counters[row.code]
    return CounterInfo(
        code=cfg.code,
        name=cfg.name,
        agency=cfg.agency,
        agency_name=site.agencies[cfg.agency].name,
        services=list(cfg.services),
        status=CounterStatus(row.status),
    )


def counter_state(
    session: Session, site: Site, row: CounterRow, served_today: int = 0
) -> CounterState:
    ticket = None
    if row.ticket_id is not None:
        t = session.get(TicketRow, row.ticket_id)
        ticket = ticket_wire(session, site, t, position=False) if t else None
    info = counter_info(site, row)
    return CounterState(**info.model_dump(), ticket=ticket, served_today=served_today)


def local_iso(site: Site, at: datetime) -> str:
    return at.astimezone(site.tz).isoformat()
