"""Pengaduan's pages in a real browser: the public form and its follow-up on a phone
(390x844), Indonesian and English; from the visitor's ticket page after service; the
console's register at 1366x768; a forged or replayed form refused; markup shown as text."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from shared.timeutil import format_date
from tests.serverproc import ServerProcess
from tests.web.conftest import ADMIN, Shot, sign_in

API = "/api/v1"
MARKUP = "<b>tebal</b> <script>document.title='x'</script> loket KTP tutup jam 10"


def admin_api(base: str) -> httpx.Client:
    token = httpx.post(
        f"{base}{API}/sessions", json={"username": ADMIN[0], "password": ADMIN[1]}
    ).json()["token"]
    return httpx.Client(base_url=base + API, headers={"Authorization": f"Bearer {token}"})


def stored(base: str) -> list[dict[str, object]]:
    with admin_api(base) as c:
        found: list[dict[str, object]] = c.get("/admin/complaints").json()
        return found


def test_the_public_form_and_the_follow_up_on_a_phone(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot
) -> None:
    base = web_server.url
    page = new_page("phone")
    page.goto(f"{base}/pengaduan/")
    expect(page.locator("h1")).to_have_text("Sampaikan Pengaduan")
    shot(page, "1-form")
    # A mistake: shown beside its field, nothing kept.
    page.select_option("#f-agency", "DUKCAPIL")
    page.fill("#f-text", "pendek")
    page.fill("#f-contact", "bukan nomor")
    page.click("button[type=submit]")
    expect(page.locator("#e-text")).to_contain_text("minimal 10 karakter")
    expect(page.locator("#e-contact")).to_be_visible()
    expect(page.locator("#f-agency")).to_have_value("DUKCAPIL")
    shot(page, "2-mistakes")
    assert stored(base) == []
    page.fill("#f-text", MARKUP)
    page.fill("#f-contact", "0812 3456 7890")
    page.select_option("#f-service", "KTP")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/pengaduan/[A-Za-z0-9_-]{40,}\?lang=id&new=1$"))
    expect(page.locator("#reference")).to_have_text(re.compile(r"^ADU-\d{4}-000001$"))
    expect(page.locator("#status")).to_have_text("Diterima")
    # The citizen's markup is shown as the text it is: no element made, no script run.
    expect(page.locator("#text")).to_have_text(MARKUP)
    assert page.locator("#text b").count() == 0 and page.title() != "x"
    assert "0812" not in page.content() and "+62" not in page.content()
    shot(page, "3-sent")
    link = page.url.split("?")[0]

    [entry] = stored(base)
    assert entry["contact"] == "+62812*****890" and entry["channel"] == "web"
    answer = "Mohon maaf. Mulai besok loket KTP buka sampai pukul 15.00."
    with admin_api(base) as c:
        assert (
            c.patch(f"/admin/complaints/{entry['id']}", json={"answer": answer}).status_code == 200
        )
    page.goto(link + "?lang=en")
    expect(page.locator("#status")).to_have_text("Answered")
    expect(page.locator("#answer")).to_have_text(answer)
    expect(page.locator("ol.steps li.done")).to_have_count(2)  # received; answered shown done
    shot(page, "4-answered-en")
    page.goto(link + "?lang=id")
    expect(page.locator("#status")).to_have_text("Dijawab")
    page.goto(f"{base}/pengaduan/" + "A" * 43)
    expect(page.locator(".notice.bad")).to_have_text("Pengaduan tidak ditemukan.")


def test_a_forged_or_replayed_form_is_refused(web_server: ServerProcess) -> None:
    base = web_server.url
    body = {"agency": "BPN", "text": "Sertifikat saya belum jadi setelah tiga bulan."}
    with httpx.Client(base_url=base) as mine, httpx.Client(base_url=base) as other:
        form = mine.get("/pengaduan/").text
        token = re.search(r'name="csrf" value="([0-9a-f]{32})"', form)
        assert token is not None
        other.get("/pengaduan/")  # another browser, its own cookie
        # Replayed from another browser (its cookie, this form's token), or with no token.
        assert other.post("/pengaduan/", data={**body, "csrf": token.group(1)}).status_code == 403
        assert mine.post("/pengaduan/", data=body).status_code == 403
        # Posted from another site's page.
        forged = mine.post(
            "/pengaduan/", data={**body, "csrf": token.group(1)},
            headers={"Origin": "http://evil.example"},
        )  # fmt: skip
        assert forged.status_code == 403
        assert stored(base) == []
        sent = mine.post("/pengaduan/", data={**body, "csrf": token.group(1)})
        assert sent.status_code == 303 and sent.headers["location"].startswith("/pengaduan/")
    assert len(stored(base)) == 1


def test_from_the_ticket_page_after_service(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot
) -> None:
    base = web_server.url
    issued = served_ticket(base, "cp-ticket-0001")
    page = new_page("phone")
    page.goto(base + issued["page"])
    shot(page, "1-ticket-done")
    page.click("#complain")
    expect(page.locator("#ticket-note")).to_contain_text(issued["code"])
    assert page.locator("#f-agency").count() == 0  # the ticket says which
    page.fill("#f-text", "Petugas tidak menjelaskan syarat akta dengan jelas.")
    shot(page, "2-form-from-ticket")
    page.click("button[type=submit]")
    expect(page.locator("#reference")).to_be_visible()
    shot(page, "3-sent")
    [entry] = stored(base)
    assert (entry["ticket"], entry["channel"], entry["agency"]) == (
        issued["code"], "ticket_page", "DUKCAPIL",
    )  # fmt: skip


def test_the_console_register(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot
) -> None:
    base = web_server.url
    for service, text in (("KTP", "=HYPERLINK(\"http://x\") antrean lama sekali"),
                          ("IZIN", "Berkas izin saya hilang di loket."),
                          ("JKN", "AC ruang tunggu mati seharian.")):  # fmt: skip
        r = httpx.post(f"{base}{API}/complaints", json={"service": service, "text": text,
                                                       "contact": "budi@mail.id"})  # fmt: skip
        assert r.status_code == 201
    with admin_api(base) as c:
        dina = {"username": "dina", "name": "Dina Lestari", "role": "supervisor",
                "counters": ["L03"], "password": "dukcapil-2026"}  # fmt: skip
        assert c.post("/admin/officers", json=dina).status_code == 201
    page = new_page("desktop")
    sign_in(page, base)
    expect(page.locator("#complaints-count")).to_have_text("3 pengaduan belum selesai dijawab")
    page.click("#complaints-count a")
    expect(page.locator("#register tbody tr")).to_have_count(3)
    expect(page.locator("#register")).to_contain_text("bu***@mail.id")
    assert "budi@mail.id" not in page.content()
    expect(page.locator("#figures tr.total")).to_contain_text("3")
    shot(page, "1-register")
    row = page.locator("#register tbody tr").last  # the first filed: KTP
    row.locator("summary").click()
    row.locator("textarea").fill("Loket KTP ditambah satu petugas mulai Senin.")
    row.locator("select[name=assignee]").select_option("dina")
    shot(page, "2-answering")
    row.locator("button[type=submit]").click()
    expect(page.locator(".notice.ok")).to_contain_text("ADU-")
    expect(page.locator("#register tbody tr").last).to_contain_text("Dijawab")
    # A complaint by letter, recorded for the citizen.
    page.select_option("#r-channel", "letter")
    page.select_option("#r-agency", "BPN")
    page.fill("#r-text", "Surat: pengukuran tanah tertunda dua bulan.")
    page.click("#record button[type=submit]")
    expect(page.locator("#register tbody tr")).to_have_count(4)
    expect(page.locator("#register tbody tr").first).to_contain_text("Surat")
    expect(page.locator("#figures tr.total td").nth(1)).to_have_text("4")
    # one number format per language: the Indonesian page said 25.0 beside 0,7 elsewhere
    expect(page.locator("#figures tr.total td").last).to_have_text("25,0")
    page.goto(f"{base}/console/complaints?lang=en")
    expect(page.locator("#figures tr.total td").last).to_have_text("25.0")
    page.goto(f"{base}/console/complaints?lang=id")
    shot(page, "3-recorded")
    page.locator("#register tbody tr").last.locator("a.reveal").click()
    expect(page.locator("#register tbody tr").last.locator("td.contact")).to_have_text(
        "budi@mail.id"
    )
    with page.expect_download() as got:
        page.click("text=Unduh register (LAPOR!)")
    assert got.value.suggested_filename.endswith(".xlsx")


def test_a_supervisor_sees_only_their_agencys_complaints(
    web_server: ServerProcess, new_page: Callable[..., Page]
) -> None:
    base = web_server.url
    for service in ("KTP", "IZIN"):
        body = {"service": service, "text": "Pelayanan lambat sekali hari ini."}
        assert httpx.post(f"{base}{API}/complaints", json=body).status_code == 201
    with admin_api(base) as c:
        dina = {"username": "dina", "name": "Dina Lestari", "role": "supervisor",
                "counters": ["L03"], "password": "dukcapil-2026"}  # fmt: skip
        assert c.post("/admin/officers", json=dina).status_code == 201
    page = new_page("desktop")
    sign_in(page, base, ("dina", "dukcapil-2026"))
    page.goto(f"{base}/console/complaints")
    expect(page.locator("#register tbody tr")).to_have_count(1)
    expect(page.locator("#register")).to_contain_text("Dispendukcapil")


def served_ticket(base: str, request_id: str) -> dict[str, str]:
    """A KTP ticket issued, called, served and finished at L03 (the demo officer)."""
    issued: dict[str, str] = httpx.post(
        f"{base}{API}/tickets",
        json={"service": "KTP", "request_id": request_id},
        headers={"Authorization": "Bearer demo-kiosk"},
    ).json()
    officer = httpx.post(
        f"{base}{API}/sessions", json={"username": "demo", "pin": "123456", "counter": "L03"}
    ).json()["token"]
    with httpx.Client(base_url=base + API, headers={"Authorization": f"Bearer {officer}"}) as c:
        for step in ("call", "start", "finish"):
            assert c.post(f"/counters/L03/{step}").status_code == 200, step
    return issued


def suggested(base: str, request_id: str, suggestion: str) -> dict[str, str]:
    """A served ticket whose visitor answered the survey with a suggestion."""
    issued = served_ticket(base, request_id)
    survey = {
        "ticket": issued["page"].removeprefix("/t/"),
        "answers": [3, 3, 2, 3, 3, 2, 3, 3, 1],
        "suggestion": suggestion,
    }
    assert httpx.post(f"{base}{API}/surveys", json=survey).status_code == 201
    return issued


def test_an_skm_suggestion_promoted_to_a_complaint(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot
) -> None:
    base = web_server.url
    issued = suggested(base, "cp-promote-0001", "Ruang tunggu panas dan kursi kurang.")
    page = new_page("tablet")
    sign_in(page, base)
    page.goto(f"{base}/console/skm")
    page.click("form.promote button")
    expect(page.locator(".notice.ok")).to_contain_text("ADU-")
    expect(page.locator("#register tbody tr")).to_have_count(1)
    expect(page.locator("#register tbody tr").first).to_contain_text("Saran SKM")
    expect(page.locator("#register tbody tr").first).to_contain_text(issued["code"])
    shot(page, "1-promoted")
    # Once only: the form sent again (a second tab, a replay) is refused, nothing added.
    page.go_back()
    page.goto(f"{base}/console/skm")
    expect(page.locator("form.promote")).to_have_count(0)  # the page links it instead
    assert len(stored(base)) == 1


def test_a_complaint_and_its_ticket_link_both_ways(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot
) -> None:
    """The register shows a complaint's ticket (number, service, day) linked to the
    ticket's view, which lists its complaints; a promoted suggestion links to its complaint."""
    base = web_server.url
    issued = suggested(base, "cp-link-0001", "Petugas ramah, tetapi antrean terlalu panjang.")
    other = httpx.post(f"{base}{API}/complaints", json={"service": "IZIN", "text": MARKUP})
    assert other.status_code == 201  # not about the ticket: never in its view
    with admin_api(base) as c:
        day = c.get(f"/tickets/{issued['id']}").json()["business_day"]
    for size in ("phone", "tablet", "desktop"):
        page = new_page(size)
        sign_in(page, base)
        page.goto(f"{base}/console/skm")
        if page.locator("form.promote button").count():
            page.click("form.promote button")
            expect(page.locator(".notice.ok")).to_contain_text("ADU-")
            page.goto(f"{base}/console/skm")
        link = page.locator(".suggestions .promoted a")
        expect(link).to_have_text(re.compile(r"^ADU-\d{4}-\d{6}$"))
        reference = link.inner_text()
        shot(page, "1-skm-promoted")
        link.click()
        expect(page.locator("#narrowed")).to_contain_text(reference)
        expect(page.locator("#register tbody tr")).to_have_count(1)
        row = page.locator("#register tbody tr").first
        ticket = row.locator("a.ticket-link")
        expect(ticket).to_have_text(f"Tiket {issued['code']}")
        expect(row).to_contain_text("KTP-el")
        expect(row).to_contain_text(format_date(date.fromisoformat(day), "id"))
        shot(page, "2-register-ticket")
        ticket.click()
        expect(page.locator("h1")).to_have_text(f"Tiket {issued['code']}")
        facts = page.locator("#ticket")
        expect(facts).to_contain_text("KTP-el")
        expect(facts).to_contain_text("Selesai dilayani")
        expect(facts).to_contain_text(format_date(date.fromisoformat(day), "id"))
        expect(page.locator("#complaints li")).to_have_count(1)
        expect(page.locator("#complaints")).to_contain_text(reference)
        shot(page, "3-ticket-view")
        page.locator("#complaints a").click()
        expect(page.locator("#register tbody tr")).to_have_count(1)
        expect(page.locator("#register")).to_contain_text(reference)
    missing = page.goto(f"{base}/console/tickets/999999")
    assert missing is not None and missing.status == 404
    expect(page.locator("h1")).to_have_text("Tiket tidak ditemukan")
    for bad in ("0", "01", "abc"):
        assert httpx.get(f"{base}/console/tickets/{bad}").status_code in (303, 404, 422)


