"""kill -9 of the server during a burst of calls: every due message reaches the gateway
exactly once after the restart (a real server process, a local HTTP gateway)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from server.notify.tables import OutboxRow, PhoneRow
from server.store.db import Store
from tests.notify_wire import FakeGateway, site_toml
from tests.serverproc import ServerProcess

PHONES = 30
COUNTERS = ("L03", "L04", "L05")


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    # A gateway far enough away that messages are in flight when the server dies.
    with FakeGateway(delay=0.03) as gw:
        yield gw


def site_with_gateway(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(
        site_toml(f'channel = "http"\nurl = "{url}"\nper_minute = 10000'), encoding="utf-8"
    )
    return path


def officer(c: httpx.Client) -> str:
    r = c.post("/sessions", json={"username": "demo", "pin": "123456", "counter": "L03"})
    assert r.status_code == 201, r.text
    return str(r.json()["token"])


def test_kill_9_during_a_burst_of_calls_loses_and_doubles_no_message(
    db_url: str, tmp_path: Path, gateway: FakeGateway
) -> None:
    proc = ServerProcess(
        tmp_path, demo=True, db=db_url, config=site_with_gateway(tmp_path, gateway.url)
    )
    base = proc.start() + "/api/v1"
    kiosk = httpx.Client(base_url=base, headers={"Authorization": "Bearer demo-kiosk"})
    for i in range(PHONES):
        r = kiosk.post(
            "/tickets",
            json={"service": "KK", "request_id": f"kill-phone-{i:04d}", "phone": f"0812000{i:05d}"},
        )
        assert r.status_code == 201, r.text
    kiosk.close()
    token = officer(httpx.Client(base_url=base))
    called: list[str] = []  # calls the server acknowledged: their message must exist

    def burst(counter: str) -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
            while True:
                try:
                    r = c.post(f"/counters/{counter}/call", timeout=5)
                except httpx.HTTPError:
                    return  # the server is gone
                if r.status_code == 200 and r.json()["ticket"]:
                    called.append(r.json()["ticket"]["code"])
                elif r.status_code == 200:
                    return  # the line is empty

    threads = [threading.Thread(target=burst, args=(c,)) for c in COUNTERS]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20
    # a third of the line called (the gateway has had messages since the issues)
    while len(called) < PHONES // 3 and time.monotonic() < deadline:
        time.sleep(0.002)
    assert gateway.posts
    proc.kill()  # kill -9 in the middle: calls, commits and sends in flight
    for t in threads:
        t.join(10)
    assert 0 < len(called) < PHONES, "the kill should land inside the burst"
    try:
        proc.start()
        store = Store(db_url)
        try:

            def settled() -> list[OutboxRow]:
                with store.read() as s:
                    return list(s.scalars(select(OutboxRow)))

            deadline = time.monotonic() + 30
            while any(r.state != "sent" for r in settled()) and time.monotonic() < deadline:
                time.sleep(0.1)
            rows = settled()
            with store.read() as s:
                phones = {p.ticket_id for p in s.scalars(select(PhoneRow))}
        finally:
            store.dispose()
    finally:
        proc.stop()
    assert rows and all(r.state == "sent" for r in rows), [(r.id, r.state) for r in rows]
    # exactly once: one message per outbox row at the gateway, none without a row
    keys = {p["headers"]["Idempotency-Key"] for p in gateway.posts}
    assert keys == {f"antrian-{r.id}" for r in rows}
    assert len(gateway.messages()) == len(rows)
    # none lost: every acknowledged call of a ticket with a phone has its message
    called_rows = [r for r in rows if r.kind == "called"]
    assert len(called_rows) >= len(called)
    assert {r.ticket_id for r in called_rows} <= phones
    # and nobody got two messages of one kind
    assert len({(r.ticket_id, r.kind) for r in rows}) == len(rows)
    resent = len(gateway.posts) - len(keys)
    print(f"messages {len(rows)}, calls acknowledged {len(called)}, sent again after kill {resent}")
