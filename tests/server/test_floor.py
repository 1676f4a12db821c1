"""The floor now, its alerts (opened and ended), and the devices' heartbeat."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from server.queue.rules import QueueService
from server.queue.site import Site
from server.reports.alerts import evaluate_alerts
from server.reports.tables import AlertRow
from server.reports.views import Floor, floor_view, list_alerts
from server.store.db import Store
from server.store.tables import DeviceRow, EventRow
from tests import seed
from tests.server.conftest import MONDAY_9AM, FakeClock, LiveServer
from tests.server.test_api import officer_token


def floor(store: Store, site: Site, clock: FakeClock) -> Floor:
    with store.read() as s:
        return floor_view(s, site, clock())


def alerts_now(store: Store, site: Site, clock: FakeClock) -> tuple[int, int]:
    with store.write() as s:
        return evaluate_alerts(s, site, clock())


def service(f: Floor, code: str):  # type: ignore[no-untyped-def]
    return next(x for a in f.agencies for x in a.services if x.code == code)


def counter(f: Floor, code: str):  # type: ignore[no-untyped-def]
    return next(c for c in f.counters if c.code == code)


def test_the_floor_figures(queue: QueueService, store: Store, site: Site, clock: FakeClock) -> None:
    q = queue
    for i in range(4):
        q.issue("KTP", False, f"f-{i}", None)
        clock.advance(minutes=2)  # issued 09:00, 09:02, 09:04, 09:06
    q.open_counter("L03", "sari")
    q.open_counter("L04", "andi")
    clock.now = MONDAY_9AM + timedelta(minutes=10)
    q.call_next("L03")  # B001 waited 10
    clock.now = MONDAY_9AM + timedelta(minutes=20)
    q.finish("L03")
    q.call_next("L04")  # B002 waited 18
    clock.now = MONDAY_9AM + timedelta(minutes=45)
    q.call_next("L03")  # B003 waited 41: over the 30-minute target
    clock.now = MONDAY_9AM + timedelta(minutes=50)
    f = floor(store, site, clock)
    ktp = service(f, "KTP")
    assert (ktp.waiting, ktp.served_today, ktp.issued_today) == (1, 1, 4)
    assert ktp.longest_wait_minutes == 44.0  # B004, issued 09:06
    assert ktp.mean_wait_last_hour == 23.0  # 10, 18, 41
    assert (ktp.called_today, ktp.within_target_today, ktp.service_level_today) == (3, 2, 66.7)
    assert ktp.quota_left == 300 - 4
    dukcapil = next(a for a in f.agencies if a.code == "DUKCAPIL")
    assert (dukcapil.waiting, dukcapil.longest_wait_minutes) == (1, 44.0)
    assert dukcapil.mean_wait_last_hour == 23.0 and dukcapil.service_level_today == 66.7
    l03, l04 = counter(f, "L03"), counter(f, "L04")
    assert (l03.status, l03.officer, l03.ticket, l03.serving_minutes) == (
        "open",
        "sari",
        "B003",
        5.0,
    )
    assert (l03.served_today, l04.ticket, l04.serving_minutes) == (1, "B002", 30.0)
    assert counter(f, "L01").status == "closed"
    assert (f.waiting, f.served_today) == (1, 1)
    clock.now = MONDAY_9AM + timedelta(minutes=53)
    q.finish("L03")
    clock.now = MONDAY_9AM + timedelta(minutes=60)
    assert counter(floor(store, site, clock), "L03").idle_minutes == 7.0


def test_alerts_open_and_end(
    queue: QueueService, store: Store, site: Site, clock: FakeClock
) -> None:
    q = queue
    site.config.alerts.pause_minutes = 10
    q.issue("KK", False, "a-1", None)  # target 30 minutes
    q.open_counter("L04", "andi")
    q.pause("L04")
    clock.advance(minutes=5)
    assert alerts_now(store, site, clock) == (0, 0)
    clock.advance(minutes=6)  # paused 11 minutes, one waiting for KK
    assert alerts_now(store, site, clock) == (1, 0)
    clock.advance(minutes=20)  # waited 31 minutes
    assert alerts_now(store, site, clock) == (1, 0)
    assert alerts_now(store, site, clock) == (0, 0)  # nothing new: no second row
    with store.read() as s:
        open_ = [(a.kind, a.subject) for a in list_alerts(s) if a.ended_at is None]
    assert sorted(open_) == [("pause", "L04"), ("wait", "KK")]
    clock.advance(minutes=1)
    q.resume("L04")
    q.call_next("L04")
    assert alerts_now(store, site, clock) == (0, 2)
    with store.read() as s:
        rows = s.scalars(select(AlertRow).order_by(AlertRow.id)).all()
    assert [(r.kind, r.started_at, r.ended_at) for r in rows] == [
        ("pause", MONDAY_9AM + timedelta(minutes=11), MONDAY_9AM + timedelta(minutes=32)),
        ("wait", MONDAY_9AM + timedelta(minutes=31), MONDAY_9AM + timedelta(minutes=32)),
    ]
    assert "31 menit" in rows[1].message


def test_quota_and_device_alerts(
    queue: QueueService, store: Store, site: Site, clock: FakeClock
) -> None:
    site.config.alerts.quota_left = 2
    site.services["TANAH"][1].quota = 4
    queue.issue("TANAH", False, "q-1", None)
    assert alerts_now(store, site, clock) == (0, 0)
    queue.issue("TANAH", False, "q-2", None)
    assert alerts_now(store, site, clock) == (1, 0)
    with store.write() as s:
        seed.add_device(s, "kiosk-lobi", "kiosk", clock())
        seed.add_device(s, "tv-ruang", "display", clock())
        for d in s.scalars(select(DeviceRow)):
            d.last_seen_at = clock()
            d.state = json.dumps({"printer": "paper_out"} if d.role == "kiosk" else {"voice": "ok"})
    assert alerts_now(store, site, clock) == (1, 0)  # the printer
    clock.advance(minutes=site.config.alerts.device_silent_minutes)
    assert alerts_now(store, site, clock) == (2, 0)  # both silent
    with store.read() as s:
        kinds = sorted((a.kind, a.subject) for a in list_alerts(s) if a.ended_at is None)
    assert kinds == [
        ("printer", "kiosk-lobi"),
        ("quota", "TANAH"),
        ("silent", "kiosk-lobi"),
        ("silent", "tv-ruang"),
    ]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_heartbeat_and_floor_over_http(live: LiveServer) -> None:
    ctx = live.ctx
    with ctx.store.write() as s:
        kiosk = seed.add_device(s, "kiosk-1", "kiosk", MONDAY_9AM)
        tv = seed.add_device(s, "tv-1", "display", MONDAY_9AM)

    def device_events() -> list[dict[str, object]]:
        with ctx.store.read() as s:
            bodies = s.scalars(select(EventRow.body).where(EventRow.type == "device.state"))
            return [json.loads(b) for b in bodies]

    with live.client(kiosk) as k, live.client(tv) as t:
        assert k.post("/devices/heartbeat", json={"printer": "ok"}).status_code == 204
        assert k.post("/devices/heartbeat", json={"printer": "ok"}).status_code == 204
        assert t.post("/devices/heartbeat", json={"voice": "ok", "last_seq": 3}).status_code == 204
        assert t.post("/devices/heartbeat", json={"voice": "ok", "last_seq": 9}).status_code == 204
        assert len(device_events()) == 2  # the first beat of each; repeats are no change
        assert k.post("/devices/heartbeat", json={"printer": "paper_out"}).status_code == 204
        bad = t.post("/devices/heartbeat", json={"voice": "loud"})
        assert bad.status_code == 422 and bad.json()["code"]
        assert k.get("/floor").status_code == 403
    events = device_events()
    assert len(events) == 3
    assert events[-1]["device"] == {
        "name": "kiosk-1",
        "role": "kiosk",
        "state": {"printer": "paper_out"},
    }
    with live.client(officer_token(live)) as c:
        got = c.get("/floor")
    assert got.status_code == 200
    devices = {d["name"]: d for d in got.json()["devices"]}
    assert devices["kiosk-1"]["state"] == {"printer": "paper_out"}
    assert devices["tv-1"]["state"] == {"voice": "ok", "last_seq": 9}
    assert {"agencies", "counters", "alerts", "waiting"} <= set(got.json())


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_apps_clients_send_heartbeats(live: LiveServer) -> None:
    """The kiosk's ApiClient and the TV's BoardClient, as the apps send them."""
    from display.net import BoardClient
    from shared.client import ApiClient

    with live.ctx.store.write() as s:
        kiosk = seed.add_device(s, "kiosk-2", "kiosk", MONDAY_9AM)
        tv = seed.add_device(s, "tv-2", "display", MONDAY_9AM)
    ApiClient(live.url, kiosk).heartbeat(printer="paper_near_end", detail="sensor")
    BoardClient(live.url, tv).heartbeat("failed", 42)
    ApiClient(live.url, kiosk).device_status("paper_out")  # the older call: the same record
    with live.ctx.store.read() as s:
        states = {d.name: json.loads(d.state) for d in s.scalars(select(DeviceRow))}
    assert states["tv-2"] == {"voice": "failed", "last_seq": 42}
    assert states["kiosk-2"] == {"printer": "paper_out"}
