"""Antrean online's pages in a real browser at 390x844 (a phone): the whole booking path,
the look-up by the link, the cancel; mistakes shown on the form, nothing stored."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.notify_wire import FakeGateway, site_toml
from tests.serverproc import ServerProcess
from tests.web.conftest import Shot

NIK = "3517012345670001"


def book_ktp(page: Page, base: str, shot: Shot | None = None, name: str = "Siti Aminah") -> None:
    page.goto(f"{base}/booking/")
    if shot:
        shot(page, "1-services")
    page.click("text=KTP-el")
    page.locator("a.choice").first.click()  # the first open date
    expect(page.locator("label.slot").first).to_be_visible()
    page.locator("label.slot:not(.full) input").first.check()
    page.fill("#f-name", name)
    page.fill("#f-phone", "0812 3456 7890")
    page.fill("#f-nik", NIK)
    if shot:
        shot(page, "2-form")
    page.click("button[type=submit]")


@pytest.mark.slow
def test_book_look_up_and_cancel_on_a_phone(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot
) -> None:
    page = new_page("phone")
    book_ktp(page, web_server.url, shot)
    page.wait_for_url(re.compile(r"/booking/b/[A-Za-z0-9_-]{40,}"))
    code = page.locator("#code").inner_text()
    assert re.fullmatch(r"[34679ACDEFHJKMNPRTUVWXY]{8}", code)
    expect(page.locator(".qr svg")).to_be_visible()
    expect(page.locator("body")).to_contain_text("KTP-el asli")  # what to bring
    expect(page.locator("body")).to_contain_text("3517********0001")
    assert NIK not in page.content()
    assert page.evaluate("document.body.scrollWidth") <= 390  # nothing wider than the phone
    # The loud part is the code to show at the kiosk; cancelling is the quiet way out.
    cancel = page.locator("button.cancel").bounding_box()
    assert cancel is not None and cancel["width"] < 0.6 * 390, cancel
    assert page.locator("button.wide, button.danger").count() == 0
    shot(page, "3-booked")
    link = page.url
    token = link.rsplit("/", 1)[1].split("?")[0]
    with httpx.Client(base_url=web_server.url + "/api/v1") as api:
        assert api.get(f"/bookings/{token}").json()["code"] == code
    page.click("text=English")
    expect(page.locator("#status")).to_have_text("Booked")
    shot(page, "4-booked-en")

    other = new_page("phone")  # the link, opened later on another phone
    other.goto(link.split("?")[0])
    expect(other.locator("#code")).to_have_text(code)
    other.on("dialog", lambda dialog: dialog.accept())
    other.click("button.cancel")
    expect(other.locator("#status")).to_have_text("Booking dibatalkan")
    expect(other.locator(".qr svg")).to_have_count(0)
    shot(other, "5-cancelled")
    with httpx.Client(base_url=web_server.url + "/api/v1") as api:
        assert api.get(f"/bookings/{token}").json()["status"] == "cancelled"


@pytest.mark.slow
def test_mistakes_are_shown_and_nothing_is_stored(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot
) -> None:
    page = new_page("phone")
    book_ktp(page, web_server.url, name="<script>alert(1)</script>")
    expect(page.locator("[role=alert]")).to_contain_text("Isi nama lengkap")
    assert page.locator("#f-name").input_value() == "<script>alert(1)</script>"  # shown as text
    shot(page, "bad-name")
    page.locator("label.slot:not(.full) input").first.check()
    page.fill("#f-name", "Budi")
    page.fill("#f-phone", "12345")
    page.fill("#f-nik", NIK)
    page.click("button[type=submit]")
    expect(page.locator("[role=alert]")).to_contain_text("nomor HP Indonesia")
    # The NIK is never sent back; the page says why its field is empty.
    assert page.locator("#f-nik").input_value() == "" and NIK not in page.content()
    expect(page.locator("#nik-again")).to_contain_text("ketik lagi")
    # Without the form's cookie (another site's page posting): refused, nothing booked.
    with httpx.Client(base_url=web_server.url) as c:
        r = c.post("/booking/KK", data={"date": "2030-01-01", "session": "00:00-06:00",
                                        "name": "Budi", "phone": "081234567890"})  # fmt: skip
        assert r.status_code == 403
    with httpx.Client(base_url=web_server.url + "/api/v1") as api:
        today = api.get("/bookings/services").json()["days"][0]
        slots = api.get("/bookings/slots", params={"service": "KTP", "date": today}).json()
    assert all(s["left"] == s["places"] for s in slots["slots"])  # no place taken


@pytest.mark.slow
def test_find_a_booking_by_its_code_and_phone(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot
) -> None:
    """The link was lost: the code and the phone given at booking lead back to its page."""
    with httpx.Client(base_url=web_server.url + "/api/v1") as api:
        today = api.get("/bookings/services").json()["days"][0]
        slots = api.get("/bookings/slots", params={"service": "JKN", "date": today}).json()
        made = api.post("/bookings", json={
            "service": "JKN", "date": today, "session": slots["slots"][0]["session"],
            "name": "Siti Aminah", "phone": "0812 3456 7890"}).json()  # fmt: skip
    for size in ("phone", "tablet", "desktop"):
        page = new_page(size)
        page.goto(f"{web_server.url}/booking/")
        shot(page, "0-services")
        page.click("#to-find")
        page.wait_for_url(re.compile(r"/booking/cari"))
        expect(page.locator("h1")).to_have_text("Cari booking Anda")
        shot(page, "1-form")
        # A wrong phone and a wrong code read the same: nothing says which part was wrong.
        # (At one size: each look-up spends one of the address's booking rate, bursts of 5.)
        said = []
        wrong = [(made["code"], "0812 0000 0000"), ("AAAAAAAA", "0812 3456 7890")]
        for code, phone in wrong if size == "phone" else []:
            page.fill("#f-code", code)
            page.fill("#f-phone", phone)
            page.click("button[type=submit]")
            said.append(page.locator("#find-refused").inner_text())
        if said:
            assert len(set(said)) == 1 and "Periksa keduanya" in said[0]
            assert page.locator("#f-phone").input_value() == "0812 3456 7890"  # kept to fix
            shot(page, "2-refused")
        width = page.viewport_size["width"] if page.viewport_size else 0
        assert page.evaluate("document.body.scrollWidth") <= width
        page.fill("#f-code", made["code"].lower())  # typed on a phone's keyboard
        page.fill("#f-phone", "0812 3456 7890")
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"/booking/b/[A-Za-z0-9_-]{40,}"))
        expect(page.locator("#code")).to_have_text(made["code"])
        expect(page.locator("#status")).to_have_text("Terdaftar")
        shot(page, "3-found")
        if size == "phone":
            page.goto(f"{web_server.url}/booking/cari?lang=en")
            expect(page.locator("h1")).to_have_text("Find your booking")
            shot(page, "4-form-en")


@pytest.mark.slow
def test_the_sms_code_proves_the_phone_before_booking(
    tmp_path: Path, new_page: Callable[..., Page], shot: Shot
) -> None:
    """[booking] require_sms_code with an HTTP gateway on 127.0.0.1: phone, code, booking."""
    with FakeGateway() as gateway:
        config = tmp_path / "site.toml"
        config.write_text(
            site_toml(f'channel = "http"\nurl = "{gateway.url}"').replace(
                "require_sms_code = false", "require_sms_code = true"
            )
        )
        server = ServerProcess(tmp_path, demo=True, config=config)
        server.start()
        try:
            for size in ("tablet", "desktop"):
                other = new_page(size)
                other.goto(f"{server.url}/booking/")
                other.click("text=Layanan Peserta JKN")
                other.locator("a.choice").first.click()
                expect(other.locator("#send-code")).to_be_visible()
                shot(other, "1-form")
            page = new_page("phone")
            page.goto(f"{server.url}/booking/")
            page.click("text=Layanan Peserta JKN")
            page.locator("a.choice").first.click()
            page.locator("label.slot:not(.full) input").first.check()
            page.fill("#f-name", "Siti Aminah")
            page.fill("#f-phone", "0812 3456 7890")
            shot(page, "1-form")
            page.click("#send-code")  # nothing else needs filling for the code
            expect(page.locator("#sms-sent")).to_contain_text("Kode dikirim lewat SMS")
            assert page.locator("#f-name").input_value() == "Siti Aminah"  # the form kept
            assert page.evaluate("document.body.scrollWidth") <= 390
            shot(page, "2-code-sent")
            deadline = time.monotonic() + 10
            while not gateway.messages() and time.monotonic() < deadline:
                time.sleep(0.05)
            text = gateway.messages()[0]["text"]
            code = re.search(r"\b([0-9]{6})\b", text)
            assert code is not None and "kode verifikasi booking" in text
            wrong = "000000" if code.group(1) != "000000" else "111111"
            page.fill("#f-sms-code", wrong)
            page.click("button.wide")
            expect(page.locator("[role=alert]")).to_contain_text("bukan kode yang dikirim")
            shot(page, "3-wrong-code")
            page.locator("label.slot:not(.full) input").first.check()
            page.fill("#f-sms-code", code.group(1))
            page.click("button.wide")
            page.wait_for_url(re.compile(r"/booking/b/[A-Za-z0-9_-]{40,}"))
            expect(page.locator("#status")).to_have_text("Terdaftar")
            shot(page, "4-booked")
        finally:
            server.stop()
