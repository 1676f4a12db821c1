"""The token buckets: a burst, then the rate; keys apart; memory bounded."""

from __future__ import annotations

import pytest

from server.access.ratelimit import Buckets, RateLimited


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_the_rate_per_key() -> None:
    clock = Clock()
    buckets = Buckets(rate=0.5, burst=3, clock=clock)
    for _ in range(3):
        buckets.take("10.0.0.5")
    with pytest.raises(RateLimited) as refused:
        buckets.take("10.0.0.5")
    assert refused.value.retry_after == pytest.approx(2.0)
    buckets.take("10.0.0.6")  # another address has its own bucket
    clock.now += 2.0
    buckets.take("10.0.0.5")
    with pytest.raises(RateLimited):
        buckets.take("10.0.0.5")


def test_memory_is_bounded_by_forgetting_the_oldest() -> None:
    buckets = Buckets(rate=1, burst=1, keys=100, clock=Clock())
    for i in range(1000):
        buckets.take(f"k{i}")
    assert len(buckets._buckets) == 100
    buckets.take("k0")  # forgotten, so a fresh burst
    with pytest.raises(RateLimited):
        buckets.take("k999")
