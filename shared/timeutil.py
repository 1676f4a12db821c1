"""Business-day and Indonesian date helpers. "Today" is never computed in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

DAY_NAMES_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
DAY_NAMES_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
MONTH_NAMES_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_now(tz: ZoneInfo, now: datetime | None = None) -> datetime:
    """The site's wall-clock time (aware)."""
    return (now or utcnow()).astimezone(tz)


def business_day(tz: ZoneInfo, now: datetime | None = None) -> date:
    """The site's local date: numbers restart at 1 on each of these."""
    return local_now(tz, now).date()


def seconds_to_next_day(tz: ZoneInfo, now: datetime | None = None) -> float:
    """Seconds from `now` to the site's next local midnight (the next business day)."""
    local = local_now(tz, now)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tz)
    # Subtract in UTC: aware datetimes sharing a tzinfo subtract as naive wall times.
    return max(0.0, (midnight.astimezone(UTC) - local.astimezone(UTC)).total_seconds())


def format_date(d: date | datetime, lang: str = "id") -> str:
    """'Jumat, 13 Desember 2024' (id) or 'Friday, 13 December 2024' (en)."""
    english = lang == "en"
    days = DAY_NAMES_EN if english else DAY_NAMES_ID
    months = MONTH_NAMES_EN if english else MONTH_NAMES_ID
    return f"{days[d.weekday()]}, {d.day} {months[d.month - 1]} {d.year}"


def format_time(t: datetime, lang: str = "id") -> str:
    """'08.00' in Indonesian text, '08:00' in English."""
    sep = ":" if lang == "en" else "."
    return f"{t.hour:02d}{sep}{t.minute:02d}"
