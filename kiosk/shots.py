"""`--screenshots DIR`: drive the real app through every screen and state, save PNGs, exit.

Everything shown comes from the servers given: the closed-service state needs a
server where a service is closed now (`--closed-server`, or the main server itself).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from kivy.base import EventLoop, runTouchApp, stopTouchApp
from kivy.core.window import Window

from hardware.printer import Printer, PrinterState, PrinterStatus
from kiosk import view
from kiosk.controller import KioskController
from shared.client import ApiClient
from shared.errors import AntrianError
from shared.models import ServicesAnswer

log = logging.getLogger(__name__)

SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080), "small": (1366, 768)}


def start_embedded(app: Any) -> None:
    """Build the app and open its window without entering Kivy's main loop."""
    app._run_prepare()
    runTouchApp(embedded=True)


def pump(frames: int = 3) -> None:
    for _ in range(frames):
        EventLoop.idle()


def pump_until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"the kiosk did not reach {condition} in {timeout} s")
        EventLoop.idle()
        time.sleep(0.005)


def screenshot(path: Path) -> Path:
    """The window's pixels as a PNG.

    Read as RGBA: Window.screenshot reads RGB rows, which come out skewed when the
    width times 3 is not a multiple of 4 (1366 px), and it renames the file.
    """
    from kivy.graphics.opengl import GL_RGBA, GL_UNSIGNED_BYTE, glReadPixels
    from PIL import Image

    pump(4)
    width, height = Window.size
    data = glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE)
    image = Image.frombytes("RGBA", (width, height), data).transpose(
        Image.Transpose.FLIP_TOP_BOTTOM
    )
    image.convert("RGB").save(path)
    return path


