"""The daily quota's arithmetic: how many walk-in numbers a service has left.

The online share of a quota belongs to the booking sessions; a checked-in booking
takes a ticket number too, so the walk-ins of a day are the numbers issued less
the day's checked-in bookings (counted only near the limit).

The booking room owns the `bookings` table and writes it; the queue core only reads
its check-in marks, through the table's name and the three columns it needs, so
the core never imports a room.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String, column, func, select, table
from sqlalchemy.orm import Session

from server.store.rawsql import Raw
from shared.config import ServiceConfig

# What the core reads of the booking room's table (server/booking/tables.py: BookingRow).
BOOKED = table(
    "bookings",
    column("service", String),
    column("day", Date),
    column("ticket_id", Integer),
)
_CHECKED_IN = (
    "SELECT count(*) FROM bookings"
    " WHERE service = :service AND day = :day AND ticket_id IS NOT NULL"
)


def walk_in_quota(svc: ServiceConfig, quota: int) -> int:
    """The walk-ins' share of a daily quota: what the booking sessions do not take."""
    return max(0, quota - svc.online_places)


def checked_in_today(db: Raw, service: str, day: date) -> int:
    """How many of today's numbers went to checked-in bookings (queue.issue, near the quota)."""
    params = db.values(BOOKED, service=service, day=day)  # type: ignore[arg-type]
    return int(db.scalar(_CHECKED_IN, **params) or 0)


def checked_in_by_service(s: Session, day: date) -> dict[str, int]:
    """Checked-in bookings per service on a day (one grouped query, for the kiosk's list)."""
    rows = s.execute(
        select(BOOKED.c.service, func.count())
        .where(BOOKED.c.day == day, BOOKED.c.ticket_id.is_not(None))
        .group_by(BOOKED.c.service)
    ).all()
    return {str(k): int(n) for k, n in rows}