def test_the_skm_followup_in_the_console(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot
) -> None:
    base = web_server.url
    issued = served_ticket(base, "cp-followup-0001")
    survey = {"ticket": issued["page"].removeprefix("/t/"), "answers": [3, 3, 2, 3, 3, 3, 3, 3, 1]}
    assert httpx.post(f"{base}{API}/surveys", json=survey).status_code == 201
    page = new_page("desktop")
    sign_in(page, base)
    page.goto(f"{base}/console/skm")
    expect(page.locator("#lowest")).to_contain_text("U9")
    expect(page.locator("#fu-unsur")).to_have_value("9")  # proposed: the lowest
    page.fill("#fu-what", "Nomor pengaduan dipasang di setiap loket")
    page.fill("#fu-who", "Kepala Seksi Pelayanan")
    page.fill("#fu-due", "2026-12-31")
    page.click("#add-action button[type=submit]")
    expect(page.locator("#actions tbody tr")).to_have_count(1)
    row = page.locator("#actions tbody tr").first
    row.locator("select[name=status]").select_option("done")
    row.locator("input[name=evidence]").fill("Foto terpasang, 7 Desember")
    row.locator("button[type=submit]").click()
    expect(page.locator("#followup-share")).to_contain_text("1 dari 1 tindakan selesai (100,0%)")
    expect(page.locator("#actions")).to_contain_text("Foto terpasang, 7 Desember")
    page.locator("#followup").scroll_into_view_if_needed()
    shot(page, "1-followup")


