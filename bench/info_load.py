"""The public information page under a crowd of phones, while kiosks issue.

    .venv/bin/python -m bench.info_load [--phones 50] [--rate 200] [--seconds 20]
                                        [--kiosks 4] [--kiosk-rate 50]

A `--demo` server on loopback. First the kiosks alone: `--kiosks` lean keep-alive
kiosks issue at `--kiosk-rate` tickets/s for `--seconds` (bench.issue_rate's kiosks
and pacing: latency from when each request was due). Then the same kiosks again while
`--phones` keep-alive clients ask for the information page at `--rate` requests/s in
all (paced the same way): GET /info/ in Indonesian, some in English (?lang=en) and
some GET /api/v1/info. Target (docs/ARCHITECTURE.md): the page holds 200 requests/s
and the kiosks keep their p99 (< 20 ms). Every answer must be a 200.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Coroutine
from typing import Any
from urllib.parse import urlsplit

from bench.common import Server, freeze_start_up, machine, percentile
from bench.issue_rate import HttpConnection, Issued, Plan, check, lean_kiosk
from shared.client import ApiClient
from shared.models import API_PATH

# kiosks' latencies, their tickets, the phones' latencies, page sizes, wall time
Run = tuple[list[float], Issued, list[float], list[int], float]
# What the phones ask for, in turn: mostly the page in Indonesian.
PATHS = ("/info/",) * 8 + ("/info/?lang=en", f"{API_PATH}/info")


async def get(conn: HttpConnection, path: str) -> tuple[int, int]:
    """One GET on a keep-alive connection: (status, body bytes)."""
    conn.writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
    status = int((await conn.reader.readline()).split()[1])
    length = 0
    while (line := await conn.reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, len(await conn.reader.readexactly(length))


async def phone(url: str, plan: Plan, took: list[float], sizes: list[int]) -> None:
    parts = urlsplit(url)
    conn = await HttpConnection.open(parts.hostname or "127.0.0.1", parts.port or 80)
    try:
        while (job := plan.take()) is not None:
            i, due = job
            if (wait := due - time.perf_counter()) > 0:
                await asyncio.sleep(wait)
            status, size = await get(conn, PATHS[i % len(PATHS)])
            took.append(time.perf_counter() - due)
            if status != 200:
                raise SystemExit(f"{PATHS[i % len(PATHS)]} answered {status}")
            sizes.append(size)
    finally:
        conn.close()


async def run(url: str, args: argparse.Namespace, services: list[str], phones: bool) -> Run:
    kiosk_plan = Plan(int(args.kiosk_rate * args.seconds), args.kiosk_rate)
    phone_plan = Plan(int(args.rate * args.seconds), args.rate)
    took: list[float] = []
    sizes: list[int] = []
    jobs: list[Coroutine[Any, Any, Any]] = [
        lean_kiosk(url, kiosk_plan, services) for _ in range(args.kiosks)
    ]
    if phones:
        jobs += [phone(url, phone_plan, took, sizes) for _ in range(args.phones)]
    t0 = time.perf_counter()
    done: list[Any] = list(await asyncio.gather(*jobs))
    wall = time.perf_counter() - t0
    kiosk_ms = [t * 1000 for part in done[: args.kiosks] for t in part[0]]
    issued = [i for part in done[: args.kiosks] for i in part[1]]
    return kiosk_ms, issued, [t * 1000 for t in took], sizes, wall


def runner(job: Coroutine[Any, Any, Run]) -> Run:
    try:
        import uvloop

        return uvloop.run(job)
    except ImportError:
        return asyncio.run(job)


def line(name: str, ms: list[float]) -> str:
    return (
        f"{name}: p50 {percentile(ms, 50):.1f} ms  p90 {percentile(ms, 90):.1f} ms  "
        f"p99 {percentile(ms, 99):.1f} ms  max {max(ms):.1f} ms"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--phones", type=int, default=50, help="concurrent phone connections")
    p.add_argument("--rate", type=float, default=200, help="information requests/s in all")
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--kiosks", type=int, default=4)
    p.add_argument("--kiosk-rate", type=float, default=50, help="tickets/s in all")
    args = p.parse_args()
    freeze_start_up()
    print(f"info_load: {args.phones} phones at {args.rate:.0f}/s, {args.kiosks} kiosks at "
          f"{args.kiosk_rate:.0f}/s, {args.seconds:.0f} s each; {machine()}")  # fmt: skip
    with Server() as server:
        with ApiClient(server.url) as client:
            services = [s.code for a in client.services().agencies for s in a.services]
        # warm-up: connections, caches, SQLite pages
        warm = runner(
            run(server.url, argparse.Namespace(**{**vars(args), "seconds": 1}), services, True)
        )
        cpu0 = server.cpu_seconds()
        alone, issued, _, _, _ = runner(run(server.url, args, services, False))
        cpu_alone = server.cpu_seconds() - cpu0
        cpu0 = server.cpu_seconds()
        kiosk_ms, more, phone_ms, sizes, wall = runner(run(server.url, args, services, True))
        cpu = server.cpu_seconds() - cpu0
        print(f"  kiosks alone ({len(alone)} issues): " + line("issue", alone))
        print(f"  with the phones ({len(kiosk_ms)} issues): " + line("issue", kiosk_ms))
        print(
            f"  phones: {len(phone_ms)} answers in {wall:.1f} s = {len(phone_ms) / wall:.0f}/s "
            f"(page ~{max(sizes) // 1024} kB); " + line("latency", phone_ms)
        )
        print(
            f"  server CPU: kiosks alone {cpu_alone:.1f} s, with the phones {cpu:.1f} s of "
            f"{wall:.1f} s ({100 * cpu / wall:.0f}% of one core); "
            f"RSS {server.memory_kb() // 1024} MB"
        )
        print(f"  tickets: {check(warm[1] + issued + more)}")


if __name__ == "__main__":
    main()
