"""Against a real `antrian server` process: many kiosks and counters at once; kill -9."""

from __future__ import annotations

import json
import threading
from collections import Counter, defaultdict

import httpx
import pytest
import websockets.sync.client as ws_client

from tests.server.conftest import ServerProcess

KIOSKS = 6
PER_KIOSK = 40
COUNTERS = ["L01", "L02", "L03", "L04", "L05"]  # overlapping services: IZIN/NONIZIN, KTP/KK/AKTA
SERVICES = ["IZIN", "NONIZIN", "KTP", "KK", "AKTA"]


def all_events(url: str) -> list[dict]:
    """Every event from the log over the real WebSocket replay."""
    board = httpx.get(f"{url}/api/v1/board", timeout=10).json()
    out: list[dict] = []
    with ws_client.connect(url.replace("http", "ws") + "/api/v1/events?after=0") as ws:
        while not out or out[-1]["seq"] < board["seq"]:
            out.append(json.loads(ws.recv(timeout=10)))
    return out


@pytest.mark.slow
def test_many_kiosks_and_counters_at_once(server_process: ServerProcess) -> None:
    url = server_process.url
    api = f"{url}/api/v1"
    issued: list[dict] = []
    called: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def kiosk(k: int) -> None:
        with httpx.Client(
            base_url=api, headers={"Authorization": "Bearer demo-kiosk"}, timeout=30
        ) as c:
            for i in range(PER_KIOSK):
                r = c.post(
                    "/tickets",
                    json={
                        "service": SERVICES[(k + i) % len(SERVICES)],
                        "request_id": f"k{k}-{i:06d}",
                    },
                )
                with lock:
                    (issued.append(r.json()) if r.status_code == 201 else errors.append(r.text))

    def counter(code: str) -> None:
        with httpx.Client(base_url=api, timeout=30) as c:
            token = c.post(
                "/sessions", json={"username": "demo", "pin": "123456", "counter": code}
            ).json()["token"]
            c.headers["Authorization"] = f"Bearer {token}"
            idle = 0
            while idle < 20:
                r = c.post(f"/counters/{code}/call")
                if r.status_code != 200:
                    errors.append(r.text)
                    return
                ticket = r.json()["ticket"]
                if ticket is None:
                    idle += stop.is_set()
                    stop.wait(0.02)
                    continue
                idle = 0
                with lock:
                    called.append(ticket["code"] + "/" + ticket["service"])

    threads = [threading.Thread(target=kiosk, args=(k,)) for k in range(KIOSKS)]
    threads += [threading.Thread(target=counter, args=(c,)) for c in COUNTERS]
    for t in threads:
        t.start()
    for t in threads[:KIOSKS]:
        t.join(120)
    stop.set()
    for t in threads[KIOSKS:]:
        t.join(120)
    assert not errors
    assert len(issued) == KIOSKS * PER_KIOSK
    # Invariant 1: unique, gapless numbers per service.
    numbers: dict[str, list[int]] = defaultdict(list)
    for t in issued:
        numbers[t["service"]].append(t["number"])
    for service, got in numbers.items():
        assert sorted(got) == list(range(1, len(got) + 1)), service
    # Invariant 2: no ticket called twice; every issued ticket was called once.
    assert len(called) == len(set(called)) == len(issued)
    # Invariant 3: the log has every change, gapless.
    events = all_events(url)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    kinds = Counter(e["type"] for e in events)
    assert kinds["ticket.issued"] == len(issued)
    assert kinds["ticket.called"] == len(issued)


def test_kill_9_loses_no_acknowledged_ticket(server_process: ServerProcess) -> None:
    api = f"{server_process.url}/api/v1"
    acknowledged: list[dict] = []
    lock = threading.Lock()

    def kiosk(k: int) -> None:
        with httpx.Client(
            base_url=api, headers={"Authorization": "Bearer demo-kiosk"}, timeout=5
        ) as c:
            for i in range(10_000):
                try:
                    r = c.post("/tickets", json={"service": "KTP", "request_id": f"c{k}-{i:06d}"})
                except httpx.HTTPError:
                    return  # the server died under us
                if r.status_code == 201:
                    with lock:
                        acknowledged.append(r.json())

    threads = [threading.Thread(target=kiosk, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    while len(acknowledged) < 150:
        threading.Event().wait(0.01)
    server_process.kill9()
    for t in threads:
        t.join(30)
    server_process.start()  # same port, same database
    with httpx.Client(base_url=api, timeout=10) as c:
        for t in acknowledged:
            got = c.get(f"/tickets/{t['id']}")
            assert got.status_code == 200 and got.json()["code"] == t["code"]
        r = c.post(
            "/tickets",
            json={"service": "KTP", "request_id": "after-crash-1"},
            headers={"Authorization": "Bearer demo-kiosk"},
        )
    assert r.status_code == 201
    top = max(t["number"] for t in acknowledged)
    assert r.json()["number"] > top  # numbering continues without a repeat
    numbers = sorted(t["number"] for t in acknowledged)
    assert len(numbers) == len(set(numbers))
