"""The public information page (/info/) in a real browser, on the LAN and on the public
listener, against a real `antrian server --demo` process: a service standard edited in
the console shows there (escaped) and in the TOML export; bad input is refused by field;
today's queue, the SKM with its follow-up and the year's complaints are shown, and
nothing personal is."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.serverproc import ServerProcess, antrian
from tests.web.conftest import Shot, sign_in
from tests.web.test_complaint_pages import served_ticket

API = "/api/v1"
MARKUP = '<script>document.title="x"</script><b>KK</b>'
COMPLAINT = "Petugas loket lambat sekali melayani saya hari ini."


class Both:
    def __init__(self, proc: ServerProcess) -> None:
        self.proc = proc
        self.lan = proc.url
        self.public = Path(str(proc.ready_file) + ".public").read_text().strip()


@pytest.fixture
def both(tmp_path: Path) -> Iterator[Both]:
    proc = ServerProcess(tmp_path, extra=("--public-port", "0"))
    proc.start()
    yield Both(proc)
    proc.stop()


def _fresh(page: Page, url: str, text: str) -> None:
    """The page at most Published.ttl (10 s) old shows `text` (waits out the cache)."""
    deadline = time.monotonic() + 15
    while True:
        page.goto(url)
        if text in page.content() or time.monotonic() > deadline:
            return
        time.sleep(1)


def test_the_standard_edited_in_the_console_is_published(
    both: Both, new_page: Callable[..., Page], shot: Shot
) -> None:
    base = both.lan
    issued = served_ticket(base, "info-0001")
    body = {"ticket": issued["page"].removeprefix("/t/"), "answers": [4, 4, 3, 4, 4, 4, 4, 4, 2]}
    assert httpx.post(f"{base}{API}/surveys", json=body).status_code == 201
    assert (
        httpx.post(f"{base}{API}/complaints", json={"service": "KTP", "text": COMPLAINT})
    ).status_code == 201
    admin = new_page("desktop")
    sign_in(admin, base)
    # bad input: refused beside its field, nothing saved
    admin.goto(f"{base}/console/services")
    admin.click("#standard-KTP")
    admin.fill("#f-cost", "x" * 501)
    admin.click("form.card button[type=submit]")
    expect(admin.locator("#e-cost")).to_contain_text("Maksimal 500 karakter")
    # the standard, with markup a careless paste could bring
    admin.fill("#f-requirements", f"1. Fotokopi KK {MARKUP}\n2. Surat pengantar RT")
    admin.fill("#f-procedure", "Ambil nomor, tunggu panggilan, serahkan berkas.")
    admin.fill("#f-time", "1 hari kerja")
    admin.fill("#f-cost", "Gratis")
    admin.fill("#f-product", "KTP-el")
    admin.fill("#f-complaints", "Meja informasi; formulir daring /pengaduan/")
    admin.click("form.card button[type=submit]")
    expect(admin.locator(".notice.ok")).to_be_visible()
    shot(admin, "1-console-standard")
    # an SKM follow-up action for the site
    admin.goto(f"{base}/console/skm")
    admin.fill("#fu-what", "Kursi ruang tunggu ditambah")
    admin.fill("#fu-who", "Kepala Subbagian Umum")
    admin.fill("#fu-due", "2026-12-31")
    admin.click("#add-action button[type=submit]")
    expect(admin.locator("#actions tbody tr")).to_have_count(1)

    phone = new_page("phone")
    _fresh(phone, f"{base}/info/", "Gratis")
    expect(phone.locator("h2").first).to_be_visible()
    service = phone.locator("#svc-KTP")
    expect(service.locator(".served")).to_have_text("1")
    expect(service.locator(".waiting")).to_have_text("0")
    service.locator("summary").click()
    requirements = service.locator(".std-requirements")
    expect(requirements).to_contain_text(MARKUP)  # shown as text, never run or drawn
    assert service.locator("script, b").count() == 0
    assert phone.title() != "x"
    expect(service.locator(".std-cost")).to_have_text("Gratis")
    expect(phone.locator("#skm .grade")).to_have_text("A")
    expect(phone.locator("#skm")).to_contain_text("Kursi ruang tunggu ditambah")
    expect(phone.locator("#complaints dd").first).to_have_text("1")
    expect(phone.locator("#holidays")).to_be_visible()
    text = phone.locator("main").inner_text()
    # nothing personal: no ticket code, no complaint text, no officer, no follow-up's "who"
    for secret in (issued["code"], COMPLAINT, "Kepala Subbagian Umum", "demo"):
        assert secret not in text, secret
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    shot(phone, "2-info")
    phone.click("header a[hreflang=en]")
    expect(phone.locator("header")).to_contain_text("Service information")
    expect(phone.locator("#svc-KTP summary")).to_contain_text("Served today")
    shot(phone, "3-info-en")
    for size in ("tablet", "desktop"):
        other = new_page(size)
        other.goto(f"{base}/info/")
        other.locator("#svc-KTP summary").click()
        shot(other, "4-info")

    # the same page on the public listener, and nothing else there
    public = new_page("phone")
    public.goto(f"{both.public}/info/")
    expect(public.locator("#svc-KTP .std-cost")).to_have_text("Gratis")
    shot(public, "5-public")
    with httpx.Client(base_url=both.public, timeout=10) as c:
        assert c.get(f"{API}/info").json() == httpx.get(f"{base}{API}/info").json()
        for path in ("/console/", f"{API}/board", f"{API}/services", f"{API}/admin/services"):
            assert c.get(path).status_code == 404, path
        assert c.post("/info/", data={}).status_code == 404
        assert c.get("/static/info.css").status_code == 200

    # the TOML export carries it
    db = f"sqlite:///{both.proc.data_dir / 'demo.sqlite'}"
    exported = antrian("site", "export", "--db", db, timeout=60)
    assert exported.returncode == 0, exported.stderr
    export = exported.stdout
    assert 'cost = "Gratis"' in export and "Fotokopi KK" in export
