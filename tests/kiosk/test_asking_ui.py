"""The messages question on the real kiosk window (offscreen): the number pad by touch,
Lewati, both orientations and both languages. (Screenshots: `antrian kiosk --screenshots`
against a server that sends messages; kiosk/shots.py takes the question's.)"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from kiosk.controller import KioskController
from tests.kiosk.conftest import DummyPrinter, ServerProcess, kiosk_window
from tests.kiosk.test_ui import pump_until, tap, tile
from tests.notify_wire import FakeGateway, site_toml

pytestmark = pytest.mark.gui


@dataclass
class Kiosk:
    app: Any
    ctl: KioskController
    printer: DummyPrinter
    gateway: FakeGateway


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kiosk]:
    where = tmp_path_factory.mktemp("asking-server")
    with FakeGateway() as gateway:
        site = where / "site.toml"
        site.write_text(site_toml(f'channel = "http"\nurl = "{gateway.url}"'), encoding="utf-8")
        server = ServerProcess(where, config=site).up()
        try:
            with kiosk_window(server.url, "kiosk-asking-worker") as (app, ctl, printer):
                yield Kiosk(app, ctl, printer, gateway)
        finally:
            server.stop()


def to_question(kiosk: Kiosk, lang: str, size: str) -> None:
    from kivy.core.window import Window

    from kiosk.shots import SIZES, pump

    Window.size = SIZES[size]
    pump(4)
    ctl = kiosk.ctl
    ctl.go_home(new_visitor=True)
    if ctl.lang != lang:
        ctl.toggle_language()
    pump_until(lambda: ctl.screen == "home" and ctl.usable and kiosk.app._sm.current == "home")
    tap(tile(kiosk, "home", "DUKCAPIL"))  # type: ignore[arg-type]
    pump_until(lambda: kiosk.app._sm.current == "services")
    tap(tile(kiosk, "services", "KK"))  # type: ignore[arg-type]
    pump_until(lambda: kiosk.app._sm.current == "priority")
    ctl.choose_priority(False)
    pump_until(lambda: kiosk.app._sm.current == "phone")


@pytest.mark.parametrize(("lang", "size"), [("id", "portrait"), ("en", "landscape"),
                                            ("en", "portrait"), ("id", "landscape")])  # fmt: skip
def test_the_question_by_touch(kiosk: Kiosk, lang: str, size: str) -> None:
    to_question(kiosk, lang, size)
    title = "Kirim pesan saat giliran Anda dekat?" if lang == "id" else "Text me when"
    texts = [getattr(w, "text", "") for w in kiosk.app.screens["phone"].walk()]
    assert any(title in t for t in texts), texts
    for key in "0812":
        tap(tile(kiosk, "phone", key))  # type: ignore[arg-type]
    tap(tile(kiosk, "phone", "ok"))  # type: ignore[arg-type]
    pump_until(lambda: kiosk.app.phone_invalid)  # too short: said on the screen
    for key in "34567890":
        tap(tile(kiosk, "phone", key))  # type: ignore[arg-type]
    pump_until(lambda: kiosk.app.phone_typed == "0812 3456 7890")
    jobs = len(kiosk.printer.jobs)
    tap(tile(kiosk, "phone", "ok"))  # type: ignore[arg-type]
    pump_until(lambda: kiosk.app._sm.current == "done")
    assert len(kiosk.printer.jobs) == jobs + 1


def test_lewati_issues_without_a_number(kiosk: Kiosk) -> None:
    to_question(kiosk, "id", "portrait")
    skip = [w for w in kiosk.app.screens["phone"].walk() if getattr(w, "text", "") == "Lewati"]
    visible = [w for w in skip if not w.disabled]
    assert len(visible) == 1
    tap(visible[0])
    pump_until(lambda: kiosk.app._sm.current == "done")
    ticket = kiosk.ctl.ticket
    assert ticket is not None
