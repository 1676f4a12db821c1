"""Sealed months: a closed month's report rows, made once, so a long period reads them
instead of every ticket again.

A month is sealed when it is over and none of its tickets is still open (the server
closes earlier days at start and at midnight): its counts and histograms for every
dimension (server/reports/aggregate.py) are stored, in small write transactions so the
queue never waits long, and its seal row last. The seal records what the rows were made
from: the month's ticket rows and their highest id, the services' targets and the zone's
offset. A report uses a sealed month only while all of that still holds; otherwise it
reads that month's tickets (the same figures, more slowly) until `seal_due` makes it
again. A wrong clock that later issues tickets into a sealed month, or a changed target,
is therefore never a wrong report.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from server.db import Store
from server.reports.aggregate import (
    ALL,
    CHART_DIMS,
    COUNTS,
    DIMS,
    Query,
    Spelling,
    Tickets,
    targets_of,
)
from server.reports.tables import MonthCellRow, MonthCountRow, MonthSealRow
from server.site import Site
from server.tables import TicketRow
from shared.models import TicketStatus
from shared.timeutil import utcnow

log = logging.getLogger(__name__)
# Rows per write transaction: a few milliseconds of the write lock each.
CHUNK = 2000
OPEN = (TicketStatus.WAITING.value, TicketStatus.CALLED.value, TicketStatus.SERVING.value)


def month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def months_within(date_from: date, date_to: date) -> list[date]:
    """The first days of the calendar months wholly inside date_from..date_to."""
    out = []
    m = date_from.replace(day=1)
    if m < date_from:
        m = month_end(m) + timedelta(days=1)
    while month_end(m) <= date_to:
        out.append(m)
        m = month_end(m) + timedelta(days=1)
    return out


def offset_seconds(site: Site, day: date) -> int:
    start = datetime.combine(day, time(12), tzinfo=site.tz)
    return int((start.utcoffset() or timedelta(0)).total_seconds())


def basis(site: Site, month: date) -> str:
    """What a month's rows depend on beyond its tickets: the targets and the zone offset."""
    made = {"v": 1, "targets": targets_of(site), "offset": offset_seconds(site, month)}
    return hashlib.sha256(json.dumps(made, sort_keys=True).encode()).hexdigest()[:32]


def _tickets_of(s: Session, month: date) -> tuple[int, int, int]:
    """(rows, highest id, rows still open) of the month's tickets."""
    where = TicketRow.business_day.between(month, month_end(month))
    rows, high = s.execute(select(func.count(), func.max(TicketRow.id)).where(where)).one()
    still_open = s.scalar(select(func.count()).where(where, TicketRow.status.in_(OPEN)))
    return int(rows), int(high or 0), int(still_open or 0)


def valid_months(s: Session, site: Site, months: list[date]) -> list[date]:
    """Those of `months` whose seal still holds."""
    if not months:
        return []
    seals = s.scalars(select(MonthSealRow).where(MonthSealRow.month.in_(months))).all()
    where = TicketRow.business_day
    good = []
    for seal in seals:
        if seal.basis != basis(site, seal.month):
            continue
        span = where.between(seal.month, month_end(seal.month))
        rows, high = s.execute(select(func.count(), func.max(TicketRow.id)).where(span)).one()
        if int(rows) == seal.tickets and int(high or 0) == seal.max_id:
            good.append(seal.month)
    return sorted(good)


def _rows(s: Session, site: Site, month: date) -> tuple[list[dict[str, Any]], list[Any]]:
    """The month's counts and cells for every dimension, read from its tickets."""
    sql = Spelling(s.get_bind().dialect.name, offset_seconds(site, month))
    counts: list[dict[str, Any]] = []
    cells: list[dict[str, Any]] = []
    for dim in (*DIMS, *CHART_DIMS, ALL):
        q = Query()
        t = Tickets(q, sql, site, [(month, month_end(month))], dim)
        for key, *numbers in q.run(s, f"WITH {t.cte} {t.counts()}"):
            counts.append(
                {"month": month, "dim": dim, "key": key}
                | {c: int(v or 0) for c, v in zip(COUNTS, numbers, strict=True)}
            )
        if dim in CHART_DIMS:
            continue
        shape = t.buckets() if dim == ALL else t.histogram()
        for key, measure, x, n in q.run(s, f"WITH {t.cte} {shape}"):
            cells.append({"month": month, "dim": dim, "key": key, "measure": measure})
            cells[-1] |= {"x": int(x), "n": int(n)}
    return counts, cells


def _chunks(rows: list[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    for i in range(0, len(rows), CHUNK):
        yield rows[i : i + CHUNK]


def seal_month(store: Store, site: Site, month: date, today: date) -> bool:
    """Make a closed month's rows and its seal; False if it cannot be sealed yet."""
    with store.read() as s:
        rows, high, still_open = _tickets_of(s, month)
        if still_open or month_end(month) >= today:
            return False
        counts, cells = _rows(s, site, month)
    with store.write() as s:  # the old seal first: its rows count no more
        s.execute(delete(MonthSealRow).where(MonthSealRow.month == month))
    for table in (MonthCountRow, MonthCellRow):
        for dim in (*DIMS, *CHART_DIMS, ALL):
            with store.write() as s:
                s.execute(delete(table).where(table.month == month, table.dim == dim))
    for table, made in ((MonthCountRow, counts), (MonthCellRow, cells)):
        for chunk in _chunks(made):
            with store.write() as s:
                s.execute(insert(table), chunk)
    with store.write() as s:
        if _tickets_of(s, month)[:2] != (rows, high):
            return False  # a ticket came in meanwhile: the next round makes it again
        s.add(
            MonthSealRow(
                month=month, tickets=rows, max_id=high, basis=basis(site, month), sealed_at=utcnow()
            )
        )
    return True


def seal_due(store: Store, site: Site, today: date) -> int:
    """Seal every month before today's whose seal is missing or no longer holds (those
    with tickets still open wait for the server to close them); how many were sealed."""
    with store.read() as s:
        first = s.scalar(select(func.min(TicketRow.business_day)))
        if first is None:
            return 0
        months = months_within(first.replace(day=1), today - timedelta(days=1))
        due = sorted(set(months) - set(valid_months(s, site, months)))
    sealed = 0
    for month in due:
        if seal_month(store, site, month, today):
            sealed += 1
            log.info("report rows of %s sealed", month.strftime("%Y-%m"))
    return sealed
