"""The floor and the reports pages in a real browser, against a real server process."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from bench.history import generate
from server.queue.site import Site
from server.reports.exports import id_number
from server.reports.summary import summary_report
from server.store.db import Store
from server.store.tables import TicketRow
from shared.config import load_config
from shared.timeutil import business_day, utcnow
from tests.serverproc import ServerProcess
from tests.web.conftest import Shot, sign_in

API = "/api/v1"


@pytest.fixture
def server_on(tmp_path: Path) -> Iterator[Callable[[str], ServerProcess]]:
    """server_on(url): a demo server on a database the test prepared."""
    started: list[ServerProcess] = []

    def start(url: str) -> ServerProcess:
        proc = ServerProcess(tmp_path, demo=True, db=url)
        proc.start()
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()


def officer(base: str, counter: str) -> httpx.Client:
    r = httpx.post(
        base + API + "/sessions",
        json={"username": "demo", "pin": "123456", "counter": counter},
        timeout=10,
    )
    assert r.status_code == 201, r.text
    headers = {"Authorization": f"Bearer {r.json()['token']}"}
    return httpx.Client(base_url=base + API, headers=headers, timeout=10)


@pytest.mark.slow
def test_the_floor_follows_a_call_without_a_reload(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot
) -> None:
    page = new_page("desktop")
    sign_in(page, web_server.url)
    page.goto(f"{web_server.url}/console/floor")
    expect(page.locator("#ctr-L03 .ctr-ticket")).to_have_text("—")
    page.evaluate("window.stillTheSamePage = true")
    with httpx.Client(base_url=web_server.url + API, timeout=10) as k:
        k.headers["Authorization"] = "Bearer demo-kiosk"
        ticket = k.post("/tickets", json={"service": "KTP", "request_id": "floor-00001"}).json()
    expect(page.locator("#svc-KTP .waiting")).to_have_text("1", timeout=4000)
    with officer(web_server.url, "L03") as c:
        assert c.post("/counters/L03/call").json()["ticket"]["code"] == ticket["code"]
    # The page refreshes itself every 5 s anyway: seen well before, it came from the event.
    expect(page.locator("#ctr-L03 .ctr-ticket")).to_have_text(ticket["code"], timeout=3000)
    expect(page.locator("#svc-KTP .waiting")).to_have_text("0")
    assert page.evaluate("window.stillTheSamePage") is True  # no reload
    shot(page, "floor-called")
    tablet = new_page("tablet")
    sign_in(tablet, web_server.url)
    tablet.goto(f"{web_server.url}/console/floor")
    expect(tablet.locator("#ctr-L03 .ctr-ticket")).to_have_text(ticket["code"])
    shot(tablet, "floor-called")


def test_the_floor_follows_a_call_while_events_never_stop(
    web_server: ServerProcess, new_page: Callable[..., Page]
) -> None:
    """Kiosks issue a ticket every 20 ms: a refresh put off by every event would wait for
    the page's 5-second tick (it did: 4.7 s); one at most 50 ms after the first does not."""
    page = new_page("desktop")
    sign_in(page, web_server.url)
    page.goto(f"{web_server.url}/console/floor")
    page.wait_for_timeout(500)  # the event stream is open
    stop = threading.Event()

    def issue() -> None:
        with httpx.Client(base_url=web_server.url + API, timeout=10) as k:
            k.headers["Authorization"] = "Bearer demo-kiosk"
            n = 0
            while not stop.wait(0.02):
                n += 1
                body = {"service": "IZIN", "request_id": f"busy-{n:05d}"}
                assert k.post("/tickets", json=body).status_code == 201

    kiosks = threading.Thread(target=issue)
    kiosks.start()
    try:
        page.wait_for_timeout(1000)
        with httpx.Client(base_url=web_server.url + API, timeout=10) as k:
            k.headers["Authorization"] = "Bearer demo-kiosk"
            ticket = k.post("/tickets", json={"service": "KTP", "request_id": "busy-ktp"}).json()
        with officer(web_server.url, "L03") as c:
            assert c.post("/counters/L03/call").json()["ticket"]["code"] == ticket["code"]
        expect(page.locator("#ctr-L03 .ctr-ticket")).to_have_text(ticket["code"], timeout=2500)
    finally:
        stop.set()
        kiosks.join()


@pytest.mark.slow
def test_an_alert_opens_when_a_wait_passes_its_target_and_ends_after(
    server_on: Callable[[str], ServerProcess],
    tmp_path: Path,
    new_page: Callable[..., Page],
    shot: Shot,
) -> None:
    url = f"sqlite:///{tmp_path}/alerts.sqlite"
    server = server_on(url)
    site = Site(load_config(None))
    now = utcnow()
    store = Store(url)
    with store.write() as s:  # a visitor who has waited 40 minutes (AKTA's target: 30)
        s.add(
            TicketRow(
                business_day=business_day(site.tz, now),
                service="AKTA",
                issued_service="AKTA",
                number=901,
                code="BA901",
                priority=False,
                status="waiting",
                issued_at=now - timedelta(minutes=40),
                queued_at=now - timedelta(minutes=40),
                recalls=0,
            )
        )
    store.dispose()
    page = new_page("desktop")
    sign_in(page, server.url)
    page.goto(f"{server.url}/console/floor")
    opened = page.locator(".alert.open[data-kind=wait][data-subject=AKTA]")
    expect(opened).to_be_visible(timeout=15_000)
    expect(opened).to_contain_text("menunggu 40 menit")
    shot(page, "alert-open")
    with officer(server.url, "L03") as c:
        assert c.post("/counters/L03/call").json()["ticket"]["code"] == "BA901"
    ended = page.locator(".alert.ended[data-kind=wait][data-subject=AKTA]")
    expect(ended).to_be_visible(timeout=15_000)
    expect(opened).to_have_count(0)
    expect(page.locator("#no-alerts")).to_be_visible()
    shot(page, "alert-ended")


