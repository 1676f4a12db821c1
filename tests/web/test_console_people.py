"""The console's door and its people and devices pages, in a real browser."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from playwright.sync_api import Page, expect

from tests.serverproc import ServerProcess
from tests.web.conftest import Shot, sign_in

API = "/api/v1"


def test_sign_in_wrong_then_right_and_sign_out(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot
) -> None:
    page = new_page("desktop")
    page.goto(f"{web_server.url}/console/people")
    assert "/console/login" in page.url  # not signed in: to the sign-in page
    page.fill("#f-username", "admin")
    page.fill("#f-password", "wrong-password-1")
    page.click("button[type=submit]")
    expect(page.locator("[role=alert]")).to_have_text("Nama pengguna atau kata sandi salah")
    shot(page, "login-wrong")
    page.fill("#f-password", "demo-admin-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{web_server.url}/console/people")  # back where it was going
    cookie = next(c for c in page.context.cookies() if c["name"] == "antrian_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    shot(page, "people")
    page.click("text=Keluar")
    page.wait_for_url(f"{web_server.url}/console/login")
    page.goto(f"{web_server.url}/console/people")
    assert "/console/login" in page.url  # the session ended with the sign-out


def test_add_an_officer_with_a_mistake_then_right(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot
) -> None:
    page = new_page("tablet")
    sign_in(page, web_server.url)
    page.goto(f"{web_server.url}/console/people")
    form = page.locator("#add")
    form.locator("#f-username").fill("siti")
    form.locator("#f-name").fill("Siti Aminah")
    form.locator("#f-counters").fill("L03,L99")
    form.locator("#f-pin").fill("12")
    form.locator("button[type=submit]").click()
    expect(page.locator("#e-counters")).to_have_text("Loket tidak dikenal: L99")
    expect(page.locator("#e-pin")).to_have_text("PIN berupa 4 sampai 12 angka")
    shot(page, "officer-mistake")
    with httpx.Client(base_url=web_server.url + API) as c:
        assert (
            c.post(
                "/sessions", json={"username": "siti", "pin": "4826", "counter": "L03"}
            ).status_code
            == 401
        )
    form = page.locator("#add")
    assert form.locator("#f-name").input_value() == "Siti Aminah"  # kept, nothing half-saved
    form.locator("#f-counters").fill("L03")
    form.locator("#f-pin").fill("482613")
    form.locator("button[type=submit]").click()
    expect(page.locator("[role=status]")).to_contain_text("siti tersimpan")
    expect(page.locator("#person-siti")).to_contain_text("L03")
    shot(page, "officer-added")
    with httpx.Client(base_url=web_server.url + API) as c:
        r = c.post("/sessions", json={"username": "siti", "pin": "482613", "counter": "L03"})
        assert r.status_code == 201
        token = r.json()["token"]
        assert (
            c.post("/counters/L03/call", headers={"Authorization": f"Bearer {token}"}).status_code
            == 200
        )
    # A change to her (a new PIN) ends that session at once.
    page.goto(f"{web_server.url}/console/people?edit=siti")
    page.locator("#edit #f-pin").fill("555777")
    page.locator("#edit button[type=submit]").click()
    expect(page.locator("[role=status]")).to_contain_text("Sesi lamanya telah diakhiri")
    with httpx.Client(base_url=web_server.url + API) as c:
        assert (
            c.post("/counters/L03/call", headers={"Authorization": f"Bearer {token}"}).status_code
            == 401
        )
    # Disabled: the right PIN answers like a wrong one.
    page.goto(f"{web_server.url}/console/people")
    page.locator("#person-siti button.danger").click()
    expect(page.locator("#person-siti")).to_contain_text("Nonaktif")
    with httpx.Client(base_url=web_server.url + API) as c:
        r = c.post("/sessions", json={"username": "siti", "pin": "555777", "counter": "L03"})
        assert r.status_code == 401 and r.json()["code"] == "wrong_pin"


def test_register_and_revoke_a_device(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot
) -> None:
    page = new_page("desktop")
    sign_in(page, web_server.url)
    page.goto(f"{web_server.url}/console/devices")
    page.fill("#f-name", "kiosk-lobby")
    page.click("form.grid button[type=submit]")
    token = page.locator("#new-token").inner_text().strip()
    assert token.startswith("dev_")
    shot(page, "device-token")
    issue = {"service": "KTP", "priority": False, "request_id": "console-test-1"}
    with httpx.Client(base_url=web_server.url + API) as c:
        auth = {"Authorization": f"Bearer {token}"}
        assert c.post("/tickets", json=issue, headers=auth).status_code == 201
    page.reload()  # the token is never shown again
    assert page.locator("#new-token").count() == 0
    page.on("dialog", lambda d: d.accept())
    page.locator("tr", has_text="kiosk-lobby").locator("button.danger").click()
    expect(page.locator("[role=status]")).to_contain_text("kiosk-lobby dicabut")
    shot(page, "device-revoked")
    with httpx.Client(base_url=web_server.url + API) as c:
        again = {**issue, "request_id": "console-test-2"}
        assert c.post("/tickets", json=again, headers=auth).status_code == 401  # at once
    # A survey tablet needs its counter.
    page.fill("#f-name", "tablet-l01")
    page.select_option("#f-role", "survey")
    page.click("form.grid button[type=submit]")
    expect(page.locator("#e-counter")).to_have_text("Tablet survei perlu loketnya")


def test_forged_forms_and_roles(web_server: ServerProcess, new_page: Callable[..., Page]) -> None:
    page = new_page("desktop")
    sign_in(page, web_server.url)
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    with httpx.Client(base_url=web_server.url, cookies=cookies) as c:
        # The right cookie without the form's CSRF token changes nothing.
        r = c.post(
            "/console/people",
            data={
                "create": "1",
                "username": "mallory",
                "name": "M",
                "role": "admin",
                "password": "0123456789ab",
                "csrf": "forged",
            },
        )
        assert r.status_code == 403
        r = c.post("/console/devices", data={"name": "evil", "role": "kiosk"})
        assert r.status_code == 403
    with httpx.Client(base_url=web_server.url + API) as c:
        admin = c.post("/sessions", json={"username": "admin", "password": "demo-admin-2026"})
        assert admin.status_code == 201 and admin.json()["officer"]["role"] == "admin"
        people = c.get(
            "/admin/officers", headers={"Authorization": f"Bearer {admin.json()['token']}"}
        )
        assert people.status_code == 200 and "mallory" not in people.text
        for token in ("demo-kiosk", "demo-display", "demo-survey"):
            r = c.get("/admin/devices", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 403, token
        officer = c.post("/sessions", json={"username": "demo", "pin": "123456", "counter": "L01"})
        r = c.get("/admin/officers", headers={"Authorization": f"Bearer {officer.json()['token']}"})
        assert r.status_code == 403  # a supervisor is not an admin
        # A counter session's cookie does not open the console either.
    page2 = new_page("desktop")
    page2.context.add_cookies(
        [{"name": "antrian_console", "value": officer.json()["token"], "url": web_server.url}]
    )
    page2.goto(f"{web_server.url}/console/people")
    assert "/console/login" in page2.url or page2.locator("[role=alert]").count() == 1


def test_a_sign_in_posted_from_another_site_is_refused(web_server: ServerProcess) -> None:
    form = {"username": "admin", "password": "demo-admin-2026", "next": "/console/"}
    with httpx.Client(base_url=web_server.url) as c:
        forged = c.post("/console/login", data=form, headers={"Origin": "http://evil.example"})
        assert forged.status_code == 403 and "antrian_console" not in forged.cookies
        own = c.post("/console/login", data=form, headers={"Origin": web_server.url})
        assert own.status_code == 303 and "antrian_console" in own.cookies


def test_the_demos_own_officer_and_devices_are_listed_as_they_are(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot
) -> None:
    """Officers and Devices said 'Belum ada.' while the demo's kiosk and TV ran and the demo
    officer worked at a counter: its built-in accounts and devices have no rows."""
    signed = httpx.post(
        web_server.url + "/api/v1/sessions",
        json={"username": "demo", "pin": "123456", "counter": "L03"},
        timeout=10,
    )
    assert signed.status_code == 201, signed.text
    for size in ("desktop", "tablet", "phone"):
        page = new_page(size)
        sign_in(page, web_server.url)
        page.goto(web_server.url + "/console/people")
        expect(page.locator("#demo-demo")).to_contain_text("masuk: L03")
        expect(page.locator("#demo-demo")).to_contain_text("bawaan mode demo")
        expect(page.locator("#demo-admin")).to_contain_text("masuk: console")
        expect(page.locator("main")).not_to_contain_text("Belum ada.")
        shot(page, "people-demo")
        page.goto(web_server.url + "/console/devices")
        for token in ("demo-kiosk", "demo-display", "demo-survey"):
            expect(page.locator(f"#demo-{token}")).to_contain_text("bawaan mode demo")
        expect(page.locator("main")).not_to_contain_text("Belum ada.")
        shot(page, "devices-demo")
