"""The rules of a complaint that need no database: what is accepted, who may act, which
step may follow which, and how working days are counted.

Messages are bilingual (problems.invalid): the public form shows them beside its fields.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
import unicodedata
from collections.abc import Iterable
from datetime import date, timedelta

from server.access.auth import Principal
from server.problems import Problem, conflict, invalid

CHANNELS = ("desk", "ticket_page", "web", "skm", "letter", "phone", "social")
# Channels only the console records (a person typed it in for the citizen).
STAFF_CHANNELS = ("desk", "skm", "letter", "phone", "social")
RECEIVED, IN_PROCESS, ANSWERED, CLOSED = "received", "in_process", "answered", "closed"
STATES = (RECEIVED, IN_PROCESS, ANSWERED, CLOSED)
OPEN_STATES = (RECEIVED, IN_PROCESS)
TEXT_MAX = 2000
ANSWER_MAX = 4000
CONTACT_MAX = 120
LAPOR = re.compile(r"^[A-Za-z0-9./-]{3,40}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")

# Which step may follow which (the same state again is no step: an edit of the fields).
_NEXT = {
    RECEIVED: (IN_PROCESS, ANSWERED, CLOSED),
    IN_PROCESS: (ANSWERED, CLOSED),
    ANSWERED: (CLOSED,),
    CLOSED: (),
}


def clean_text(value: str | None, field: str = "text", most: int = TEXT_MAX) -> str:
    """What a citizen typed, kept as plain text: lines allowed, control characters
    dropped, trimmed; 422 when empty or too long. Markup is kept as the text it is
    (every page escapes it; exports write it as a string)."""
    raw = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(
        ch for ch in raw if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
    )
    kept = "\n".join(line.rstrip() for line in kept.strip().split("\n"))
    if len(kept) < 10:
        raise invalid(
            (
                field,
                "Tuliskan pengaduan Anda (minimal 10 karakter).",
                "Write your complaint (at least 10 characters).",
            )
        )
    if len(kept) > most:
        raise invalid(
            (
                field,
                f"Paling banyak {most} karakter (sekarang {len(kept)}).",
                f"At most {most} characters (now {len(kept)}).",
            )
        )
    return kept


def clean_answer(value: str | None) -> str:
    try:
        return clean_text(value, "answer", ANSWER_MAX)
    except Problem:
        raise invalid(
            (
                "answer",
                f"Jawaban 10 sampai {ANSWER_MAX} karakter.",
                f"An answer of 10 to {ANSWER_MAX} characters.",
            )
        ) from None


def clean_contact(value: str | None) -> str | None:
    """An Indonesian phone number (as +62...) or an e-mail address; None when not given."""
    raw = " ".join((value or "").split())
    if not raw:
        return None
    if _EMAIL.match(raw) and len(raw) <= CONTACT_MAX:
        return raw.lower()
    digits = re.sub(r"[\s.()-]", "", raw)
    if re.fullmatch(r"\+?[0-9]{8,15}", digits):
        d = digits.lstrip("+")
        if d.startswith("62"):
            d = d[2:]
        elif d.startswith("0"):
            d = d[1:]
        if 7 <= len(d) <= 12 and d[0] != "0":
            return "+62" + d
    raise invalid(
        (
            "contact",
            "Isi nomor HP (mis. 0812 3456 7890) atau alamat e-mail, atau kosongkan.",
            "Give a phone number (e.g. 0812 3456 7890) or an e-mail address, or leave it empty.",
        )
    )


def mask_contact(contact: str) -> str:
    """+6281234567890 -> +62812*****890; budi.santoso@mail.id -> bu***@mail.id."""
    if "@" in contact:
        name, _, domain = contact.partition("@")
        return name[:2] + "***@" + domain
    return contact[:6] + "*" * max(0, len(contact) - 9) + contact[-3:]


def clean_channel(value: str | None, default: str) -> str:
    channel = value or default
    if channel not in CHANNELS:
        raise invalid(
            (
                "channel",
                "Saluran tidak dikenal: " + ", ".join(CHANNELS),
                "Unknown channel; one of " + ", ".join(CHANNELS),
            )
        )
    return channel


def clean_lapor(value: str) -> str | None:
    raw = value.strip()
    if not raw:
        return None
    if not LAPOR.match(raw):
        raise invalid(
            (
                "lapor_number",
                "Nomor LAPOR! berupa huruf, angka, titik, garis miring atau tanda hubung.",
                "A LAPOR! number of letters, digits, dots, slashes or hyphens.",
            )
        )
    return raw


def reference(year: int, seq: int) -> str:
    return f"ADU-{year}-{seq:06d}"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- who may do what -----------------------------------------------------------------


def may_handle(who: Principal, agency: str, responsible: Iterable[str]) -> bool:
    """An admin handles every complaint; a supervisor those of the agencies they are
    responsible for (the agencies of the counters they are given in the console)."""
    if who.role == "admin":
        return True
    return who.role == "supervisor" and agency in set(responsible)


def require_handler(who: Principal, agency: str, responsible: Iterable[str]) -> None:
    if not may_handle(who, agency, responsible):
        raise Problem(
            403,
            "forbidden",
            f"Only an admin or a supervisor responsible for {agency} handles this complaint.",
        )


def check_step(current: str, wanted: str) -> None:
    """409 for a step the states do not allow (e.g. back from answered, or after closed)."""
    if wanted == current:
        return
    if wanted not in STATES:
        raise invalid(
            ("status", "Status tidak dikenal", "Unknown status; one of " + ", ".join(STATES))
        )
    if wanted not in _NEXT[current]:
        raise conflict(
            "complaint_step", f"A complaint {current} cannot become {wanted}.", current=current
        )


# -- working days ---------------------------------------------------------------------


def is_working_day(day: date, holidays: set[date]) -> bool:
    """Monday to Friday (hari kerja), not one of the site's holidays."""
    return day.weekday() < 5 and day not in holidays


def working_days(start: date, end: date, holidays: set[date]) -> int:
    """Working days after `start` up to and including `end` (0 on the same day)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            count += 1
    return count


def due_day(filed: date, target: int, holidays: set[date]) -> date:
    """The last day of the target: `target` working days after the day filed."""
    day, left = filed, target
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            left -= 1
    return day


def median(values: list[int]) -> float | None:
    if not values:
        return None
    v = sorted(values)
    mid = len(v) // 2
    return float(v[mid]) if len(v) % 2 else (v[mid - 1] + v[mid]) / 2


def p90(values: list[int]) -> float | None:
    """Nearest rank, as the queue's reports (server/reports/daily.py)."""
    if not values:
        return None
    v = sorted(values)
    return float(v[max(0, math.ceil(0.9 * len(v)) - 1)])


def share(part: int, whole: int) -> float | None:
    """A percentage with one decimal; None of nothing."""
    return round(100.0 * part / whole, 1) if whole else None
