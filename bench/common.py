"""What the bench scripts share: a real server process, percentiles, memory figures."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from shared.config import sample_path

ANTRIAN = str(Path(sys.executable).with_name("antrian"))


class Server:
    """`antrian server --demo` on 127.0.0.1, a port of its own, SQLite in a temp dir."""

    def __init__(
        self, config: Path | None = None, data_dir: Path | None = None, db: str | None = None
    ) -> None:
        self.db = db  # a database URL; None: SQLite in the data directory
        self.data_dir = data_dir or Path(tempfile.mkdtemp(prefix="antrian-bench-"))
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.config = config
        self.url = ""
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        ready = self.data_dir / "ready"
        args = [ANTRIAN, "server", "--demo", "--no-zeroconf", "--host", "127.0.0.1", "--port", "0"]
        args += ["--data-dir", str(self.data_dir), "--ready-file", str(ready)]
        if self.config is not None:
            args += ["--config", str(self.config)]
        if self.db is not None:
            args += ["--db", self.db]
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANTRIAN_")}
        log = (self.data_dir / "server.log").open("ab")
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 60
        while not (ready.exists() and ready.read_text().strip()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"server did not start; see {self.data_dir / 'server.log'}")
            time.sleep(0.02)
        self.url = ready.read_text().strip()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def memory_kb(self, field: str = "VmRSS") -> int:
        """VmRSS (now) or VmHWM (peak) of the server process, in kB."""
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise LookupError(field)

    def cpu_seconds(self) -> float:
        """User + system CPU the server process has used so far."""
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def freeze_start_up() -> None:
    """Take the bench's own start-up objects out of its garbage collector's way.

    A real kiosk or TV is a box of its own; here many share one process that has
    imported the API client (httpx, pydantic). A full collection over all that took
    40-45 ms mid-run and showed as server latency: issue_rate stalled ~50 ms at the
    same two ticket numbers in every run, which alone put its paced p99 over 20 ms.
    """
    gc.collect()
    gc.freeze()


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of an unsorted list (p in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def machine() -> str:
    """Cores and load, printed with every figure: this machine is shared."""
    load = os.getloadavg()
    return f"{os.cpu_count()} cores, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"


def sample_config_text() -> str:
    return sample_path().read_text(encoding="utf-8")
