"""Client tests run against real `antrian server` processes on loopback."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from shared import stream
from shared.config import sample_path
from tests.serverproc import ServerProcess as BaseServerProcess
from tests.threads import no_thread_left  # noqa: F401  (autouse)

ROOT = Path(__file__).resolve().parents[2]
KIOSK = "demo-kiosk"
DISPLAY = "demo-display"


class ServerProcess(BaseServerProcess):
    """`antrian server --demo`, optionally with a small subscriber queue (small_queue_server)."""

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
        super().__init__(data_dir, config=config, zeroconf=zeroconf, host=host, wrap=wrap)
        self.subscriber_queue = subscriber_queue

    def program(self) -> list[str]:
        if self.subscriber_queue is None:
            return super().program()
        launcher = "tests.client.small_queue_server"
        return [sys.executable, "-m", launcher, str(self.subscriber_queue)]


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
