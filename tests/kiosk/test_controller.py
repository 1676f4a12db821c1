"""The kiosk controller without a window, against a real demo server process."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kiosk.controller import KioskController
from kiosk.view import done_lines, service_rows, ticket_mark
from shared.client import ApiClient
from shared.config import load_config
from shared.devices import PrinterConfig
from shared.models import Ticket, TicketStatus
from tests.kiosk.conftest import DummyPrinter, ServerProcess, UiLoop

Make = Callable[..., tuple[KioskController, UiLoop]]


def waiting(url: str, service: str) -> int:
    with ApiClient(url) as api:
        for agency in api.services().agencies:
            for svc in agency.services:
                if svc.code == service:
                    return svc.waiting
    raise AssertionError(service)


def connected(make_kiosk: Make, url: str, **kw: object) -> tuple[KioskController, UiLoop]:
    kiosk, loop = make_kiosk(url, **kw)
    kiosk.tick()
    loop.run_until(lambda: kiosk.screen == "home" and kiosk.client is not None, kiosk)
    return kiosk, loop


def test_connects_with_the_demo_token_and_shows_every_agency(
    server: ServerProcess, make_kiosk: Make
) -> None:
    kiosk, _ = connected(make_kiosk, server.url)
    tiles = kiosk.tiles()
    assert len(tiles) == 12 + 1  # every agency, then "Sudah daftar online?"
    assert tiles[-1]["code"] == "__check_in__" and tiles[-1]["text"] == "Sudah daftar online?"
    assert tiles[0]["text"] == "DPMPTSP" and tiles[0]["enabled"]
    assert tiles[0]["bg"][:3] == pytest.approx([0x15 / 255, 0x65 / 255, 0xC0 / 255])
    assert tiles[0]["fg"] == [1.0, 1.0, 1.0, 1.0]  # white on dark blue
    kiosk.toggle_language()
    assert kiosk.tiles()[0]["text"] == "Licensing Office (DPMPTSP)"


def test_double_tap_gives_one_ticket_printed_on_the_dummy(
    server: ServerProcess, make_kiosk: Make
) -> None:
    printer = DummyPrinter()
    kiosk, loop = connected(make_kiosk, server.url, printer=printer)
    before = waiting(server.url, "KTP")
    kiosk.choose_agency("DUKCAPIL")
    kiosk.choose_agency("DUKCAPIL")  # leaning on the tile
    assert kiosk.screen == "services"
    assert [r["code"] for r in kiosk.rows()] == ["KTP", "KK", "AKTA"]
    kiosk.choose_service("KTP")
    assert kiosk.screen == "priority"
    kiosk.choose_priority(False)
    kiosk.choose_priority(False)  # the second tap of a double tap
    kiosk.choose_priority(True)
    assert kiosk.screen == "printing" and not kiosk.usable
    loop.run_until(lambda: kiosk.screen == "done", kiosk)
    kiosk.touch_result()  # the tail of the double tap lands on the ticket screen: ignored
    assert kiosk.screen == "done"
    ticket = kiosk.ticket
    assert ticket is not None and ticket.service == "KTP" and not ticket.priority
    assert waiting(server.url, "KTP") == before + 1
    assert len(printer.jobs) == 1
    job = printer.jobs[0]
    assert ticket.code.encode() in job and b"Dispendukcapil" in job
    page = getattr(ticket, "page", "")
    assert page.startswith("/t/")
    assert f"{server.url}{page}".encode() in job  # the QR code: the ticket's own page
    time.sleep(FAST_GRACE)
    kiosk.touch_result()
    assert kiosk.screen == "home"
    assert kiosk.ticket_names() == "Dispendukcapil · KTP-el"
    kiosk.toggle_language()
    assert kiosk.ticket_names() == "Population Registry (Dukcapil) · Electronic ID card"


FAST_GRACE = 0.35


def test_the_qr_code_points_to_the_sites_public_url_when_it_has_one(
    tmp_path: Path, make_kiosk: Make
) -> None:
    from shared.config import sample_path

    config = tmp_path / "site.toml"
    text = sample_path().read_text(encoding="utf-8")
    config.write_text(text + '\n[server]\npublic_url = "https://antrean.jombangkab.go.id/"\n')
    proc = ServerProcess(tmp_path / "data", config=config)
    proc.data_dir.mkdir()
    proc.start()
    try:
        printer = DummyPrinter()
        kiosk, loop = connected(make_kiosk, proc.url, printer=printer)
        kiosk.issue("KTP", False)
        loop.run_until(lambda: kiosk.screen == "done", kiosk)
        page = getattr(kiosk.ticket, "page", "")
        assert page.startswith("/t/")
        assert f"https://antrean.jombangkab.go.id{page}".encode() in printer.jobs[0]
        assert proc.url.encode() not in printer.jobs[0]
    finally:
        proc.stop()


def test_an_agency_with_one_service_skips_the_service_screen(
    server: ServerProcess, make_kiosk: Make
) -> None:
    kiosk, _ = connected(make_kiosk, server.url)
    assert kiosk.services is not None
    single = next(a for a in kiosk.services.agencies if len(a.services) == 1)
    kiosk.choose_agency(single.code)
    assert kiosk.screen == "priority"
    assert kiosk.service is not None and kiosk.service.code == single.services[0].code
    kiosk.back()
    assert kiosk.screen == "home"


def test_paper_out_issues_nothing_and_disables_tiles_until_paper_is_back(
    server: ServerProcess, make_kiosk: Make
) -> None:
    printer = DummyPrinter("paper_out")
    kiosk, loop = connected(make_kiosk, server.url, printer=printer)
    loop.run_until(lambda: kiosk.problem == "paper_out", kiosk)  # the periodic check saw it
    assert not kiosk.usable and not any(t["enabled"] for t in kiosk.tiles())
    assert "Kertas tiket habis" in kiosk.problem_text()
    before = waiting(server.url, "SKCK")
    kiosk.issue("SKCK", False)  # even a tap that slips through issues nothing
    assert waiting(server.url, "SKCK") == before
    printer.mode = "ready"  # the officer loads paper
    loop.run_until(lambda: kiosk.problem is None, kiosk)
    assert all(t["enabled"] for t in kiosk.tiles())


def test_idle_visitor_returns_home_in_the_default_language(
    server: ServerProcess, make_kiosk: Make
) -> None:
    now = [1000.0]
    kiosk, loop = make_kiosk(server.url, clock=lambda: now[0])
    kiosk.tick()
    loop.run_until(lambda: kiosk.screen == "home" and kiosk.client is not None, kiosk)
    kiosk.toggle_language()
    kiosk.choose_agency("DPMPTSP")
    assert kiosk.screen == "services" and kiosk.lang == "en"
    now[0] += kiosk.config.kiosk.idle_seconds - 1
    kiosk.tick()
    assert kiosk.screen == "services"
    now[0] += 2
    kiosk.tick()
    assert kiosk.screen == "home" and kiosk.lang == "id"


def test_no_printer_configured_is_a_readable_screen(make_kiosk: Make, caplog: object) -> None:
    from hardware.printer import Printer

    with caplog.at_level(logging.ERROR):  # type: ignore[attr-defined]
        kiosk, _ = make_kiosk("http://127.0.0.1:9", printer=Printer(PrinterConfig(kind="none")))
    assert kiosk.screen == "config_error" and kiosk.config_problem == "no_printer"
    assert "printer" in kiosk.text("no_printer")
    assert "no ticket printer is configured" in caplog.text  # type: ignore[attr-defined]
    kiosk.tick()
    assert kiosk.screen == "config_error" and kiosk.client is None


def test_wrong_server_url_says_unavailable_and_logs_it(make_kiosk: Make, caplog: object) -> None:
    kiosk, loop = make_kiosk("http://127.0.0.1:9")  # the discard port: connection refused
    with caplog.at_level(logging.WARNING):  # type: ignore[attr-defined]
        kiosk.tick()
        loop.run_until(lambda: kiosk.problem == "server_down", kiosk)
    assert kiosk.screen == "home" and not kiosk.usable
    assert kiosk.problem_text().startswith("Layanan antrean sedang tidak tersedia")
    assert "http://127.0.0.1:9" in caplog.text  # type: ignore[attr-defined]


def test_server_down_then_back_and_a_retry_makes_no_duplicate(
    own_server: ServerProcess, make_kiosk: Make
) -> None:
    from kiosk.controller import Timing

    timing = Timing(retry_seconds=0.2, refresh_seconds=0.3, printer_bad_seconds=0.2,
                    touch_grace_seconds=0.3, issue_retry_delays=(0.4,) * 100)  # fmt: skip
    printer = DummyPrinter()
    kiosk, loop = connected(make_kiosk, own_server.url, printer=printer, timing=timing)
    own_server.stop()
    loop.run_until(lambda: kiosk.problem == "server_down", kiosk)
    assert not kiosk.usable
    own_server.start()
    loop.run_until(lambda: kiosk.problem is None, kiosk)
    assert kiosk.usable

    # the server goes away while a ticket is being issued, and comes back in time
    kiosk.choose_agency("BPJSTK")
    if kiosk.screen == "services":
        kiosk.choose_service(kiosk.rows()[0]["code"])
    own_server.stop()
    kiosk.choose_priority(False)
    assert kiosk.screen == "printing"
    time.sleep(0.5)
    own_server.start()  # slow on a loaded box: the kiosk retries for 40 s
    loop.run_until(lambda: kiosk.screen == "done", kiosk, timeout=60)
    ticket = kiosk.ticket
    assert ticket is not None and ticket.number == 1
    assert waiting(own_server.url, ticket.service) == 1
    assert len(printer.jobs) == 1, [j[:60] for j in printer.jobs]


def test_closed_service_shows_reason_and_reopening_time(tmp_path: object, make_kiosk: Make) -> None:
    from pathlib import Path

    from tests.kiosk.conftest import closed_site_config

    base = Path(str(tmp_path))
    cfg = closed_site_config(base / "closed.toml")
    srv = ServerProcess(base, demo=False, config=cfg).up()
    try:
        # without a token a non-demo server is a configuration problem, said plainly
        kiosk, loop = make_kiosk(srv.url, config=load_config(cfg))
        kiosk.tick()
        loop.run_until(lambda: kiosk.screen == "config_error", kiosk)
        assert kiosk.config_problem == "no_token"

        token = srv.cli("device", "add", "kiosk-1", "--role", "kiosk")
        kiosk, loop = connected(make_kiosk, srv.url, config=load_config(cfg), token=token)
        tile = kiosk.tiles()[0]
        assert tile["note"] == "Layanan tutup" and tile["enabled"]
        kiosk.choose_agency("DUKCAPIL")
        row = kiosk.rows()[0]
        assert not row["enabled"] and row["detail"].startswith("Layanan tutup, buka kembali ")
        assert row["detail"].endswith(" pukul 08.00")
        kiosk.toggle_language()
        assert "reopens" in kiosk.rows()[0]["detail"]
        kiosk.choose_service("KTP")  # a closed row takes no touch
        assert kiosk.screen == "services"
        # a ticket asked for anyway (the row closed a moment ago) is refused readably
        kiosk.issue("KTP", False)
        loop.run_until(lambda: kiosk.screen == "notice", kiosk)
        assert kiosk.notice == "closed"
        with ApiClient(srv.url) as api:
            assert all(s.waiting == 0 for a in api.services().agencies for s in a.services)
    finally:
        srv.stop()


def test_paper_running_out_while_printing_cancels_the_ticket(
    server: ServerProcess, make_kiosk: Make
) -> None:
    printer = DummyPrinter()
    # a registered kiosk: the server lets only the issuing device cancel (not the demo token)
    token = server.cli("device", "add", "kiosk-paper", "--role", "kiosk")
    kiosk, loop = connected(make_kiosk, server.url, printer=printer, token=token)
    loop.run_until(lambda: printer.opened >= 1, kiosk)  # the first periodic check is done
    time.sleep(0.1)
    printer.modes = ["ready", "paper_out"]  # ready when checked, no paper when printing
    kiosk.choose_agency("BAPENDA")
    kiosk.choose_service("PBB")
    kiosk.choose_priority(False)
    loop.run_until(lambda: kiosk.screen == "notice", kiosk)
    assert kiosk.notice == "print_failed" and kiosk.problem == "paper_out"
    assert kiosk.text(kiosk.notice).startswith("Kertas tiket habis / printer bermasalah")
    assert printer.jobs == []
    assert len(kiosk.unprinted) == 1
    with ApiClient(server.url) as api:
        assert api.ticket(kiosk.unprinted[0].id).status is TicketStatus.CANCELLED
    assert waiting(server.url, "PBB") == 0  # no ghost waits in the queue


def test_no_counter_open_yet_is_said_instead_of_an_estimate(
    server: ServerProcess, make_kiosk: Make
) -> None:
    """No officer has opened a counter for AKTA: no '0 menit', on screen or on paper."""
    printer = DummyPrinter()
    kiosk, loop = connected(make_kiosk, server.url, printer=printer)
    kiosk.choose_agency("DUKCAPIL")
    kiosk.choose_service("AKTA")
    kiosk.choose_priority(False)
    loop.run_until(lambda: kiosk.screen == "done", kiosk)
    assert kiosk.ticket is not None and kiosk.ticket.counters_open == 0
    assert "Belum ada loket yang buka untuk layanan ini" in done_lines(kiosk.ticket, "id")
    assert "No counter is open for this service yet" in done_lines(kiosk.ticket, "en")
    job = printer.jobs[0]
    assert b"Belum ada loket yang buka" in job and b"menit" not in job
    with ApiClient(server.url) as reader:
        answer = reader.services()
    dukcapil = next(a for a in answer.agencies if a.code == "DUKCAPIL")
    rows = service_rows(dukcapil, "id", kiosk.tz, kiosk.now(), True)
    akta = next(r for r in rows if r["code"] == "AKTA")
    assert "Belum ada loket yang buka" in akta["detail"] and "menit" not in akta["detail"]


def test_the_two_queue_tiles_are_written_alike() -> None:
    """Side by side on the priority screen: one capitalisation (sentence case), both languages."""
    from kiosk.texts import t

    for lang in ("id", "en"):
        regular, priority = t("regular", lang), t("priority_title", lang)
        assert regular.split()[1].islower() and priority.split()[1].islower(), (regular, priority)


def _fresh_ticket(**fields: object) -> Ticket:
    base: dict[str, object] = {
        "id": 1,
        "code": "A001",
        "number": 1,
        "service": "KTP",
        "service_name": "KTP-el",
        "agency": "DUKCAPIL",
        "agency_name": "Dispendukcapil",
        "priority": False,
        "status": TicketStatus.WAITING,
        "issued_at": datetime(2026, 3, 2, 1, 0, tzinfo=UTC),
        "business_day": date(2026, 3, 2),
    }
    return Ticket.model_validate({**base, **fields})


@pytest.mark.parametrize("lang", ["id", "en"])
def test_first_in_line_with_no_counter_open_is_told_one_truth(lang: str) -> None:
    """'You are next' above 'no counter is open' contradicted itself: say it once."""
    first = _fresh_ticket(ahead=0, counters_open=0, estimated_wait_minutes=0)
    lines = done_lines(first, lang)
    words = " ".join(lines).lower()
    assert "berikutnya" not in words and "you are next" not in words, lines
    no_counter = "belum ada loket" if lang == "id" else "no counter"
    assert words.count(no_counter) == 1, lines
    assert all(lines), lines  # the second line says what happens next
    # counters open: first in line is next; people ahead with none open: the count stays
    assert done_lines(_fresh_ticket(ahead=0, counters_open=1), lang)[0] in (
        "Anda nomor berikutnya",
        "You are next",
    )
    behind = done_lines(_fresh_ticket(ahead=3, counters_open=0), lang)
    assert "3" in behind[0] and no_counter in behind[1].lower()


def test_a_priority_tickets_screen_says_prioritas() -> None:
    """The printed ticket says PRIORITAS; the screen above it says so too."""
    assert ticket_mark(_fresh_ticket(priority=True), "id") == "PRIORITAS"
    assert ticket_mark(_fresh_ticket(priority=True), "en") == "PRIORITY"
    assert ticket_mark(_fresh_ticket(priority=False), "id") == ""