class Shooter:
    def __init__(self, app: Any, ctl: KioskController, worker: Any, out: Path) -> None:
        self.app, self.ctl, self.worker, self.out = app, ctl, worker, out
        self.taken: list[Path] = []

    def size(self, name: str) -> None:
        Window.size = SIZES[name]
        pump(4)

    def lang(self, lang: str) -> None:
        if self.ctl.lang != lang:
            self.ctl.toggle_language()
        pump()

    def home(self) -> None:
        self.ctl.go_home()
        pump()

    def shot(self, name: str) -> None:
        self.app.refresh()
        self.taken.append(screenshot(self.out / f"{name}.png"))
        log.info("screenshot %s", self.taken[-1])

    def flow(self, prefix: str, agency: str, service: str) -> None:
        """Home, services, priority, printing and done, with a real ticket."""
        self.home()
        self.shot(f"{prefix}-01-home")
        self.ctl.choose_agency(agency)
        pump_until(lambda: self.ctl.screen == "services")
        self.shot(f"{prefix}-02-services")
        self.ctl.choose_service(service)
        pump_until(lambda: self.ctl.screen == "priority")
        self.shot(f"{prefix}-03-priority")
        gate = threading.Event()  # hold the worker so the printing screen stays up for its shot
        self.worker.submit(lambda: gate.wait(10))
        self.ctl.choose_priority(False)
        if self.ctl.screen == "phone":  # the site sends messages: the question, then a number
            self.shot(f"{prefix}-03b-phone")
            for key in "081234567":
                self.ctl.key(key)
            self.ctl.key("ok")  # too short: said on the screen
            self.shot(f"{prefix}-03c-phone-invalid")
            for key in "890":
                self.ctl.key(key)
            self.shot(f"{prefix}-03d-phone-typed")
            self.ctl.key("ok")
        pump_until(lambda: self.ctl.screen == "printing")
        self.shot(f"{prefix}-04-printing")
        gate.set()
        pump_until(lambda: self.ctl.screen == "done")
        self.shot(f"{prefix}-05-done")

    def every_citizen(self, prefix: str, agency: str, service: str) -> None:
        """Voice guidance (a tile heard, framed), large text, the priority group, help."""
        ctl = self.ctl
        self.home()
        ctl.toggle_voice()
        ctl.touch(agency)  # the first touch: said and framed
        self.shot(f"{prefix}-20-voice-heard")
        ctl.touch(agency)
        pump_until(lambda: ctl.screen == "services")
        ctl.touch(service)
        ctl.touch(service)
        pump_until(lambda: ctl.screen == "priority")
        ctl.touch("priority")
        self.shot(f"{prefix}-21-voice-priority")
        ctl.touch("priority")
        pump_until(lambda: ctl.screen == "group")
        ctl.toggle_voice()
        self.shot(f"{prefix}-22-group")
        ctl.toggle_large()
        self.shot(f"{prefix}-23-group-large")
        ctl.touch(ctl.choices()[0].code)
        pump_until(lambda: ctl.screen == "done")
        self.shot(f"{prefix}-24-done-priority-large")
        ctl.ask_help()  # "petugas menghampiri" for the ticket just printed
        pump_until(lambda: ctl.screen == "notice")
        self.shot(f"{prefix}-24b-help-for-ticket-large")
        self.home()
        self.shot(f"{prefix}-25-home-large")
        ctl.toggle_large()
        ctl.ask_help()
        pump_until(lambda: ctl.screen == "notice")
        self.shot(f"{prefix}-26-help-coming")
        self.home()

    def closed(self, prefix: str, answer: ServicesAnswer | None) -> None:
        if answer is None:
            return
        agency = next(
            (a for a in answer.agencies if len(a.services) > 1
             and any(not s.open_now for s in a.services)), None,
        )  # fmt: skip
        if agency is None:
            log.warning("no closed service on the servers given: no closed-service screenshot")
            return
        refresh = self.ctl.catalog.refresh
        saved, every = self.ctl.services, refresh.seconds
        pump_until(lambda: not refresh.busy)
        refresh.seconds = 3600  # keep the other server's answer on screen
        self.ctl.services_answered(answer)
        self.home()
        self.shot(f"{prefix}-06-home-closed")
        self.ctl.choose_agency(agency.code)
        pump_until(lambda: self.ctl.screen == "services")
        self.shot(f"{prefix}-07-closed-service")
        refresh.seconds = every
        if saved is not None:
            self.ctl.services_answered(saved)
        self.home()

    def paper_out(self, prefix: str) -> None:
        # the state a paper-out answer from the printer leaves the kiosk in
        self.ctl.printer_status(PrinterStatus(PrinterState.PAPER_OUT, False, "out"))
        self.home()
        self.shot(f"{prefix}-08-paper-out")
        self.ctl.printer_status(PrinterStatus(PrinterState.READY, True, "ok"))
        pump()

    def print_failed(self, prefix: str, agency: str, service: str) -> None:
        """A real failing printer: the virtual one writing into a path that is a file."""
        blocker = self.out / "tickets-blocked"
        blocker.write_text("a file where the preview folder should be\n")
        printers = self.ctl.printers
        saved = printers.printer
        printers.printer = Printer(saved.config, preview_dir=blocker / "x")  # type: ignore[union-attr]
        try:
            self.home()
            self.ctl.choose_agency(agency)
            if self.ctl.screen == "services":
                self.ctl.choose_service(service)
            if self.ctl.screen == "priority":
                self.ctl.choose_priority(False)
            if self.ctl.screen == "phone":
                self.ctl.key("skip")
            pump_until(lambda: self.ctl.screen == "notice")
            self.shot(f"{prefix}-09-print-failed")
        finally:
            printers.printer = saved
            blocker.unlink()
            printers.problem = None
            self.home()

    def server_down(self, prefix: str) -> None:
        locator: Any = self.ctl.link.locator
        real = locator.url
        locator.url = "http://127.0.0.1:9"  # nothing listens there: every retry fails for real
        self.ctl.lost_server()
        self.home()
        pump_until(lambda: self.ctl.problem == "server_down")
        self.shot(f"{prefix}-10-server-down")
        locator.url = real
        pump_until(lambda: self.ctl.problem is None, timeout=30)
        self.home()

    def check_in(self, prefix: str, bookings: Bookings, refusals: dict[str, str]) -> None:
        """Antrean online: the keypad, a check-in by it, and each refusal's notice."""
        code = bookings.make()["code"]
        self.home()
        self.ctl.choose_agency(view.CHECK_IN)
        pump_until(lambda: self.ctl.screen == "checkin")
        self.shot(f"{prefix}-12-checkin")
        for key in code[:5]:
            self.ctl.key(key)
        pump()
        self.shot(f"{prefix}-13-checkin-typing")
        for key in code[5:]:
            self.ctl.key(key)
        self.ctl.key("ok")
        pump_until(lambda: self.ctl.screen == "done")
        self.shot(f"{prefix}-14-checkin-done")
        refusals = {"used": code, **refusals}
        for name, refused in refusals.items():
            self.home()
            self.ctl.choose_agency(view.CHECK_IN)
            pump_until(lambda: self.ctl.screen == "checkin")
            for key in refused:
                self.ctl.key(key)
            self.ctl.key("ok")
            pump_until(lambda: self.ctl.screen == "notice")
            self.shot(f"{prefix}-15-checkin-{name}")
        self.home()

    def message(self, prefix: str, problem: str) -> None:
        nav = self.ctl.nav
        saved = nav.screen, nav.config_problem
        nav.config_problem, nav.screen = problem, "config_error"
        self.shot(f"{prefix}-11-{problem.replace('_', '-')}")
        nav.screen, nav.config_problem = saved
        self.home()


