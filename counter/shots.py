"""`--screenshots DIR`: drive the app through every screen and state, save a PNG of each, exit.

Against a `--demo` server it logs in as the demo officer and issues a few tickets with
the demo kiosk token, so calling and serving have something to show. The last shot is
the app losing its server for real: its client is pointed at a closed port.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.graphics.opengl import GL_RGBA, GL_UNSIGNED_BYTE, glReadPixels
from PIL import Image as PILImage

from shared.client import ApiClient
from shared.models import CounterStatus, Health

if TYPE_CHECKING:
    from counter.ui import CounterApp

log = logging.getLogger(__name__)

DEMO_USER, DEMO_PIN, DEMO_KIOSK = "demo", "123456", "demo-kiosk"
# A port nothing listens on: "the server is gone" without touching the real one.
DEAD_SERVER = "http://127.0.0.1:9"
COMPLAINT = (
    "Sudah dua kali datang karena persyaratan yang diminta berbeda dengan yang tertulis "
    "di papan informasi."
)

Step = Callable[[], bool] | str  # a condition to wait for, or the name of a shot


class ScreenshotTour:
    """A script of (do something, wait for a condition, shoot) run on the Kivy clock."""

    def __init__(self, app: CounterApp, out: Path, timeout: float = 20.0) -> None:
        self.app = app
        self.out = out
        self.timeout = timeout
        self.saved: list[Path] = []
        self._script = self.script()
        self._cond: Callable[[], bool] | None = None
        self._deadline = 0.0
        self._frames = 0
        self._event: Any = None
        self.health: Health | None = None
        self.counter = ""

    def start(self) -> None:
        self._event = Clock.schedule_interval(self._tick, 0)

    def _tick(self, _dt: float) -> None:
        if self._cond is not None:
            if not self._cond():
                if time.monotonic() > self._deadline:
                    self._fail(f"timed out waiting (step after {self.saved[-1:]})")
                return
            self._cond = None
            self._frames = 3  # let the layout settle and render before the next step
            return
        if self._frames > 0:
            self._frames -= 1
            return
        try:
            step = next(self._script)
        except StopIteration:
            self._finish(0)
            return
        except Exception as exc:
            log.exception("screenshot tour failed")
            self._fail(str(exc))
            return
        if isinstance(step, str):
            self._shoot(step)
        else:
            self._cond, self._deadline = step, time.monotonic() + self.timeout

    def _shoot(self, name: str) -> None:
        # Our own read-back in RGBA: Kivy's Window.screenshot reads RGB rows, which are not
        # 4-byte aligned at 1366 pixels wide, and the PNG comes out sheared.
        w, h = Window.size
        pixels = glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE)
        image = PILImage.frombytes("RGBA", (w, h), pixels).transpose(
            PILImage.Transpose.FLIP_TOP_BOTTOM
        )
        target = self.out / f"{name}.png"
        image.convert("RGB").save(target)
        self.saved.append(target)
        log.info("saved %s", target)

    def _fail(self, why: str) -> None:
        log.error("screenshots: %s", why)
        self._finish(1)

    def _finish(self, code: int) -> None:
        if self._event is not None:
            self._event.cancel()
        self.app.exit_code = code
        log.info("screenshots: %d saved in %s", len(self.saved), self.out)
        self.app.stop()

    # -- the script -------------------------------------------------------------

    def _job(self, fn: Callable[[], Any]) -> Iterator[Step]:
        """Run `fn` on the app's worker; wait for it."""
        box: dict[str, Any] = {}

        def done(result: Any, exc: BaseException | None) -> None:
            box["result"], box["error"] = result, exc
            box["done"] = True

        self.app.worker.submit(fn, done)
        yield lambda: "done" in box
        if box["error"] is not None:
            raise RuntimeError(f"{fn}: {box['error']}")
        self.result = box["result"]

    def script(self) -> Iterator[Step]:
        app, c = self.app, self.app.controller
        ls = app.login_screen
        yield lambda: app.root is not None and ls.ids.username.width > 100
        yield "01-login"
        if not ls.counter_fixed:  # the officer's choice of counter, by agency
            ls.ids.counter.is_open = True
            yield lambda: True
            yield "01b-choose-counter"
            ls.ids.counter.is_open = False
            yield lambda: True
        if not ls.counter_text:
            ls.counter_text = ls.counters[0]
        self.counter = ls.counter_text.split(" ", 1)[0]
        ls.ids.username.text = DEMO_USER
        ls.ids.pin.text = "000000"
        ls.submit()
        yield lambda: not c.login_busy and bool(c.login_error)
        yield "02-wrong-pin"
        if c.client is None:
            return
        yield from self._job(c.client.health)
        self.health = self.result
        if not self.result.demo:
            log.warning("screenshots: not a --demo server; only the login screens are saved")
            return
        ls.ids.username.text, ls.ids.pin.text = DEMO_USER, DEMO_PIN
        ls.submit()
        yield lambda: c.logged_in and c.connection == "connected" and not c.busy
        # Start from an idle counter, whatever an earlier run left behind.
        if c.state is not None and c.state.status == CounterStatus.PAUSED:
            c.act("resume")
            yield lambda: not c.busy
        if c.state is not None and c.state.ticket is not None:
            c.act("finish")
            yield lambda: not c.busy
        yield lambda: not c.link.refreshing
        yield "03-idle"
        services = c.state.services if c.state is not None else []
        url = c.client.base_url

        def issue() -> None:
            with ApiClient(url, token=DEMO_KIOSK) as kiosk:
                for i, svc in enumerate([services[0], services[-1], services[0]]):
                    kiosk.issue(svc, i == 1, f"shots-{uuid.uuid4().hex}")

        waiting = c.view().waiting_total
        yield from self._job(issue)
        yield lambda: c.view().waiting_total >= waiting + 3 and not c.link.refreshing
        c.act("call")
        yield lambda: not c.busy and c.state is not None and c.state.ticket is not None
        yield lambda: not c.link.refreshing
        yield "04-calling"
        c.act("start")
        yield lambda: not c.busy
        yield "05-serving"
        # The visitor complains: refused as typed (a contact that is neither), then filed.
        app.press("complain")
        yield lambda: app.dialog is not None
        dialog = app.dialog
        assert dialog is not None
        dialog.ids.text.text = COMPLAINT
        dialog.ids.contact.text = "besok saja"
        dialog.send()
        yield lambda: not dialog.busy and bool(dialog.contact_error)
        yield "05b-complaint-refused"
        dialog.ids.contact.text = "0812 3456 7890"
        dialog.send()
        yield lambda: app.dialog is not dialog and app.dialog is not None
        yield "05c-complaint-filed"
        app.close_dialog()
        app.press("transfer")
        yield lambda: app.dialog is not None
        assert app.dialog is not None
        app.dialog.ids.search_box.text = "pajak"
        yield lambda: True
        yield "06-transfer-dialog"
        app.close_dialog()
        c.act("finish")
        yield lambda: not c.busy
        app.press("requeue")
        yield lambda: app.dialog is not None
        assert app.dialog is not None
        app.dialog.ids.code.text = "A012"
        yield lambda: True
        yield "07-requeue-dialog"
        app.close_dialog()
        c.act("pause")
        yield lambda: not c.busy and c.view().paused
        yield "08-paused"
        c.act("pause")  # F8 again: resume
        yield lambda: not c.busy
        for _ in range(20):  # call until nobody waits: "Tidak ada antrean"
            c.act("call")
            yield lambda: not c.busy
            if c.state is not None and c.state.ticket is None:
                break
        yield lambda: not c.link.refreshing
        yield "09-nobody-waiting"
        # The server goes away just as the officer presses F1: the request meets a closed
        # port, the app says the result is unknown, re-reads, and shows the outage.
        c.link.stop_stream()
        old, c.link.client = c.client, ApiClient(DEAD_SERVER, timeout=1.0)
        if old is not None:
            old.close()
        c.act("call")
        yield lambda: not c.busy and c.connection == "down" and not c.link.refreshing
        yield "10-server-down"
