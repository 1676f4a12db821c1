"""A period's aggregates as rows of one shape, read from the tickets or from sealed months.

Every report figure comes from two kinds of rows per key of a dimension:
- counts (COUNTS): issued, served, ..., and each duration's count and exact sum in whole
  seconds, so a mean over any union of them is exact;
- a histogram: (measure, x, n), x a duration in tenths of a minute (the unit the report
  shows), so a median or p90 over any union of them is exact to what is shown.

`Tickets` makes both from the tickets of some day ranges; a sealed month
(server/reports/months.py) stores the same rows, made by the same SQL. A period then reads
its sealed months' rows and the tickets of its other days, and sums them.

Definitions (the same on both databases):
- durations are whole seconds (rounded in SQL); waiting time is called_at - queued_at of
  every called row (a transfer's copy waits again in its new service), service time
  finished_at - serving_at of done rows, time in the building finished_at - issued_at of
  done rows (a transfer's copy keeps the first issue time);
- a histogram's x is the duration in tenths of a minute, halves up: (seconds + 3) / 6;
- service level counts called rows whose wait was at most the service's target;
- `online` counts first copies checked in from a booking (bookings.ticket_id);
- hour of day is the local hour of issue by the zone's UTC offset (Indonesian zones keep
  no daylight saving time).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, bindparam, text
from sqlalchemy.orm import Session

from server.queue.site import Site
from shared.config import NO_GROUP
from shared.models import TicketStatus

# Dimensions a sealed month keeps with histograms; agency is service, mapped when read.
# "pgroup": the priority group (tickets.priority_group; none is NO_GROUP, "umum").
DIMS = ("service", "counter", "officer", "hour", "weekday", "pgroup")
# Dimensions kept as counts only, for the charts: the day, and weekday x hour (w * 100 + h).
CHART_DIMS = ("day", "wh")
ALL = "all"  # one key (''): the wait chart's buckets
MEASURES = ("wait", "service", "building")
BUCKET = "bucket"  # the wait chart's measure: 5-minute buckets, the last one open ("60+")
BUCKET_SECONDS = 300
BUCKETS = 13
COUNTS = (
    "issued",
    "online",
    "served",
    "no_show",
    "cancelled",
    "transferred",
    "priority",
    "called",
    "within_target",
    "wait_n",
    "wait_sum",
    "service_n",
    "service_sum",
    "building_n",
    "building_sum",
)
DEFAULT_TARGET_SECONDS = 1800


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

    def local_day(self, column: str) -> str:
        """The site's local date of a naive-UTC timestamp, as 'YYYY-MM-DD' text."""
        if self.pg:
            return f"TO_CHAR({column} + {self.offset} * INTERVAL '1 second', 'YYYY-MM-DD')"
        return f"date({column}, '{self.offset:+d} seconds')"

    def day_text(self, column: str) -> str:
        return f"TO_CHAR({column}, 'YYYY-MM-DD')" if self.pg else column


