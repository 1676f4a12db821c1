"""The figures a period's summary counts apart from the tickets' rows, aggregated in SQL:

- tickets of a service stopped for the day (POST /services/{code}/stop) that were never
  called: issued on a stop's day for that service, called_at empty (whether issued before
  or, from a booking, after the stop). They are in the rows' `issued` too; this says how
  many of them the stop left without service;
- calls for help ("Butuh bantuan", kiosk or ticket): how many were asked in the period
  (by the site's local day of asking), how many were taken, and the median time to take
  one (nearest rank, like the report's other medians, in tenths of a minute).

Neither is kept in sealed months: both read their own small tables (one row per stop,
one per call) and the tickets of the stops' days only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from pydantic import BaseModel
from sqlalchemy import Date, bindparam, text
from sqlalchemy.orm import Session

from server.queue.site import Site
from server.reports.aggregate import Spelling
from server.store.tables import UTCDateTime


class StoppedDay(BaseModel):
    """One service stopped on one day, why, and how many of its tickets were never called."""

    day: date
    service: str
    service_name: str
    reason: str
    unserved: int


class HelpFigures(BaseModel):
    asked: int = 0
    taken: int = 0
    median_take_minutes: float | None = None  # asked to taken, nearest-rank median


def stopped_days(s: Session, site: Site, date_from: date, date_to: date) -> list[StoppedDay]:
    stmt = text(
        "SELECT st.business_day, st.service, st.reason, COUNT(t.id) FROM service_stops st"
        " LEFT JOIN tickets t ON t.business_day = st.business_day"
        " AND t.service = st.service AND t.called_at IS NULL"
        " WHERE st.business_day BETWEEN :a AND :b"
        " GROUP BY st.business_day, st.service, st.reason"
        " ORDER BY st.business_day, st.service"
    ).bindparams(bindparam("a", type_=Date), bindparam("b", type_=Date))
    out = []
    for day, service, reason, n in s.execute(stmt, {"a": date_from, "b": date_to}):
        known = site.services.get(service)
        out.append(
            StoppedDay(
                day=day if isinstance(day, date) else date.fromisoformat(str(day)),
                service=service,
                service_name=known[1].name if known else service,
                reason=reason,
                unserved=int(n),
            )
        )
    return out


def help_figures(s: Session, site: Site, date_from: date, date_to: date) -> HelpFigures:
    start = _utc(site, date_from)
    end = _utc(site, date_to + timedelta(days=1))
    window = {"a": start, "b": end}
    where = "asked_at >= :a AND asked_at < :b"
    times = (bindparam("a", type_=UTCDateTime), bindparam("b", type_=UTCDateTime))
    row = s.execute(
        text(f"SELECT COUNT(*), COUNT(taken_at) FROM help_requests WHERE {where}").bindparams(
            *times
        ),
        window,
    ).one()
    asked, taken = int(row[0]), int(row[1])
    if taken == 0:
        return HelpFigures(asked=asked)
    seconds = Spelling(s.get_bind().dialect.name, 0).seconds("asked_at", "taken_at")
    # nearest rank: the value at rank ceil(n / 2) of the sorted times
    median = s.execute(
        text(
            f"SELECT {seconds} AS d FROM help_requests WHERE {where} AND taken_at IS NOT NULL"
            " ORDER BY d LIMIT 1 OFFSET :k"
        ).bindparams(*times),
        {**window, "k": (taken + 1) // 2 - 1},
    ).scalar_one()
    tenths = (int(median) + 3) // 6  # as the report's histograms round: halves up
    return HelpFigures(asked=asked, taken=taken, median_take_minutes=round(tenths / 10.0, 1))


def _utc(site: Site, day: date) -> datetime:
    """The start of a local business day, in UTC (as the tables keep times)."""
    return datetime.combine(day, time(0), tzinfo=site.tz).astimezone(UTC)
