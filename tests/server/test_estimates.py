"""The estimate cache: entries made together lapse at different times."""

from __future__ import annotations

import time

from server.estimates import SPREAD, EstimateCache


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
