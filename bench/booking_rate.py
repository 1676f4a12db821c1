"""Online bookings per second and their latency, against a real server process.

    .venv/bin/python -m bench.booking_rate [--bookings 2000] [--clients 32]

A `--demo` server (every service has booking sessions all day) with the
booking rate limit set out of the way; `--clients` keep-alive connections send
`POST /api/v1/bookings` flat out, each for a fresh phone number, spread over
the services and sessions of today. No target beyond exactness (docs/ARCHITECTURE.md):
at the end every answer must be a 201 or a 409 "full", and the accepted
bookings per session never more than its places.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bench.common import Server, machine, percentile, sample_config_text

PATH = "/api/v1/bookings"


class Connection:
    """One keep-alive HTTP/1.1 connection sending JSON POSTs, one at a time."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port)
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(reader, writer)

    async def post(self, payload: dict[str, object]) -> tuple[int, dict[str, object]]:
        body = json.dumps(payload).encode()
        head = (
            f"POST {PATH} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        status = int((await self.reader.readline()).split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, json.loads(await self.reader.readexactly(length))


def config_file() -> Path:
    """The sample site with the booking rate limit out of the way."""
    text = (
        sample_config_text() + "\n[server]\nbooking_per_minute = 1000000\nbooking_burst = 1000000\n"
        "booking_overall_per_minute = 1000000\nbooking_overall_burst = 1000000\n"
        "booking_session_per_minute = 1000000\nbooking_session_burst = 1000000\n"
    )
    path = Path(tempfile.mkdtemp(prefix="antrian-bench-")) / "site.toml"
    path.write_text(text)
    return path


def targets(url: str) -> list[tuple[str, str, str, int]]:
    """(service, date, session, places) of every session still to come today."""
    with httpx.Client(base_url=url + "/api/v1") as c:
        offered = c.get("/bookings/services").json()
        day = offered["days"][0]
        out = []
        for agency in offered["agencies"]:
            for svc in agency["services"]:
                slots = c.get("/bookings/slots", params={"service": svc["code"], "date": day})
                out += [
                    (svc["code"], day, s["session"], s["places"]) for s in slots.json()["slots"]
                ]
        return out


async def run(url: str, bookings: int, clients: int) -> tuple[float, list[float], list[tuple]]:
    host, port = urlsplit(url).hostname or "127.0.0.1", urlsplit(url).port or 80
    sessions = targets(url)
    todo = list(range(bookings))
    latencies: list[float] = []
    results: list[tuple] = []
    needs_nik = {"KTP", "KK"}  # the sample's (demo keeps them)

    async def client() -> None:
        conn = await Connection.open(host, port)
        while todo:
            i = todo.pop()
            service, day, session, _places = sessions[i % len(sessions)]
            payload: dict[str, object] = {
                "service": service,
                "date": day,
                "session": session,
                "name": f"Warga {i}",
                "phone": f"0812{i:08d}",
            }
            if service in needs_nik:
                payload["nik"] = f"3578{i:012d}"
            t = time.perf_counter()
            status, answer = await conn.post(payload)
            latencies.append(time.perf_counter() - t)
            results.append((status, answer.get("code"), service, session))
        conn.writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return time.perf_counter() - start, latencies, results


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--bookings", type=int, default=2000)
    p.add_argument("--clients", type=int, default=32)
    args = p.parse_args()
    with Server(config=config_file()) as server:
        cpu = server.cpu_seconds()
        wall, latencies, results = asyncio.run(run(server.url, args.bookings, args.clients))
        cpu = server.cpu_seconds() - cpu
    statuses = Counter(status for status, *_ in results)
    bad = [r for r in results if r[0] not in (201, 409) or (r[0] == 409 and r[1] != "full")]
    ms = [x * 1000 for x in latencies]
    print(f"booking_rate: {args.clients} clients; {machine()}")
    print(f"  {len(results)} requests in {wall:.1f} s = {len(results) / wall:.0f} bookings/s")
    print(
        f"    latency p50 {percentile(ms, 50):.1f} ms  p90 {percentile(ms, 90):.1f} ms"
        f"  p99 {percentile(ms, 99):.1f} ms  max {max(ms):.1f} ms"
    )
    print(
        f"    answers {dict(statuses)}; server CPU {cpu / len(results) * 1000:.2f} ms per request"
    )
    print("    ok: every answer a 201 or a 409 full" if not bad else f"    PROBLEMS: {bad[:5]}")


if __name__ == "__main__":
    main()
