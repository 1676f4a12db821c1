"""What the booking pages show, computed here (templates only lay it out): the QR code,
when to come and what to bring. The decisions are bookings.py's, as for the API."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import qrcode
import qrcode.image.svg
from markupsafe import Markup

from server.queue.site import Site
from shared.models import Booking
from shared.timeutil import format_date, format_time


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
