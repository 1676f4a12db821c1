"""A call's messages to a local HTTP gateway, with 1,000 waiting tickets that left a number.

    .venv/bin/python -m bench.notify_latency [--waiting 1000] [--calls 100] [--interval 0.1]

A real server (demo, SQLite) with [notify] channel = "http" pointing at a gateway in this
process. The kiosk issues `--waiting` tickets of one service, each with a phone; then a
counter calls `--calls` times. For each call, t0 just before POST /counters/L03/call; the
"called" message of its ticket and the "near" message of the ticket it brought to 3 ahead
are timed to their arrival at the gateway. Meanwhile a second kiosk issues (no phone) at
`--kiosk-rate` per second, timed: the kiosks must keep their p99 while messages flow.
Target (docs/ARCHITECTURE.md): p99 under 2 s to the channel; kiosks keep p99 < 20 ms.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from bench.common import Server, freeze_start_up, machine, percentile, sample_config_text

SERVICE = "KK"  # served at L03 in the sample site


class Gateway:
    """A gateway on 127.0.0.1: when each message's text arrived (perf_counter)."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                now = time.perf_counter()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                text = json.loads(body)["text"]
                with gateway.lock:
                    gateway.arrived.setdefault(text, now)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def find(self, needle: str) -> float | None:
        with self.lock:
            return next((t for text, t in self.arrived.items() if needle in text), None)


def kiosk_load(url: str, rate: float, stop: threading.Event, out: list[float]) -> None:
    """A second kiosk issuing other services at a steady rate, each issue timed (ms)."""
    headers = {"Authorization": "Bearer demo-kiosk"}
    with httpx.Client(base_url=url + "/api/v1", headers=headers) as kiosk:
        due = time.perf_counter()
        while not stop.is_set():
            due += 1 / rate
            t0 = time.perf_counter()
            r = kiosk.post("/tickets", json={"service": "IZIN", "request_id": uuid.uuid4().hex})
            if r.status_code != 201:
                raise SystemExit(f"kiosk issue failed: {r.status_code} {r.text}")
            out.append((time.perf_counter() - t0) * 1000)
            time.sleep(max(0.0, due - time.perf_counter()))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--waiting", type=int, default=1000)
    p.add_argument("--calls", type=int, default=100)
    p.add_argument("--interval", type=float, default=0.1, help="seconds between calls")
    p.add_argument("--kiosk-rate", type=float, default=50.0, help="issues a second")
    p.add_argument(
        "--off", action="store_true", help='channel "none": the same calls, no messages (compare)'
    )
    args = p.parse_args()
    freeze_start_up()
    gateway = Gateway()
    folder = Path(tempfile.mkdtemp(prefix="antrian-bench-notify-"))
    config = folder / "site.toml"
    notify = (
        f'[notify]\nchannel = "{"none" if args.off else "http"}"\nurl = "{gateway.url}"\n'
        "per_minute = 10000\nper_day = 100000\n"
    )
    # the sample's own [notify] section replaced by this one
    text = re.sub(
        r"\[notify\]\n.*?(?=\n\[)", lambda _m: notify, sample_config_text(), count=1, flags=re.S
    )
    config.write_text(text, encoding="utf-8")
    with Server(config=config, data_dir=folder / "data") as server:
        base = server.url + "/api/v1"
        codes: list[str] = []
        issue_ms: list[float] = []
        headers = {"Authorization": "Bearer demo-kiosk"}
        with httpx.Client(base_url=base, headers=headers) as kiosk:
            for i in range(args.waiting):
                body = {
                    "service": SERVICE,
                    "request_id": uuid.uuid4().hex,
                    "phone": f"0812{i:08d}",
                }
                t0 = time.perf_counter()
                r = kiosk.post("/tickets", json=body)
                issue_ms.append((time.perf_counter() - t0) * 1000)
                if r.status_code != 201:
                    raise SystemExit(f"issue failed: {r.status_code} {r.text}")
                codes.append(r.json()["code"])
        with httpx.Client(base_url=base) as anyone:
            login = {"username": "demo", "pin": "123456", "counter": "L03"}
            token = anyone.post("/sessions", json=login).json()["token"]
        # the kiosk alone first (the same load, no calls): what "keep their p99" compares to
        alone_ms: list[float] = []
        quiet = threading.Event()
        alone = threading.Thread(
            target=kiosk_load, args=(server.url, args.kiosk_rate, quiet, alone_ms)
        )
        alone.start()
        time.sleep(args.calls * args.interval)
        quiet.set()
        alone.join(30)
        stop = threading.Event()
        kiosk_ms: list[float] = []
        load = threading.Thread(
            target=kiosk_load, args=(server.url, args.kiosk_rate, stop, kiosk_ms)
        )
        load.start()
        called_at: list[tuple[str, float]] = []
        try:
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
                for _ in range(min(args.calls, args.waiting)):
                    t0 = time.perf_counter()
                    r = c.post("/counters/L03/call")
                    ticket = r.json()["ticket"]
                    if ticket is None:
                        break
                    called_at.append((ticket["code"], t0))
                    time.sleep(args.interval)
        finally:
            time.sleep(1.0)
            stop.set()
            load.join(30)
        # each call causes: its ticket's "called", and "near" for the ticket 4 behind it
        called: list[float] = []
        near: list[float] = []
        missing = 0
        deadline = time.monotonic() + (0 if args.off else 30)
        for k, (code, t0) in enumerate(called_at):
            wanted = [(f"Nomor {code} dipanggil", called)]
            index = codes.index(code) + 4
            if k > 0 and index < len(codes):  # the first call's near came at issue
                wanted.append((f"{codes[index]}: Giliran", near))
            for needle, into in wanted:
                t = gateway.find(needle)
                while t is None and time.monotonic() < deadline:
                    time.sleep(0.05)
                    t = gateway.find(needle)
                if t is None:
                    missing += 1
                else:
                    into.append((t - t0) * 1000)
        both = called + near or [float("nan")]
        print(
            f"notify_latency: {args.waiting} waiting with a phone, {len(called_at)} calls "
            f"every {args.interval * 1000:.0f} ms; {machine()}"
        )
        print(
            f"  issue with a phone:  p50 {percentile(issue_ms, 50):.1f} ms  "
            f"p99 {percentile(issue_ms, 99):.1f} ms"
        )
        print(
            f"  call -> gateway:     p50 {percentile(both, 50):.0f} ms  "
            f"p99 {percentile(both, 99):.0f} ms  max {max(both):.0f} ms  (target p99 < 2000 ms)"
        )
        print(
            f"    called {len(called)}: p99 {percentile(called, 99):.0f} ms; near {len(near)}: "
            f"p99 {percentile(near, 99):.0f} ms; messages missing: {missing}"
        )
        print(
            f"  kiosk meanwhile ({args.kiosk_rate:.0f}/s, {len(kiosk_ms)} issues): "
            f"p50 {percentile(kiosk_ms, 50):.1f} ms  p99 {percentile(kiosk_ms, 99):.1f} ms; "
            f"alone before: p50 {percentile(alone_ms, 50):.1f} ms  "
            f"p99 {percentile(alone_ms, 99):.1f} ms"
        )
        print(f"  server RSS {server.memory_kb() // 1024} MB")


if __name__ == "__main__":
    main()
