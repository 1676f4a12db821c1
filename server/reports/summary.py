"""The summary report of any period, aggregated in the database (SQLite and PostgreSQL).

Grouped by agency, service, counter, officer, hour of day or weekday. Counts, means,
medians and p90s are computed by SQL (GROUP BY and window functions); Python only
reads one row per group and measure, never a period's tickets.

Definitions (the same on both databases):
- the period is a range of business days (`tickets.business_day`, the site's local date);
- issued counts first copies (a transfer's copy is the same visitor, not a new ticket);
  served, no-show, cancelled and transferred count the rows in that state;
- waiting time is called_at - queued_at of every called row (a transfer's copy waits
  again in its new service); service time is finished_at - serving_at of done rows;
  time in the building is finished_at - issued_at of done rows: a transfer's copy keeps
  the first issue time and the done copy is the last of its chain, so this is the first
  issue to the last finish;
- percentiles are nearest-rank: the p-th percentile of n sorted values is the value at
  rank ceil(p * n); the median is the 50th (for an even n the lower middle value);
- durations are whole seconds (rounded in SQL, the same on both databases); means are
  exact sums over counts, rounded to a tenth of a minute; medians and p90s come from a
  count per (group, measure, tenth of a minute, halves up) and its running sum, so the
  window runs over distinct values, not over every ticket;
- service level is the share of called rows whose wait was at most the service's
  `target_minutes`;
- walk-in vs online: `online` counts first copies checked in from a booking;
- the rows come from sealed months where the period holds whole closed months
  (server/reports/months.py) and from the tickets for its other days: the same SQL made
  both, so the figures are the same either way.
See server/reports/aggregate.py for how each row is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.problems import Problem, invalid, read_days
from server.queue.site import Site
from server.reports.aggregate import (
    ALL,
    BUCKET,
    BUCKETS,
    COUNTS,
    MEASURES,
    Period,
    Query,
    Spelling,
    case_map,
)
from server.reports.apart import HelpFigures, StoppedDay, help_figures, stopped_days
from server.reports.months import months_touching, offset_seconds, valid_seals
from server.store.tables import OfficerRow
from shared.config import NO_GROUP

Group = Literal["agency", "service", "counter", "officer", "hour", "weekday", "priority_group"]
GROUPS: tuple[str, ...] = (
    "agency",
    "service",
    "counter",
    "officer",
    "hour",
    "weekday",
    "priority_group",
)
# The dimension of aggregate.py each group reads (agency is mapped from service).
DIM_OF = {"agency": "service", "priority_group": "pgroup"}
TOTAL = "\x1ftotal"  # the total's key in SQL: no group's key (codes, names, hours) is this
MAX_DAYS = 366
WEEKDAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


class Figures(BaseModel):
    """Mean, median and p90 in minutes of one measure (None when nothing was measured)."""

    count: int = 0
    mean: float | None = None
    median: float | None = None
    p90: float | None = None


class SummaryRow(BaseModel):
    key: str
    label: str
    issued: int = 0
    walk_in: int = 0
    online: int = 0  # first copies checked in from an online booking
    served: int = 0
    no_show: int = 0
    cancelled: int = 0
    transferred: int = 0
    priority: int = 0
    priority_share: float | None = None  # percent of issued, one decimal
    wait: Figures = Figures()
    service: Figures = Figures()
    building: Figures = Figures()
    called: int = 0
    within_target: int = 0
    service_level: float | None = None  # percent of called, one decimal


class DayCount(BaseModel):
    day: date
    issued: int
    served: int


class Charts(BaseModel):
    per_day: list[DayCount]
    # arrivals[weekday 0=Monday..6][hour 0..23]: tickets issued
    arrivals: list[list[int]]
    # wait_buckets[i]: called rows whose wait was in [5i, 5i+5) minutes; the last: 60+
    wait_buckets: list[int]


class SummaryReport(BaseModel):
    site: str
    date_from: date
    date_to: date
    days: int
    group: str
    rows: list[SummaryRow]
    total: SummaryRow
    charts: Charts | None = None
    # counted apart (server/reports/apart.py): services stopped for a day and the tickets
    # they left never called; the calls for help and how fast they were taken
    stopped: list[StoppedDay] = []
    stopped_unserved: int = 0
    help: HelpFigures = HelpFigures()


def check_period(date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """The period's two days, or a 422 (invalid_period) naming the field that is wrong."""
    missing = [name for name, d in (("from", date_from), ("to", date_to)) if d is None]
    if missing:
        raise invalid(
            *(
                (
                    name,
                    "Isi tanggal dari dan sampai (TTTT-BB-HH).",
                    "Give both from and to (YYYY-MM-DD).",
                )
                for name in missing
            ),
            code="invalid_period",
        )
    assert date_from is not None and date_to is not None
    out = [
        (
            name,
            f"{d.isoformat()} di luar rentang (tahun {FIRST_YEAR}-{LAST_YEAR}).",
            f"{d.isoformat()} is out of range.",
        )
        for name, d in (("from", date_from), ("to", date_to))
        if d.year < FIRST_YEAR or d.year > LAST_YEAR
    ]
    if out:
        raise invalid(*out, code="invalid_period")
    if date_from > date_to:
        raise invalid(
            (
                "from",
                "Tanggal dari tidak boleh sesudah tanggal sampai.",
                "from must not be after to.",
            ),
            code="invalid_period",
        )
    days = (date_to - date_from).days + 1
    if days > MAX_DAYS:
        raise invalid(
            (
                "to",
                f"Satu periode paling lama {MAX_DAYS} hari ({days} diminta).",
                f"A period is at most {MAX_DAYS} days ({days} given).",
            ),
            code="invalid_period",
        )
    return date_from, date_to


