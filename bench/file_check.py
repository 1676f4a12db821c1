"""How long the server's start takes to look at its SQLite file (server/store/filecheck.py).

    .venv/bin/python -m bench.file_check --db /tmp/year.sqlite [--repeat 3] [--cold]

Make the file with bench.history (a year: 500,000 tickets, ~250 MB). `--cold` drops the
page cache first (root only): what a start after a power cut meets.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
from pathlib import Path

from bench.common import machine
from server.store.filecheck import check_file


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", required=True, type=Path)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--cold", action="store_true")
    args = p.parse_args()
    times = []
    for _ in range(args.repeat):
        if args.cold:
            subprocess.run(["sync"], check=True)
            Path("/proc/sys/vm/drop_caches").write_text("3\n")
        t = time.perf_counter()
        check_file(args.db, pages=True)
        times.append(time.perf_counter() - t)
    size = os.path.getsize(args.db) / 1e6
    median = statistics.median(times)
    print(
        f"file check of {size:,.0f} MB ({'cold' if args.cold else 'warm'} cache): "
        f"median {median:.2f} s ({size / median:,.0f} MB/s) over {args.repeat}; {machine()}"
    )


if __name__ == "__main__":
    main()
