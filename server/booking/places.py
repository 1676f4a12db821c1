"""A session's places, exact under any load: one conditional UPDATE claims one.

Every claim and release runs inside the store's serialized write
(`Store.write`, or a job of the writer thread), and is a single statement that
checks and changes the count together (`... WHERE taken < places RETURNING`):
SQLite and PostgreSQL alike never hand out a place twice, and a failed request's
savepoint gives its place back with everything else it did.

The walk-in pool is the daily quota less the online places; a checked-in
booking takes a ticket number too, so the walk-ins of a day are the numbers
issued less the day's checked-in bookings (counted only near the limit).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from server.booking.tables import BookingRow, PlaceRow
from server.rawsql import Raw
from shared.config import ServiceConfig

_CLAIM = text(
    "UPDATE booking_places SET taken = taken + 1, places = :places"
    " WHERE site_id = 1 AND service = :service AND day = :day AND session = :session"
    " AND taken < :places RETURNING taken"
)
_RELEASE = text(
    "UPDATE booking_places SET taken = taken - 1"
    " WHERE site_id = 1 AND service = :service AND day = :day AND session = :session"
    " AND taken > 0 RETURNING taken"
)
_CHECKED_IN = (
    "SELECT count(*) FROM bookings"
    " WHERE service = :service AND day = :day AND ticket_id IS NOT NULL"
)


def claim(s: Session, service: str, day: date, session: str, places: int) -> bool:
    """Take one of the session's `places` (the site's number now); False when none is left.

    The caller holds the serialized write, so creating the row first cannot race.
    """
    key = {"service": service, "day": day, "session": session}
    if s.get(PlaceRow, (1, service, day, session)) is None:
        s.add(PlaceRow(site_id=1, places=places, taken=0, **key))
        s.flush()
    return s.execute(_CLAIM, {**key, "places": places}).first() is not None


def release(s: Session, service: str, day: date, session: str) -> None:
    """Give one place back (a cancelled booking)."""
    s.execute(_RELEASE, {"service": service, "day": day, "session": session})


def taken(s: Session, service: str, day: date) -> dict[str, int]:
    """The places taken per session of a service on a day."""
    rows = s.execute(
        select(PlaceRow.session, PlaceRow.taken).where(
            PlaceRow.service == service, PlaceRow.day == day
        )
    ).all()
    return {str(k): int(n) for k, n in rows}


def walk_in_quota(svc: ServiceConfig, quota: int) -> int:
    """The walk-ins' share of a daily quota: what the booking sessions do not take."""
    return max(0, quota - svc.online_places)


def checked_in_today(db: Raw, service: str, day: date) -> int:
    """How many of today's numbers went to checked-in bookings (queue.issue, near the quota)."""
    params = db.values(BookingRow.__table__, service=service, day=day)  # type: ignore[arg-type]
    return int(db.scalar(_CHECKED_IN, **params) or 0)


def checked_in_by_service(s: Session, day: date) -> dict[str, int]:
    """Checked-in bookings per service on a day (one grouped query, for the kiosk's list)."""
    rows = s.execute(
        select(BookingRow.service, func.count())
        .where(BookingRow.day == day, BookingRow.ticket_id.is_not(None))
        .group_by(BookingRow.service)
    ).all()
    return {str(k): int(n) for k, n in rows}
