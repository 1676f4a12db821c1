"""The rules of antrean online that need no database: what may be booked, and when to come.

Sessions are read from the site at each call (`site.config`), never kept: the
console swaps the site while the server runs.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from server.problems import Problem, conflict, not_found
from server.queue.site import Site
from shared.api import BOOKING_CODE_ALPHABET, BOOKING_CODE_LENGTH
from shared.config import AgencyConfig, BookingSession, ServiceConfig
from shared.schedule import open_ranges
from shared.timeutil import business_day

CODE_ALPHABET = BOOKING_CODE_ALPHABET  # typed on the kiosk's keypad (shared/api.py)
CODE_LENGTH = BOOKING_CODE_LENGTH
_NAME_FORBIDDEN = set('<>{}[]\\/=;&"`|$%*#@^~+')
_PHONE = re.compile(r"^\+?[0-9 .()-]{6,24}$")


@dataclass(frozen=True)
class Offered:
    """A service that takes bookings, as the site says now."""

    agency: AgencyConfig
    service: ServiceConfig


def session_key(session: BookingSession) -> str:
    """'08:00-10:00': how a session is named in requests and rows (24:00 for the day's end)."""
    return f"{_hhmm(session.start)}-{_hhmm(session.end)}"


def _hhmm(t: time) -> str:
    return "24:00" if t >= time(23, 59, 59) else t.strftime("%H:%M")


def said(t: time) -> str:
    """A time the Indonesian way: 08.00."""
    return _hhmm(t).replace(":", ".")


def bookable(site: Site, code: str) -> Offered:
    """The service `code` if it takes bookings now; 404 otherwise."""
    found = site.services.get(code)
    if found is None or found[1].hidden or not found[1].sessions:
        raise not_found("service", code)
    return Offered(found[0], found[1])


def bookable_services(site: Site) -> list[Offered]:
    return [
        Offered(a, s)
        for a in site.config.agencies
        for s in a.services
        if s.sessions and not s.hidden
    ]


def _day_sessions(site: Site, svc: ServiceConfig, day: date) -> list[BookingSession]:
    """The service's sessions that fall in its hours on `day` (none on a closed day)."""
    schedule = site.schedule_for(svc.code)
    if schedule.always_open:
        return list(svc.sessions)
    ranges = open_ranges(schedule, day)
    return [x for x in svc.sessions if any(x.start < r.end and r.start < x.end for r in ranges)]


def offered_days(site: Site, svc: ServiceConfig, now: datetime) -> list[date]:
    """The next `days_ahead` days on which the service has a session still to come."""
    wanted = site.config.booking.days_ahead
    today = business_day(site.tz, now)
    days: list[date] = []
    # Holidays and closed dates are skipped, so look a little further than days_ahead.
    for offset in range(wanted * 3 + 21):
        day = today + timedelta(days=offset)
        if any(window(site, day, x)[1] > now for x in _day_sessions(site, svc, day)):
            days.append(day)
            if len(days) == wanted:
                break
    return days


def sessions_on(site: Site, svc: ServiceConfig, day: date, now: datetime) -> list[BookingSession]:
    """The sessions of `day` that can still be booked: 409 when the day is not offered."""
    today = business_day(site.tz, now)
    if day < today:
        raise Problem(422, "date_in_past", f"{day.isoformat()} is in the past.")
    if day not in offered_days(site, svc, now):
        raise conflict(
            "closed",
            f"{svc.name} takes no bookings for {day.isoformat()} (closed, a holiday, "
            f"or more than {site.config.booking.days_ahead} open days ahead).",
        )
    return [x for x in _day_sessions(site, svc, day) if window(site, day, x)[1] > now]


def find_session(site: Site, svc: ServiceConfig, day: date, key: str, now: datetime) -> str:
    """The session `key` of `day`, still open for booking; 404 unknown, 409 over."""
    sessions = sessions_on(site, svc, day, now)
    if any(session_key(x) == key for x in sessions):
        return key
    if any(session_key(x) == key for x in svc.sessions):
        raise conflict("session_over", f"The session {key} of {day.isoformat()} is over.")
    raise not_found("session", key)


def session_of(site: Site, service: str, key: str) -> BookingSession | None:
    found = site.services.get(service)
    if found is None:
        return None
    return next((x for x in found[1].sessions if session_key(x) == key), None)


def window(site: Site, day: date, session: BookingSession) -> tuple[datetime, datetime]:
    """When a booked visitor may check in: early_minutes before the start, until the end."""
    early = timedelta(minutes=site.config.booking.early_minutes)
    start = datetime.combine(day, session.start, tzinfo=site.tz)
    return start - early, datetime.combine(day, session.end, tzinfo=site.tz)


def window_of(site: Site, service: str, day: date, key: str) -> tuple[datetime, datetime]:
    """The window of a stored booking; a session since removed keeps its own times."""
    session = session_of(site, service, key)
    if session is None:
        start, end = key.split("-")
        session = BookingSession(
            start=time.fromisoformat(start),
            end=time(23, 59, 59) if end == "24:00" else time.fromisoformat(end),
            places=1,
        )
    return window(site, day, session)


# -- what a booker gives ----------------------------------------------------------


def clean_name(text: str) -> str:
    """A person's name as typed, trimmed; 422 for markup, control characters or no letter."""
    name = " ".join(text.split())
    if not 2 <= len(name) <= 80:
        raise _invalid("name", "a name of 2 to 80 characters")
    for ch in name:
        if ch in _NAME_FORBIDDEN or unicodedata.category(ch)[0] in ("C", "S"):
            raise _invalid("name", f"a name without {ch!r}")
    if not any(ch.isalpha() for ch in name):
        raise _invalid("name", "a name with letters")
    return name


def normalize_phone(text: str) -> str:
    """An Indonesian phone number as +62...: 0812..., 62812..., +62812... are one number."""
    raw = text.strip()
    if not _PHONE.match(raw):
        raise _invalid("phone", "a phone number of digits, e.g. 0812 3456 7890")
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("62"):
        rest = digits[2:]
    elif digits.startswith("0") and not raw.startswith("+"):
        rest = digits[1:]
    else:
        raise _invalid("phone", "an Indonesian number starting with 0, 62 or +62")
    if not (7 <= len(rest) <= 12) or rest[0] == "0":
        raise _invalid("phone", "an Indonesian number of 9 to 14 digits, e.g. 0812 3456 7890")
    return "+62" + rest


def clean_nik(text: str | None) -> str:
    """A NIK (16 digits, spaces allowed); 422 otherwise."""
    nik = re.sub(r"[ .-]", "", text or "")
    if not re.fullmatch(r"[0-9]{16}", nik):
        raise _invalid("nik", "a NIK of 16 digits (as on the KTP)")
    return nik


# A cancelled booking's place returns to its session this long after the cancel (the
# server's `[server] booking_release_minutes`; see bookings.cancel).
RELEASE_AFTER = timedelta(minutes=5)


def mask_nik(nik: str) -> str:
    return nik[:4] + "*" * 8 + nik[-4:]


def _invalid(field: str, wanted: str) -> Problem:
    return Problem(
        422,
        "invalid_request",
        f"Invalid request: {field}: give {wanted}.",
        errors=[{"where": f"body.{field}", "problem": f"give {wanted}"}],
    )


# -- codes and tokens -------------------------------------------------------------


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """What the keypad or the scanner gave, as stored: upper case, no spaces or dashes."""
    return re.sub(r"[\s-]", "", text).upper()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    # Long and random: a plain SHA-256 is enough (nothing to slow a guesser down for).
    return hashlib.sha256(token.encode()).hexdigest()
