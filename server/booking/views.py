"""What an admin sees of bookings: names and phones, each look written to the audit log.

The audit log is built in server/office/ (another room). Until it is wired,
`audit_personal_data_view` is the one hook every such view calls: it logs the
look, and the lead points it at the audit log's writer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import select

from server.auth import Principal
from server.booking.bookings import _status
from server.booking.tables import BookingRow
from server.db import Store
from server.problems import Problem
from server.site import Site

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


def audit_personal_data_view(
    who: Principal, action: str, detail: dict[str, object], at: datetime
) -> None:
    """HOOK for server/office's audit log: who looked at whose personal data, and when."""
    log.warning("AUDIT %s by %s (%s) at %s: %s", action, who.username, who.role, at, detail)


def people(
    store: Store,
    site: Site,
    who: Principal,
    day: date,
    service: str | None,
    now: datetime,
    audit: AuditHook = audit_personal_data_view,
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
    audit(
        who,
        "booking.personal_data.view",
        {"date": day.isoformat(), "service": service, "bookings": [b.code for b in found]},
        now,
    )
    return found


__all__ = ["BookingPerson", "audit_personal_data_view", "people"]
