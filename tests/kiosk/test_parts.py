"""The controller's parts where they meet: the keypad, and the printer's problem against
the server's outage (which one the tiles say, and what is checked again after)."""

from __future__ import annotations

from collections.abc import Callable

from hardware.printer import PrinterState, PrinterStatus
from kiosk.controller import KioskController, Timing
from tests.kiosk.conftest import DummyPrinter, ServerProcess, UiLoop

Make = Callable[..., tuple[KioskController, UiLoop]]
NOWHERE = "http://127.0.0.1:9"  # nothing listens (and no tick here tries to connect)


def test_the_keypad_takes_code_characters_only_on_its_own_screen(make_kiosk: Make) -> None:
    kiosk, _ = make_kiosk(NOWHERE)
    kiosk.key("A")
    assert kiosk.checkin.code == ""  # the first screen has no keypad
    kiosk.checkin.open()
    for key in ["a", "b", "3", "0", "Ab", "back", "c", *"9" * 20]:  # b and 0: not in codes
        kiosk.key(key)
    assert kiosk.checkin.code == "AC" + "9" * 10  # capitals, at most 12
    kiosk.key("ok")  # not connected: nothing is checked in, the keypad stays
    assert kiosk.screen == "checkin" and not kiosk.issuer.busy
    kiosk.typed("4444CCCC")  # a scanner's code while the kiosk cannot take one...
    kiosk.enter()
    assert kiosk.checkin.code == "AC" + "9" * 10  # ...leaves the keypad's as it was


def test_a_server_outage_hides_a_printer_problem_and_reconnecting_checks_the_printer(
    own_server: ServerProcess, make_kiosk: Make
) -> None:
    printer = DummyPrinter()
    # The periodic checks a minute apart, good or bad: only reconnecting asks the printer.
    timing = Timing(retry_seconds=0.2, refresh_seconds=0.3, printer_ok_seconds=60.0,
                    printer_bad_seconds=60.0, issue_retry_delays=(0.1, 0.2))  # fmt: skip
    kiosk, loop = make_kiosk(own_server.url, printer=printer, timing=timing)
    kiosk.tick()
    loop.run_until(lambda: kiosk.usable, kiosk)
    printer.mode = "paper_out"
    kiosk.printer_status(PrinterStatus(PrinterState.PAPER_OUT, False, "out"))
    assert kiosk.problem == "paper_out" and not kiosk.usable

    own_server.stop()
    loop.run_until(lambda: kiosk.problem == "server_down", kiosk)
    printer.mode = "ready"  # paper loaded while the server is away: the outage is still it
    kiosk.printer_status(PrinterStatus(PrinterState.READY, True, "ok"))
    assert kiosk.problem == "server_down"
    own_server.start()
    loop.run_until(lambda: kiosk.usable, kiosk)  # not a minute later: asked on reconnecting
    assert kiosk.problem is None

    own_server.stop()
    loop.run_until(lambda: kiosk.problem == "server_down", kiosk)
    printer.mode = "paper_out"  # out of paper while the server is away
    own_server.start()
    loop.run_until(lambda: kiosk.client is not None and kiosk.problem == "paper_out", kiosk)
