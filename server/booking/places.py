"""A session's places, exact under any load: one conditional UPDATE claims one.

Every claim and release runs inside the store's serialized write
(`Store.write`, or a job of the writer thread), and is a single statement that
checks and changes the count together (`... WHERE taken < places RETURNING`):
SQLite and PostgreSQL alike never hand out a place twice, and a failed request's
savepoint gives its place back with everything else it did.

The walk-in pool that the online places leave is the queue core's arithmetic
(server/queue/quotas.py).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from server.booking.tables import PlaceRow

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