@pytest.mark.slow
def test_the_reports_page_with_its_charts_and_downloads(
    server_on: Callable[[str], ServerProcess],
    tmp_path: Path,
    new_page: Callable[..., Page],
    shot: Shot,
) -> None:
    url = f"sqlite:///{tmp_path}/history.sqlite"
    generate(url, 2000, date(2026, 11, 2), 28)
    store = Store(url)
    with store.read() as s:
        want = summary_report(s, Site(load_config(None)), date(2026, 11, 1), date(2026, 11, 30))
    store.dispose()
    server = server_on(url)
    for size in ("desktop", "tablet"):
        page = new_page(size)
        sign_in(page, server.url)
        page.goto(f"{server.url}/console/reports?period=month&from=2026-11-10&group=service")
        expect(page.locator("body[data-charts=drawn]")).to_have_count(1)
        expect(page.locator(".chart canvas")).to_have_count(3)
        total = page.locator("#report-table tr.total td")
        expect(total.nth(0)).to_have_text("Jumlah")
        expect(total.nth(1)).to_have_text(id_number(want.total.issued))  # 2.000
        expect(total.nth(8)).to_have_text(id_number(want.total.wait.mean, 1))
        expect(page.get_by_text("1 November 2026 s.d. 30 November 2026")).to_be_visible()
        shot(page, "reports")
    with page.expect_download(timeout=90_000) as download:  # WeasyPrint on a busy box
        page.click("#dl-pdf", timeout=90_000)
    pdf = download.value.path()
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "LAPORAN KINERJA PELAYANAN" in text and "Antrean per hari" in text
    page.select_option("#f-group", "agency")
    page.click("form.report-form button[type=submit]")
    expect(page.locator("#report-table tbody tr")).to_have_count(13)  # 12 agencies + total


def test_a_kiosk_asks_for_help_the_floor_shows_it_until_taken(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot
) -> None:
    """ "Butuh bantuan" on the floor page live (no reload), within 2 s; it ends when taken."""
    page = new_page("desktop")
    sign_in(page, web_server.url)
    page.goto(f"{web_server.url}/console/floor")
    page.evaluate("window.stillTheSamePage = true")
    with httpx.Client(base_url=web_server.url + API, timeout=10) as k:
        k.headers["Authorization"] = "Bearer demo-kiosk"
        asked = k.post("/help", json={"note": "kursi roda"})
    assert asked.status_code == 201, asked.text
    subject = f"Kiosk demo #{asked.json()['id']}"
    alert = page.locator(f'li.alert.open[data-kind=help][data-subject="{subject}"]')
    expect(alert).to_have_count(1, timeout=2000)  # the page refreshes every 5 s anyway
    expect(alert).to_contain_text("Butuh bantuan di Kiosk demo: kursi roda")
    shot(page, "floor-help")
    with officer(web_server.url, "L03") as c:
        assert c.post(f"/help/{asked.json()['id']}/take").status_code == 200
    expect(alert).to_have_count(0, timeout=2000)
    ended = page.locator(f'li.alert.ended[data-kind=help][data-subject="{subject}"]')
    expect(ended).to_have_count(1)
    assert page.evaluate("window.stillTheSamePage") is True


def test_the_reports_page_counts_stopped_services_and_help_apart(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot
) -> None:
    """Today: two calls for help (one taken), KTP stopped with two tickets never called."""
    with httpx.Client(base_url=web_server.url + API, timeout=10) as k:
        k.headers["Authorization"] = "Bearer demo-kiosk"
        for i in range(2):
            body = {"service": "KTP", "request_id": f"apart-{i:04d}"}
            assert k.post("/tickets", json=body).status_code == 201
        first = k.post("/help", json={}).json()["id"]
        assert k.post("/help", json={}).status_code == 201
    with officer(web_server.url, "L03") as c:
        assert c.post(f"/help/{first}/take").status_code == 200
        stop = c.post("/services/KTP/stop", json={"reason": "Blangko habis"})
        assert stop.status_code == 200, stop.text
    today = business_day(Site(load_config(None)).tz, utcnow()).isoformat()
    for size in ("desktop", "tablet", "phone"):
        page = new_page(size)
        sign_in(page, web_server.url)
        page.goto(f"{web_server.url}/console/reports?period=day&from={today}&group=service")
        expect(page.locator("#stopped-unserved")).to_have_text("2")
        expect(page.locator("#help-asked")).to_have_text("2")
        expect(page.locator("#help-taken")).to_have_text("1")
        expect(page.locator("#help-median")).not_to_have_text("-")
        expect(page.locator("#stopped-days")).to_contain_text("KTP-el, Blangko habis: 2 antrean")
        page.locator("#apart").scroll_into_view_if_needed()
        shot(page, "apart")
