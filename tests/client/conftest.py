"""Client tests run against real `antrian server` processes on loopback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from shared import stream
from shared.config import sample_path
from tests.threads import no_thread_left  # noqa: F401  (autouse)

ANTRIAN = str(Path(sys.executable).with_name("antrian"))
ROOT = Path(__file__).resolve().parents[2]
KIOSK = "demo-kiosk"
DISPLAY = "demo-display"


class ServerProcess:
    """One `antrian server --demo` process; restartable on the same port and data dir."""

    def __init__(
        self,
        data_dir: Path,
        *,
        config: Path | None = None,
        zeroconf: bool = False,
        subscriber_queue: int | None = None,
        host: str = "127.0.0.1",
        wrap: list[str] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.host = host
        self.wrap = wrap or []  # e.g. ["ip", "netns", "exec", NS]
        self.subscriber_queue = subscriber_queue
        self.config = config
        self.zeroconf = zeroconf
        self.port = 0
        self.url = ""
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir / "server.log"

    def start(self, timeout: float = 30.0) -> str:
        self.launch()
        return self.wait_ready(timeout)

    @property
    def ready_file(self) -> Path:
        return self.data_dir / "ready"

    def launch(self) -> None:
        """Start the process; wait_ready() waits for it (so several can start at once)."""
        ready = self.ready_file
        ready.unlink(missing_ok=True)
        if self.subscriber_queue is None:
            args = [ANTRIAN, "server"]
        else:
            launcher = "tests.client.small_queue_server"
            args = [sys.executable, "-m", launcher, str(self.subscriber_queue)]
        args = [*self.wrap, *args, "--demo", "--host", self.host, "--port", str(self.port)]
        args += ["--data-dir", str(self.data_dir), "--ready-file", str(ready)]
        if self.config is not None:
            args += ["--config", str(self.config)]
        if not self.zeroconf:
            args.append("--no-zeroconf")
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANTRIAN_")}
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                args, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT
            )

    def wait_ready(self, timeout: float = 30.0) -> str:
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
        """kill -9: no goodbye to anyone."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self.proc = None

    def restart(self, *, hard: bool = True) -> str:
        """Kill (or stop) and start again on the same port and data dir."""
        self.kill() if hard else self.stop()
        return self.start()


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Patch the stream's timing constants instead of sleeping through them."""
    monkeypatch.setattr(stream, "BACKOFF_FIRST", 0.05)
    monkeypatch.setattr(stream, "BACKOFF_CAP", 0.3)


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for a module's read-mostly tests (a start costs about 1.5 s)."""
    server = ServerProcess(tmp_path_factory.mktemp("server"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """Fresh servers (own data dir each) for tests that restart, kill or advertise."""
    made: list[ServerProcess] = []

    def make(
        *,
        config: Path | None = None,
        zeroconf: bool = False,
        subscriber_queue: int | None = None,
        start: bool = True,
        **kw: Any,
    ) -> ServerProcess:
        data = tmp_path / f"server{len(made)}"
        data.mkdir()
        server = ServerProcess(
            data, config=config, zeroconf=zeroconf, subscriber_queue=subscriber_queue, **kw
        )
        made.append(server)
        if start:
            server.start()
        return server

    yield make
    for server in made:
        server.kill()


@pytest.fixture
def server(server_factory: Callable[..., ServerProcess]) -> ServerProcess:
    """A fresh server with its own database."""
    return server_factory()


def site_config(tmp_path: Path, *, site: str, interfaces: list[str]) -> Path:
    """The sample site renamed and advertising only on `interfaces`."""
    text = sample_path().read_text(encoding="utf-8")
    assert "\n[server]" not in text, "sample gained a [server] table; adapt this helper"
    lines = text.splitlines()
    # Rename the site: the first `name = ` line after [site].
    start = lines.index("[site]")
    for i in range(start + 1, len(lines)):
        if lines[i].startswith("name"):
            lines[i] = f'name = "{site}"'
            break
    quoted = ", ".join(f'"{a}"' for a in interfaces)
    lines += ["", "[server]", f"zeroconf_interfaces = [{quoted}]", ""]
    path = tmp_path / f"{site.replace(' ', '_')}.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
