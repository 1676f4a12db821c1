"""Kiosk start-up: time from launching the process to the first usable frame (target < 3 s).

"Usable" = connected to the server, agency tiles enabled and drawn in a frame.
Starts a demo server (not timed), then launches the kiosk N times in fresh
processes (offscreen window, 1080x1920) and prints each time and the median.

    .venv/bin/python bench/kiosk_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child(url: str) -> None:
    """In the measured process: build the real app and report when it is usable."""
    t0 = time.perf_counter()
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    sys.path.insert(0, str(ROOT))
    from kivy.config import Config as KivyConfig

    KivyConfig.set("graphics", "width", "1080")
    KivyConfig.set("graphics", "height", "1920")
    from kiosk.app import escpos_cache, start

    escpos_cache()  # as `antrian kiosk` does before anything imports escpos
    from shared.config import ClientConfig, load_config

    config = load_config(None)
    config = config.model_copy(update={"client": ClientConfig(server=url)})
    t_import = time.perf_counter()
    app, ctl, worker = start(config, screenshots=Path(tempfile.mkdtemp()))
    from kiosk.shots import pump, pump_until, start_embedded

    start_embedded(app)
    t_window = time.perf_counter()
    pump_until(lambda: ctl.screen == "home" and ctl.usable, timeout=30)
    pump(1)  # the frame with enabled tiles is drawn
    t_usable = time.perf_counter()
    print(f"READY config={t_import - t0:.3f} window={t_window - t0:.3f} "
          f"usable={t_usable - t0:.3f}", flush=True)  # fmt: skip
    app.stop()
    worker.stop()


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--child", metavar="URL", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args.child)
        return 0
    data = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    ready = data / "ready"
    server = subprocess.Popen(
        [sys.executable, "-m", "shared.cli", "server", "--demo", "--no-zeroconf", "--host",
         "127.0.0.1", "--port", "0", "--data-dir", str(data), "--ready-file", str(ready)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        while not (ready.exists() and ready.read_text().strip()):
            if server.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.05)
        url = ready.read_text().strip()
        totals = []
        env = dict(os.environ, KIVY_HOME=str(data / "kivy"))
        for run in range(args.runs):
            start = time.perf_counter()
            proc = subprocess.Popen([sys.executable, __file__, "--child", url], cwd=ROOT,
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                    text=True)  # fmt: skip
            assert proc.stdout is not None
            line = ""
            for line in proc.stdout:
                if line.startswith("READY"):
                    break
            total = time.perf_counter() - start
            proc.wait(30)
            totals.append(total)
            print(f"run {run + 1}: launch-to-usable {total:.2f} s  ({line.strip()})")
        print(f"median launch-to-usable: {statistics.median(totals):.2f} s "
              f"(target < 3 s) over {len(totals)} runs")  # fmt: skip
    finally:
        server.terminate()
        server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