def case_map(
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


def targets_of(site: Site) -> dict[str, int]:
    """Each service's waiting-time target in seconds."""
    return {code: svc.target_minutes * 60 for code, (_a, svc) in site.services.items()}


class Query:
    """Bound parameters (dates typed as dates on both drivers) and how to run the SQL."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}
        self.dates: list[str] = []

    def date(self, name: str, value: date) -> str:
        self.params[name] = value
        self.dates.append(name)
        return f":{name}"

    def run(self, s: Session, sql: str) -> list[Any]:
        stmt = text(sql).bindparams(*(bindparam(n, type_=Date) for n in self.dates))
        return list(s.execute(stmt, self.params))


class Tickets:
    """The tickets of some business-day ranges as a CTE `lt`: each row's key of each of
    `dims` (column k_<dim>) and the columns the counts and histograms read. One statement
    reads them once, for every dimension it groups by."""

    def __init__(
        self,
        q: Query,
        sql: Spelling,
        site: Site,
        ranges: list[tuple[date, date]],
        dims: tuple[str, ...],
    ) -> None:
        self.sql = sql
        days, booked = [], []
        for i, (a, b) in enumerate(ranges):
            lo, hi = q.date(f"l{i}a", a), q.date(f"l{i}b", b)
            days.append(f"business_day BETWEEN {lo} AND {hi}")
            booked.append(f"day BETWEEN {lo} AND {hi}")
        target, params = case_map("service", targets_of(site), "tg", str(DEFAULT_TARGET_SECONDS))
        q.params.update(params)
        online = (
            "CASE WHEN transferred_from IS NULL AND id IN (SELECT ticket_id FROM bookings"
            f" WHERE ticket_id IS NOT NULL AND ({' OR '.join(booked)})) THEN 1 ELSE 0 END"
        )
        done = TicketStatus.DONE.value
        keys = ", ".join(f"CAST({self._key(d)} AS VARCHAR(64)) AS k_{d}" for d in dims)
        self.cte = (
            f"lt AS MATERIALIZED (SELECT {keys},"
            f" status, priority, transferred_from, {online} AS online, {target} AS target_s,"
            f" CASE WHEN called_at IS NOT NULL"
            f" THEN {sql.seconds('queued_at', 'called_at')} END AS wait_s,"
            f" CASE WHEN status = '{done}' AND serving_at IS NOT NULL"
            f" THEN {sql.seconds('serving_at', 'finished_at')} END AS service_s,"
            f" CASE WHEN status = '{done}' THEN {sql.seconds('issued_at', 'finished_at')}"
            f" END AS building_s"
            f" FROM tickets WHERE {' OR '.join(days)})"
        )

    def _key(self, dim: str) -> str:
        sq = self.sql
        return {
            "service": "service",
            "counter": "COALESCE(counter, '')",
            "officer": "COALESCE(officer, '')",
            "pgroup": f"COALESCE(priority_group, '{NO_GROUP}')",
            "hour": sq.local_hour("issued_at"),
            "weekday": sq.weekday("business_day"),
            "day": sq.day_text("business_day"),
            "wh": f"({sq.weekday('business_day')} * 100 + {sq.local_hour('issued_at')})",
            ALL: "''",
        }[dim]

    def counts(self, dim: str) -> str:
        """SELECT k, c0 .. c14 (COUNTS) FROM lt GROUP BY k, the key of `dim`."""
        st, first = TicketStatus, "transferred_from IS NULL"

        def n(cond: str) -> str:
            return f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)"

        def status(value: TicketStatus) -> str:
            return n(f"status = '{value.value}'")

        columns = [
            n(first),
            "SUM(online)",
            status(st.DONE),
            status(st.NO_SHOW),
            status(st.CANCELLED),
            status(st.TRANSFERRED),
            n(f"{first} AND priority"),
            "COUNT(wait_s)",
            n("wait_s <= target_s"),
        ]
        for m in MEASURES:
            columns += [f"COUNT({m}_s)", f"COALESCE(SUM({m}_s), 0)"]
        named = ", ".join(f"{c} AS c{i}" for i, c in enumerate(columns))
        return f"SELECT k_{dim} AS k, {named} FROM lt GROUP BY k_{dim}"

    def histogram(self, dim: str) -> str:
        """SELECT k, measure, x, n FROM lt: each measure in tenths of a minute."""
        parts = [
            f"SELECT k_{dim} AS k, '{m}' AS m, ({m}_s + 3) / 6 AS x, COUNT(*) AS n FROM lt"
            f" WHERE {m}_s IS NOT NULL GROUP BY k_{dim}, ({m}_s + 3) / 6"
            for m in MEASURES
        ]
        return " UNION ALL ".join(parts)

    def buckets(self, dim: str) -> str:
        """SELECT k, 'bucket', x, n FROM lt: the waits in the chart's 5-minute buckets."""
        b = self.sql.bucket("wait_s")
        return (
            f"SELECT k_{dim} AS k, '{BUCKET}' AS m, {b} AS x, COUNT(*) AS n FROM lt"
            f" WHERE wait_s IS NOT NULL GROUP BY k_{dim}, {b}"
        )


def sealed_counts(q: Query, months: list[date], dim: str) -> str:
    """SELECT k, c0 .. c14 of the sealed months for `dim`."""
    cols = ", ".join(f"{c} AS c{i}" for i, c in enumerate(COUNTS))
    where = _months(q, months, dim, f"c_{dim}")
    return f"SELECT key AS k, {cols} FROM report_month_counts WHERE {where}"


def sealed_cells(q: Query, months: list[date], dim: str, measure: str | None = None) -> str:
    """SELECT k, m, x, n of the sealed months' histograms for `dim` (one measure, or all)."""
    where = _months(q, months, dim, f"h_{dim}")
    if measure is not None:
        q.params[f"h_{dim}_measure"] = measure
        where += f" AND measure = :h_{dim}_measure"
    return f"SELECT key AS k, measure AS m, x, n FROM report_month_cells WHERE {where}"


def _months(q: Query, months: list[date], dim: str, prefix: str) -> str:
    q.params[f"{prefix}_dim"] = dim
    names = ", ".join(q.date(f"{prefix}_m{i}", m) for i, m in enumerate(months))
    return f"dim = :{prefix}_dim AND month IN ({names})"


class Period:
    """A period's rows: its sealed months' and its other days' tickets.

    `ctes()` goes first in the statement (the live tickets, read once for all `dims`);
    `counts(dim)` and `histogram(dim)` are SELECTs over both sources, mapped to groups by
    `key_map` (SQL over the dimension's key `k`) and summed per group.
    """

    def __init__(
        self,
        q: Query,
        site: Site,
        sql: Spelling,
        dims: tuple[str, ...],
        live: list[tuple[date, date]],
        months: list[date],
    ) -> None:
        self.q, self.months = q, months
        self.tickets = Tickets(q, sql, site, live, dims) if live else None

    def ctes(self) -> list[str]:
        return [self.tickets.cte] if self.tickets is not None else []

    def counts(self, dim: str, key_map: str = "k") -> str:
        """SELECT g, c0 .. c14 per group."""
        parts = [self.tickets.counts(dim)] if self.tickets is not None else []
        if self.months:
            parts.append(sealed_counts(self.q, self.months, dim))
        cols = [f"c{i}" for i in range(len(COUNTS))]
        return (
            f"SELECT g, {', '.join(f'SUM({c}) AS {c}' for c in cols)}"
            f" FROM (SELECT {key_map} AS g, {', '.join(cols)}"
            f" FROM ({' UNION ALL '.join(parts)}) u) v GROUP BY g"
        )

    def histogram(self, dim: str, measure: str | None = None, key_map: str = "k") -> str:
        """SELECT g, m, x, n per group: the measures' cells, or the wait chart's buckets."""
        parts = []
        if self.tickets is not None:
            live = self.tickets.buckets(dim) if measure == BUCKET else self.tickets.histogram(dim)
            parts.append(live)
        if self.months:
            parts.append(sealed_cells(self.q, self.months, dim, measure))
        return (
            f"SELECT g, m, x, SUM(n) AS n FROM (SELECT {key_map} AS g, m, x, n"
            f" FROM ({' UNION ALL '.join(parts)}) u) v GROUP BY g, m, x"
        )