PERIODS = ("day", "week", "month", "custom")
PERIOD_WORDS_ID = {"day": "hari", "week": "minggu", "month": "bulan", "custom": "dari-sampai"}
GROUP_WORDS_ID = {
    "agency": "instansi",
    "service": "layanan",
    "counter": "loket",
    "officer": "petugas",
    "hour": "jam",
    "weekday": "hari",
    "priority_group": "kelompok prioritas",
}


FIRST_YEAR, LAST_YEAR = 2000, 2999


def check_day(d: date, field: str = "from") -> date:
    """A day reports may name: years 2000 to 2999 (a week or month around 9999-12-31
    would not even be a date); else the 422 naming `field`, as check_period answers."""
    if d.year < FIRST_YEAR or d.year > LAST_YEAR:
        raise invalid(
            (
                field,
                f"{d.isoformat()} di luar rentang (tahun {FIRST_YEAR}-{LAST_YEAR}).",
                f"{d.isoformat()} is out of range.",
            ),
            code="invalid_period",
        )
    return d


def period_of(kind: str, day: date, date_to: date | None = None) -> tuple[date, date]:
    """A named period containing `day`: the day, its week (Monday-Sunday), its month,
    or custom (day .. date_to); checked as check_period checks any period."""
    check_day(day)
    if kind == "day":
        return check_period(day, day)
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return check_period(start, start + timedelta(days=6))
    if kind == "month":
        start = day.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        return check_period(start, following - timedelta(days=1))
    if kind == "custom":
        return check_period(day, date_to)
    raise unknown_period(kind)


def unknown_period(kind: str) -> Problem:
    """The 422 naming the period for a kind that is not one (what period_of raises)."""
    return invalid(
        (
            "period",
            f"Periode: {', '.join(PERIOD_WORDS_ID[p] for p in PERIODS)}.",
            f"period is one of {', '.join(PERIODS)}.",
        ),
        code="invalid_period",
    )


def check_group(group: str) -> str:
    if group not in GROUPS:
        raise invalid(
            (
                "group",
                f"Kelompok: {', '.join(GROUP_WORDS_ID[g] for g in GROUPS)}.",
                f"group is one of {', '.join(GROUPS)}.",
            ),
            code="invalid_group",
        )
    return group


@dataclass(frozen=True)
class SummaryQuery:
    """A summary's period and grouping, checked: what the API, the page and the CLI ask."""

    kind: str
    date_from: date
    date_to: date
    group: str


def summary_query(
    *,
    start: str | None,
    end: str | None,
    group: str | None = None,
    period: str | None = None,
    today: date | None = None,
) -> SummaryQuery:
    """The period (from, to; a named period around from) and the group as sent (text;
    empty is absent), checked, or the 422 to answer: the same for
    GET /api/v1/reports/summary, the reports page and `antrian report summary`.

    period: day, week, month (around from) or custom (from..to, the default).
    today: what a missing from means (the page's form opens on it; to is then from);
    without it (the API, the command line) from and to are required."""
    kind = "custom" if period is None else period
    first, last = read_days(("from", start), ("to", end), code="invalid_period")
    if today is not None:
        first = first or today
        last = last or first
    if kind not in PERIODS:
        raise unknown_period(kind)
    if kind == "custom":
        d0, d1 = check_period(first, last)
    elif first is None:
        raise invalid(
            ("from", "Isi tanggal (TTTT-BB-HH).", "Give from (YYYY-MM-DD)."),
            code="invalid_period",
        )
    else:
        check_period(first, first)  # a day of a year the reports know
        d0, d1 = period_of(kind, first)
    return SummaryQuery(kind, d0, d1, check_group("service" if group is None else group))


