"""The site's setup in the console, in a real browser: a quota and the hours changed, a
form with mistakes (Indonesian errors beside the fields, nothing saved), the change log."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import Dialog, Page, expect

from tests.serverproc import ServerProcess
from tests.web.conftest import ADMIN, Shot, sign_in


def admin_api(server: ServerProcess) -> httpx.Client:
    token = httpx.post(
        server.url + "/api/v1/sessions",
        json={"username": ADMIN[0], "password": ADMIN[1]},
        timeout=10,
    ).json()["token"]
    return httpx.Client(
        base_url=server.url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


def quota_of(api: httpx.Client, code: str) -> object:
    return next(s["quota"] for s in api.get("/admin/services").json() if s["code"] == code)


def test_quota_mistakes_and_the_change_log(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot
) -> None:
    base = web_server.url
    for size in ("desktop", "tablet"):
        page = new_page(size)
        sign_in(page, base)
        page.goto(f"{base}/console/services?edit=IZIN")
        page.fill("#f-quota", "0")
        page.fill("#f-prefix", "b1")
        page.click("#edit button[type=submit]")
        assert page.locator("#e-quota").inner_text() == "Minimal 1."
        assert "huruf kapital" in page.locator("#e-prefix").inner_text()
        assert page.input_value("#f-prefix") == "b1"  # what was typed stays to be fixed
        shot(page, "services-mistake")
        with admin_api(web_server) as api:
            assert quota_of(api, "IZIN") in (200, 123)  # nothing half-saved
        page.fill("#f-prefix", "A")
        page.fill("#f-quota", "123")
        page.click("#edit button[type=submit]")
        page.wait_for_url(f"{base}/console/services?saved=IZIN")
        assert page.locator("#service-IZIN td.quota").inner_text() == "123"
        shot(page, "services")
    with admin_api(web_server) as api:
        assert quota_of(api, "IZIN") == 123
    page.goto(f"{base}/console/audit")
    first = page.locator("tr.audit-entry").first
    assert "IZIN" in first.inner_text() and "diubah" in first.inner_text()
    assert "Kuota harian: 200 → 123" in first.inner_text()  # the form's label, not the key
    assert "admin" in first.inner_text() and "console" in first.inner_text()
    shot(page, "audit")


@pytest.mark.slow
def test_hours_with_a_break_a_closed_day_and_a_mistake(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot
) -> None:
    base = web_server.url
    page = new_page("desktop")
    sign_in(page, base)
    page.goto(f"{base}/console/hours")
    assert page.input_value("#f-friday") == "08:00-11:30, 13:00-14:30"
    page.fill("#f-monday", "09:00-12:00, 11:00-13:00")
    page.click("main form button[type=submit]")
    assert "tumpang tindih" in page.locator("#e-week").inner_text()
    shot(page, "hours-mistake")
    page.fill("#f-monday", "07:30-12:00, 13:00-15:00")
    page.fill("#f-dates", "2026-12-24 tutup\n2026-12-31 08:00-12:00")
    page.fill("#f-last_issue_minutes", "45")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/console/hours?saved=site")
    assert page.input_value("#f-monday") == "07:30-12:00, 13:00-15:00"
    assert page.input_value("#f-dates") == "2026-12-24 tutup\n2026-12-31 08:00-12:00"
    with admin_api(web_server) as api:
        hours = api.get("/admin/schedule").json()["site"]
    assert hours["week"]["monday"] == ["07:30-12:00", "13:00-15:00"]
    assert hours["dates"] == {"2026-12-24": [], "2026-12-31": ["08:00-12:00"]}
    assert hours["last_issue_minutes"] == 45
    shot(page, "hours")
    tablet = new_page("tablet")
    sign_in(tablet, base)
    for where in ("hours", "site", "agencies", "counters"):
        tablet.goto(f"{base}/console/{where}")
        shot(tablet, where)
        page.goto(f"{base}/console/{where}")
        shot(page, where)
    # the running text through the settings page
    page.goto(f"{base}/console/site")
    page.fill("#f-site\\.running_text", "Besok libur")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/console/site?saved=*")
    assert httpx.get(base + "/api/v1/board", timeout=10).json()["running_text"] == "Besok libur"


def test_deleting_asks_first(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot
) -> None:
    base = web_server.url
    with admin_api(web_server) as api:
        last = api.get("/admin/counters").json()[-1]
    page = new_page("desktop")
    sign_in(page, base)
    page.goto(f"{base}/console/counters")
    row = page.locator(f"#counter-{last['code']}")
    asked: list[str] = []

    def answer(accept: bool) -> Callable[[Dialog], None]:
        def on(dialog: Dialog) -> None:
            asked.append(dialog.message)
            if accept:
                dialog.accept()
            else:
                dialog.dismiss()

        return on

    page.once("dialog", answer(False))
    row.locator("button.danger").click()
    page.wait_for_timeout(300)
    assert asked == [f"Hapus {last['name']} ({last['code']})? Ini tidak dapat dibatalkan."]
    with admin_api(web_server) as api:  # dismissed: still there
        assert last["code"] in [c["code"] for c in api.get("/admin/counters").json()]
    page.once("dialog", answer(True))
    row.locator("button.danger").click()
    page.wait_for_url(f"{base}/console/counters?deleted={last['code']}")
    with admin_api(web_server) as api:
        assert last["code"] not in [c["code"] for c in api.get("/admin/counters").json()]
    shot(page, "counter-deleted")


def groups(api: httpx.Client) -> dict[str, tuple[str, str]]:
    """The priority groups as the kiosks read them (GET /services)."""
    return {
        g["code"]: (g["name"], g["name_en"]) for g in api.get("/services").json()["priority_groups"]
    }


def test_priority_groups_added_renamed_removed_and_one_in_use_kept(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot
) -> None:
    base = web_server.url
    with httpx.Client(base_url=base + "/api/v1", timeout=10) as kiosk:
        kiosk.headers["Authorization"] = "Bearer demo-kiosk"
        body = {"service": "KK", "request_id": "group-in-use-1", "priority": True,
                "priority_group": "balita"}  # fmt: skip
        assert kiosk.post("/tickets", json=body).status_code == 201
    page = new_page("desktop")
    sign_in(page, base)
    page.goto(f"{base}/console/site#groups")
    rows = page.locator("#groups-table tbody tr")
    assert rows.count() == 5  # the four defaults and an empty row to add one
    page.fill("#f-g0\\.name", "Lanjut usia")  # lansia renamed: its code stays
    page.fill("#f-g4\\.code", "Veteran!")  # a code the validator refuses
    page.fill("#f-g4\\.name", "Veteran")
    page.click("#save-groups")
    error = page.locator("#e-g4\\.code")
    assert error.is_visible() and page.input_value("#f-g4\\.code") == "Veteran!"
    shot(page, "groups-mistake")
    with admin_api(web_server) as api:
        assert groups(api)["lansia"][0] == "Lansia"  # nothing half-saved
    page.fill("#f-g4\\.code", "veteran")
    page.fill("#f-g4\\.name_en", "Veterans")
    page.click("#save-groups")
    page.wait_for_url(f"{base}/console/site?saved=Kelompok+prioritas")
    with admin_api(web_server) as api:
        now = groups(api)
    assert now["lansia"] == ("Lanjut usia", "Elderly")
    assert now["veteran"] == ("Veteran", "Veterans")
    assert list(now) == ["lansia", "disabilitas", "ibu_hamil", "balita", "veteran"]
    # balita is on today's ticket: refused with the reason, nothing removed
    page.check("#f-g3\\.remove")
    page.check("#f-g4\\.remove")
    page.click("#save-groups")
    notice = page.locator(".notice.bad")
    assert "dipakai antrean hari ini" in notice.inner_text()
    assert "hapus besok" in page.locator("#e-g3\\.code").inner_text()
    shot(page, "groups-in-use")
    with admin_api(web_server) as api:
        assert "balita" in groups(api) and "veteran" in groups(api)
        # the API's PATCH is the same edit, with the same answer
        kept = [{"code": c, "name": n, "name_en": e} for c, (n, e) in groups(api).items()
                if c != "balita"]  # fmt: skip
        refused = api.patch("/admin/site", json={"queue": {"priority_groups": kept}})
        assert refused.status_code == 409
        assert refused.json()["code"] == "priority_group_in_use"
        assert refused.json()["field"] == "queue.priority_groups.balita"
    page.uncheck("#f-g3\\.remove")
    page.click("#save-groups")  # veteran alone: removed
    page.wait_for_url(f"{base}/console/site?saved=Kelompok+prioritas")
    with admin_api(web_server) as api:
        assert "veteran" not in groups(api) and "balita" in groups(api)
    for size in ("tablet", "phone"):
        other = new_page(size)
        sign_in(other, base)
        other.goto(f"{base}/console/site#groups")
        other.locator("#groups").scroll_into_view_if_needed()
        shot(other, "groups")


def test_the_sms_code_switch_needs_a_channel(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot
) -> None:
    """[booking] require_sms_code on the settings page: refused beside the box without a
    message channel, saved with one; what was checked stays checked."""
    base = web_server.url
    for size in ("phone", "tablet", "desktop"):
        page = new_page(size)
        sign_in(page, base)
        page.goto(f"{base}/console/site")
        box = page.locator("#f-booking\\.require_sms_code")
        expect(box).not_to_be_checked()
        box.check()
        page.click("main form button[type=submit]")
        expect(page.locator("#e-booking\\.require_sms_code")).to_contain_text("saluran pesan")
        expect(page.locator("#f-booking\\.require_sms_code")).to_be_checked()
        page.locator("#e-booking\\.require_sms_code").scroll_into_view_if_needed()
        shot(page, "sms-code-refused")
    page.select_option("#f-notify\\.channel", "http")
    page.fill("#f-notify\\.url", "http://127.0.0.1:9/send")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/console/site?saved=*")
    expect(page.locator("#f-booking\\.require_sms_code")).to_be_checked()
    with admin_api(web_server) as api:
        assert api.get("/admin/site").json()["booking"]["require_sms_code"] is True
    page.locator("#f-booking\\.require_sms_code").uncheck()
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/console/site?saved=*")
    with admin_api(web_server) as api:
        assert api.get("/admin/site").json()["booking"]["require_sms_code"] is False


@pytest.mark.parametrize("size", ["desktop", "tablet", "phone"])
def test_the_change_log_reads_as_words_not_internals(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot, size: str
) -> None:
    """The seed's hours showed `always_open: -> False` and `week: -> {'friday': [{'end':
    '11:30:00'...` in the Indonesian console."""
    page = new_page(size)
    sign_in(page, web_server.url)
    texts = []
    for number in (1, 2):
        page.goto(f"{web_server.url}/console/audit?page_no={number}")
        texts.append(page.locator("main table").inner_text())
        if number == 1:
            shot(page, "audit")
    text = "\n".join(texts)
    for internal in ("always_open", "False", "{'", "'end'", "11:30:00", "target_minutes"):
        assert internal not in text, internal
    assert "Buka sepanjang waktu" in text and "Jumat 08.00-11.30, 13.00-14.30" in text
    assert "Jam layanan" in text and "Target waktu tunggu (menit)" in text
    page.goto(f"{web_server.url}/console/audit?page_no=2&lang=en")
    english = page.locator("main table").inner_text()
    page.goto(f"{web_server.url}/console/audit?page_no=1&lang=en")
    english += page.locator("main table").inner_text()
    assert "Friday 08:00-11:30, 13:00-14:30" in english and "Always open" in english
    page.goto(f"{web_server.url}/console/audit?lang=id")
