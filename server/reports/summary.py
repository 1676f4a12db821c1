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
- durations are whole seconds (rounded in SQL, the same on both databases), minutes to
  one decimal in the answer; percentiles come from a count per (group, measure, second)
  and its running sum, so the window runs over distinct seconds, not over every ticket;
- service level is the share of called rows whose wait was at most the service's
  `target_minutes`;
- `online` counts tickets from online booking: 0 until booking exists (walk_in = issued);
- hour of day is the local hour of issue, by the zone's UTC offset at the period's
  start (Indonesian zones keep no daylight saving time).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import Date, bindparam, select, text
from sqlalchemy.orm import Session

from server.problems import Problem
from server.site import Site
from server.tables import OfficerRow
from shared.models import TicketStatus

Group = Literal["agency", "service", "counter", "officer", "hour", "weekday"]
GROUPS: tuple[str, ...] = ("agency", "service", "counter", "officer", "hour", "weekday")
TOTAL = "\x1ftotal"  # the total's key in SQL: no group's key (codes, names, hours) is this
MAX_DAYS = 366
WEEKDAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
# Waiting-time distribution: 5-minute buckets, the last one open ("60+").
BUCKET_SECONDS = 300
BUCKETS = 13


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
    online: int = 0  # online booking's tickets: 0 until booking exists
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


def check_period(date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """The period's two days, or a 422 saying what is wrong with them."""
    if date_from is None or date_to is None:
        raise Problem(422, "invalid_period", "Give both from and to (YYYY-MM-DD).")
    for d in (date_from, date_to):
        if d.year < 2000 or d.year > 2999:
            raise Problem(422, "invalid_period", f"{d.isoformat()} is out of range.")
    if date_from > date_to:
        raise Problem(422, "invalid_period", "from must not be after to.")
    days = (date_to - date_from).days + 1
    if days > MAX_DAYS:
        raise Problem(422, "invalid_period", f"A period is at most {MAX_DAYS} days ({days} given).")
    return date_from, date_to


PERIODS = ("day", "week", "month", "custom")


def period_of(kind: str, day: date, date_to: date | None = None) -> tuple[date, date]:
    """A named period containing `day`: the day, its week (Monday-Sunday), its month,
    or custom (day .. date_to)."""
    if kind == "day":
        return day, day
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if kind == "month":
        start = day.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        return start, following - timedelta(days=1)
    if kind == "custom":
        return check_period(day, date_to)
    raise Problem(422, "invalid_period", f"period is one of {', '.join(PERIODS)}.")


def check_group(group: str) -> str:
    if group not in GROUPS:
        raise Problem(422, "invalid_group", f"group is one of {', '.join(GROUPS)}.")
    return group


class Spelling:
    """The few expressions SQLite and PostgreSQL spell differently."""

    def __init__(self, dialect: str, offset_seconds: int) -> None:
        self.pg = dialect == "postgresql"
        self.offset = offset_seconds

    def seconds(self, start: str, end: str) -> str:
        """end - start in whole seconds (rounded half away from zero on both)."""
        if self.pg:
            return f"CAST(ROUND(CAST(EXTRACT(EPOCH FROM ({end} - {start})) AS NUMERIC)) AS INTEGER)"
        return f"CAST(ROUND((julianday({end}) - julianday({start})) * 86400.0) AS INTEGER)"

    def local_hour(self, column: str) -> str:
        if self.pg:
            shifted = f"({column} + {self.offset} * INTERVAL '1 second')"
            return f"CAST(EXTRACT(HOUR FROM {shifted}) AS INTEGER)"
        return f"CAST(strftime('%H', {column}, '{self.offset:+d} seconds') AS INTEGER)"

    def weekday(self, column: str) -> str:
        """0 = Monday .. 6 = Sunday."""
        if self.pg:
            return f"(CAST(EXTRACT(ISODOW FROM {column}) AS INTEGER) - 1)"
        return f"((CAST(strftime('%w', {column}) AS INTEGER) + 6) % 7)"

    def bucket(self, seconds: str) -> str:
        """The waiting-time bucket of a duration: 0 .. BUCKETS - 1 (the last is open)."""
        if self.pg:
            return f"LEAST({BUCKETS - 1}, CAST(FLOOR({seconds} / {BUCKET_SECONDS}) AS INTEGER))"
        # SQLite's CAST truncates, which is FLOOR for the positive durations here.
        return f"MIN({BUCKETS - 1}, CAST({seconds} / {BUCKET_SECONDS} AS INTEGER))"


def _case(
    column: str, mapping: dict[str, Any], prefix: str, default: str
) -> tuple[str, dict[str, Any]]:
    """CASE column WHEN :p0 THEN :v0 ... ELSE default END, with its bound values."""
    params: dict[str, Any] = {}
    whens = []
    for i, (k, v) in enumerate(mapping.items()):
        params[f"{prefix}k{i}"] = k
        params[f"{prefix}v{i}"] = v
        whens.append(f"WHEN :{prefix}k{i} THEN :{prefix}v{i}")
    if not whens:
        return default, params
    return f"(CASE {column} {' '.join(whens)} ELSE {default} END)", params


def _minutes(seconds: Any) -> float | None:
    return None if seconds is None else round(float(seconds) / 60.0, 1)


def _percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100.0 * part / whole, 1)