def _minutes(seconds: Any) -> float | None:
    return None if seconds is None else round(float(seconds) / 60.0, 1)


def _percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100.0 * part / whole, 1)


class _Query:
    """A period's sources: its sealed months and the ranges of its other days."""

    def __init__(self, s: Session, site: Site, date_from: date, date_to: date) -> None:
        self.s, self.site = s, site
        self.sql = Spelling(s.get_bind().dialect.name, offset_seconds(site, date_from))
        # A seal serves when the period holds all the days it holds (month .. upto).
        seals = valid_seals(s, site, months_touching(date_from, date_to))
        usable = sorted(
            (m, upto) for m, upto in seals.items() if date_from <= m and upto <= date_to
        )
        self.months = [m for m, _ in usable]
        self.live: list[tuple[date, date]] = []
        day = date_from
        for m, upto in [*usable, (date_to + timedelta(days=1), date_to)]:
            if day < m:
                self.live.append((day, m - timedelta(days=1)))
            day = upto + timedelta(days=1)

    def run(self, group: str, charts: bool) -> tuple[list[Any], list[Any], Charts | None]:
        """One statement, one read of the live tickets: (counts per group, (g, measure,
        median x, p90 x) per group and for TOTAL, x in tenths of a minute; the charts)."""
        q = Query()
        key_map = "k"
        dim = DIM_OF.get(group, group)
        if group == "agency":
            agency_of = {code: a.code for code, (a, _svc) in self.site.services.items()}
            key_map, params = case_map("k", agency_of, "a", "k")
            q.params.update(params)
        dims = (dim, *(("day", "wh", ALL) if charts else ()))
        p = Period(q, self.site, self.sql, dims, self.live, self.months)
        q.params["total_key"] = TOTAL
        ctes = [
            *p.ctes(),
            f"h AS MATERIALIZED ({p.histogram(dim, key_map=key_map)})",
            "a AS (SELECT g, m, x, n FROM h"
            " UNION ALL SELECT :total_key, m, x, SUM(n) FROM h GROUP BY m, x)",
            "r AS (SELECT g, m, x, n,"
            " SUM(n) OVER (PARTITION BY g, m ORDER BY x ROWS UNBOUNDED PRECEDING) AS cum,"
            " SUM(n) OVER (PARTITION BY g, m) AS total FROM a)",
        ]
        width = len(COUNTS) + 3  # tag, group, measure, the counts
        cols = ", ".join(f"c{i}" for i in range(len(COUNTS)))

        def pad(*values: str) -> str:
            return ", ".join([*values, *["NULL"] * (width - len(values))])

        # nearest rank: the smallest x whose running count reaches p * n
        median = "MIN(CASE WHEN 2 * cum >= total THEN x END)"
        p90 = "MIN(CASE WHEN 10 * cum >= 9 * total THEN x END)"
        parts = [
            f"SELECT {pad(TAG_F, 'g', 'm', median, p90)} FROM r GROUP BY g, m",
            f"SELECT 'c', g, NULL, {cols} FROM ({p.counts(dim, key_map)}) cc",
        ]
        if charts:
            buckets = p.histogram(ALL, BUCKET)
            parts += [
                f"SELECT 'd', g, NULL, {cols} FROM ({p.counts('day')}) cd",
                f"SELECT 'w', g, NULL, {cols} FROM ({p.counts('wh')}) cw",
                f"SELECT {pad(TAG_B, 'g', 'm', 'x', 'n')} FROM ({buckets}) cb",
            ]
        rows = q.run(self.s, f"WITH {', '.join(ctes)} {' UNION ALL '.join(parts)}")
        counts = [(r[1], *r[3:]) for r in rows if r[0] == "c"]
        figures = [(r[1], r[2], r[3], r[4]) for r in rows if r[0] == "f"]
        return counts, figures, _charts(rows) if charts else None


TAG_F, TAG_B = "'f'", "'b'"  # a figures row, a wait bucket's row (SQL literals)


