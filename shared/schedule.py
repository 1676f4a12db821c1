"""Is a service open now, and if not, why and until when. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.config import DAYS, Schedule, TimeRange

# How far ahead to look for the next opening (two weeks covers long holidays).
_LOOKAHEAD_DAYS = 21


@dataclass(frozen=True)
class OpenState:
    open: bool
    reason: str | None = None  # closed | holiday | break | cutoff
    opens_at: datetime | None = None


def _ranges(schedule: Schedule, day: date) -> list[TimeRange]:
    if day in schedule.holidays:
        return []
    if day in schedule.dates:  # a one-off change: other hours, or [] for closed
        return schedule.dates[day]
    return schedule.week.get(DAYS[day.weekday()], [])


def open_ranges(schedule: Schedule, day: date) -> list[TimeRange]:
    """The opening periods of `day`: [] on a holiday or a closed date."""
    return _ranges(schedule, day)


def _at(day: date, ranges_time: object, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, ranges_time, tzinfo=tz)  # type: ignore[arg-type]


def next_opening(schedule: Schedule, tz: ZoneInfo, after: datetime) -> datetime | None:
    """The first period start strictly after `after` (local), or None."""
    local = after.astimezone(tz)
    for offset in range(_LOOKAHEAD_DAYS):
        day = local.date() + timedelta(days=offset)
        for r in _ranges(schedule, day):
            start = _at(day, r.start, tz)
            if start > local:
                return start
    return None


def open_state(schedule: Schedule, tz: ZoneInfo, now: datetime) -> OpenState:
    """Whether tickets may be issued at `now`, with the reason and reopening if not."""
    if schedule.always_open:
        return OpenState(True)
    local = now.astimezone(tz)
    today = local.date()
    if today in schedule.holidays or schedule.dates.get(today) == []:
        return OpenState(False, "holiday", next_opening(schedule, tz, local))
    ranges = _ranges(schedule, today)
    for i, r in enumerate(ranges):
        start, end = _at(today, r.start, tz), _at(today, r.end, tz)
        if local < start:
            return OpenState(False, "closed" if i == 0 else "break", start)
        if local < end:
            is_last = i == len(ranges) - 1
            cutoff = end - timedelta(minutes=schedule.last_issue_minutes)
            if is_last and local >= cutoff:
                return OpenState(False, "cutoff", next_opening(schedule, tz, end))
            return OpenState(True)
    return OpenState(False, "closed", next_opening(schedule, tz, local))