class _Query:
    """The period's ticket rows as a derived table `t`, with the columns reports read."""

    def __init__(self, s: Session, site: Site, date_from: date, date_to: date) -> None:
        self.s = s
        start = datetime.combine(date_from, time(12), tzinfo=site.tz)
        offset = start.utcoffset() or timedelta(0)
        self.sql = Spelling(s.get_bind().dialect.name, int(offset.total_seconds()))
        self.params: dict[str, Any] = {"d0": date_from, "d1": date_to}
        agency_of = {code: agency.code for code, (agency, _svc) in site.services.items()}
        target_of = {code: svc.target_minutes * 60 for code, (_a, svc) in site.services.items()}
        self.agency, p1 = _case("service", agency_of, "a", "service")
        target, p2 = _case("service", target_of, "tg", "1800")
        self.params.update(p1)
        self.params.update(p2)
        sq = self.sql
        wait = sq.seconds("queued_at", "called_at")
        self.columns = (
            f"service, counter, officer, status, priority, transferred_from, business_day, "
            f"issued_at, {target} AS target_s, "
            f"CASE WHEN called_at IS NOT NULL THEN {wait} END AS wait_s, "
            f"CASE WHEN status = 'done' AND serving_at IS NOT NULL "
            f"THEN {sq.seconds('serving_at', 'finished_at')} END AS serve_s, "
            f"CASE WHEN status = 'done' THEN {sq.seconds('issued_at', 'finished_at')} "
            f"END AS building_s"
        )

    def key(self, group: str | None) -> str:
        if group is None:
            return "''"
        return {
            "agency": self.agency,
            "service": "service",
            "counter": "COALESCE(counter, '')",
            "officer": "COALESCE(officer, '')",
            "hour": self.sql.local_hour("issued_at"),
            "weekday": self.sql.weekday("business_day"),
        }[group]

    def derived(self, group: str | None) -> str:
        return (
            f"(SELECT CAST({self.key(group)} AS VARCHAR(64)) AS g, {self.columns} FROM tickets "
            f"WHERE business_day BETWEEN :d0 AND :d1) t"
        )

    def run(self, sql: str) -> list[Any]:
        stmt = text(sql).bindparams(bindparam("d0", type_=Date), bindparam("d1", type_=Date))
        return list(self.s.execute(stmt, self.params))

    def summary(self, group: str) -> tuple[list[Any], list[Any]]:
        """One scan of the period: (counts per group, figures per group and for TOTAL).

        counts: (g, issued, served, no_show, cancelled, transferred, priority, called,
        within_target); figures: (g, measure, n, mean s, median s, p90 s).
        """
        done, ns, cx, tr = (
            TicketStatus.DONE.value,
            TicketStatus.NO_SHOW.value,
            TicketStatus.CANCELLED.value,
            TicketStatus.TRANSFERRED.value,
        )
        self.params["total_key"] = TOTAL
        rows = self.run(
            f"WITH t AS MATERIALIZED (SELECT * FROM {self.derived(group)}),"
            " v AS (SELECT g, 'wait' AS m, wait_s AS x FROM t WHERE wait_s IS NOT NULL"
            " UNION ALL SELECT g, 'service', serve_s FROM t WHERE serve_s IS NOT NULL"
            " UNION ALL SELECT g, 'building', building_s FROM t WHERE building_s IS NOT NULL),"
            " h AS MATERIALIZED (SELECT g, m, x, COUNT(*) AS k FROM v GROUP BY g, m, x),"
            " a AS (SELECT g, m, x, k FROM h"
            " UNION ALL SELECT :total_key, m, x, SUM(k) FROM h GROUP BY m, x),"
            " r AS (SELECT g, m, x, k,"
            " SUM(k) OVER (PARTITION BY g, m ORDER BY x ROWS UNBOUNDED PRECEDING) AS cum,"
            " SUM(k) OVER (PARTITION BY g, m) AS n FROM a)"
            # nearest rank: the smallest x whose running count reaches p * n
            " SELECT 'f', g, m, SUM(k), SUM(x * k) * 1.0 / SUM(k),"
            " MIN(CASE WHEN 2 * cum >= n THEN x END),"
            " MIN(CASE WHEN 10 * cum >= 9 * n THEN x END),"
            " NULL, NULL, NULL, NULL"
            " FROM r GROUP BY g, m"
            " UNION ALL SELECT 'c', g, NULL,"
            " SUM(CASE WHEN transferred_from IS NULL THEN 1 ELSE 0 END),"
            f" SUM(CASE WHEN status = '{done}' THEN 1 ELSE 0 END),"
            f" SUM(CASE WHEN status = '{ns}' THEN 1 ELSE 0 END),"
            f" SUM(CASE WHEN status = '{cx}' THEN 1 ELSE 0 END),"
            f" SUM(CASE WHEN status = '{tr}' THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN transferred_from IS NULL AND priority THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN wait_s IS NOT NULL THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN wait_s <= target_s THEN 1 ELSE 0 END)"
            " FROM t GROUP BY g"
        )
        counts = [(r[1], *r[3:11]) for r in rows if r[0] == "c"]
        figures = [(r[1], r[2], *r[3:7]) for r in rows if r[0] == "f"]
        return counts, figures

    def charts(self) -> Charts:
        per_day = [
            DayCount(day=_as_date(d), issued=int(i or 0), served=int(v or 0))
            for d, i, v in self.run(
                "SELECT business_day,"
                " SUM(CASE WHEN transferred_from IS NULL THEN 1 ELSE 0 END),"
                " SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END)"
                f" FROM {self.derived(None)} GROUP BY business_day ORDER BY business_day"
            )
        ]
        arrivals = [[0] * 24 for _ in range(7)]
        wd, hr = self.sql.weekday("business_day"), self.sql.local_hour("issued_at")
        for w, h, n in self.run(
            f"SELECT {wd} AS w, {hr} AS h, COUNT(*) FROM tickets"
            " WHERE business_day BETWEEN :d0 AND :d1 AND transferred_from IS NULL"
            " GROUP BY w, h"
        ):
            arrivals[int(w)][int(h)] = int(n)
        buckets = [0] * BUCKETS
        for b, n in self.run(
            f"SELECT {self.sql.bucket('wait_s')} AS b, COUNT(*) FROM {self.derived(None)}"
            " WHERE wait_s IS NOT NULL GROUP BY b"
        ):
            buckets[int(b)] = int(n)
        return Charts(per_day=per_day, arrivals=arrivals, wait_buckets=buckets)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _fill(rows: dict[str, SummaryRow], counts: list[Any], figures: list[Any]) -> None:
    for g, *numbers in counts:
        row = rows[str(g)]
        issued, served, ns, cx, tr, prio, called, within = (int(x or 0) for x in numbers)
        row.issued, row.served, row.no_show = (
            row.issued + issued,
            row.served + served,
            row.no_show + ns,
        )
        row.cancelled, row.transferred = row.cancelled + cx, row.transferred + tr
        row.priority, row.called = row.priority + prio, row.called + called
        row.within_target += within
        row.walk_in = row.issued - row.online
        row.priority_share = _percent(row.priority, row.issued)
        row.service_level = _percent(row.within_target, row.called)
    for g, m, n, mean, median, p90 in figures:
        value = Figures(
            count=int(n), mean=_minutes(mean), median=_minutes(median), p90=_minutes(p90)
        )
        setattr(rows[str(g)], m, value)


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
    else:
        known = [(str(i), name) for i, name in enumerate(WEEKDAYS_ID)]
    order = [(k, label) for k, label in known if k in keys or group in ("agency", "service")]
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
    q = _Query(s, site, date_from, date_to)
    counts, figures = q.summary(group)
    keys = {str(r[0]) for r in counts}
    rows = {k: SummaryRow(key=k, label=label) for k, label in _labels(s, site, group, keys)}
    _fill(rows, counts, [f for f in figures if f[0] != TOTAL])
    # The total's counts are the groups' sums (each ticket is in one group); its
    # percentiles come from the same query (a median is not a sum of medians).
    totals = {TOTAL: SummaryRow(key="", label="Jumlah")}
    _fill(totals, [(TOTAL, *r[1:]) for r in counts], [f for f in figures if f[0] == TOTAL])
    return SummaryReport(
        site=site.name,
        date_from=date_from,
        date_to=date_to,
        days=(date_to - date_from).days + 1,
        group=group,
        rows=list(rows.values()),
        total=totals[TOTAL],
        charts=q.charts() if charts else None,
    )
