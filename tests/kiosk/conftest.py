"""Kiosk tests: a real server process, printers faked only at the wire (escpos Dummy)."""

from __future__ import annotations

import contextlib
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from escpos.printer import Dummy

from hardware.printer import Printer
from kiosk.controller import KioskController, Timing
from shared.client import ApiClient
from shared.config import ClientConfig, Config, load_config
from shared.devices import PrinterConfig
from shared.discovery import ServerLocator
from shared.worker import Worker
from tests.serverproc import ServerProcess as BaseServerProcess

ROOT = Path(__file__).resolve().parents[2]
ANTRIAN = [sys.executable, "-m", "shared.cli"]

# ESC/POS real-time status answers (DLE EOT 1, DLE EOT 4), as a printer sends them
STATUS_BYTES = {
    "ready": (0x12, 0x12),
    "paper_out": (0x1A, 0x72),  # paper end takes the printer offline too
    "offline": (0x1A, 0x12),
    "silent": (None, None),
}


class ServerProcess(BaseServerProcess):
    """`antrian server` on 127.0.0.1; stop() and start() keep the port."""

    def up(self) -> ServerProcess:
        """start(), returning the process (for one-line fixtures)."""
        self.start()
        return self

    def cli(self, *args: str) -> str:
        """Run `antrian ARGS --db <this server's db>`; the last stdout line."""
        name = "demo.sqlite" if self.demo else "antrian.sqlite"
        db = f"sqlite:///{self.data_dir / name}"
        out = subprocess.run([*ANTRIAN, *args, "--db", db], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout  # fmt: skip
        return out.strip().splitlines()[-1]


@pytest.fixture(autouse=True, scope="module")
def kiosk_app_ends_with_its_module() -> Iterator[None]:
    """KioskApp.stop() leaves its Clock intervals (the clock, the tick) scheduled, its
    Window bindings (size, touch, keys) bound and its widgets on the Window; in a process
    that opens another Kivy app next (another module, in any order, on the same xdist
    worker) they fired against that app or took its touches. Undone once the module is
    done, and the dead app's refresh made a no-op."""
    yield
    if "kiosk.ui" not in sys.modules:
        return
    from kivy.clock import Clock
    from kivy.core.window import Window

    from kiosk.ui import KioskApp

    apps: set[KioskApp] = set()
    for event in Clock.get_events():
        callback = event.get_callback()
        owners = [getattr(callback, "__self__", None)]
        owners += [c.cell_contents for c in getattr(callback, "__closure__", None) or ()]
        found = [owner for owner in owners if isinstance(owner, KioskApp)]
        if found:
            event.cancel()
            apps.update(found)
    for app in apps:
        # Its controller may still report a change: the refresh it triggers does nothing.
        app._refresh_trigger.cancel()
        app.refresh = lambda *_args, **_kwargs: None  # type: ignore[method-assign]
        Window.unbind(size=app._resized, on_touch_down=app._any_touch, on_touch_up=app._touch_up)
        Window.unbind(on_key_down=app._key_down)
        if app.root is not None and app.root in Window.children:
            Window.remove_widget(app.root)  # or it takes the next app's touches


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A demo server shared by one test module (a fresh database per module).

    Its tests check in many codes from one kiosk within a minute: the per-kiosk check-in
    limit (tested in tests/server/test_booking_api.py) is raised so it never answers first.
    """
    folder = tmp_path_factory.mktemp("server")
    config = folder / "site.toml"
    sample = (ROOT / "shared" / "sample" / "jombang.toml").read_text()
    limits = (
        "check_in_per_minute = 6000\ncheck_in_burst = 1000\n"
        "check_in_overall_per_minute = 60000\ncheck_in_overall_burst = 10000\n"
    )
    config.write_text(sample + "\n[server]\n" + limits)
    proc = ServerProcess(folder, config=config).up()
    yield proc
    proc.stop()


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A demo server for one test, which the test may stop and start again."""
    proc = ServerProcess(tmp_path / "server")
    proc.data_dir.mkdir()
    yield proc.up()
    proc.stop()


def closed_site_config(path: Path) -> Path:
    """The sample site, but open only on a weekday that is not today, from 08:00."""
    from shared.config import sample_path

    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    other = today + timedelta(days=2)
    day = other.strftime("%A").lower()
    text = sample_path().read_text(encoding="utf-8")
    start = text.index("\n[schedule.week]\n") + 1
    end = text.index("\n[queue]\n") + 1
    week = f'[schedule.week]\n{day} = ["08:00-15:00"]\n\n'
    text = text[:start] + week + text[end:]
    text = text.replace('holidays = ["2026-12-25", "2027-01-01"]', "holidays = []")
    path.write_text(text, encoding="utf-8")
    return path


class WireDummy(Dummy):
    """escpos's Dummy, answering status queries with the bytes of a printer in `mode`."""

    def __init__(self, mode: str, answers: list[int]) -> None:
        super().__init__()
        self.mode = mode
        self._answers = answers

    def open(self) -> None:
        self._device = True

    def _raw(self, msg: bytes) -> None:
        if msg.startswith(b"\x10\x04") and len(msg) == 3:
            printer, paper = STATUS_BYTES[self.mode]
            answer = printer if msg[2] == 1 else paper
            if answer is not None:
                self._answers.append(answer)
            return
        super()._raw(msg)

    def _read(self) -> bytes:
        if not self._answers:
            return b""
        return bytes([self._answers.pop(0)])


class DummyPrinter(Printer):
    """The real Printer with escpos Dummy as its device: every job's bytes are kept.

    `modes` (optional) gives the state of the device at each opening in turn, e.g. a
    printer that is ready when checked and out of paper when the ticket is sent.
    """

    def __init__(self, mode: str = "ready", modes: list[str] | None = None) -> None:
        super().__init__(PrinterConfig(kind="network", host="dummy", status_timeout_seconds=0.1))
        self.mode = mode
        self.modes = list(modes or [])
        self.jobs: list[bytes] = []
        self.opened = 0
        self._lock_jobs = threading.Lock()

    def _make(self) -> Dummy:
        self.opened += 1
        mode = self.modes.pop(0) if self.modes else self.mode
        return _Recorder(self, mode)


class _Recorder(WireDummy):
    def __init__(self, owner: DummyPrinter, mode: str) -> None:
        super().__init__(mode, [])
        self.owner = owner

    def close(self) -> None:
        # escpos's __del__ closes again: record each job once
        if self.output and self._device:
            with self.owner._lock_jobs:
                self.owner.jobs.append(self.output)
        self._device = False
        super().close()


def wait_for(condition: object, timeout: float = 10.0, step: float = 0.02) -> None:
    """Poll `condition()` until true; fail the test with a clear message on timeout."""
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {condition}")
        time.sleep(step)


class UiLoop:
    """Stands in for Kivy's main loop: results posted by the worker run here, on this thread."""

    def __init__(self) -> None:
        self.queue: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()

    def post(self, fn: Callable[[], None]) -> None:
        self.queue.put(fn)

    def run_until(
        self,
        condition: Callable[[], bool],
        controller: KioskController | None = None,
        timeout: float = 10.0,
    ) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {condition}")
            with contextlib.suppress(queue.Empty):
                self.queue.get(timeout=0.02)()
            if controller is not None:
                controller.tick()


FAST = Timing(retry_seconds=0.2, refresh_seconds=0.5, printer_ok_seconds=30.0,
              printer_bad_seconds=0.2, touch_grace_seconds=0.3,
              issue_retry_delays=(0.1, 0.2))  # fmt: skip


@pytest.fixture
def make_kiosk() -> Iterator[Callable[..., tuple[KioskController, UiLoop]]]:
    """Build controllers wired to a real Worker and ApiClient; stops their workers after."""
    workers: list[Worker] = []

    def make(
        url: str,
        printer: object | None = None,
        config: Config | None = None,
        timing: Timing | None = None,
        token: str = "",
        clock: Callable[[], float] = time.monotonic,
        speak: Callable[[str], None] | None = None,
    ) -> tuple[KioskController, UiLoop]:
        cfg = config or load_config(None)
        cfg = cfg.model_copy(update={"client": ClientConfig(server=url, token=token)})
        worker = Worker("kiosk-test-worker")
        workers.append(worker)
        loop = UiLoop()
        kiosk = KioskController(
            cfg,
            ServerLocator(url, None),
            lambda u, tok: ApiClient(u, tok, timeout=2.0),
            printer if printer is not None else DummyPrinter(),  # type: ignore[arg-type]
            worker.submit,
            loop.post,
            clock=clock,
            timing=timing or FAST,
            speak=speak,
        )
        return kiosk, loop

    yield make
    for worker in workers:
        worker.stop()


@contextlib.contextmanager
def kiosk_window(server_url: str, name: str) -> Iterator[tuple[Any, KioskController, DummyPrinter]]:
    """A KioskApp in the (offscreen) Kivy window against the server at `server_url`: quick
    timings, a DummyPrinter, its I/O on a worker thread named `name`. Yields (app,
    controller, printer); the app and the worker are stopped after."""
    from kivy.clock import Clock

    from kiosk.shots import pump, start_embedded
    from kiosk.ui import KioskApp

    config = load_config(None)
    config = config.model_copy(update={"client": ClientConfig(server=server_url)})
    printer = DummyPrinter()
    worker = Worker(name)
    timing = Timing(retry_seconds=0.3, refresh_seconds=1.0, printer_ok_seconds=0.5,
                    printer_bad_seconds=0.3, touch_grace_seconds=0.3,
                    issue_retry_delays=(0.1, 0.2))  # fmt: skip
    ctl = KioskController(
        config, ServerLocator(server_url, None), lambda u, tok: ApiClient(u, tok, timeout=2.0),
        printer, worker.submit, lambda fn: Clock.schedule_once(lambda _dt: fn(), 0),
        timing=timing,
    )  # fmt: skip
    app = KioskApp(ctl)
    start_embedded(app)
    pump(2)
    try:
        yield app, ctl, printer
    finally:
        app.stop()
        pump(2)
        worker.stop()
