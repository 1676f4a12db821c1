"""Issuing throughput and latency: several kiosks against a real server process.

    .venv/bin/python -m bench.issue_rate [--tickets 4000] [--kiosks 4] [--processes]

Target (DESIGN.md): at least 500 tickets/s sustained, p99 under 20 ms.
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from bench.common import Server, machine, percentile
from shared.client import ApiClient

KIOSK_TOKEN = "demo-kiosk"


def kiosk(args: tuple[str, int, list[str], int]) -> list[float]:
    """One kiosk issuing `count` tickets as fast as answers come; returns latencies (s)."""
    url, count, services, offset = args
    took: list[float] = []
    with ApiClient(url, token=KIOSK_TOKEN) as client:
        for i in range(count):
            service = services[(i + offset) % len(services)]
            t0 = time.perf_counter()
            client.issue(service, i % 10 == 0, uuid.uuid4().hex)
            took.append(time.perf_counter() - t0)
    return took


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--tickets", type=int, default=4000)
    p.add_argument("--kiosks", type=int, default=4)
    p.add_argument("--processes", action="store_true", help="one process per kiosk (not threads)")
    p.add_argument("--server", help="use this server instead of starting one")
    args = p.parse_args()

    def run(url: str) -> None:
        with ApiClient(url) as client:
            services = [
                s.code for a in client.services().agencies for s in a.services if s.priority_allowed
            ]
        kiosk((url, 50, services, 0))  # warm-up: connections, caches, SQLite pages
        share = args.tickets // args.kiosks
        jobs = [(url, share, services, k) for k in range(args.kiosks)]
        t0 = time.perf_counter()
        if args.processes:
            with multiprocessing.Pool(args.kiosks) as pool:
                parts = pool.map(kiosk, jobs)
        else:
            with ThreadPoolExecutor(args.kiosks) as pool:
                parts = list(pool.map(kiosk, jobs))
        wall = time.perf_counter() - t0
        lat = [t * 1000 for part in parts for t in part]
        mode = "processes" if args.processes else "threads"
        print(f"issue_rate: {len(lat)} tickets, {args.kiosks} kiosks ({mode}); {machine()}")
        print(f"  throughput {len(lat) / wall:.0f} tickets/s   (target >= 500)")
        print(
            f"  latency p50 {percentile(lat, 50):.1f} ms  p90 {percentile(lat, 90):.1f} ms  "
            f"p99 {percentile(lat, 99):.1f} ms  max {max(lat):.1f} ms   (target p99 < 20 ms)"
        )

    if args.server:
        run(args.server)
    else:
        with Server() as server:
            run(server.url)
            rss, peak = server.memory_kb() // 1024, server.memory_kb("VmHWM") // 1024
            print(f"  server RSS {rss} MB, peak {peak} MB")


if __name__ == "__main__":
    main()
