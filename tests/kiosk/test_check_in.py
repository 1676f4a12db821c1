"""Antrean online at the kiosk: a real Kivy window (offscreen) against a real server.

A booking is made as a citizen makes it (POST /bookings); the kiosk checks it in by
a USB barcode scanner's keystrokes (the window's key events, nothing focused) or by
touches on the on-screen keypad, prints its ticket marked online, and says what to
do when the server refuses it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from kiosk.controller import KioskController
from shared.client import ApiClient
from shared.config import sample_path
from tests.kiosk.conftest import DummyPrinter, ServerProcess, kiosk_window
from tests.kiosk.test_ui import pump_until, tap, tile

pytestmark = pytest.mark.gui


@dataclass
class Kiosk:
    app: Any
    ctl: KioskController
    printer: DummyPrinter
    server: ServerProcess
    bookings: Any  # kiosk.shots.Bookings

    @property
    def db(self) -> Path:
        return self.server.data_dir / "demo.sqlite"


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kiosk]:
    from kiosk.shots import Bookings

    where = tmp_path_factory.mktemp("checkin-server")
    site = where / "site.toml"  # the sample site, the booking rate limit out of the way
    text = sample_path().read_text(encoding="utf-8")
    site.write_text(text + "\n[server]\nbooking_per_minute = 100000\nbooking_burst = 1000\n")
    server = ServerProcess(where, config=site).up()
    try:
        with kiosk_window(server.url, "kiosk-checkin-worker") as (app, ctl, printer):
            yield Kiosk(app, ctl, printer, server, Bookings(server.url))
    finally:
        server.stop()


def home(kiosk: Kiosk, lang: str = "id") -> None:
    ctl = kiosk.ctl
    ctl.go_home(new_visitor=True)
    if ctl.lang != lang:
        ctl.toggle_language()
    pump_until(lambda: ctl.screen == "home" and ctl.usable and kiosk.app._sm.current == "home")


def scan(text: str) -> None:
    """What a USB barcode scanner sends: a key per character (shifted letters), then Enter."""
    from kivy.core.window import Window

    from kiosk.shots import pump

    for ch in text:
        mods = ["shift"] if ch.isalpha() else []
        Window.dispatch("on_key_down", ord(ch.lower()), 0, ch.lower(), mods)
        pump(1)
    Window.dispatch("on_key_down", 13, 40, "\r", [])
    pump(1)


def keypad(kiosk: Kiosk, code: str) -> None:
    """Touch the check-in tile, then each key of the code and OK, on the screen."""
    from kiosk.view import CHECK_IN

    tap(tile(kiosk, "home", CHECK_IN))
    pump_until(lambda: kiosk.app._sm.current == "checkin")
    for key in [*code, "ok"]:
        tap(tile(kiosk, "checkin", key))


def printed(kiosk: Kiosk) -> bytes:
    return kiosk.printer.jobs[-1] if kiosk.printer.jobs else b""


def test_a_scanner_checks_a_booking_in_from_the_first_screen(kiosk: Kiosk) -> None:
    home(kiosk)
    booking = kiosk.bookings.make()
    jobs = len(kiosk.printer.jobs)
    scan(booking["code"])  # no field has focus: the window takes the keys
    pump_until(lambda: kiosk.app._sm.current == "done")
    ticket = kiosk.ctl.ticket
    assert ticket is not None and getattr(ticket, "online", False)
    assert getattr(ticket, "booking", "") == booking["code"]
    assert kiosk.app.screens["done"].ids.code.text == ticket.code
    assert "Antrean online" in kiosk.app.ticket_service
    pump_until(lambda: len(kiosk.printer.jobs) > jobs)
    assert b"ANTREAN ONLINE" in printed(kiosk) and ticket.code.encode() in printed(kiosk)
    with ApiClient(kiosk.server.url) as api:
        assert api.ticket(ticket.id).status == "waiting"  # in the line


def test_the_keypad_checks_a_booking_in(kiosk: Kiosk) -> None:
    home(kiosk, "en")
    booking = kiosk.bookings.make()
    keypad(kiosk, booking["code"])
    pump_until(lambda: kiosk.app._sm.current == "done")
    assert kiosk.ctl.ticket is not None and getattr(kiosk.ctl.ticket, "online", False)
    assert "Online booking" in kiosk.app.ticket_service
    # The keypad's delete key takes a character back.
    home(kiosk)
    from kiosk.view import CHECK_IN

    tap(tile(kiosk, "home", CHECK_IN))
    pump_until(lambda: kiosk.app._sm.current == "checkin")
    for key in ("A", "C", "back"):
        tap(tile(kiosk, "checkin", key))
    assert kiosk.app.screens["checkin"].ids.typed.text == "A"


def _set(kiosk: Kiosk, code: str, **values: object) -> None:
    """Move a booking in the server's own database: its session or date now past."""
    sets = ", ".join(f"{k} = ?" for k in values)
    with sqlite3.connect(kiosk.db) as db:
        db.execute(f"UPDATE bookings SET {sets} WHERE code = ?", [*values.values(), code])


@pytest.mark.parametrize(
    ("case", "lang", "says"),
    [
        ("used", "id", "sudah dipakai"),
        ("too_early", "id", "Terlalu awal: sesi Anda hari"),
        ("too_early", "en", "Too early: your session is on"),
        ("cancelled", "en", "Booking cancelled"),
        ("too_late", "id", "Sesi Anda sudah berakhir"),
        ("too_late", "en", "Your session has ended"),
        ("expired", "id", "kedaluwarsa"),
        ("unknown", "en", "Booking code not found"),
    ],
)
def test_each_refusal_says_what_to_do(kiosk: Kiosk, case: str, lang: str, says: str) -> None:
    home(kiosk, lang)
    # too early: tomorrow's second session (the first one's window opens tonight)
    made = kiosk.bookings.make(*((1, 1) if case == "too_early" else (0, 0)))
    code = made["code"]
    if case == "used":
        scan(code)
        pump_until(lambda: kiosk.app._sm.current == "done")
        home(kiosk, lang)
    elif case == "cancelled":
        kiosk.bookings.cancel(made["token"])
    elif case == "too_late":
        _set(kiosk, code, session="00:00-00:01")
    elif case == "expired":
        _set(kiosk, code, day=str(date.fromisoformat(made["date"]) - timedelta(days=1)))
    elif case == "unknown":
        code = "AAAA3333"
    jobs = len(kiosk.printer.jobs)
    scan(code)
    pump_until(lambda: kiosk.app._sm.current == "notice")
    assert says in kiosk.app.notice_text, kiosk.app.notice_text
    assert len(kiosk.printer.jobs) == jobs  # nothing printed
