"""The TV display: call made -> shown on the display (median, p99), start-up, memory after an hour.

Starts a demo server and `antrian display --trace FILE` as separate processes
(offscreen window 1920x1080, software GL, dummy audio driver; the voice is on).
Then:

1. latency: `--calls` calls, one at a time, a pause between them; for each, the
   time from just before `POST /counters/X/call` to the display's trace line for
   that ticket (written right after the widgets were updated; the frame that
   shows it follows within one frame, about 16 ms, not included);
2. an hour compressed: `--hour` calls (3,600 = one a second for an hour, made as
   fast as the server takes them over 18 counters), then the display's memory: RSS, and
   PSS and USS from /proc/PID/smaps_rollup (shared libraries counted fairly / not at all).

    .venv/bin/python -m bench.display_latency [--calls 200] [--hour 3600]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from bench.common import ANTRIAN, Server, machine, percentile
from shared.client import ApiClient
from shared.config import load_config


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def memory_mb(pid: int) -> dict[str, float]:
    """RSS, PSS and USS (private pages) from /proc/PID/smaps_rollup, in MB.

    RSS counts shared library pages in full (libLLVM alone is about 55 MB); PSS splits
    them among the processes that map them; USS is what this process alone holds.
    """
    kb: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        kb[name] = int(rest.split()[0])
    uss = kb["Private_Clean"] + kb["Private_Dirty"]
    return {"rss": kb["Rss"] / 1024, "pss": kb["Pss"] / 1024, "uss": uss / 1024}


def read_trace(path: Path) -> dict[str, float]:
    """'counter code' -> when the display showed it."""
    shown: dict[str, float] = {}
    if not path.exists():
        return shown
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] != "BOARD":
            shown.setdefault(f"{parts[3]} {parts[2]}", float(parts[0]))
    return shown


def wait_for(pred: Callable[[], bool], timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.01)
    return False


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=200)
    p.add_argument("--hour", type=int, default=3600, help="calls in the compressed hour")
    p.add_argument("--pause", type=float, default=0.05, help="seconds between latency calls")
    args = p.parse_args()

    load_before = machine()  # the machine is shared: its load goes with the figures
    config = load_config(None)
    counters = [(c.code, c.services[0]) for c in config.counters]
    work = Path(tempfile.mkdtemp(prefix="antrian-display-bench-"))
    trace = work / "trace.txt"
    env = dict(os.environ)
    env.update(
        SDL_AUDIODRIVER="dummy",
        KIVY_HOME=str(work / "kivy"),
        KIVY_NO_ARGS="1",
        KIVY_NO_CONSOLELOG="1",
        KIVY_NO_FILELOG="1",
    )
    if not env.get("DISPLAY"):
        env["SDL_VIDEODRIVER"] = "offscreen"
    with Server() as server:
        url = server.url
        kiosk = ApiClient(url, "demo-kiosk")
        officers = {}
        for code, _svc in counters:
            officers[code] = ApiClient(url)
            officers[code].login("demo", "123456", code)

        def issue(n: int) -> None:
            for i in range(n):
                _code, svc = counters[i % len(counters)]
                kiosk.issue(svc, False, f"b-{uuid.uuid4().hex}")

        issue(args.calls)
        t_spawn = time.monotonic()
        cmd = [ANTRIAN, "display", "--server", url, "--windowed", "--size", "1920x1080"]
        cmd += ["--trace", str(trace)]
        log = (work / "display.log").open("ab")
        display = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            booted = wait_for(lambda: trace.exists() and "BOARD" in trace.read_text(), 60)
            if not booted:
                raise SystemExit(f"display did not start; see {work / 'display.log'}")
            t_board = float(trace.read_text().split()[0])
            time.sleep(2.0)  # let the event stream connect and the first resync settle
            mem_start = memory_mb(display.pid)

            # 1. latency, one call at a time
            made: dict[str, float] = {}
            for i in range(args.calls):
                code, _svc = counters[i % len(counters)]
                t0 = time.monotonic()
                answer = officers[code].call(code)
                if answer.ticket is not None:
                    made[f"{code} {answer.ticket.code}"] = t0
                time.sleep(args.pause)
            wait_for(lambda: len(read_trace(trace).keys() & made.keys()) == len(made), 30)
            shown = read_trace(trace)
            lat = [(shown[k] - t0) * 1000 for k, t0 in made.items() if k in shown]
            missing = len(made) - len(lat)

            # 2. an hour of calls, compressed
            issue(args.hour)
            t_hour = time.monotonic()
            hour_made: list[str] = []
            for i in range(args.hour):
                code, _svc = counters[i % len(counters)]
                answer = officers[code].call(code)
                if answer.ticket is not None:
                    hour_made.append(f"{code} {answer.ticket.code}")
            t_made = time.monotonic() - t_hour
            wait_for(lambda: set(hour_made) <= read_trace(trace).keys(), 120)
            hour_missing = len(set(hour_made) - read_trace(trace).keys())
            time.sleep(2.0)
            mem_end, rss_peak = memory_mb(display.pid), rss_kb(display.pid, "VmHWM")
        finally:
            display.terminate()
            try:
                display.wait(15)
            except subprocess.TimeoutExpired:
                display.kill()
            kiosk.close()
            for client in officers.values():
                client.close()

    print(f"machine before the run: {load_before}")
    print(f"start-up (spawn -> first board loaded): {t_board - t_spawn:.2f} s (target < 3 s)")
    print(
        f"call -> shown, {len(lat)} calls: median {percentile(lat, 50):.1f} ms, "
        f"p90 {percentile(lat, 90):.1f} ms, p99 {percentile(lat, 99):.1f} ms, "
        f"max {max(lat, default=float('nan')):.1f} ms; not shown: {missing}"
    )
    print(
        f"compressed hour: {len(hour_made)} calls made in {t_made:.1f} s; not shown: {hour_missing}"
    )
    for when, mem in (("after start", mem_start), ("after the hour", mem_end)):
        print(
            f"display memory {when}: RSS {mem['rss']:.0f} MB, PSS {mem['pss']:.0f} MB, "
            f"USS {mem['uss']:.0f} MB"
        )
    print(f"display peak RSS (VmHWM): {rss_peak / 1024:.0f} MB (target < 200 MB)")
    print(f"machine after the run: {machine()}")
    print(f"logs: {work}")


if __name__ == "__main__":
    main()
