"""The counter terminal in a real (offscreen) Kivy window against a real server."""

from __future__ import annotations

import contextlib
import os
import time
import tty
from collections.abc import Callable, Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.gui

from kivy.app import App  # noqa: E402 - after the marker, Kivy env set by tests/conftest.py
from kivy.base import EventLoop  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.tests.common import UnitTestTouch  # noqa: E402

from counter.screens import FKeyButton  # noqa: E402
from counter.ui import CounterApp  # noqa: E402
from shared.config import load_config  # noqa: E402
from shared.devices import ButtonsConfig, SignConfig  # noqa: E402
from shared.models import TicketStatus  # noqa: E402
from tests.counter.conftest import Site  # noqa: E402

F = {f"F{i + 1}": 282 + i for i in range(8)}
ENTER = 13


def pump(until: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        EventLoop.idle()


def frames(n: int = 3) -> None:
    for _ in range(n):
        EventLoop.idle()


def key(code: int, text: str | None = None) -> None:
    Window.dispatch("on_key_down", code, 0, text, [])
    Window.dispatch("on_key_up", code, 0)


def type_text(widget: Any, text: str) -> None:
    widget.focus = True
    frames(1)
    for ch in text:
        widget.insert_text(ch)


def button(app: CounterApp, action: str) -> FKeyButton:
    return next(
        w for w in app.main_screen.walk() if isinstance(w, FKeyButton) and w.action == action
    )


def settled(app: CounterApp) -> bool:
    c = app.controller
    return not c.busy and not c.link.refreshing


@pytest.fixture
def make_app(site: Site) -> Iterator[Callable[..., CounterApp]]:
    apps: list[CounterApp] = []
    Window.size = (1280, 720)

    def make(
        counter: str = "", sign_url: str = "", buttons_url: str = "", fixed: bool = True
    ) -> CounterApp:
        config = load_config(None)
        if sign_url:
            config = config.model_copy(update={"sign": SignConfig(url=sign_url)})
        if buttons_url:  # no debounce in the keypad: the app alone must stop a double call
            keypad = ButtonsConfig(url=buttons_url, debounce_seconds=0)
            config = config.model_copy(update={"buttons": keypad})
        app = CounterApp(config, server_url=site.url, counter_code=counter, counter_fixed=fixed)
        apps.append(app)
        app._run_prepare()  # what App.run() does before the loop: build, add to the window
        frames(3)
        return app

    yield make
    for app in apps:
        app.shutdown()
        if app.root is not None:
            Window.remove_widget(app.root)
        App._running_app = None
    frames(2)


def login(app: CounterApp, pin: str = "123456") -> None:
    ls = app.login_screen
    ls.ids.username.text = ""
    type_text(ls.ids.username, "demo")
    key(ENTER)  # to the PIN field
    frames(2)
    assert ls.ids.pin.focus
    type_text(ls.ids.pin, pin)
    key(ENTER)  # submit
    pump(lambda: not app.controller.login_busy and not ls.busy)


def test_login_wrong_pin_then_a_keyboard_only_flow(site: Site, make_app: Any) -> None:
    code, services = site.counter()
    app = make_app(counter=code)
    ls = app.login_screen
    assert ls.counter_fixed and ls.counter_text.startswith(code)
    login(app, pin="999999")
    frames(2)
    assert ls.ids.error.text == "PIN salah"
    assert ls.ids.pin.text == ""  # cleared for the next try
    assert app.manager.current == "login"

    login(app)
    pump(lambda: app.manager.current == "main" and app.controller.connection == "connected")
    ms = app.main_screen
    assert button(app, "finish").disabled and button(app, "recall").disabled
    assert not button(app, "call").disabled
    ticket = site.issue(services[0])
    pump(lambda: ms.waiting_total == 1)  # live, from the event stream

    key(F["F1"])
    pump(lambda: ms.code == ticket.code and settled(app))
    frames(2)
    assert ms.ids.code.text == ticket.code
    assert ms.waiting_total == 0
    assert not button(app, "recall").disabled and button(app, "pause").disabled
    key(F["F2"])
    pump(lambda: settled(app) and site.kiosk.ticket(ticket.id).recalls == 1)
    key(F["F3"])
    pump(lambda: settled(app) and site.kiosk.ticket(ticket.id).status == TicketStatus.SERVING)
    assert ms.ticket_state == "Sedang dilayani"
    assert button(app, "skip").disabled
    key(F["F4"])
    pump(lambda: settled(app) and ms.served_today == 1)
    assert site.kiosk.ticket(ticket.id).status == TicketStatus.DONE
    assert ms.code == "" and ms.message == f"{ticket.code} selesai dilayani"
    key(F["F1"])
    pump(lambda: settled(app) and ms.message == "Tidak ada antrean")

    logout = next(w for w in ms.walk() if getattr(w, "text", None) == "Keluar")
    touch = UnitTestTouch(*logout.center)
    touch.touch_down()
    touch.touch_up()
    pump(lambda: app.manager.current == "login" and not app.controller.logged_in)
    pump(lambda: site.kiosk.counter(code).status == "closed")  # the server closed the session
    key(F["F1"])  # no effect on the login screen
    frames(3)
    assert not app.controller.busy


def test_double_key_press_calls_one_ticket(site: Site, make_app: Any) -> None:
    code, services = site.counter()
    app = make_app(counter=code)
    login(app)
    pump(lambda: app.manager.current == "main")
    first, second = site.issue(services[0]), site.issue(services[0])
    key(F["F1"])
    key(F["F1"])  # before the first answer is back
    touch = UnitTestTouch(*button(app, "call").center)
    touch.touch_down()
    touch.touch_up()  # and a click on the button too
    pump(lambda: settled(app) and app.main_screen.code == first.code)
    frames(5)
    assert site.kiosk.ticket(first.id).status == TicketStatus.CALLED
    assert site.kiosk.ticket(second.id).status == TicketStatus.WAITING


def test_transfer_and_requeue_dialogs_by_keyboard(site: Site, make_app: Any) -> None:
    code, services = site.counter()
    app = make_app(counter=code)
    login(app)
    pump(lambda: app.manager.current == "main")
    late, moved = site.issue(services[0]), site.issue(services[0])
    ms = app.main_screen
    key(F["F1"])
    pump(lambda: settled(app) and ms.code == late.code)
    key(F["F5"])  # no-show
    pump(lambda: settled(app) and ms.code == "")
    key(F["F1"])
    pump(lambda: settled(app) and ms.code == moved.code)

    key(F["F7"])
    pump(lambda: app.dialog is not None)
    frames(5)
    dialog = app.dialog
    type_text(dialog.ids.search_box, "pengaduan")
    frames(2)
    assert [c for c, _ in dialog.choices] == ["INFO"]
    key(F["F1"])  # F-keys do nothing while a dialog is open
    key(ENTER)  # picks the first (only) match
    pump(lambda: settled(app) and app.dialog is None and ms.code == "")
    assert ms.message == f"{moved.code} dialihkan ke Informasi & Pengaduan"

    key(F["F6"])
    pump(lambda: app.dialog is not None)
    frames(5)
    type_text(app.dialog.ids.code, late.code.lower())
    key(ENTER)
    pump(lambda: settled(app) and app.dialog is None)
    assert ms.message == f"{late.code} dikembalikan ke antrean"
    assert site.kiosk.ticket(late.id).status == TicketStatus.WAITING


def test_pause_by_mouse_blanks_the_sign(site: Site, make_app: Any) -> None:
    code, services = site.counter()
    master, slave = os.openpty()
    tty.setraw(master)
    try:
        app = make_app(counter=code, sign_url=os.ttyname(slave))
        login(app)
        pump(lambda: app.manager.current == "main")
        ticket = site.issue(services[0])
        ms = app.main_screen

        def sign_lines(want: int) -> list[bytes]:
            got = b""
            deadline = time.monotonic() + 5
            while got.count(b"\r\n") < want and time.monotonic() < deadline:
                EventLoop.idle()
                os.set_blocking(master, False)
                with contextlib.suppress(BlockingIOError):
                    got += os.read(master, 1024)
            return got.split(b"\r\n")[:-1]

        assert sign_lines(1)[-1] == b""  # logged in with no ticket: blank
        key(F["F1"])
        pump(lambda: settled(app) and ms.code == ticket.code)
        assert sign_lines(1) == [ticket.code.encode()]
        key(F["F5"])
        pump(lambda: settled(app) and ms.code == "")
        assert sign_lines(1) == [b""]
        touch = UnitTestTouch(*button(app, "pause").center)
        touch.touch_down()
        touch.touch_up()
        pump(lambda: settled(app) and ms.paused)
        frames(2)
        assert button(app, "pause").label == "Lanjutkan"
        assert button(app, "call").disabled
        key(F["F1"])  # paused: no call
        frames(5)
        assert not app.controller.busy and ms.code == ""
        key(F["F8"])
        pump(lambda: settled(app) and not ms.paused)
        assert not button(app, "call").disabled
    finally:
        os.close(master)
        os.close(slave)


def test_call_button_keypad_drives_the_app(site: Site, make_app: Any) -> None:
    code, services = site.counter()
    master, slave = os.openpty()
    tty.setraw(slave)
    try:
        app = make_app(counter=code, buttons_url=os.ttyname(slave))
        login(app)
        pump(lambda: app.manager.current == "main" and app.buttons.connected.is_set())
        first, second = site.issue(services[0]), site.issue(services[0])
        ms = app.main_screen
        os.write(master, b"1\r\n1\r\n")  # "next" twice in a burst
        pump(lambda: settled(app) and ms.code != "", timeout=20)
        assert ms.code == first.code, (ms.code, ms.message)
        frames(5)
        assert site.kiosk.ticket(second.id).status == TicketStatus.WAITING  # one call only
        assert ms.message == f"Memanggil {first.code}"
        os.write(master, b"3\r\n")  # no-show
        pump(lambda: settled(app) and ms.code == "")
        assert site.kiosk.ticket(first.id).status == TicketStatus.NO_SHOW
        os.write(master, b"4\r\n")  # finish, with nothing to finish
        pump(lambda: ms.message == '"Selesai" tidak dapat dilakukan sekarang.')
    finally:
        os.close(master)
        os.close(slave)


def test_an_officer_chooses_the_counter_at_login(site: Site, make_app: Any) -> None:
    """Not bound to a counter: the server's counters, by agency; the one chosen is served."""
    code, services = site.counter()
    app = make_app(counter="", fixed=False)
    ls, spinner = app.login_screen, app.login_screen.ids.counter
    pump(lambda: bool(app.controller.counters) and ls.counters == app.controller.counters)
    assert not spinner.disabled and ls.counter_text == ""
    assert len(ls.counters) == len(load_config(None).counters)
    assert any(t.startswith("L08 ") and "(BPJS Ketenagakerjaan)" in t for t in ls.counters)
    touch = UnitTestTouch(*spinner.center)
    touch.touch_down()
    touch.touch_up()
    pump(lambda: spinner.is_open)
    option = next(w for w in spinner._dropdown.container.children if w.text.startswith(code + " "))
    assert option.height >= 48 and option.font_size >= 20
    option.trigger_action(0)
    pump(lambda: ls.counter_text.startswith(code + " "))
    login(app)
    pump(lambda: app.manager.current == "main" and app.controller.connection == "connected")
    assert app.controller.counter_code == code
    ticket = site.issue(services[0])
    ms = app.main_screen
    pump(lambda: ms.waiting_total >= 1)
    key(F["F1"])
    pump(lambda: ms.code == ticket.code and settled(app))


def test_the_configured_counter_is_preselected_but_not_fixed(site: Site, make_app: Any) -> None:
    app = make_app(counter="L02", fixed=False)
    ls = app.login_screen
    assert ls.counter_text.startswith("L02 ") and not ls.counter_fixed
    pump(lambda: ls.counters == app.controller.counters)
    assert ls.counter_text.startswith("L02 ") and not ls.ids.counter.disabled
