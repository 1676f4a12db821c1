"""Sealed months: the report rows of a month's days that are over, made once, so a long
period reads them instead of every ticket again.

The server closes earlier days at start and at midnight; then `seal_due` stores, for each
month, the counts and histograms of every dimension (server/reports/aggregate.py) of its
days before today: the whole month once it is over, this month up to yesterday (made
again each night, so "this month" reads only today's tickets). The rows go in small write
transactions, so the queue never waits long, and the seal row last. The seal records what
the rows were made from: the days' ticket rows and their highest id, the services'
targets and the zone's offset. A report uses a seal only while all of that still holds;
otherwise it reads those days' tickets (the same figures, more slowly) until `seal_due`
makes it again. A wrong clock that later issues tickets into a sealed day, or a changed
target, is therefore never a wrong report.
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

from server.queue.site import Site
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
from server.store.db import Store
from server.store.tables import TicketRow
from shared.models import TicketStatus
from shared.timeutil import utcnow

log = logging.getLogger(__name__)
# Rows per write transaction: a few milliseconds of the write lock each.
CHUNK = 2000
OPEN = (TicketStatus.WAITING.value, TicketStatus.CALLED.value, TicketStatus.SERVING.value)


def month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def months_touching(date_from: date, date_to: date) -> list[date]:
    """The first days of the calendar months that date_from..date_to touches."""
    out, m = [], date_from.replace(day=1)
    while m <= date_to:
        out.append(m)
        m = month_end(m) + timedelta(days=1)
    return out


def offset_seconds(site: Site, day: date) -> int:
    start = datetime.combine(day, time(12), tzinfo=site.tz)
    return int((start.utcoffset() or timedelta(0)).total_seconds())


def basis(site: Site, month: date) -> str:
    """What a month's rows depend on beyond its tickets: the targets and the zone offset."""
    # v2: the priority group's rows (pgroup) came in; seals made before lack them. A
    # ticket's group changes only while it is at a counter (today), never in a sealed day.
    made = {"v": 2, "targets": targets_of(site), "offset": offset_seconds(site, month)}
    return hashlib.sha256(json.dumps(made, sort_keys=True).encode()).hexdigest()[:32]


def _made_from(s: Session, first: date, last: date) -> tuple[int, int]:
    """(rows, highest id) of the tickets of days first..last: what a seal records."""
    where = TicketRow.business_day.between(first, last)
    rows, high = s.execute(select(func.count(), func.max(TicketRow.id)).where(where)).one()
    return int(rows), int(high or 0)


def _still_open(s: Session, first: date, last: date) -> int:
    where = TicketRow.business_day.between(first, last), TicketRow.status.in_(OPEN)
    return int(s.scalar(select(func.count()).where(*where)) or 0)


def valid_seals(s: Session, site: Site, months: list[date]) -> dict[date, date]:
    """{month: the last day its rows hold} for those of `months` whose seal still holds."""
    if not months:
        return {}
    seals = s.scalars(select(MonthSealRow).where(MonthSealRow.month.in_(months))).all()
    good = {}
    for seal in seals:
        if seal.basis != basis(site, seal.month):
            continue
        if _made_from(s, seal.month, seal.upto) == (seal.tickets, seal.max_id):
            good[seal.month] = seal.upto
    return good


def _upto(month: date, today: date) -> date:
    """The last day of `month` a seal made today holds: its end, or yesterday."""
    return min(month_end(month), today - timedelta(days=1))


def _rows(
    s: Session, site: Site, month: date, upto: date
) -> tuple[list[dict[str, Any]], list[Any]]:
    """The counts and cells of days month..upto for every dimension, from their tickets:
    two statements, each reading those tickets once for all the dimensions."""
    sql = Spelling(s.get_bind().dialect.name, offset_seconds(site, month))
    dims = (*DIMS, *CHART_DIMS, ALL)
    q = Query()
    t = Tickets(q, sql, site, [(month, upto)], dims)
    for i, dim in enumerate(dims):
        q.params[f"dim{i}"] = dim
    counts_sql = " UNION ALL ".join(
        f"SELECT :dim{i} AS dim, c.* FROM ({t.counts(dim)}) c" for i, dim in enumerate(dims)
    )
    cells_sql = " UNION ALL ".join(
        f"SELECT :dim{i} AS dim, h.* FROM ({t.buckets(dim) if dim == ALL else t.histogram(dim)}) h"
        for i, dim in enumerate(dims)
        if dim not in CHART_DIMS
    )
    counts = [
        {"month": month, "dim": dim, "key": key}
        | {c: int(v or 0) for c, v in zip(COUNTS, numbers, strict=True)}
        for dim, key, *numbers in q.run(s, f"WITH {t.cte} {counts_sql}")
    ]
    cells = [
        {"month": month, "dim": dim, "key": key, "measure": m, "x": int(x), "n": int(n)}
        for dim, key, m, x, n in q.run(s, f"WITH {t.cte} {cells_sql}")
    ]
    return counts, cells


def _chunks(rows: list[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    for i in range(0, len(rows), CHUNK):
        yield rows[i : i + CHUNK]


def seal_month(store: Store, site: Site, month: date, today: date) -> bool:
    """Make the rows of a month's days before today, and their seal; False if they cannot
    be made yet (no day of it is over, or tickets of those days are still open)."""
    upto = _upto(month, today)
    if upto < month:
        return False
    with store.read() as s:
        if _still_open(s, month, upto):
            return False
        rows, high = _made_from(s, month, upto)
        counts, cells = _rows(s, site, month, upto)
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
        if _made_from(s, month, upto) != (rows, high):
            return False  # a ticket came in meanwhile: the next round makes it again
        s.add(
            MonthSealRow(
                month=month,
                upto=upto,
                tickets=rows,
                max_id=high,
                basis=basis(site, month),
                sealed_at=utcnow(),
            )
        )
    return True


def seal_due(store: Store, site: Site, today: date) -> int:
    """Seal each month's days before today where the seal is missing, older or no longer
    holds: the months that are over, and this one up to yesterday (made again each day).
    Days with tickets still open wait for the server to close them. How many were made."""
    with store.read() as s:
        first = s.scalar(select(func.min(TicketRow.business_day)))
        if first is None:
            return 0
        months = months_touching(first, today - timedelta(days=1))
        held = valid_seals(s, site, months)
    made = 0
    for month in months:
        if held.get(month) == _upto(month, today):
            continue
        if seal_month(store, site, month, today):
            made += 1
            log.info("report rows of %s sealed", month.strftime("%Y-%m"))
    return made
