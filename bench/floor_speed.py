"""The floor page with 60 counters: how fast it loads and how soon it follows a call.

    .venv/bin/python -m bench.floor_speed [--counters 60] [--calls 20] [--loads 20] [--busy 20]

Starts `antrian server --demo` with the sample site grown to 60 counters, issues three
tickets per counter, and then:
- times GET /console/floor (the whole page), its live fragment and GET /api/v1/floor
  (median and p90 of --loads, signed in as the demo admin);
- opens the page in Debian's chromium (Playwright) and, for --calls calls, times from
  POST /counters/X/call to the called ticket's code shown on the page (no reload), while
  kiosks issue --busy tickets/s, so the page's event stream never goes quiet.
Targets (docs/ARCHITECTURE.md): the page loads under 300 ms; it follows a call within 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.common import Server, machine, percentile, sample_config_text
from shared.config import parse_config


def config_with(counters: int) -> Path:
    """The sample site with counters L01..L{counters}, spread over its agencies."""
    text = sample_config_text()
    cfg = parse_config(text)
    have = len(cfg.counters)
    extra = []
    for i in range(have + 1, counters + 1):
        agency = cfg.agencies[i % len(cfg.agencies)]
        services = ", ".join(f'"{s.code}"' for s in agency.services)
        extra.append(
            f'\n[[counters]]\ncode = "L{i:02d}"\nname = "Loket {i}"\n'
            f'agency = "{agency.code}"\nservices = [{services}]\n'
        )
    path = Path(tempfile.mkdtemp(prefix="antrian-floor-")) / "site.toml"
    path.write_text(text + "".join(extra), encoding="utf-8")
    parse_config(path.read_text(encoding="utf-8"))  # the grown site is still valid
    return path


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values):6.1f} ms, p90 {percentile(values, 90):6.1f} ms"


def _issue(kiosk: httpx.Client, services: list[str], rate: float, stop: threading.Event) -> None:
    """Issue tickets at `rate` per second until stopped: a stream of events to follow."""
    n = 0
    while not stop.wait(1.0 / rate):
        n += 1
        body = {"service": services[n % len(services)], "request_id": f"busy-{n:06d}"}
        kiosk.post("/tickets", json=body).raise_for_status()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench.floor_speed", description=__doc__.split("\n")[0])
    p.add_argument("--counters", type=int, default=60)
    p.add_argument("--calls", type=int, default=20)
    p.add_argument("--loads", type=int, default=20)
    p.add_argument(
        "--busy", type=float, default=20.0, help="tickets/s issued meanwhile (0: a quiet floor)"
    )
    args = p.parse_args(argv)
    config = config_with(args.counters)
    codes = [c.code for c in parse_config(config.read_text(encoding="utf-8")).counters]
    with Server(config=config) as server:
        api = server.url + "/api/v1"
        # The demo officer is a supervisor: one session calls at any counter (sign-in is
        # rate-limited per address, so not one session per counter).
        r = httpx.post(
            api + "/sessions", json={"username": "demo", "pin": "123456", "counter": codes[0]}
        )
        r.raise_for_status()
        officer = r.json()["token"]
        admin = httpx.post(
            api + "/sessions", json={"username": "admin", "password": "demo-admin-2026"}
        )
        admin.raise_for_status()
        cookie = admin.json()["token"]
        cfg = parse_config(config.read_text(encoding="utf-8"))
        services = {c.code: c.services[0] for c in cfg.counters}
        kiosk = httpx.Client(base_url=api, headers={"Authorization": "Bearer demo-kiosk"})
        n = 0
        for code in codes:  # a queue everywhere: three tickets per counter's first service
            for _ in range(3):
                n += 1
                kiosk.post(
                    "/tickets", json={"service": services[code], "request_id": f"floor-{n:06d}"}
                ).raise_for_status()
        with httpx.Client(base_url=server.url, cookies={"antrian_console": cookie}) as web:
            for path in ("/console/floor", "/console/floor/live", "/api/v1/floor"):
                headers = {"Authorization": f"Bearer {cookie}"} if path.startswith("/api") else {}
                web.get(path, headers=headers).raise_for_status()
                took = []
                for _ in range(args.loads):
                    t0 = time.perf_counter()
                    web.get(path, headers=headers).raise_for_status()
                    took.append((time.perf_counter() - t0) * 1000)
                print(f"GET {path:<22} {_ms(took)} ({args.counters} counters); {machine()}")
        from playwright.sync_api import sync_playwright

        follow = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
            ctx = browser.new_context(viewport={"width": 1366, "height": 768})
            host = server.url.split("//", 1)[1].split(":")[0]
            ctx.add_cookies(
                [{"name": "antrian_console", "value": cookie, "domain": host, "path": "/"}]
            )
            page = ctx.new_page()
            t0 = time.perf_counter()
            page.goto(server.url + "/console/floor")
            page.wait_for_selector("#ctr-L01")
            print(f"browser: the floor page shown in {(time.perf_counter() - t0) * 1000:.0f} ms")
            shown = []
            for _ in range(5):  # again, as a manager coming back to it would see it
                t0 = time.perf_counter()
                page.goto(server.url + "/console/floor")
                page.wait_for_selector("#ctr-L01")
                shown.append((time.perf_counter() - t0) * 1000)
            print(f"browser: the floor page opened again: {_ms(shown)}")
            page.wait_for_timeout(1000)  # its event stream is open
            stop = threading.Event()
            busy = threading.Thread(
                target=_issue, args=(kiosk, list(services.values()), args.busy, stop)
            )
            if args.busy > 0:
                busy.start()
            for i in range(args.calls):
                code = codes[i % len(codes)]
                t0 = time.perf_counter()
                r = httpx.post(
                    f"{api}/counters/{code}/call",
                    headers={"Authorization": f"Bearer {officer}"},
                )
                r.raise_for_status()
                ticket = r.json()["ticket"]["code"]
                page.wait_for_function(
                    "([id, code]) => { const el = document.querySelector(id);"
                    " return el && el.textContent.trim() === code; }",
                    arg=[f"#ctr-{code} .ctr-ticket", ticket],
                    timeout=10_000,
                    polling=10,
                )
                follow.append((time.perf_counter() - t0) * 1000)
                time.sleep(0.3)
            stop.set()
            if busy.is_alive():
                busy.join()
            browser.close()
        print(
            f"call -> shown on the floor page: {_ms(follow)} ({args.calls} calls,"
            f" {args.busy:g} tickets/s issued meanwhile); {machine()}"
        )
        rss, peak = server.memory_kb() / 1024, server.memory_kb("VmHWM") / 1024
        print(f"server memory {rss:.1f} MB, peak {peak:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
