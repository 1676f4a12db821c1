"""Exactness under load: 1,000 concurrent bookings for 100 places against a real server
process, on SQLite and PostgreSQL: exactly 100 accepted, the rest 409, no 5xx."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests import aio
from tests.serverproc import ServerProcess

SITE = """
[site]
name = "Uji beban"
[schedule]
always_open = true
[server]
booking_per_minute = 1000000
booking_burst = 1000000
booking_overall_per_minute = 1000000
booking_overall_burst = 1000000
booking_session_per_minute = 1000000
booking_session_burst = 1000000
booking_release_minutes = 0
[[agencies]]
code = "DUK"
name = "Dukcapil"
  [[agencies.services]]
  code = "KTP"
  name = "KTP-el"
  prefix = "A"
  quota = 300
  sessions = [{ range = "00:00-24:00", places = 100 }]
[[counters]]
code = "L01"
name = "Loket 1"
agency = "DUK"
services = ["KTP"]
"""
REQUESTS = 1000
PLACES = 100


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    config = tmp_path / "site.toml"
    config.write_text(SITE)
    proc = ServerProcess(tmp_path, demo=False, db=db_url, config=config)
    proc.start()
    yield proc
    proc.stop()


def booking(i: int) -> dict[str, object]:
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    return {
        "service": "KTP",
        "date": str(today),
        "session": "00:00-24:00",
        "name": f"Warga {i}",
        "phone": f"0812{i:08d}",
    }


async def post(host: str, port: int, path: str, payload: dict[str, object]) -> tuple[int, dict]:
    """One request on its own connection: a lean client (httpx's pool crawls at 1,000)."""
    reader, writer = await asyncio.open_connection(host, port)
    body = json.dumps(payload).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    writer.write(head.encode() + body)
    status = int((await reader.readline()).split()[1])
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    answer = json.loads(await reader.readexactly(length))
    writer.close()
    return status, answer


async def book_all(url: str, first: int, n: int) -> list[tuple[int, dict]]:
    """`n` bookings sent at once, each on its own connection."""
    host, port = url.removeprefix("http://").split(":")
    return await asyncio.gather(
        *(post(host, int(port), "/api/v1/bookings", booking(i)) for i in range(first, first + n))
    )


@pytest.mark.slow
def test_exactly_the_places_are_booked_and_a_cancel_frees_one(server: ServerProcess) -> None:
    answers = aio.run(book_all(server.url, 0, REQUESTS))
    statuses = Counter(status for status, _ in answers)
    assert statuses == {201: PLACES, 409: REQUESTS - PLACES}, statuses
    assert {a["code"] for status, a in answers if status == 409} == {"full"}
    accepted = [a for status, a in answers if status == 201]
    assert len({b["code"] for b in accepted}) == PLACES  # none twice
    with httpx.Client(base_url=server.url + "/api/v1") as c:
        slots = c.get("/bookings/slots", params={"service": "KTP", "date": accepted[0]["date"]})
        assert slots.json()["slots"][0]["left"] == 0
        assert c.post(f"/bookings/{accepted[0]['token']}/cancel").status_code == 200
        slots = c.get("/bookings/slots", params={"service": "KTP", "date": accepted[0]["date"]})
        assert slots.json()["slots"][0]["left"] == 1
    again = aio.run(book_all(server.url, REQUESTS, 50))
    assert Counter(status for status, _ in again) == {201: 1, 409: 49}
