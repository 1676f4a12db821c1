"""The estimate cache: entries made together lapse at different times."""

from __future__ import annotations

import time

from server.queue.estimates import SPREAD, EstimateCache
from tests.server.conftest import LiveServer


def test_entries_made_together_do_not_all_lapse_together() -> None:
    cache = EstimateCache(ttl=2.0)
    services = [f"S{i}" for i in range(40)]
    computed: list[str] = []

    def look_up_all() -> None:
        for service in services:
            cache.get(service, lambda s=service: (computed.append(s), (1.0, 1))[1])

    start = time.monotonic()
    look_up_all()
    assert len(computed) == 40
    computed.clear()

    time.sleep(max(0.0, start + 2.0 * (1 - SPREAD) - 0.3 - time.monotonic()))
    look_up_all()  # before the earliest possible lapse: nothing is worked out again
    assert computed == []

    time.sleep(max(0.0, start + 2.0 * (1 - SPREAD / 2) - time.monotonic()))
    look_up_all()  # halfway through the spread: some lapsed, some not
    assert 0 < len(computed) < 40
    lapsed_early = set(computed)
    computed.clear()

    time.sleep(max(0.0, start + 2.0 + 0.1 - time.monotonic()))
    look_up_all()  # past the TTL: the rest lapsed too (those redone at halfway have not)
    assert set(computed) == set(services) - lapsed_early


def test_a_ticket_says_how_many_counters_are_open_for_it(live: LiveServer) -> None:
    """0 before any officer opens a counter of the service, so no one reads '0 menit' as 'now'."""
    with live.client("demo-kiosk") as kiosk, live.client() as reader:
        first = kiosk.post(
            "/tickets", json={"service": "AIR", "priority": False, "request_id": "estimate-0001"}
        ).json()
        assert first["counters_open"] == 0 and first["ahead"] == 0
        air = next(
            s for a in reader.get("/services").json()["agencies"] for s in a["services"]
            if s["code"] == "AIR"
        )  # fmt: skip
        assert air["counters_open"] == 0 and air["waiting"] == 1
        r = reader.post("/sessions", json={"username": "demo", "pin": "123456", "counter": "L16"})
        assert r.status_code == 201, r.text
        second = kiosk.post(
            "/tickets", json={"service": "AIR", "priority": False, "request_id": "estimate-0002"}
        ).json()
        assert second["counters_open"] == 1 and second["estimated_wait_minutes"] > 0
        # What anyone reads back later says it too; a called ticket has no estimate at all.
        assert reader.get(f"/tickets/{second['id']}").json()["counters_open"] == 1
