"""Messages' pages in a real browser: the ticket page takes a number and says when a
message could not be sent; the console's message log and the [notify] settings."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.notify_wire import FakeGateway, site_toml
from tests.serverproc import ServerProcess
from tests.web.conftest import Shot, sign_in

NewPage = Callable[..., Page]


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    with FakeGateway(status=503) as gw:  # the provider is down today
        yield gw


@pytest.fixture
def server(tmp_path: Path, gateway: FakeGateway) -> Iterator[ServerProcess]:
    config = tmp_path / "site.toml"
    config.write_text(site_toml(f'channel = "http"\nurl = "{gateway.url}"'), encoding="utf-8")
    proc = ServerProcess(tmp_path, demo=True, config=config)
    proc.start()
    yield proc
    proc.stop()


def issue(server: ServerProcess, service: str, **extra: Any) -> dict[str, Any]:
    headers = {"Authorization": "Bearer demo-kiosk"}
    with httpx.Client(base_url=server.url + "/api/v1", headers=headers) as kiosk:
        body = {"service": service, "request_id": uuid.uuid4().hex, **extra}
        answer = kiosk.post("/tickets", json=body)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_the_ticket_page_takes_a_number_and_tells_of_a_failed_message(
    server: ServerProcess, gateway: FakeGateway, new_page: NewPage, shot: Shot
) -> None:
    ticket = issue(server, "KK")  # first in line: "near" at once when a number comes
    phone = new_page("phone")
    phone.goto(server.url + ticket["page"])
    expect(phone.locator("#notify label")).to_have_text("Kirim pesan saat giliran Anda dekat?")
    shot(phone, "asked")
    phone.fill("#f-phone", "021 555 1234")  # a landline: no SMS there
    phone.click("#notify button[type=submit]")
    expect(phone.locator("#e-phone")).to_contain_text("nomor HP Indonesia")
    shot(phone, "refused")
    phone.fill("#f-phone", "0813 9876 5432")
    phone.click("#notify button[type=submit]")
    expect(phone.locator("#notify")).to_contain_text("Pesan akan dikirim ke 0813*****432")
    assert "765432" not in phone.content() and "5432" not in phone.content()  # masked
    expect(phone.locator("#f-phone")).to_have_count(1)  # a second number may replace it
    # the gateway answers 503: the page says the message could not be sent
    for _ in range(30):
        if gateway.posts:
            break
        phone.wait_for_timeout(100)
    assert gateway.posts and gateway.posts[0]["body"]["to"] == "6281398765432"
    # the gateway saw the post before the server wrote down its 503: read again until then
    for _ in range(50):
        phone.reload()
        if phone.locator("#notify-failed").count():
            break
        phone.wait_for_timeout(200)
    expect(phone.locator("#notify-failed")).to_be_visible()
    shot(phone, "failed")


def test_the_console_shows_the_message_log_and_the_settings(
    server: ServerProcess, gateway: FakeGateway, new_page: NewPage, shot: Shot
) -> None:
    issue(server, "KK", phone="0857 1111 2222")
    issue(server, "KK", phone="0857 3333 4444")
    for size in ("phone", "tablet", "desktop"):
        page = new_page(size)
        sign_in(page, server.url)
        page.goto(server.url + "/console/messages")
        expect(page.locator("#count-total")).to_have_text("2")
        expect(page.locator("#messages tbody tr")).to_have_count(2)
        expect(page.locator("#messages")).to_contain_text("0857*****444")
        assert "33334444" not in page.content()
        shot(page, "log")
        if size == "desktop":
            page.goto(server.url + "/console/site")
            expect(page.locator("#f-notify\\.channel")).to_have_value("http")
            page.fill("#f-notify\\.url", "ftp://nowhere")
            page.click("form[action='/console/site'] button[type=submit]")
            expect(page.locator("#e-notify\\.url")).to_contain_text("http://")
            shot(page, "settings")


def test_the_open_ticket_page_follows_a_call_within_a_second(
    server: ServerProcess, new_page: NewPage, shot: Shot
) -> None:
    first = issue(server, "AKTA")
    mine = issue(server, "AKTA")
    phone = new_page("phone")
    phone.add_init_script(SPY)
    phone.goto(server.url + mine["page"])
    expect(phone.locator("#ticket")).to_contain_text("Di depan Anda: 1 orang")
    assert phone.locator("#ticket").get_attribute("data-alert") == "near"
    phone.wait_for_timeout(300)  # the stream is open
    headers = {"Authorization": f"Bearer {officer_token(server)}"}
    with httpx.Client(base_url=server.url + "/api/v1", headers=headers) as c:
        assert c.post("/counters/L05/call").json()["ticket"]["code"] == first["code"]
        started = time.monotonic()
        # the line moved: the page loads again by itself (its own refresh is 15 s)
        expect(phone.locator("#ticket")).to_contain_text("Anda nomor berikutnya", timeout=1500)
        assert c.post("/counters/L05/call").json()["ticket"]["code"] == mine["code"]
    expect(phone.locator("#ticket")).to_contain_text("Dipanggil", timeout=1500)
    assert time.monotonic() - started < 5
    assert phone.locator("#ticket").get_attribute("data-alert") == "called"
    shot(phone, "called")
    # the phone vibrated and sounded once when near, then (longer, twice) when called
    felt = phone.evaluate("JSON.parse(sessionStorage.getItem('spy') || '[]')")
    assert felt == [
        ["vibrate", [400, 150, 400]],
        ["tone", 880],
        ["vibrate", [800, 200, 800, 200, 800]],
        ["tone", 988],
        ["tone", 988],
    ]
    phone.reload()  # loaded again, still called: nothing felt twice
    expect(phone.locator("#ticket")).to_contain_text("Dipanggil")
    assert len(phone.evaluate("JSON.parse(sessionStorage.getItem('spy') || '[]')")) == 5


# The browser's own wire, watched: what the page asks of the vibrator and the speaker,
# kept in sessionStorage because the page loads itself again on each change.
SPY = """
(() => {
  const log = (entry) => {
    const all = JSON.parse(sessionStorage.getItem('spy') || '[]');
    all.push(entry);
    sessionStorage.setItem('spy', JSON.stringify(all));
  };
  navigator.vibrate = (pattern) => { log(['vibrate', pattern]); return true; };
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) {
    log(['tone', this.frequency.value]);
    return start.apply(this, args);
  };
})();
"""


def officer_token(server: ServerProcess) -> str:
    with httpx.Client(base_url=server.url + "/api/v1") as c:
        login = {"username": "demo", "pin": "123456", "counter": "L05"}
        return str(c.post("/sessions", json=login).json()["token"])
