"""Call-to-every-display latency: 100 WebSocket subscribers, N calls through the API.

    .venv/bin/python -m bench.events_latency [--subscribers 100] [--calls 200]

For each call: t0 just before POST /counters/{code}/call; t_i when subscriber i
receives the ticket.called event of that ticket. Reports the latency to the
LAST subscriber (max over i) per call, and over all deliveries.
Target (docs/ARCHITECTURE.md): p99 under 50 ms with 100 displays connected.

The subscribers are raw asyncio websockets clients in one process (100
EventStream threads would measure our own GIL contention instead).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import time
import uuid

from websockets.asyncio.client import connect

from bench.common import Server, freeze_start_up, machine, percentile
from shared.client import ApiClient


class Subscribers:
    def __init__(self, url: str, count: int) -> None:
        self.uri = url.replace("http://", "ws://") + "/api/v1/events?after={after}"
        self.count = count
        self.received: dict[int, list[float]] = {}  # ticket id -> receive times
        self.lock = threading.Lock()
        self.connected = threading.Event()
        self.loop = asyncio.new_event_loop()
        self.stop_event: asyncio.Event | None = None
        self.thread = threading.Thread(target=self._run, name="subscribers")

    def start(self, after: int) -> None:
        self.after = after
        self.thread.start()
        if not self.connected.wait(60):
            raise SystemExit("subscribers did not connect")

    def _run(self) -> None:
        self.loop.run_until_complete(self._main())

    async def _main(self) -> None:
        self.stop_event = asyncio.Event()
        ready = 0

        async def one() -> None:
            nonlocal ready
            async with connect(self.uri.format(after=self.after), proxy=None) as ws:
                ready += 1
                if ready == self.count:
                    self.connected.set()
                reader = asyncio.ensure_future(self._read(ws))
                await self.stop_event.wait()  # type: ignore[union-attr]
                reader.cancel()

        await asyncio.gather(*(one() for _ in range(self.count)))

    async def _read(self, ws: object) -> None:
        async for message in ws:  # type: ignore[attr-defined]
            now = time.perf_counter()
            if '"ticket.called"' not in message:
                continue
            tid = json.loads(message)["ticket"]["id"]
            with self.lock:
                self.received.setdefault(tid, []).append(now)

    def stop(self) -> None:
        if self.stop_event is not None:
            self.loop.call_soon_threadsafe(self.stop_event.set)
        self.thread.join(30)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--subscribers", type=int, default=100)
    p.add_argument("--calls", type=int, default=200)
    p.add_argument("--interval", type=float, default=0.05, help="seconds between calls")
    p.add_argument("--server", help="use this server instead of starting one")
    args = p.parse_args()
    freeze_start_up()

    def run(url: str, server: Server | None) -> None:
        with ApiClient(url, token="demo-kiosk") as kiosk:
            for i in range(args.calls):
                kiosk.issue(("KTP", "KK", "AKTA")[i % 3], False, uuid.uuid4().hex)
            after = kiosk.board(recent=0).seq
        subs = Subscribers(url, args.subscribers)
        subs.start(after)
        sent: dict[int, float] = {}
        try:
            with ApiClient(url) as officer:
                officer.login("demo", "123456", "L03")  # serves KTP, KK, AKTA
                for _ in range(args.calls):
                    t0 = time.perf_counter()
                    answer = officer.call("L03")
                    if answer.ticket is None:
                        break
                    sent[answer.ticket.id] = t0
                    time.sleep(args.interval)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                with subs.lock:
                    if all(len(subs.received.get(t, [])) == args.subscribers for t in sent):
                        break
                time.sleep(0.05)
        finally:
            subs.stop()
        to_last = []
        every = []
        missing = 0
        for tid, t0 in sent.items():
            times = subs.received.get(tid, [])
            missing += args.subscribers - len(times)
            every += [(t - t0) * 1000 for t in times]
            if times:
                to_last.append((max(times) - t0) * 1000)
        print(
            f"events_latency: {len(sent)} calls, {args.subscribers} subscribers, "
            f"one call every {args.interval * 1000:.0f} ms; {machine()}"
        )
        print(
            f"  call -> last subscriber: p50 {percentile(to_last, 50):.1f} ms  "
            f"p99 {percentile(to_last, 99):.1f} ms  max {max(to_last):.1f} ms  (target p99 < 50 ms)"
        )
        print(
            f"  every delivery:         p50 {percentile(every, 50):.1f} ms  "
            f"p99 {percentile(every, 99):.1f} ms; deliveries missing: {missing}"
        )
        if server is not None:
            rss, peak = server.memory_kb() // 1024, server.memory_kb("VmHWM") // 1024
            print(f"  server RSS {rss} MB, peak {peak} MB")

    if args.server:
        run(args.server, None)
    else:
        with Server() as server:
            run(server.url, server)


if __name__ == "__main__":
    main()
