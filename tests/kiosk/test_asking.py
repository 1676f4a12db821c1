"""The kiosk asks for a number when the site sends messages: the whole path from the
kiosk's controller through a real server to a local HTTP gateway and a fake GSM modem."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from kiosk.controller import KioskController
from tests.kiosk.conftest import DummyPrinter, ServerProcess, UiLoop, wait_for
from tests.notify_wire import FakeGateway, FakeModem, site_toml

Make = Callable[..., tuple[KioskController, UiLoop]]


def serving(tmp_path: Path, notify: str) -> ServerProcess:
    site = tmp_path / "site.toml"
    site.write_text(site_toml(notify), encoding="utf-8")
    return ServerProcess(tmp_path, config=site).up()


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    with FakeGateway() as gw:
        yield gw


def connected(make_kiosk: Make, url: str) -> tuple[KioskController, UiLoop, DummyPrinter]:
    printer = DummyPrinter()
    kiosk, loop = make_kiosk(url, printer=printer)
    kiosk.tick()
    loop.run_until(lambda: kiosk.screen == "home" and kiosk.services is not None, kiosk)
    return kiosk, loop, printer


def take_with_number(kiosk: KioskController, loop: UiLoop, digits: str) -> None:
    """Dukcapil -> Akta (regular) -> the number on the pad -> Kirim."""
    kiosk.choose_agency("DUKCAPIL")
    kiosk.choose_service("AKTA")
    kiosk.choose_priority(False)
    assert kiosk.screen == "phone"
    for d in "0212":  # a landline first: refused on the kiosk itself
        kiosk.key(d)
    kiosk.key("ok")
    assert kiosk.screen == "phone" and kiosk.asking.invalid
    for _ in range(4):
        kiosk.key("back")
    for d in digits:
        kiosk.key(d)
    kiosk.key("ok")
    loop.run_until(lambda: kiosk.screen == "done", kiosk)


def call(url: str, times: int) -> None:
    with httpx.Client(base_url=url + "/api/v1") as c:
        login = {"username": "demo", "pin": "123456", "counter": "L05"}  # serves AKTA, KK
        token = c.post("/sessions", json=login).json()["token"]
        for _ in range(times):
            r = c.post("/counters/L05/call", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200, r.text


def test_a_number_left_at_the_kiosk_gets_near_and_called_by_the_gateway(
    tmp_path: Path, make_kiosk: Make, gateway: FakeGateway
) -> None:
    server = serving(tmp_path, f'channel = "http"\nurl = "{gateway.url}"')
    try:
        kiosk, loop, printer = connected(make_kiosk, server.url)
        assert kiosk.services is not None and kiosk.services.messages
        for _ in range(4):  # four walk-ins ahead, who skip the question
            kiosk.choose_agency("DUKCAPIL")
            kiosk.choose_service("AKTA")
            kiosk.choose_priority(False)
            kiosk.key("skip")
            loop.run_until(lambda: kiosk.screen == "done", kiosk)
            kiosk.go_home(new_visitor=True)
        take_with_number(kiosk, loop, "085712345678")
        mine = kiosk.ticket
        assert mine is not None and mine.ahead == 4 and len(printer.jobs) == 5
        call(server.url, 1)  # 3 ahead: near
        wait_for(lambda: len(gateway.messages()) == 1)
        call(server.url, 4)  # mine
        wait_for(lambda: len(gateway.messages()) == 2)
    finally:
        server.stop()
    near, called = gateway.messages()
    assert near["to"] == called["to"] == "6285712345678"
    assert near["text"].startswith(f"{mine.code}: Giliran Anda sebentar lagi: 3 antrean lagi")
    assert called["text"].startswith(f"Nomor {mine.code} dipanggil ke Loket 5")


def test_in_english_through_the_modem_and_no_question_without_a_channel(
    tmp_path: Path, make_kiosk: Make
) -> None:
    with FakeModem() as modem:
        server = serving(tmp_path, f'channel = "sms"\ndevice = "{modem.path}"')
        try:
            kiosk, loop, _printer = connected(make_kiosk, server.url)
            kiosk.toggle_language()
            take_with_number(kiosk, loop, "081298765432")  # first in line: near at once
            call(server.url, 1)
            wait_for(lambda: len(modem.sent) == 2)
        finally:
            server.stop()
    (number, near), (_n, called) = modem.sent
    assert number == "081298765432"
    assert "Your turn is near: you are next" in near and " is called to Loket 5" in called


def test_no_question_when_the_site_sends_no_messages(
    server: ServerProcess, make_kiosk: Make
) -> None:
    kiosk, loop, _printer = connected(make_kiosk, server.url)
    assert kiosk.services is not None and not kiosk.services.messages
    kiosk.choose_agency("DUKCAPIL")
    kiosk.choose_service("AKTA")
    kiosk.choose_priority(False)
    assert kiosk.screen == "printing"
    loop.run_until(lambda: kiosk.screen == "done", kiosk)


def test_a_service_stopped_for_the_day_says_why_at_the_kiosk(
    server: ServerProcess, make_kiosk: Make
) -> None:
    kiosk, loop, printer = connected(make_kiosk, server.url)
    with httpx.Client(base_url=server.url + "/api/v1") as c:
        login = {"username": "demo", "pin": "123456", "counter": "L03"}
        token = c.post("/sessions", json=login).json()["token"]
        r = c.post(
            "/services/SKCK/stop",
            json={"reason": "Sistem Polri sedang gangguan"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 200, r.text
    jobs = len(printer.jobs)
    kiosk.choose_agency("POLRES")  # one service: straight to it (the tiles are not yet fresh)
    if kiosk.screen == "priority":
        kiosk.choose_priority(False)
    loop.run_until(lambda: kiosk.screen == "notice", kiosk)
    assert kiosk.notice_message() == "Layanan dihentikan hari ini: Sistem Polri sedang gangguan"
    assert len(printer.jobs) == jobs
    loop.run_until(lambda: kiosk.services is not None and any(
        s.stop_reason for a in kiosk.services.agencies for s in a.services), kiosk)  # fmt: skip
    kiosk.go_home(new_visitor=True)
    svc = next(s for a in kiosk.services.agencies for s in a.services if s.code == "SKCK")
    from kiosk.view import closed_text

    assert closed_text(svc, "en", kiosk.tz, kiosk.now()) == (
        "Service stopped today: Sistem Polri sedang gangguan"
    )
