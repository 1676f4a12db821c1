"""Fixtures for the server: a migrated store, a site, the queue, live servers."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn

from server.access.context import ServerContext
from server.api.fast_issue import FastIssue
from server.queue.rules import QueueService
from server.queue.site import Site
from server.runtime.app import create_app
from server.store.db import Store
from shared.config import Config, load_config
from tests.serverproc import ServerProcess as BaseServerProcess

# A Monday 09:00 in Jombang (WIB = UTC+7): every sample service is open.
MONDAY_9AM = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


class FakeClock:
    """Time we move by hand; the only thing faked in these tests is the wall clock."""

    def __init__(self, start: datetime = MONDAY_9AM) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def store(migrated_db_url: str) -> Iterator[Store]:
    """A store at the current schema (a copy of the migrated template, tests/conftest.py)."""
    s = Store(migrated_db_url)
    yield s
    s.dispose()


@pytest.fixture
def config() -> Config:
    return load_config(None)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def site(config: Config) -> Site:
    return Site(config)


@pytest.fixture
def queue(store: Store, site: Site, clock: FakeClock) -> QueueService:
    q = QueueService(store, site, clock=clock)
    q.sync_counters()
    return q


@dataclass
class LiveServer:
    url: str
    ctx: ServerContext
    app: FastIssue

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        # 30 s, not 10: a PDF rendered while other tests load the two cores took over 10 s.
        return httpx.Client(base_url=self.url + "/api/v1", headers=headers, timeout=30)


def run_in_thread(ctx: ServerContext) -> Iterator[LiveServer]:
    """uvicorn on 127.0.0.1:0 in a thread: real HTTP and WebSocket on loopback."""
    app = create_app(ctx)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", ws="websockets-sansio")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield LiveServer(f"http://127.0.0.1:{port}", ctx, app)
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def live(store: Store, config: Config) -> Iterator[LiveServer]:
    """A demo-mode server (everything open) over a fresh database."""
    ctx = ServerContext(store=store, site=Site(config, demo=True), settings=config.server)
    ctx.queue.sync_counters()
    yield from run_in_thread(ctx)


@pytest.fixture
def live_prod(store: Store, config: Config) -> Iterator[LiveServer]:
    """A production-mode server: no demo credentials, real opening hours."""
    ctx = ServerContext(store=store, site=Site(config, demo=False), settings=config.server)
    ctx.queue.sync_counters()
    yield from run_in_thread(ctx)


class ServerProcess(BaseServerProcess):
    """`antrian server` on a given database URL, as tests/server's tests use it."""

    def __init__(self, db: str, workdir: Path, demo: bool = True) -> None:
        super().__init__(workdir, demo=demo, db=db)

    def kill9(self) -> None:
        self.kill()


@pytest.fixture
def server_process(db_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(db_url, tmp_path)
    proc.start()
    yield proc
    proc.stop()
