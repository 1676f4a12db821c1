"""A busy site's history for the report bench: a year of tickets, inserted in bulk.

    .venv/bin/python -m bench.history --db sqlite:///tmp/year.sqlite [--tickets 500000]
        [--start 2026-01-05] [--days 365] [--seed 1]

The sample site's 12 agencies and counters; only its open weekdays (no holidays);
arrivals peaking mid-morning, quieter after the Friday prayer; waits that grow with
the hour; outcomes served (~84%), no-show (~7%), cancelled (~3%) and transferred
(~6%, the copy then served in another service of the same agency or the licensing
office); priority ~8%; an officer on each counter. Also usable small by tests
(`--tickets 2000`). Rows go in with executemany in batches of 20,000 in one
transaction: minutes for 500,000, not hours.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from server.queue.site import Site
from server.store.db import Store
from server.store.migrate import upgrade
from server.store.tables import DailyNumber, OfficerRow, TicketRow
from shared.config import Config, load_config
from shared.schedule import _ranges

log = logging.getLogger(__name__)
BATCH = 20_000
# Share of a day's arrivals by local hour (08..14): the morning rush, a quieter afternoon.
HOURS = {8: 0.22, 9: 0.24, 10: 0.19, 11: 0.13, 12: 0.09, 13: 0.08, 14: 0.05}


# Priority tickets' groups (the last: a priority ticket nobody asked the group of).
HISTORY_GROUPS = ("lansia", "disabilitas", "ibu_hamil", "balita", None)


def open_days(config: Config, start: date, days: int) -> list[date]:
    """The days in the range the site opens (its weekly hours, minus holidays)."""
    out = []
    for i in range(days):
        d = start + timedelta(days=i)
        if _ranges(config.schedule, d):
            out.append(d)
    return out


def _rows(
    config: Config,
    days: list[date],
    tickets: int,
    rng: random.Random,
    numbers_of_day: dict[date, dict[str, int]],
) -> Iterator[dict[str, Any]]:
    """The ticket rows, day by day; each day's last numbers go into numbers_of_day."""
    site = Site(config)
    tz = site.tz
    services = list(site.services)
    # Some services are much busier than others (KTP, SKCK, Samsat...).
    weights = [rng.uniform(0.3, 3.0) for _ in services]
    counters_of = {code: [c.code for c in site.counters_for(code)] for code in services}
    next_id = 1
    per_day = tickets / max(len(days), 1)
    remaining = tickets
    hours, hour_w = list(HOURS), list(HOURS.values())
    for n_day, day in enumerate(days):
        # Mondays and the start of the month are busier; the last day takes the rest.
        factor = 1.25 if day.weekday() == 0 else 0.8 if day.weekday() == 4 else 1.0
        factor *= 1.15 if day.day <= 7 else 1.0
        count = (
            remaining
            if n_day == len(days) - 1
            else min(remaining, round(per_day * factor * rng.uniform(0.85, 1.15)))
        )
        remaining -= count
        numbers: dict[str, int] = {}
        for _ in range(count):
            svc = rng.choices(services, weights)[0]
            numbers[svc] = numbers.get(svc, 0) + 1
            hour = rng.choices(hours, hour_w)[0]
            if day.weekday() == 4 and hour == 12:
                hour = 13  # Friday prayer
            local = datetime(
                day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=tz
            )
            issued = local.astimezone(UTC)
            prefix = site.services[svc][1].prefix
            row = {
                "id": next_id,
                "business_day": day,
                "service": svc,
                "issued_service": svc,
                "number": numbers[svc],
                "code": site.ticket_code(prefix, numbers[svc]),
                "priority": (priority := rng.random() < 0.08),
                # who the priority is for: from the id, so the random draws stay as they were
                "priority_group": HISTORY_GROUPS[next_id % 5] if priority else None,
                "request_id": None,
                "device_id": None,
                "issued_at": issued,
                "queued_at": issued,
                "recalls": 0,
                "transferred_from": None,
            }
            next_id += 1
            outcome = rng.random()
            # Waits grow through the morning: a longer queue by mid-morning.
            wait = rng.expovariate(1 / (6 + 4 * (hour - 8))) + rng.uniform(0, 3)
            counter = rng.choice(counters_of[svc]) if counters_of[svc] else None
            if outcome < 0.03 or counter is None:
                yield {**row, **_end("cancelled", None, issued, wait / 2)}
                continue
            called = issued + timedelta(minutes=wait)
            base = {
                **row,
                "counter": counter,
                "officer": f"petugas-{counter.lower()}",
                "called_at": called,
            }
            if outcome < 0.10:
                yield {
                    **base,
                    "status": "no_show",
                    "serving_at": None,
                    "finished_at": called + timedelta(minutes=2),
                }
                continue
            serving = called + timedelta(seconds=rng.uniform(20, 90))
            service_min = rng.lognormvariate(1.9, 0.45)  # median ~6.7 minutes
            finished = serving + timedelta(minutes=service_min)
            if outcome < 0.16:
                yield {
                    **base,
                    "status": "transferred",
                    "serving_at": serving,
                    "finished_at": finished,
                }
                target = rng.choice(services)
                if target == svc:
                    target = services[(services.index(svc) + 1) % len(services)]
                t_counter = rng.choice(counters_of[target]) if counters_of[target] else counter
                t_called = finished + timedelta(minutes=rng.expovariate(1 / 8))
                t_serving = t_called + timedelta(seconds=rng.uniform(20, 90))
                yield {
                    **row,
                    "id": next_id,
                    "service": target,
                    "request_id": None,
                    "queued_at": finished,
                    "transferred_from": row["id"],
                    "status": "done",
                    "counter": t_counter,
                    "officer": f"petugas-{t_counter.lower()}",
                    "called_at": t_called,
                    "serving_at": t_serving,
                    "finished_at": t_serving + timedelta(minutes=rng.lognormvariate(1.7, 0.4)),
                }
                next_id += 1
                continue
            yield {**base, "status": "done", "serving_at": serving, "finished_at": finished}
        numbers_of_day[day] = numbers


