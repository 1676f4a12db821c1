"""What an admin sees of bookings: names and phones, each look written to the audit log
(server/office/audit.py: action "view", entity "personal_data")."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import select

from server.access.auth import Principal
from server.booking.bookings import _status
from server.booking.tables import BookingRow
from server.office import audit
from server.problems import Problem
from server.queue.site import Site
from server.store.db import Store

log = logging.getLogger(__name__)


class BookingPerson(BaseModel):
    """One booking with its personal data (admin only; erased ones say None)."""

    code: str
    service: str
    date: date
    session: str
    status: str
    name: str | None
    phone: str | None
    nik: str | None  # masked: never shown whole


AuditHook = Callable[[Principal, str, dict[str, object], datetime], None]


def audit_hook(store: Store) -> AuditHook:
    """Each look at personal data as an entry of the audit log: who, when, which bookings."""

    def write(who: Principal, action: str, detail: dict[str, object], at: datetime) -> None:
        actor = audit.Actor(who.username or who.role, who.role, "api")
        key = f"{detail.get('date')} {detail.get('service') or '*'}"
        entry = audit.Entry("view", "personal_data", key, None, detail)
        with store.write() as s:
            audit.record(s, actor, at, [entry])
        log.info("%s by %s: %s", action, actor.username, key)

    return write


def people(
    store: Store,
    site: Site,
    who: Principal,
    day: date,
    service: str | None,
    now: datetime,
    audit_to: AuditHook | None = None,
) -> list[BookingPerson]:
    """The bookings of a day with names and phones: admins only, and audited."""
    if who.role != "admin":
        raise Problem(403, "forbidden", "Only an admin sees the names and phones of bookings.")
    with store.read() as s:
        query = select(BookingRow).where(BookingRow.day == day)
        if service:
            query = query.where(BookingRow.service == service)
        rows = s.scalars(query.order_by(BookingRow.service, BookingRow.session, BookingRow.id))
        found = [
            BookingPerson(
                code=r.code,
                service=r.service,
                date=r.day,
                session=r.session,
                status=_status(site, r, now),
                name=r.name,
                phone=r.phone,
                nik=r.nik_masked,
            )
            for r in rows
        ]
    (audit_to or audit_hook(store))(
        who,
        "booking.personal_data.view",
        {"date": day.isoformat(), "service": service, "bookings": [b.code for b in found]},
        now,
    )
    return found