def picture(fmt: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (120, 90), (20, 120, 60)).save(out, format=fmt)
    return out.getvalue()


def test_evidence_files_on_the_skm_follow_up_and_a_complaints_answer(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot
) -> None:
    """A photo or PDF as evidence: uploaded on the console, checked by its content, kept
    in the database, downloaded under our own name; a forged, damaged or oversized file is
    refused on the same page with everything else typed still there."""
    base = web_server.url
    jpeg = picture("JPEG")
    forged = {"name": "foto.jpg", "mimeType": "image/jpeg", "buffer": b"<html>bukan foto</html>"}
    damaged = {"name": "bukti.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\nxx"}
    big = {"name": "besar.jpg", "mimeType": "image/jpeg",
           "buffer": b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024 + 10)}  # fmt: skip
    good = {"name": "../../etc/passwd.jpg", "mimeType": "image/jpeg", "buffer": jpeg}
    for i, size in enumerate(("phone", "tablet", "desktop")):
        made = httpx.post(
            f"{base}{API}/complaints",
            json={"service": "KTP", "text": f"Kursi ruang tunggu rusak ({size})."},
        )
        assert made.status_code == 201
        page = new_page(size)
        sign_in(page, base)
        # -- the SKM follow-up: an action, then its evidence
        page.goto(f"{base}/console/skm")
        page.fill("#fu-what", f"Kursi ruang tunggu diganti ({size})")
        page.fill("#fu-who", "Kepala Sub Bagian Umum")
        page.fill("#fu-due", "2026-12-31")
        page.click("#add-action button[type=submit]")
        row = page.locator("#actions tbody tr").nth(i)
        row.locator("select[name=status]").select_option("done")
        row.locator("input[name=evidence]").fill("Foto kursi baru")
        row.locator("input[type=file]").set_input_files(forged)  # type: ignore[arg-type]
        row.locator("button[type=submit]").click()
        expect(page.locator("#followup-problem")).to_contain_text("Hanya foto (JPEG, PNG) atau PDF")
        row = page.locator("#actions tbody tr").nth(i)
        expect(row.locator("input[name=evidence]")).to_have_value("Foto kursi baru")
        expect(row.locator("select[name=status]")).to_have_value("done")
        expect(row.locator("a.evidence-file")).to_have_count(0)
        shot(page, "1-skm-refused")
        row.locator("input[type=file]").set_input_files(good)  # type: ignore[arg-type]
        row.locator("button[type=submit]").click()
        row = page.locator("#actions tbody tr").nth(i)
        expect(row.locator("a.evidence-file")).to_have_count(1)
        expect(row).to_contain_text("Foto kursi baru")
        row.scroll_into_view_if_needed()
        shot(page, "2-skm-evidence")
        with page.expect_download() as got:
            row.locator("a.evidence-file").click()
        assert re.fullmatch(r"bukti-skm-action-\d+-\d+\.jpg", got.value.suggested_filename)
        assert Path(got.value.path()).read_bytes() == jpeg
        # -- a complaint's answer with a file
        page.goto(f"{base}/console/complaints")
        row = page.locator("#register tbody tr").first
        row.locator("summary").click()
        answer = "Kursi sudah diganti; foto terlampir."
        row.locator("textarea").fill(answer)
        for wrong, says in ((damaged, "PDF rusak"), (big, "lebih dari 5 MB")):
            row.locator("input[type=file]").set_input_files(wrong)  # type: ignore[arg-type]
            row.locator("button[type=submit]").click()
            expect(page.locator(".notice.bad").first).to_contain_text(says)
            row = page.locator("#register tbody tr").first
            expect(row.locator("textarea")).to_have_value(answer)  # nothing typed lost
        shot(page, "3-answer-refused")
        row.locator("input[type=file]").set_input_files(good)  # type: ignore[arg-type]
        row.locator("button[type=submit]").click()
        expect(page.locator(".notice.ok")).to_contain_text("ADU-")
        row = page.locator("#register tbody tr").first
        expect(row).to_contain_text("Dijawab")
        expect(row.locator("a.evidence-file")).to_have_count(1)
        shot(page, "4-answer-attached")
        href = row.locator("a.evidence-file").get_attribute("href")
        assert href is not None
        got_file = page.request.get(base + href)
        assert got_file.status == 200 and got_file.body() == jpeg
        assert got_file.headers["content-type"] == "image/jpeg"
        assert got_file.headers["x-content-type-options"] == "nosniff"
    # Not signed in: no file; a file of another kind's owner is not found through this one.
    assert httpx.get(f"{base}{href}", follow_redirects=False).status_code in (303, 401, 403)