class Bookings:
    """Real bookings on the (demo) server, as a citizen makes them from home, for the
    check-in screens. Waits out the booking rate limit (429) as a browser would."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url + "/api/v1", timeout=10)
        self.n = 0

    def _post(self, path: str, body: dict[str, object] | None = None) -> dict[str, Any]:
        for _ in range(10):
            r = self.http.post(path, json=body)
            if r.status_code != 429:
                r.raise_for_status()
                answer: dict[str, Any] = r.json()
                return answer
            time.sleep(float(r.headers.get("retry-after", "5")))
        raise TimeoutError(f"booking rate limit on {path}")

    def make(self, day_offset: int = 0, session_index: int = 0) -> dict[str, Any]:
        """A booking of today's first session still open (or a later day's), its code."""
        offered = self.http.get("/bookings/services").json()
        service = offered["agencies"][0]["services"][0]
        day = offered["days"][day_offset]
        slots = self.http.get("/bookings/slots", params={"service": service["code"], "date": day})
        session = slots.json()["slots"][session_index]["session"]
        self.n += 1
        body: dict[str, object] = {
            "service": service["code"],
            "date": day,
            "session": session,
            "name": "Warga Contoh",
            "phone": f"0899{time.time_ns() % 10**7:07d}{self.n % 10}",
        }
        if service["needs_nik"]:
            body["nik"] = "3517010101010001"
        return self._post("/bookings", body)

    def cancel(self, token: str) -> None:
        self._post(f"/bookings/{token}/cancel")


def take_screenshots(
    app: Any, ctl: KioskController, worker: Any, out: Path, closed_url: str | None
) -> int:
    out.mkdir(parents=True, exist_ok=True)
    ctl.link.reconnect.seconds = 0.5  # the server-down shots wait for the reconnect
    gate = threading.Event()  # hold the worker: the connecting screen stays for its shot
    worker.submit(lambda: gate.wait(10))
    start_embedded(app)
    shooter = Shooter(app, ctl, worker, out)
    try:
        shooter.size("portrait")
        shooter.shot("portrait-id-00-connecting")
        gate.set()
        pump_until(lambda: ctl.client is not None and ctl.screen == "home", timeout=30)
        assert ctl.services is not None
        agency = next(a for a in ctl.services.agencies if len(a.services) > 1)
        service = next(s for s in agency.services if s.open_now and s.priority_allowed).code
        closed = _closed_answer(ctl, closed_url)
        bookings = Bookings(ctl.link.server_url)
        gone = bookings.make()
        bookings.cancel(gone["token"])
        refusals = {
            "too-early": bookings.make(day_offset=1, session_index=1)["code"],
            "cancelled": gone["code"],
            "unknown": "AAAA3333",
        }
        for size in ("portrait", "landscape"):
            shooter.size(size)
            for lang in ("id", "en"):
                shooter.lang(lang)
                prefix = f"{size}-{lang}"
                shooter.flow(prefix, agency.code, service)
                shooter.every_citizen(prefix, agency.code, service)
                shooter.closed(prefix, closed)
                shooter.paper_out(prefix)
                shooter.print_failed(prefix, agency.code, service)
                shooter.server_down(prefix)
                shooter.message(prefix, "no_printer")
                shooter.check_in(prefix, bookings, refusals)
        shooter.size("small")
        shooter.lang("id")
        shooter.flow("small-id", agency.code, service)
        shooter.closed("small-id", closed)
        shooter.paper_out("small-id")
    except (TimeoutError, AntrianError, StopIteration, httpx.HTTPError) as exc:
        log.error("screenshots stopped: %s", exc)
        return 1
    finally:
        app.stop()
        stopTouchApp()
    log.info("%d screenshots in %s; ticket previews in %s", len(shooter.taken), out,
             out / "tickets")  # fmt: skip
    return 0


def _closed_answer(ctl: KioskController, closed_url: str | None) -> ServicesAnswer | None:
    if closed_url:
        try:
            with ApiClient(closed_url) as api:
                return api.services()
        except AntrianError as exc:
            log.error("closed-service server %s: %s", closed_url, exc)
            return None
    return ctl.services
