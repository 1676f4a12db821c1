"""Issuing throughput and latency: many kiosks against a real server process.

    .venv/bin/python -m bench.issue_rate [--tickets 6000] [--kiosks 8] [--rate 500]
                                         [--client lean|httpx]

Target (docs/ARCHITECTURE.md): at least 500 tickets/s sustained, p99 under 20 ms. Two runs
show both: flat out (every kiosk sends its next request as soon as it has its
answer) gives the most the server sustains; at an offered 500/s (see Plan) gives
the latency a kiosk sees at that rate. Flat out, latency only says how many
kiosks are queued at once (8 kiosks at 500/s wait 16 ms on average by Little's
law, whatever the server does), so its p99 is printed but not the target.

The kiosks share this two-core machine with the server, so by default they are
lean: one asyncio process, a keep-alive HTTP/1.1 connection per kiosk, the
same request a kiosk sends (`POST /api/v1/tickets` with a bearer token and a
fresh request_id), about 0.1 ms of CPU each instead of httpx's ~1.5 ms. A real
kiosk is its own box. `--client httpx` runs our ApiClient in one process per
kiosk instead, to show what a heavy client on the same cores costs.

At the end every answer is checked: each a 201 with a ticket, and per service
the numbers form one gapless run (nothing lost, nothing repeated).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import socket
import time
import uuid
from collections import defaultdict
from urllib.parse import urlsplit

from bench.common import Server, freeze_start_up, machine, percentile
from shared.client import ApiClient
from shared.models import API_PATH

KIOSK_TOKEN = "demo-kiosk"
Issued = list[tuple[str, int]]  # (service, number) per answer


class HttpConnection:
    """One keep-alive HTTP/1.1 connection that sends JSON POSTs, one at a time."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> HttpConnection:
        reader, writer = await asyncio.open_connection(host, port)
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(reader, writer)

    async def post(self, path: str, token: str, payload: dict[str, object]) -> tuple[int, bytes]:
        body = json.dumps(payload).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        status = int((await self.reader.readline()).split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


class Plan:
    """Which ticket a kiosk sends next, and when it is due.

    Flat out (rate None) each kiosk sends its next request as soon as it has
    its answer, so throughput is the server's maximum. At an offered rate the
    requests are due at fixed times, whoever is free sends the next one, and a
    request's latency runs from when it was due, so a server that falls behind
    is charged for the wait too (no coordinated omission).
    """

    def __init__(self, total: int, rate: float | None) -> None:
        self.total, self.rate = total, rate
        self.taken = 0
        self.start = 0.0  # set by the first take: the kiosks connect first

    def take(self) -> tuple[int, float] | None:
        """(index, due time), or None when every ticket is taken."""
        if self.taken >= self.total:
            return None
        if self.taken == 0:
            self.start = time.perf_counter()
        i, self.taken = self.taken, self.taken + 1
        due = self.start + i / self.rate if self.rate else time.perf_counter()
        return i, due


async def lean_kiosk(url: str, plan: Plan, services: list[str]) -> tuple[list[float], Issued]:
    parts = urlsplit(url)
    conn = await HttpConnection.open(parts.hostname or "127.0.0.1", parts.port or 80)
    took: list[float] = []
    issued: Issued = []
    try:
        while (job := plan.take()) is not None:
            i, due = job
            if (wait := due - time.perf_counter()) > 0:
                await asyncio.sleep(wait)
            service = services[i % len(services)]
            payload = {"service": service, "priority": i % 10 == 0, "request_id": uuid.uuid4().hex}
            status, body = await conn.post(f"{API_PATH}/tickets", KIOSK_TOKEN, payload)
            took.append(time.perf_counter() - due)
            if status != 201:
                raise SystemExit(f"issue answered {status}: {body[:200]!r}")
            ticket = json.loads(body)
            issued.append((ticket["service"], ticket["number"]))
    finally:
        conn.close()
    return took, issued


def run_lean(
    url: str, total: int, kiosks: int, services: list[str], rate: float | None = None
) -> list[tuple[list[float], Issued]]:
    async def all_kiosks() -> list[tuple[list[float], Issued]]:
        plan = Plan(total, rate)
        return list(await asyncio.gather(*(lean_kiosk(url, plan, services) for _ in range(kiosks))))

    try:
        import uvloop

        return uvloop.run(all_kiosks())
    except ImportError:
        return asyncio.run(all_kiosks())


def httpx_kiosk(args: tuple[str, int, list[str], int]) -> tuple[list[float], Issued]:
    """One kiosk through our ApiClient (httpx), as the kiosk app does it."""
    url, count, services, offset = args
    took: list[float] = []
    issued: Issued = []
    with ApiClient(url, token=KIOSK_TOKEN) as client:
        for i in range(count):
            service = services[(i + offset) % len(services)]
            t0 = time.perf_counter()
            ticket = client.issue(service, i % 10 == 0, uuid.uuid4().hex)
            took.append(time.perf_counter() - t0)
            issued.append((ticket.service, ticket.number))
    return took, issued


def check(issued: Issued) -> str:
    """Per service, the numbers of a fresh server's day run 1..n with no gap or repeat."""
    numbers: dict[str, list[int]] = defaultdict(list)
    for service, number in issued:
        numbers[service].append(number)
    for service, got in numbers.items():
        if sorted(got) != list(range(1, len(got) + 1)):
            return f"FAILED: {service} numbers are not one gapless run"
    return f"ok: {len(issued)} answers, {len(numbers)} services, numbers gapless and unique"


def report(title: str, parts: list[tuple[list[float], Issued]], wall: float) -> None:
    lat = [t * 1000 for took, _ in parts for t in took]
    print(f"  {title}: {len(lat)} tickets in {wall:.1f} s = {len(lat) / wall:.0f} tickets/s")
    print(
        f"    latency p50 {percentile(lat, 50):.1f} ms  p90 {percentile(lat, 90):.1f} ms  "
        f"p99 {percentile(lat, 99):.1f} ms  max {max(lat):.1f} ms"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--tickets", type=int, default=6000, help="per run")
    p.add_argument("--kiosks", type=int, default=8)
    p.add_argument("--rate", type=float, default=500, help="offered tickets/s of the second run")
    p.add_argument("--client", choices=("lean", "httpx"), default="lean")
    p.add_argument("--server", help="use this server instead of starting one")
    args = p.parse_args()
    freeze_start_up()

    def run(url: str, title: str, rate: float | None) -> Issued:
        """One run; its answers, or [] on a server that was not fresh."""
        with ApiClient(url) as client:
            services = [
                s.code for a in client.services().agencies for s in a.services if s.priority_allowed
            ]
        # Warm-up: connections, caches, SQLite pages.
        warm = run_lean(url, 50, 1, services)
        t0 = time.perf_counter()
        if args.client == "lean":
            parts = run_lean(url, args.tickets, args.kiosks, services, rate)
        else:
            jobs = [(url, args.tickets // args.kiosks, services, k) for k in range(args.kiosks)]
            with multiprocessing.Pool(args.kiosks) as pool:
                parts = pool.map(httpx_kiosk, jobs)
        report(title, parts, time.perf_counter() - t0)
        return warm[0][1] + [i for _, issued in parts for i in issued]

    print(f"issue_rate: {args.kiosks} kiosks ({args.client}); {machine()}")
    runs: list[tuple[str, float | None]] = [("flat out (target >= 500 tickets/s)", None)]
    if args.client == "lean" and args.rate:
        runs.append((f"offered {args.rate:.0f}/s (target p99 < 20 ms)", args.rate))
    for title, rate in runs:
        if args.server:
            run(args.server, title, rate)
            continue
        # Each run on a fresh server: the same day's start, the same length of lines.
        with Server() as server:
            cpu0 = server.cpu_seconds()
            issued = run(server.url, title, rate)
            per = (server.cpu_seconds() - cpu0) / len(issued) * 1000
            rss, peak = server.memory_kb() // 1024, server.memory_kb("VmHWM") // 1024
            print(f"    {check(issued)}")
            print(f"    server CPU {per:.2f} ms per ticket; RSS {rss} MB, peak {peak} MB")


if __name__ == "__main__":
    main()
