"""`antrian server` start: a fresh interpreter against a fork of a warm parent (the way
the tests start it, tests/serverproc.py), each to its ready file on a fresh demo database.
Prints the wall time to ready and the server process's CPU by then (from /proc/PID/stat).

    .venv/bin/python -m bench.server_start [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.common import machine
from tests.serverproc import ServerProcess

TICK = os.sysconf("SC_CLK_TCK")


class Fresh(ServerProcess):
    """`python -m shared.cli server` in a new interpreter, as systemd starts it."""

    def forkable(self) -> bool:
        return False


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def measure(kind: type[ServerProcess], runs: int) -> tuple[list[float], list[float]]:
    walls, cpus = [], []
    with tempfile.TemporaryDirectory(prefix="antrian-bench-start-") as folder:
        for n in range(runs):
            data = Path(folder) / f"{kind.__name__}-{n}"
            data.mkdir()
            server = kind(data)
            started = time.perf_counter()
            server.start()
            walls.append(time.perf_counter() - started)
            cpus.append(cpu_seconds(server.pid))
            server.stop()
    return walls, cpus


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args(argv)
    measure(ServerProcess, 1)  # the forkserver's own start (its imports) is not a server's
    for kind, name in ((Fresh, "fresh interpreter"), (ServerProcess, "warm fork")):
        walls, cpus = measure(kind, args.runs)
        print(
            f"{name:18} ready median {statistics.median(walls):.2f} s "
            f"(min {min(walls):.2f}), CPU median {statistics.median(cpus):.2f} s; {machine()}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
