"""The complaint figures (PEKPPP indicators 25-28), one aggregation for every format.

Counts per group are computed in SQL; the median and p90 of the working days to the
answer from the answered rows' stored `answer_days` (a percentile is not portable SQL
between SQLite and PostgreSQL, and the rows are few). The period is the date filed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlalchemy import String, case, func, select
from sqlalchemy.orm import Session

from server.complaints import rules
from server.complaints.tables import ComplaintRow
from server.problems import Problem, invalid
from server.queue.site import Site

GROUPS = ("agency", "service", "channel", "month")
GROUP_NAMES_ID = {
    "agency": "Instansi",
    "service": "Layanan",
    "channel": "Saluran",
    "month": "Bulan",
}
CHANNEL_NAMES_ID = {
    "desk": "Meja informasi",
    "ticket_page": "Halaman tiket",
    "web": "Formulir daring",
    "skm": "Saran SKM",
    "letter": "Surat",
    "phone": "Telepon",
    "social": "Media sosial",
}


class FigureRow(BaseModel):
    key: str
    label: str
    received: int
    answered: int  # ever answered, closed included
    closed: int
    answered_within_target: int
    within_target_share: float | None  # of those answered
    median_days: float | None
    p90_days: float | None
    resolved_share: float | None  # answered-or-closed / received, %, one decimal


class ComplaintFigures(BaseModel):
    site: str
    date_from: date
    date_to: date
    group: str
    target_days: int
    rows: list[FigureRow]
    total: FigureRow


@dataclass
class _Tally:
    received: int = 0
    answered: int = 0
    closed: int = 0
    resolved: int = 0
    within: int = 0
    days: list[int] = field(default_factory=list)


def _key(group: str) -> Any:
    if group == "month":
        # 'YYYY-MM' of the date filed, in both dialects (a Date is ISO text on SQLite).
        return func.substr(func.cast(ComplaintRow.filed_day, String()), 1, 7)
    return getattr(ComplaintRow, group)


def _label(site: Site, group: str, key: str) -> str:
    if group == "agency":
        a = site.agencies.get(key)
        return a.name if a else key
    if group == "service":
        found = site.services.get(key)
        return found[1].name if found else (key or "-")
    if group == "channel":
        return CHANNEL_NAMES_ID.get(key, key)
    return key


def _row(site: Site, group: str, key: str, t: _Tally) -> FigureRow:
    return FigureRow(
        key=key,
        label=_label(site, group, key) if key != "total" else "Jumlah",
        received=t.received,
        answered=t.answered,
        closed=t.closed,
        answered_within_target=t.within,
        within_target_share=rules.share(t.within, t.answered),
        median_days=rules.median(t.days),
        p90_days=rules.p90(t.days),
        resolved_share=rules.share(t.resolved, t.received),
    )


def figures(s: Session, site: Site, date_from: date, date_to: date, group: str) -> ComplaintFigures:
    """The figures of the complaints filed from `date_from` to `date_to` (inclusive)."""
    if group not in GROUPS:
        raise invalid(
            ("group", "Pengelompokan: " + ", ".join(GROUPS), "group: one of " + ", ".join(GROUPS))
        )
    if date_to < date_from:
        raise Problem(422, "invalid_period", "`to` is before `from`.")
    target = site.config.complaints.target_days
    answered = ComplaintRow.answered_at.is_not(None)
    key = func.coalesce(_key(group), "").label("key")
    period = (
        ComplaintRow.site_id == 1,
        ComplaintRow.filed_day >= date_from,
        ComplaintRow.filed_day <= date_to,
    )
    counts = s.execute(
        select(
            key,
            func.count(),
            func.sum(case((answered, 1), else_=0)),
            func.sum(case((ComplaintRow.status == rules.CLOSED, 1), else_=0)),
            func.sum(case((answered | (ComplaintRow.status == rules.CLOSED), 1), else_=0)),
            func.sum(case((ComplaintRow.answer_days <= target, 1), else_=0)),
        )
        .where(*period)
        .group_by(key)
        .order_by(key)
    ).all()
    tallies: dict[str, _Tally] = {}
    total = _Tally()
    for k, received, ans, closed, resolved, within in counts:
        t = tallies[str(k)] = _Tally(
            received, int(ans or 0), int(closed or 0), int(resolved or 0), int(within or 0)
        )
        total.received += t.received
        total.answered += t.answered
        total.closed += t.closed
        total.resolved += t.resolved
        total.within += t.within
    for k, days in s.execute(
        select(key, ComplaintRow.answer_days).where(*period, ComplaintRow.answer_days.is_not(None))
    ):
        tallies[str(k)].days.append(int(days))
        total.days.append(int(days))
    rows = [_row(site, group, k, t) for k, t in tallies.items()]
    return ComplaintFigures(
        site=site.name,
        date_from=date_from,
        date_to=date_to,
        group=group,
        target_days=target,
        rows=rows,
        total=_row(site, group, "total", total),
    )
