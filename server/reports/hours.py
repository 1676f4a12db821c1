"""Service hours kept: when each counter actually opened and closed, day by day, against
the schedule.

A counter's day runs from its first event (the officer signing in opens it:
counter.resumed; or its first call) to its last (the last finish, or signing out).
The events say it; the tickets keep the first call and the last finish too, so a
history without its event log (an import, bench/history.py) still has its days. One
row per counter and day comes from SQL for each; Python takes the earlier opening and
the later closing, and compares them with the opening hours the schedule gives that day
(the schedule of the counter's first service: its own, its agency's or the site's).
A day counts as started on time when the first call came within GRACE_MINUTES of the
opening, and as kept to the end when the last finish came at most GRACE_MINUTES before
the closing (or later).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from server.queue.site import Site
from server.reports.aggregate import Spelling
from server.reports.months import offset_seconds
from server.reports.summary import check_period
from server.store.tables import TicketRow, UTCDateTime
from shared.schedule import open_ranges
from shared.timeutil import MONTH_NAMES_ID

GRACE_MINUTES = 30


@dataclass
class HoursRow:
    """A month (or a counter, or the period): counter-days scheduled, served, kept."""

    key: str
    label: str
    scheduled_days: int = 0  # counter-days the schedule opened
    served_days: int = 0  # counter-days with at least one call
    served_scheduled: int = 0  # served days the schedule opened (what on_time counts in)
    on_time: int = 0  # of those: first call within the grace
    to_close: int = 0  # ... and last finish at most the grace before the closing
    _first: list[int] = field(default_factory=list)  # local minutes after midnight
    _last: list[int] = field(default_factory=list)
    _opens: list[int] = field(default_factory=list)
    _closes: list[int] = field(default_factory=list)

    def add(self, first: int | None, last: int | None, ranges: tuple[int, int] | None) -> None:
        if ranges is not None:
            self.scheduled_days += 1
            self._opens.append(ranges[0])
            self._closes.append(ranges[1])
        if first is None or last is None:
            return
        self.served_days += 1
        self._first.append(first)
        self._last.append(last)
        if ranges is not None:
            self.served_scheduled += 1
            self.on_time += first <= ranges[0] + GRACE_MINUTES
            self.to_close += last >= ranges[1] - GRACE_MINUTES

    @property
    def mean_first(self) -> str | None:
        return _clock(self._first)

    @property
    def mean_last(self) -> str | None:
        return _clock(self._last)

    @property
    def schedule(self) -> str | None:
        """The hours the schedule gave most days, e.g. '08.00-15.00' (None: no such day)."""
        if not self._opens:
            return None
        (opens, closes), _n = Counter(zip(self._opens, self._closes, strict=True)).most_common(1)[0]
        return f"{_clock([opens])}-{_clock([closes])}"

    @property
    def on_time_share(self) -> float | None:
        kept = self.served_scheduled
        return None if kept == 0 else round(100.0 * self.on_time / kept, 1)

    @property
    def to_close_share(self) -> float | None:
        kept = self.served_scheduled
        return None if kept == 0 else round(100.0 * self.to_close / kept, 1)


def _clock(minutes: list[int]) -> str | None:
    """The mean of local minutes after midnight as 'HH.MM' (Indonesian writing)."""
    if not minutes:
        return None
    mean = round(sum(minutes) / len(minutes))
    return f"{mean // 60:02d}.{mean % 60:02d}"


@dataclass
class ServiceHours:
    date_from: date
    date_to: date
    grace_minutes: int
    months: list[HoursRow]
    counters: list[HoursRow]
    total: HoursRow


def _minutes(at: datetime | None, site: Site) -> int | None:
    if at is None:
        return None
    local = at.astimezone(site.tz)
    return local.hour * 60 + local.minute


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _scheduled(site: Site, service: str, day: date) -> tuple[int, int] | None:
    """The day's opening and closing (minutes after midnight), or None when closed."""
    ranges = open_ranges(site.schedule_for(service), day)
    if not ranges:
        return None
    start, end = ranges[0].start, ranges[-1].end
    return start.hour * 60 + start.minute, end.hour * 60 + end.minute


def _from_events(
    s: Session, site: Site, date_from: date, date_to: date
) -> dict[tuple[str, date], tuple[datetime, datetime]]:
    """(counter, local day): its first and last event, for the days date_from..date_to."""
    sql = Spelling(s.get_bind().dialect.name, offset_seconds(site, date_from))
    start = datetime.combine(date_from, time(0), tzinfo=site.tz)
    end = datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=site.tz)
    day = sql.local_day("at")
    stmt = text(
        f"SELECT counter, {day} AS d, MIN(at), MAX(at) FROM events"
        " WHERE counter IS NOT NULL AND at >= :start AND at < :end"
        f" GROUP BY counter, {day}"
    ).bindparams(bindparam("start", type_=UTCDateTime()), bindparam("end", type_=UTCDateTime()))
    return {
        (str(counter), _day(d)): (_utc(first), _utc(last))
        for counter, d, first, last in s.execute(stmt, {"start": start, "end": end})
    }


def _utc(value: Any) -> datetime:
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def service_hours(s: Session, site: Site, date_from: date, date_to: date) -> ServiceHours:
    """Per month, per counter and for the period: the counter-days kept to the schedule."""
    date_from, date_to = check_period(date_from, date_to)
    served = _from_events(s, site, date_from, date_to)
    for counter, day, first, last in s.execute(
        select(
            TicketRow.counter,
            TicketRow.business_day,
            func.min(TicketRow.called_at),
            func.max(TicketRow.finished_at),
        )
        .where(
            TicketRow.business_day.between(date_from, date_to),
            TicketRow.counter.is_not(None),
            TicketRow.called_at.is_not(None),
        )
        .group_by(TicketRow.counter, TicketRow.business_day)
    ):
        at = (str(counter), _day(day))
        called = _utc(first)
        finished = _utc(last) if last is not None else called  # still at the counter
        seen = served.get(at)
        served[at] = (min(seen[0], called), max(seen[1], finished)) if seen else (called, finished)
    months: dict[str, HoursRow] = {}
    counters = {c.code: HoursRow(c.code, c.name) for c in site.config.counters}
    total = HoursRow("", "Jumlah")
    day = date_from
    while day <= date_to:
        name = f"{day.year:04d}-{day.month:02d}"
        label = f"{MONTH_NAMES_ID[day.month - 1]} {day.year}"
        month = months.setdefault(name, HoursRow(name, label))
        for c in site.config.counters:
            ranges = _scheduled(site, c.services[0], day)
            first, last = served.get((c.code, day), (None, None))
            first_m, last_m = _minutes(first, site), _minutes(last, site)
            for row in (month, counters[c.code], total):
                row.add(first_m, last_m, ranges)
        day += timedelta(days=1)
    return ServiceHours(
        date_from, date_to, GRACE_MINUTES, list(months.values()), list(counters.values()), total
    )
