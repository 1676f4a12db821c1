"""The day ends at the site's midnight: yesterday's open tickets close then, not later.

A real server (uvicorn on loopback, real WebSocket) whose rules run on a clock we
move by hand; the housekeeping's nap is shortened so the test does not wait for
the real clock. What the TV makes of it is checked with the display's own reader
and controller, fed the server's real board and events.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import websockets.sync.client as ws_client

from counter.controller import CounterController
from display import wire
from display.controller import DisplayController
from display.settings import from_config
from server.access.context import ServerContext
from server.queue.site import Site
from server.runtime import loops
from server.store.db import Store
from shared.client import ServerLocator, Worker
from shared.config import Config
from tests.counter.conftest import UiThread
from tests.server.conftest import FakeClock, LiveServer, run_in_thread

# Monday 23:58 in Jombang (WIB = UTC+7).
LATE_MONDAY = datetime(2026, 11, 30, 16, 58, tzinfo=UTC)


@pytest.fixture
def late(
    store: Store, config: Config, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[LiveServer, FakeClock]]:
    monkeypatch.setattr(loops, "MAX_NAP", 0.02)  # look at the fake clock often
    clock = FakeClock(LATE_MONDAY)
    ctx = ServerContext(store=store, site=Site(config, demo=True), settings=config.server)
    ctx.queue.clock = clock
    ctx.queue.sync_counters()
    for live in run_in_thread(ctx):
        yield live, clock


def officer(live: LiveServer, counter: str) -> str:
    with live.client() as c:
        r = c.post("/sessions", json={"username": "demo", "pin": "123456", "counter": counter})
    assert r.status_code == 201, r.text
    return str(r.json()["token"])


def test_yesterdays_open_tickets_close_at_midnight_and_the_tv_forgets_them(
    late: tuple[LiveServer, FakeClock], config: Config
) -> None:
    live, clock = late
    with live.client("demo-kiosk") as kiosk:
        codes = []
        for i in range(4):
            body = {"service": "IZIN", "priority": False, "request_id": f"monday-{i:04d}"}
            r = kiosk.post("/tickets", json=body)
            assert r.status_code == 201, r.text
            codes.append(r.json()["code"])
    with live.client(officer(live, "L01")) as l01, live.client(officer(live, "L02")) as l02:
        assert l01.post("/counters/L01/call").json()["ticket"]["code"] == codes[0]
        assert l02.post("/counters/L02/call").json()["ticket"]["code"] == codes[1]
        assert l02.post("/counters/L02/start").status_code == 200

    # The officer's app at L01, live from the event stream.
    ui, worker = UiThread(), Worker("day-boundary-counter")
    app = CounterController(ServerLocator(live.url, None), worker, ui.post, tz=config.site.tz)
    assert app.login("demo", "123456", "L01")
    ui.pump(lambda: app.logged_in and app.connection == "connected")
    assert app.state is not None and app.state.ticket is not None

    tv = DisplayController(from_config(config))
    with live.client() as reader:
        board = wire.parse_board(reader.get("/board").content)
    tv.load_board(board)
    assert [c.code for c in tv.recent()] == [codes[1], codes[0]]
    assert tv.spotlight.current is not None

    url = live.url.replace("http", "ws") + f"/api/v1/events?after={board.seq}"
    with ws_client.connect(url) as ws:
        clock.now = datetime(2026, 11, 30, 17, 0, 1, tzinfo=UTC)  # 00:00:01 on Tuesday
        events = []
        deadline = time.monotonic() + 5
        while len(events) < 4 and time.monotonic() < deadline:
            with contextlib.suppress(TimeoutError):
                events.append(wire.parse_event(ws.recv(timeout=0.5)))
    kinds = sorted((e.ticket.code, e.type.value) for e in events if e.ticket)
    assert kinds == sorted(
        [
            (codes[0], "ticket.no_show"),
            (codes[1], "ticket.done"),
            (codes[2], "ticket.cancelled"),
            (codes[3], "ticket.cancelled"),
        ]
    ), "yesterday's open tickets were not closed within seconds of midnight"
    freed = {e.counter.code for e in events if e.counter is not None}
    assert freed == {"L01", "L02"}  # the counters that held them are named, so apps free them

    with live.client() as reader:
        after = json.loads(reader.get("/board").content)
        services = reader.get("/services").json()
    assert all(c["ticket"] is None for c in after["counters"])
    assert after["recent"] == []
    assert all(w["waiting"] == 0 for w in after["waiting"])
    assert services["business_day"] == "2026-12-01"

    # The counter app was told: L01 holds nothing now.
    try:
        ui.pump(lambda: app.state is not None and app.state.ticket is None, timeout=10)
        assert app.view().code == ""
    finally:
        app.close()
        worker.stop()
        if app.client is not None:
            app.client.close()

    # The TV, from the events alone: nothing of Monday is left on it.
    for e in events:
        tv.apply_event(e)
    assert tv.recent() == []
    assert tv.spotlight.current is None
    assert all(c.ticket_code == "" for c in tv.counters())
    assert all(w.waiting == 0 for w in tv.waiting())

    # Tuesday starts at number 1.
    with live.client("demo-kiosk") as kiosk:
        body = {"service": "IZIN", "priority": False, "request_id": "tuesday-0001"}
        r = kiosk.post("/tickets", json=body)
    assert r.json()["number"] == 1


def test_seconds_to_the_next_local_midnight() -> None:
    from zoneinfo import ZoneInfo

    from shared.timeutil import seconds_to_next_day

    wib, wit = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Jayapura")
    assert seconds_to_next_day(wib, LATE_MONDAY) == 120.0  # 23:58 WIB
    assert seconds_to_next_day(wit, LATE_MONDAY) == 22 * 3600 + 120.0  # 01:58 WIT
    assert seconds_to_next_day(wib, datetime(2026, 11, 30, 17, 0, tzinfo=UTC)) == 86400.0
