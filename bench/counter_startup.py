"""Counter terminal start-up: process start to the login screen's first saved frame.

Starts a demo server, then runs `antrian counter --screenshots` N times and reads the
time of "saved .../01-login.png" from its log. Reports the median (a figure, not a test).
Usage: .venv/bin/python bench/counter_startup.py [N]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent / "antrian"


def start_server(data: Path) -> tuple[subprocess.Popen[bytes], str]:
    ready = data / "ready"
    proc = subprocess.Popen(
        [
            str(BIN),
            "server",
            "--demo",
            "--no-zeroconf",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--data-dir",
            str(data),
            "--ready-file",
            str(ready),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while not (ready.exists() and ready.read_text().strip()):
        time.sleep(0.05)
    return proc, ready.read_text().strip()


def one_run(url: str, out: Path) -> float:
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", SDL_AUDIODRIVER="dummy")
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [str(BIN), "counter", "--server", url, "--screenshots", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    assert proc.stdout is not None
    took = float("nan")
    for line in proc.stdout:
        if b"01-login.png" in line and b"saved" in line:
            took = time.monotonic() - t0
            break
    proc.kill()
    proc.wait()
    return took


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as tmp:
        server, url = start_server(Path(tmp))
        try:
            times = [one_run(url, Path(tmp) / f"shots{i}") for i in range(n)]
        finally:
            server.terminate()
            server.wait()
    print(
        f"counter start-up to first login frame, {n} runs: "
        f"median {statistics.median(times):.2f} s, min {min(times):.2f} s, "
        f"max {max(times):.2f} s"
    )


if __name__ == "__main__":
    main()