def _charts(rows: list[Any]) -> Charts:
    """The charts from the statement's 'd' (day), 'w' (weekday x hour) and 'b' rows."""
    per_day = sorted(
        (
            DayCount(day=_as_date(r[1]), issued=int(r[3] or 0), served=int(r[5] or 0))
            for r in rows
            if r[0] == "d"
        ),
        key=lambda d: d.day,
    )
    arrivals = [[0] * 24 for _ in range(7)]
    buckets = [0] * BUCKETS
    for r in rows:
        if r[0] == "w":
            w, h = divmod(int(r[1]), 100)
            arrivals[w][h] += int(r[3] or 0)
        elif r[0] == "b":
            buckets[int(r[3])] += int(r[4] or 0)
    return Charts(per_day=per_day, arrivals=arrivals, wait_buckets=buckets)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _fill(rows: dict[str, SummaryRow], counts: list[Any], figures: list[Any]) -> None:
    """Add (g, COUNTS...) rows and (g, measure, median x, p90 x) rows into `rows`."""
    sums: dict[tuple[str, str], list[int]] = {}
    for g, *numbers in counts:
        v = dict(zip(COUNTS, (int(x or 0) for x in numbers), strict=True))
        row = rows[str(g)]
        row.issued += v["issued"]
        row.online += v["online"]
        row.served += v["served"]
        row.no_show += v["no_show"]
        row.cancelled += v["cancelled"]
        row.transferred += v["transferred"]
        row.priority += v["priority"]
        row.called += v["called"]
        row.within_target += v["within_target"]
        row.walk_in = row.issued - row.online
        row.priority_share = _percent(row.priority, row.issued)
        row.service_level = _percent(row.within_target, row.called)
        for m in MEASURES:
            acc = sums.setdefault((str(g), m), [0, 0])
            acc[0] += v[f"{m}_n"]
            acc[1] += v[f"{m}_sum"]
    for g, m, median, p90 in figures:
        n, total = sums.get((str(g), m), [0, 0])
        value = Figures(
            count=n,
            mean=_minutes(total / n) if n else None,
            median=_tenths(median),
            p90=_tenths(p90),
        )
        setattr(rows[str(g)], m, value)


def _tenths(x: Any) -> float | None:
    return None if x is None else round(int(x) / 10.0, 1)


def _labels(s: Session, site: Site, group: str, keys: set[str]) -> list[tuple[str, str]]:
    """(key, label) in the report's order: the site's order, then any others."""
    known: list[tuple[str, str]]
    if group == "agency":
        known = [(a.code, a.name) for a in site.config.agencies]
    elif group == "service":
        known = [(code, svc.name) for code, (_a, svc) in site.services.items()]
    elif group == "counter":
        known = [(c.code, c.name) for c in site.config.counters]
    elif group == "officer":
        names = {u: n for u, n in s.execute(select(OfficerRow.username, OfficerRow.name))}
        known = sorted(((k, names.get(k, k)) for k in keys if k), key=lambda kv: kv[1])
    elif group == "hour":
        known = [(str(h), f"{h:02d}.00-{h:02d}.59") for h in range(24)]
    elif group == "priority_group":
        # every group of the site, served or not (the evaluation asks for each), then "umum"
        known = [(g.code, g.name) for g in site.config.queue.priority_groups]
        known.append((NO_GROUP, "Umum (bukan prioritas kelompok)"))
    else:
        known = [(str(i), name) for i, name in enumerate(WEEKDAYS_ID)]
    every = ("agency", "service", "priority_group")
    order = [(k, label) for k, label in known if k in keys or group in every]
    seen = {k for k, _ in order}
    order += sorted((k, k or "-") for k in keys if k not in seen)
    return order


def summary_report(
    s: Session,
    site: Site,
    date_from: date,
    date_to: date,
    group: str = "service",
    *,
    charts: bool = False,
) -> SummaryReport:
    """The summary of business days date_from..date_to, one row per group and a total."""
    date_from, date_to = check_period(date_from, date_to)
    check_group(group)
    counts, figures, drawn = _Query(s, site, date_from, date_to).run(group, charts)
    keys = {str(r[0]) for r in counts}
    rows = {k: SummaryRow(key=k, label=label) for k, label in _labels(s, site, group, keys)}
    _fill(rows, counts, [f for f in figures if f[0] != TOTAL])
    # The total's counts are the groups' sums (each ticket is in one group); its
    # percentiles come from the same query (a median is not a sum of medians).
    totals = {TOTAL: SummaryRow(key="", label="Jumlah")}
    _fill(totals, [(TOTAL, *r[1:]) for r in counts], [f for f in figures if f[0] == TOTAL])
    stopped = stopped_days(s, site, date_from, date_to)
    return SummaryReport(
        site=site.name,
        date_from=date_from,
        date_to=date_to,
        days=(date_to - date_from).days + 1,
        group=group,
        rows=list(rows.values()),
        total=totals[TOTAL],
        charts=drawn,
        stopped=stopped,
        stopped_unserved=sum(d.unserved for d in stopped),
        help=help_figures(s, site, date_from, date_to),
    )
