"""`antrian server` as a real child process on 127.0.0.1, for every test folder.

Restartable on the same port and data directory; stop() is SIGTERM, kill() is
kill -9. Test folders subclass it for their extras (a CLI helper, a launcher).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class ServerProcess:
    def __init__(
        self,
        data_dir: Path,
        *,
        demo: bool = True,
        db: str | None = None,
        config: Path | None = None,
        zeroconf: bool = False,
        host: str = "127.0.0.1",
        wrap: list[str] | None = None,
        extra: tuple[str, ...] = (),
    ) -> None:
        self.data_dir = data_dir
        self.demo = demo
        self.db = db
        self.config = config
        self.zeroconf = zeroconf
        self.host = host
        self.wrap = wrap or []  # e.g. ["ip", "netns", "exec", NS]
        self.extra = extra
        self.port = 0
        self.url = ""
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir / "server.log"

    @property
    def ready_file(self) -> Path:
        return self.data_dir / "ready"

    def program(self) -> list[str]:
        """What runs the server; a subclass may use its own launcher."""
        return [sys.executable, "-m", "shared.cli", "server"]

    def command(self) -> list[str]:
        args = [*self.wrap, *self.program(), "--host", self.host, "--port", str(self.port)]
        args += ["--data-dir", str(self.data_dir), "--ready-file", str(self.ready_file)]
        if self.demo:
            args.append("--demo")
        if self.db is not None:
            args += ["--db", self.db]
        if self.config is not None:
            args += ["--config", str(self.config)]
        if not self.zeroconf:
            args.append("--no-zeroconf")
        return [*args, *self.extra]

    def start(self, timeout: float = 90.0) -> str:
        self.launch()
        return self.wait_ready(timeout)

    def launch(self) -> None:
        """Start the process; wait_ready() waits for it (so several can start at once)."""
        self.ready_file.unlink(missing_ok=True)
        # The tests' own settings, not whatever ANTRIAN_* the shell running them has.
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANTRIAN_")}
        env["PYTHONUNBUFFERED"] = "1"
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.command(), stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT
            )

    def wait_ready(self, timeout: float = 90.0) -> str:
        assert self.proc is not None
        ready = self.ready_file
        deadline = time.monotonic() + timeout
        while not (ready.exists() and ready.read_text().strip()):
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited {self.proc.returncode}: {self.log.read_text()}")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"server not ready in {timeout} s: {self.log.read_text()}")
            time.sleep(0.02)
        self.url = ready.read_text().strip()
        self.port = int(self.url.rsplit(":", 1)[1])
        return self.url

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def rss_kb(self, field: str = "VmRSS") -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise LookupError(field)

    def stop(self) -> None:
        """SIGTERM and wait (graceful: the server closes its WebSockets)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def kill(self) -> None:
        """kill -9: what a power cut does; no goodbye to anyone."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self.proc = None

    def restart(self, *, hard: bool = True) -> str:
        """Kill (or stop) and start again on the same port and data dir."""
        if hard:
            self.kill()
        else:
            self.stop()
        return self.start()
