"""Counter terminal tests: a real queue server process, a UI-thread stand-in, counters to use.

One demo server per test module (starting one takes about 2 s); each test takes its own
counter whose services no other test of the module uses, so tests do not see each
other's tickets. Tests that restart the server start their own.
"""

from __future__ import annotations

import contextlib
import inspect
import queue
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from shared.client import ApiClient
from shared.models import Ticket
from tests.serverproc import ServerProcess as BaseServerProcess
from tests.threads import no_thread_left  # noqa: F401  (autouse)

VENV_BIN = Path(sys.executable).parent
# Counters of the sample site whose services no other counter in this list serves.
# Transfers in tests go to INFO, which only L02 (not listed) serves.
ISOLATED = [
    ("L01", ["IZIN", "NONIZIN"]),
    ("L03", ["KTP", "KK", "AKTA"]),
    ("L06", ["JKN"]),
    ("L08", ["JHT"]),
    ("L09", ["SKCK"]),
    ("L11", ["PKB"]),
    ("L13", ["TANAH"]),
    ("L14", ["PAJAK"]),
    ("L15", ["PBB", "BPHTB"]),
    ("L16", ["AIR"]),
    ("L17", ["BANK"]),
    ("L18", ["AK1"]),
]


class ServerProcess(BaseServerProcess):
    """`antrian server --demo` in its own data dir; restartable on the same port."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(data_dir, db=f"sqlite:///{data_dir / 'demo.sqlite'}")

    def add_officer(self, username: str, pin: str, counters: str) -> None:
        assert self.db is not None
        subprocess.run(
            [
                str(VENV_BIN / "antrian"),
                "officer",
                "add",
                username,
                "--name",
                username.title(),
                "--pin",
                pin,
                "--counters",
                counters,
                "--db",
                self.db,
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )


@dataclass
class Site:
    """The running server and a kiosk to issue tickets with."""

    server: ServerProcess
    kiosk: ApiClient
    _pool: list[tuple[str, list[str]]]
    reserved: frozenset[str] = frozenset()

    @property
    def url(self) -> str:
        return self.server.url

    def counter(self, code: str = "") -> tuple[str, list[str]]:
        """A counter (and its services) no other test of this module uses. Without a
        code, never one that a test of the module asks for by its code (`reserved`):
        the tests may run in any order."""
        try:
            if code:
                found = next(c for c in self._pool if c[0] == code)
                self._pool.remove(found)
                return found
            free = next(c for c in self._pool if c[0] not in self.reserved)
            self._pool.remove(free)
            return free
        except (StopIteration, IndexError):
            raise RuntimeError(
                "tests/counter: out of isolated counters; split the module"
            ) from None

    def issue(self, service: str, priority: bool = False) -> Ticket:
        return self.kiosk.issue(service, priority, f"test-{uuid.uuid4().hex}")


@pytest.fixture(scope="module")
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    # The counters the module's tests ask for by code, e.g. site.counter("L09").
    reserved = frozenset(re.findall(r'\.counter\("(L\d+)"\)', inspect.getsource(request.module)))
    server = ServerProcess(tmp_path_factory.mktemp("server"))
    server.start()
    kiosk = ApiClient(server.url, token="demo-kiosk")
    try:
        yield Site(server, kiosk, list(ISOLATED), reserved)
    finally:
        kiosk.close()
        server.stop()


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server this test alone uses (it may kill and restart it)."""
    server = ServerProcess(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class UiThread:
    """Stands in for Kivy's clock in controller tests: posted callbacks run when pumped."""

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue[Callable[[], object]] = queue.SimpleQueue()
        self.thread = threading.current_thread()

    def post(self, fn: Callable[[], object]) -> None:
        self.jobs.put(fn)

    def pump(self, until: Callable[[], bool], timeout: float = 10.0) -> None:
        """Run posted callbacks until `until()` holds; fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while not until():
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("condition not reached in time")
            with contextlib.suppress(queue.Empty):
                self.jobs.get(timeout=min(left, 0.05))()

    def settle(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Run callbacks until none arrives for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.jobs.get(timeout=quiet)()
            except queue.Empty:
                return
        raise AssertionError("callbacks kept coming")


@pytest.fixture
def ui() -> UiThread:
    return UiThread()
