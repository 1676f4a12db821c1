"""A TV that stops reading must not slow issuing; the server cuts it loose with 4008."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from tests.client.conftest import ServerProcess
from tests.client.wire import DeadSubscriber, LiveSubscribers, issue_many

log = logging.getLogger(__name__)
SERVICES = ["KTP", "KK", "AKTA", "IZIN", "JKN", "SKCK"]


def test_dead_subscribers_are_cut_loose_and_the_rest_see_everything(
    server_factory: Callable[..., ServerProcess],
) -> None:
    # Queue of 10 instead of 1000 (see small_queue_server.py); the socket and
    # transport buffers in front of it hold another ~390 events on loopback.
    server = server_factory(subscriber_queue=10)
    total = 500
    rss_idle = server.rss_kb()
    dead = [DeadSubscriber(server.url) for _ in range(5)]
    live = LiveSubscribers(server.url, 10)
    try:
        t0 = time.perf_counter()
        latencies = issue_many(server.url, total, SERVICES, threads=4)
        took = time.perf_counter() - t0
        assert len(latencies) == total  # issuing never blocked on the dead ones
        assert live.wait_for(total)
        rss_busy, hwm = server.rss_kb(), server.rss_kb("VmHWM")
        cut = [d.read_all() for d in dead]
    finally:
        live.close()
        for d in dead:
            d.close()
    latencies.sort()
    p50, p99 = latencies[total // 2] * 1000, latencies[int(total * 0.99)] * 1000
    print(
        f"\nissued {total} with 5 dead + 10 live subscribers: {total / took:.0f}/s, "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms;"
        f" server RSS {rss_idle // 1024} -> {rss_busy // 1024} MB, peak {hwm // 1024} MB"
    )
    for seqs in live.seqs:
        assert seqs == list(range(1, total + 1))
    for seqs, code in cut:
        assert code == 4008
        assert seqs == list(range(1, len(seqs) + 1))  # what came before the cut has no gap
        assert len(seqs) < total
    assert hwm < 150 * 1024
