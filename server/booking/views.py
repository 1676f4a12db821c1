"""What the booking pages and an admin see of bookings, computed here (templates only lay
it out): the QR code, when to come and what to bring (the decisions are bookings.py's, as
for the API); and an admin's look at names and phones, each look written to the audit
log (server/office/audit.py: action "view", entity "personal_data")."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import qrcode
import qrcode.image.svg
from markupsafe import Markup
from pydantic import BaseModel
from sqlalchemy import select

from server.access.auth import Principal
from server.booking.bookings import _status
from server.booking.tables import BookingRow
from server.office import audit
from server.problems import Problem
from server.queue.site import Site
from server.store.db import Store
from shared.models import Booking
from shared.timeutil import format_date, format_time

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


def day_text(day: date, lang: str) -> str:
    """'Senin, 30 November 2026' / 'Monday, 30 November 2026'."""
    return format_date(day, lang)


def qr_svg(code: str) -> Markup:
    """The booking code as a QR code (SVG, made here: no script in the browser). The
    kiosk's scanner reads it and types the code."""
    image = qrcode.make(code, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    svg = image.to_string(encoding="unicode")
    # Only our own code's modules are in it: safe to put in the page as it is.
    return Markup(svg.replace('width="', 'role="img" aria-label="QR ' + code + '" width="', 1))


def booking_view(site: Site, booking: Booking, lang: str) -> dict[str, Any]:
    """The booking page's facts: the code and QR, when to come, what to bring."""
    found = site.services.get(booking.service)
    needs_nik = bool(found and found[1].needs_nik)
    early = site.config.booking.early_minutes
    start = booking.come_from.astimezone(site.tz) + timedelta(minutes=early)  # the session's
    end = booking.come_until.astimezone(site.tz)
    return {
        "booking": booking,
        "qr": qr_svg(booking.code) if booking.status == "booked" else None,
        "day": day_text(booking.date, lang),
        "come_from": format_time(start, lang),
        "come_until": format_time(end, lang),
        "session": booking.session.replace(":", "."),
        "bring_ktp": needs_nik,
        "early_minutes": early,
    }


def session_text(key: str) -> str:
    return key.replace(":", ".")


__all__ = ["booking_view", "day_text", "qr_svg", "session_text"]
