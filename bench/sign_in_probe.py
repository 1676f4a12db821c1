"""Can a username be probed by the time a wrong PIN takes? (#18)

A real server process; wrong PINs for a real officer and for usernames that do not
exist, taken in turns, each username fresh (so no lock-out is hit). Prints the median
and p90 of each; they should be alike (both hash once and write once).

    .venv/bin/python -m bench.sign_in_probe [--tries 40]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import ANTRIAN, Server, machine, sample_config_text


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--tries", type=int, default=40)
    args = p.parse_args()
    config = Path(tempfile.mkdtemp(prefix="antrian-probe-")) / "site.toml"
    # The per-address limit would refuse most of this run (that is its job): lifted here.
    text = sample_config_text()
    config.write_text(text + "\n[server]\nsign_in_per_minute = 10000\n")
    with Server(config=config) as server:
        db = f"sqlite:///{server.data_dir / 'demo.sqlite'}"
        for i in range(args.tries):
            subprocess.run(
                [ANTRIAN, "officer", "add", f"real{i}", "--name", "R", "--pin", "2468",
                 "--counters", "L03", "--db", db, "--config", str(config)],
                check=True, capture_output=True,
            )  # fmt: skip
        times: dict[str, list[float]] = {"real": [], "unknown": []}
        with httpx.Client(base_url=server.url + "/api/v1", timeout=10) as c:
            for i in range(args.tries):
                for kind in ("real", "unknown"):
                    body = {"username": f"{kind}{i}", "pin": "9999", "counter": "L03"}
                    start = time.perf_counter()
                    r = c.post("/sessions", json=body)
                    times[kind].append((time.perf_counter() - start) * 1000)
                    assert r.status_code in (401, 429), r.text
                time.sleep(1.0 / 2.5)  # under the overall limit of 3 a second
    for kind, ms in times.items():
        ms.sort()
        p90 = ms[int(0.9 * (len(ms) - 1))]
        median = statistics.median(ms)
        print(
            f"wrong PIN, {kind:<7} username: median {median:6.1f} ms, p90 {p90:6.1f} ms"
            f"  {machine()}"
        )


if __name__ == "__main__":
    main()
