"""Server memory and issuing with 100 subscribers, some of them dead (never reading).

    .venv/bin/python -m bench.slow_subscribers [--live 90] [--dead 10] [--tickets 3000]

A dead subscriber completes the WebSocket handshake and never reads; the
server's per-subscriber queue (1000 events) must fill and the server must cut
it loose (close code 4008) instead of blocking or growing. Prints the issuing
rate and the server's RSS before, during and after, and what each dead
subscriber finally received.
"""

from __future__ import annotations

import argparse
import time

from bench.common import Server, machine, percentile
from tests.client.wire import DeadSubscriber, LiveSubscribers, issue_many

SERVICES = ["KTP", "KK", "AKTA", "IZIN", "JKN", "SKCK"]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--live", type=int, default=90)
    p.add_argument("--dead", type=int, default=10)
    p.add_argument("--tickets", type=int, default=3000)
    args = p.parse_args()
    with Server() as server:
        idle = server.memory_kb()
        dead = [DeadSubscriber(server.url) for _ in range(args.dead)]
        live = LiveSubscribers(server.url, args.live)
        connected = server.memory_kb()
        t0 = time.perf_counter()
        lat = [t * 1000 for t in issue_many(server.url, args.tickets, SERVICES, threads=4)]
        took = time.perf_counter() - t0
        caught_up = live.wait_for(args.tickets, timeout=120)
        busy, peak = server.memory_kb(), server.memory_kb("VmHWM")
        results = [d.read_all(timeout=30) for d in dead]
        live.close()
        for d in dead:
            d.close()
        gapless = all(s == list(range(1, args.tickets + 1)) for s in live.seqs)
    print(
        f"slow_subscribers: {args.live} live + {args.dead} dead, {args.tickets} tickets; "
        f"{machine()}"
    )
    print(
        f"  issuing {args.tickets / took:.0f}/s, p50 {percentile(lat, 50):.1f} ms, "
        f"p99 {percentile(lat, 99):.1f} ms"
    )
    print(f"  live subscribers caught up: {caught_up}; all gapless 1..{args.tickets}: {gapless}")
    for i, (seqs, code) in enumerate(results):
        prefix = seqs == list(range(1, len(seqs) + 1))
        print(f"  dead #{i}: got {len(seqs)} events (gapless prefix: {prefix}), close code {code}")
    print(
        f"  server RSS: idle {idle // 1024} MB, {args.live + args.dead} connected "
        f"{connected // 1024} MB, after issuing {busy // 1024} MB, peak {peak // 1024} MB"
    )


if __name__ == "__main__":
    main()
