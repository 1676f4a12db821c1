"""Housekeeping of bookings: expire the ones never checked in, erase personal data.

UU 27/2022 (personal data protection): a booking's name, phone and NIK are kept
only until `retention_days` after its date; the row stays, so the counts do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select, update

from server.booking import phone_codes, places, rules
from server.booking.tables import BookingRow
from server.queue.site import Site
from server.store.db import Store
from shared.timeutil import business_day, utcnow

log = logging.getLogger(__name__)


def expire(store: Store, site: Site, now: datetime) -> int:
    """Bookings not checked in by their session's end become expired; returns how many."""
    today = business_day(site.tz, now)
    with store.write() as s:
        rows = s.scalars(
            select(BookingRow).where(BookingRow.status == "booked", BookingRow.day <= today)
        ).all()
        done = 0
        for row in rows:
            if rules.window_of(site, row.service, row.day, row.session)[1] <= now:
                row.status = "expired"
                row.expired_at = now
                done += 1
    if done:
        log.info("%d bookings expired (not checked in by their session's end)", done)
    return done


def erase(store: Store, site: Site, now: datetime) -> int:
    """Erase name, phone and NIK of bookings past the retention period; returns how many."""
    last = business_day(site.tz, now) - timedelta(days=site.config.booking.retention_days)
    with store.write() as s:
        result = s.execute(
            update(BookingRow)
            .where(BookingRow.day < last, BookingRow.erased_at.is_(None))
            .values(name=None, phone=None, nik_masked=None, erased_at=now)
        )
        done = int(getattr(result, "rowcount", 0) or 0)
    if done:
        log.info("personal data of %d bookings erased (older than %s)", done, last)
    return done


def release_cancelled(store: Store, now: datetime, after: timedelta = rules.RELEASE_AFTER) -> int:
    """Give back the places of bookings cancelled at least `after` ago; returns how many."""
    with store.write() as s:
        rows = s.scalars(
            select(BookingRow).where(
                BookingRow.status == "cancelled",
                BookingRow.released_at.is_(None),
                BookingRow.cancelled_at <= now - after,
            )
        ).all()
        for row in rows:
            places.release(s, row.service, row.day, row.session)
            row.released_at = now
    if rows:
        log.info("%d places of cancelled bookings back in their sessions", len(rows))
    return len(rows)


def housekeeping(
    store: Store, site: Callable[[], Site], release_after: timedelta = rules.RELEASE_AFTER
) -> None:
    """One round of each: `site()` is read each time (the console swaps the site)."""
    now = utcnow()
    release_cancelled(store, now, release_after)
    expire(store, site(), now)
    erase(store, site(), now)
    phone_codes.forget_old(store, now)