def _end(status: str, counter: str | None, issued: datetime, minutes: float) -> dict[str, Any]:
    return {
        "status": status,
        "counter": counter,
        "officer": None,
        "called_at": None,
        "serving_at": None,
        "finished_at": issued + timedelta(minutes=minutes),
    }


def generate(
    url: str, tickets: int, start: date, days: int, seed: int = 1, config: Config | None = None
) -> int:
    """Fill an empty database at `url` with `tickets` issued tickets; returns rows written."""
    config = config or load_config(None)
    rng = random.Random(seed)
    store = Store(url)
    upgrade(store)
    written = 0
    numbers_of_day: dict[date, dict[str, int]] = {}
    try:
        with store.write_engine.begin() as conn:
            batch: list[dict[str, Any]] = []
            for row in _rows(config, open_days(config, start, days), tickets, rng, numbers_of_day):
                batch.append(row)
                if len(batch) >= BATCH:
                    conn.execute(insert(TicketRow), batch)
                    written += len(batch)
                    batch = []
            if batch:
                conn.execute(insert(TicketRow), batch)
                written += len(batch)
            numbers = [
                {"business_day": d, "service": s, "last_number": n}
                for d, per in numbers_of_day.items()
                for s, n in per.items()
            ]
            for i in range(0, len(numbers), BATCH):
                conn.execute(insert(DailyNumber), numbers[i : i + BATCH])
            officers = sorted({f"petugas-{c.code.lower()}" for c in config.counters})
            conn.execute(
                insert(OfficerRow),
                [
                    {
                        "username": u,
                        "name": f"Petugas {u.split('-')[1].upper()}",
                        "role": "officer",
                        "pin_hash": "!",
                        "counters": u.split("-")[1].upper(),
                        "failures": 0,
                        "active": True,
                    }
                    for u in officers
                ],
            )
        if store.write_engine.dialect.name == "postgresql":
            with store.write_engine.begin() as conn:
                last = "(SELECT MAX(id) FROM tickets)"
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('tickets', 'id'), {last})"
                )
                conn.exec_driver_sql("ANALYZE tickets")
        else:
            with store.write_engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
    finally:
        store.dispose()
    return written


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench.history", description=__doc__.split("\n")[0])
    p.add_argument(
        "--db", required=True, help="an empty database: sqlite:///FILE or postgresql+psycopg://..."
    )
    p.add_argument("--tickets", type=int, default=500_000)
    p.add_argument("--start", type=date.fromisoformat, default=date(2026, 1, 5))
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    rows = generate(args.db, args.tickets, args.start, args.days, args.seed)
    took = time.perf_counter() - t0
    print(
        f"history: {args.tickets} tickets issued ({rows} rows with transfer copies) "
        f"in {took:.1f} s ({rows / took:,.0f} rows/s)"
    )
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    sys.exit(main())
