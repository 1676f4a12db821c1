"""How fast the summary report answers over a busy site's year, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.report_speed [--tickets 500000] [--repeat 5]
        [--sqlite FILE] [--no-postgres] [--no-sqlite] [--soak N]

Makes the history (bench/history.py; an existing --sqlite FILE is reused), starts a real
`antrian server --db URL` on it, signs in the demo supervisor, and times
GET /api/v1/reports/summary for the periods below, for every grouping
(median of --repeat runs after a warm-up), plus the month's PDF. PostgreSQL: a throwaway
cluster as tests/pg.py starts one. Also prints the server's memory (VmRSS) before and
after, and its peak (VmHWM). Targets (docs/ARCHITECTURE.md): a month < 300 ms, the year < 2 s,
memory flat.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import httpx

from bench.common import Server, machine
from bench.history import generate
from server.office.live import site_config
from server.queue.site import Site
from server.reports.months import seal_due
from server.reports.summary import GROUPS
from server.store.db import Store
from server.store.migrate import upgrade
from shared.config import load_config
from shared.timeutil import business_day, utcnow

START = date(2025, 1, 6)  # a Monday; the history's 365 days end before today
MONTH = (date(2025, 6, 1), date(2025, 6, 30))
# The periods timed: a sealed month, the same weeks read from the tickets (no whole month
# inside, so nothing sealed is used), the calendar year (twelve sealed months) and 365 days
# from a Monday (eleven sealed months and ~5 weeks of tickets).
PERIODS = (
    ("month", MONTH),
    ("weeks", (date(2025, 6, 2), date(2025, 6, 29))),
    ("year", (date(2025, 1, 1), date(2025, 12, 31))),
    ("365d", (START, date(2026, 1, 5))),
)


def _time(
    client: httpx.Client, server: Server, params: dict[str, str], repeat: int
) -> tuple[float, float, int]:
    """Median wall ms and median server CPU ms of `repeat` runs (after a warm-up), and
    the answer's size. On a shared box the CPU figure is the one to compare."""
    r = client.get("/reports/summary", params=params)
    r.raise_for_status()
    took, cpu = [], []
    for _ in range(repeat):
        c0, t0 = server.cpu_seconds(), time.perf_counter()
        r = client.get("/reports/summary", params=params)
        took.append((time.perf_counter() - t0) * 1000)
        cpu.append((server.cpu_seconds() - c0) * 1000)
        r.raise_for_status()
    return statistics.median(took), statistics.median(cpu), len(r.content)


def seal(name: str, url: str) -> None:
    """Seal the history's months first, as a running server does at start (timed)."""
    config = load_config(None)
    store = Store(url)
    try:
        upgrade(store)
        t0 = time.perf_counter()
        site = Site(site_config(store, config))
        sealed = seal_due(store, site, business_day(site.tz, utcnow()))
        print(f"{name:<10} sealed {sealed} months in {time.perf_counter() - t0:.1f} s")
    finally:
        store.dispose()


def _soak(name: str, client: httpx.Client, server: Server, times: int) -> None:
    """The same reports again and again: memory that keeps growing would be a leak."""
    d0, d1 = PERIODS[-1][1]
    year = {"from": d0.isoformat(), "to": d1.isoformat(), "charts": "true"}
    month = {"from": MONTH[0].isoformat(), "to": MONTH[1].isoformat(), "format": "pdf"}
    seen = []
    for i in range(1, times + 1):
        client.get("/reports/summary", params={**year, "group": GROUPS[i % len(GROUPS)]})
        if i % 5 == 0:
            client.get("/reports/summary", params=month).raise_for_status()
        if i % max(1, times // 5) == 0:
            seen.append(f"{i}: {server.memory_kb() / 1024:.1f}")
    print(f"{name:<10} soak (365 days with charts; a PDF every 5th) MB after: {', '.join(seen)}")


def bench(name: str, url: str, repeat: int, soak: int = 0) -> None:
    seal(name, url)
    with Server(db=url) as server:
        api = server.url + "/api/v1"
        login = httpx.post(
            api + "/sessions", json={"username": "demo", "pin": "123456", "counter": "L01"}
        )
        login.raise_for_status()
        token = login.json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=api, headers=headers, timeout=120) as c:
            rss0 = server.memory_kb()
            for label, (d0, d1) in PERIODS:
                base = {"from": d0.isoformat(), "to": d1.isoformat()}
                for group in GROUPS:
                    ms, cpu, size = _time(c, server, {**base, "group": group}, repeat)
                    print(
                        f"{name:<10} {label:<5} group={group:<8} median {ms:7.1f} ms,"
                        f" server CPU {cpu:7.1f} ms ({size} B); {machine()}"
                    )
                ms, cpu, _ = _time(c, server, {**base, "charts": "true"}, repeat)
                print(
                    f"{name:<10} {label:<5} with charts    median {ms:7.1f} ms, CPU {cpu:7.1f} ms;"
                    f" server memory now {server.memory_kb() / 1024:.1f} MB"
                )
            rss_mid = server.memory_kb()  # the PDF's renderer (fonts, WeasyPrint) comes next
            month = {"from": MONTH[0].isoformat(), "to": MONTH[1].isoformat(), "format": "pdf"}
            ms, cpu, size = _time(c, server, month, max(1, repeat // 2))
            print(
                f"{name:<10} month PDF            median {ms:7.1f} ms, CPU {cpu:7.1f} ms ({size} B)"
            )
            rss1, peak = server.memory_kb(), server.memory_kb("VmHWM")
            if soak:
                _soak(name, c, server, soak)
        print(
            f"{name:<10} server memory: {rss0 / 1024:.1f} MB before, {rss_mid / 1024:.1f} MB"
            f" after the summaries, {rss1 / 1024:.1f} MB after the PDF,"
            f" peak {peak / 1024:.1f} MB; {machine()}"
        )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench.report_speed", description=__doc__.split("\n")[0])
    p.add_argument("--tickets", type=int, default=500_000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--sqlite", type=Path, default=Path("/tmp/antrian-bench-2025.sqlite"))
    p.add_argument("--no-sqlite", action="store_true")
    p.add_argument("--no-postgres", action="store_true")
    p.add_argument("--soak", type=int, default=0, help="then N more reports, memory along")
    args = p.parse_args(argv)
    if not args.no_sqlite:
        url = f"sqlite:///{args.sqlite}"
        if not args.sqlite.exists():
            t0 = time.perf_counter()
            rows = generate(url, args.tickets, START, 365)
            print(f"sqlite     history: {rows} rows in {time.perf_counter() - t0:.1f} s")
        bench("sqlite", url, args.repeat, args.soak)
    if not args.no_postgres:
        from tests.pg import start_cluster

        cluster, why = start_cluster()
        if cluster is None:
            print(f"postgresql skipped: {why}")
            return 0
        try:
            url = cluster.create_database("antrian_bench")
            t0 = time.perf_counter()
            rows = generate(url, args.tickets, START, 365)
            print(f"postgresql history: {rows} rows in {time.perf_counter() - t0:.1f} s")
            bench("postgresql", url, args.repeat, args.soak)
        finally:
            cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
