"""SKM's pages in a real browser against a real `antrian server --demo` process: the survey
tablet at 800x1280 (a counter's real API calls open it), the ticket page on a phone."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.serverproc import ServerProcess
from tests.web.conftest import Shot, sign_in

NewPage = Callable[..., Page]


def api(server: ServerProcess, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=server.url + "/api/v1", headers=headers, timeout=10)


def issue(server: ServerProcess, service: str = "KTP") -> dict[str, Any]:
    with api(server, "demo-kiosk") as kiosk:
        body = {"service": service, "priority": False, "request_id": uuid.uuid4().hex}
        answer = kiosk.post("/tickets", json=body)
    assert answer.status_code == 201, answer.text
    ticket: dict[str, Any] = answer.json()
    return ticket


def officer_token(server: ServerProcess, counter: str) -> str:
    with api(server) as anyone:
        session = anyone.post(
            "/sessions", json={"username": "demo", "pin": "123456", "counter": counter}
        )
    assert session.status_code == 201, session.text
    token: str = session.json()["token"]
    return token


def report(server: ServerProcess) -> dict[str, Any]:
    with api(server) as anyone:
        session = anyone.post(
            "/sessions", json={"username": "admin", "password": "demo-admin-2026"}
        )
    with api(server, session.json()["token"]) as manager:
        got: dict[str, Any] = manager.get("/reports/skm").json()
    return got


@pytest.mark.slow
def test_the_tablet_shows_the_survey_when_the_officer_finishes(
    web_server: ServerProcess, new_page: NewPage, shot: Shot
) -> None:
    base = web_server.url
    tablet = new_page("tablet")
    tablet.goto(f"{base}/survey/?token=demo-survey&counter=L03")
    expect(tablet).to_have_url(f"{base}/survey/")  # the token went into a cookie
    tablet.wait_for_selector("body[data-ready='1']")
    expect(tablet.locator("[data-screen=idle]")).to_be_visible()
    expect(tablet.locator("[data-screen=idle]")).to_contain_text("Terima kasih atas kunjungan Anda")
    shot(tablet, "idle")

    ticket = issue(web_server)
    with api(web_server, officer_token(web_server, "L03")) as officer:
        assert officer.post("/counters/L03/call").json()["ticket"]["id"] == ticket["id"]
        assert officer.post("/counters/L03/finish").status_code == 200

    question = tablet.locator("[data-screen=question]")
    expect(question).to_be_visible(timeout=5000)
    expect(question).to_contain_text("Pertanyaan 1 dari 9")
    expect(question).to_contain_text("kesesuaian persyaratan pelayanan")
    expect(tablet.locator("#for-ticket")).to_contain_text(ticket["code"])
    shot(tablet, "question-1")
    for n in range(9):
        expect(question).to_contain_text(f"Pertanyaan {n + 1} dari 9")
        if n == 4:
            shot(tablet, "question-5")
        tablet.locator(
            "button.answer[data-score='4']" if n % 2 else "button.answer[data-score='3']"
        ).click()
    suggestion = tablet.locator("[data-screen=suggestion]")
    expect(suggestion).to_be_visible()
    tablet.fill("#t-suggestion", "Antrean rapi & sukses, nilai 5 > 4")
    shot(tablet, "suggestion")
    tablet.click("#send")
    thanks = tablet.locator("[data-screen=thanks]")
    expect(thanks).to_be_visible()
    expect(thanks).to_contain_text("Terima kasih atas penilaian Anda")
    shot(tablet, "thanks")
    expect(tablet.locator("[data-screen=idle]")).to_be_visible(timeout=12_000)  # and back

    result = report(web_server)
    assert result["respondents"] == 1
    assert [u["total"] for u in result["unsur"]] == [3, 4, 3, 4, 3, 4, 3, 4, 3]
    assert result["suggestions"][0]["text"] == "Antrean rapi & sukses, nilai 5 > 4"


def test_a_tablet_opened_after_the_finish_still_asks_that_visitor(
    web_server: ServerProcess, new_page: NewPage
) -> None:
    """A ticket finished while the tablet's page was closed or reloading: on opening, the
    survey of that ticket (the last one finished at its counter, within the window)."""
    base = web_server.url
    ticket = issue(web_server)
    with api(web_server, officer_token(web_server, "L03")) as officer:
        assert officer.post("/counters/L03/call").json()["ticket"]["id"] == ticket["id"]
        assert officer.post("/counters/L03/finish").status_code == 200
    tablet = new_page("tablet")
    tablet.goto(f"{base}/survey/?token=demo-survey&counter=L03")
    tablet.wait_for_selector("body[data-ready='1']")
    question = tablet.locator("[data-screen=question]")
    expect(question).to_be_visible(timeout=5000)
    expect(tablet.locator("#for-ticket")).to_contain_text(ticket["code"])
    tablet.reload()  # a reload mid-survey asks again, the answer not yet in
    tablet.wait_for_selector("body[data-ready='1']")
    expect(question).to_be_visible(timeout=5000)
    expect(tablet.locator("#for-ticket")).to_contain_text(ticket["code"])


def test_the_tablet_in_english_and_lewati(
    web_server: ServerProcess, new_page: NewPage, shot: Shot
) -> None:
    base = web_server.url
    tablet = new_page("tablet")
    tablet.goto(f"{base}/survey/?token=demo-survey&counter=L01")
    tablet.wait_for_selector("body[data-ready='1']")
    tablet.click("header.top a[hreflang]")
    expect(tablet.locator("[data-screen=idle]")).to_contain_text("Thank you for your visit")
    ticket = issue(web_server, "IZIN")
    with api(web_server, officer_token(web_server, "L01")) as officer:
        assert officer.post("/counters/L01/call").json()["ticket"]["id"] == ticket["id"]
        officer.post("/counters/L01/finish")
    question = tablet.locator("[data-screen=question]")
    expect(question).to_contain_text("Question 1 of 9", timeout=5000)
    shot(tablet, "question-english")
    tablet.locator("button.answer[data-score='2']").click()
    tablet.click("#back")
    expect(question).to_contain_text("Question 1 of 9")
    tablet.locator("[data-screen=question] button.skip").click()  # Lewati: nothing is sent
    expect(tablet.locator("[data-screen=idle]")).to_be_visible()
    assert report(web_server)["respondents"] == 0


def test_a_wrong_token_gets_the_sign_in_form(web_server: ServerProcess, new_page: NewPage) -> None:
    tablet = new_page("tablet")
    tablet.goto(f"{web_server.url}/survey/?token=demo-kiosk")
    expect(tablet.locator(".notice.bad")).to_be_visible()
    tablet.goto(f"{web_server.url}/survey/")
    tablet.fill("#f-token", "demo-survey")
    tablet.fill("#f-counter", "L02")
    tablet.click("button[type=submit]")
    tablet.wait_for_selector("#tablet[data-counter='L02']")


def test_the_phone_page_before_and_after_service(
    web_server: ServerProcess, new_page: NewPage, shot: Shot
) -> None:
    ticket = issue(web_server)
    phone = new_page("phone")
    phone.goto(web_server.url + ticket["page"])
    card = phone.locator(".ticket-card")
    expect(card).to_contain_text(ticket["code"])
    expect(card).to_contain_text("Menunggu dipanggil")
    shot(phone, "waiting")
    phone.wait_for_timeout(300)  # its live stream is open (server/web/notify.py)
    with api(web_server, officer_token(web_server, "L03")) as officer:
        officer.post("/counters/L03/call")
        # no reload: the open page follows its ticket by itself (a reload would race it)
        expect(card).to_contain_text("Dipanggil! Silakan menuju Loket 3")
        shot(phone, "called")
        phone.wait_for_timeout(300)
        officer.post("/counters/L03/finish")
    expect(phone.locator("form.survey h1")).to_have_text("Bagaimana pelayanan kami hari ini?")
    shot(phone, "survey")
    # one question a screen (it was a 4,860 px scroll): a tap answers and goes on
    for n in range(1, 10):
        expect(phone.locator("#step-count")).to_have_text(f"Pertanyaan {n} dari 9")
        # the question, its four answers and the way on fit the phone's screen
        step = phone.locator(f"#q{n}").bounding_box()
        assert step and step["y"] + step["height"] <= 844, step
        if n == 1:
            shot(phone, "survey-q1")
        if n == 5:  # a reload loses nothing: the answers so far and the question reached
            phone.reload()
            expect(phone.locator("#step-count")).to_have_text("Pertanyaan 5 dari 9")
            phone.locator("#step-back").click()
            expect(phone.locator("#q4 input[value='4']")).to_be_checked()
            phone.locator("#step-next").click()
        phone.locator(f"#q{n} label.score-{4 if n != 3 else 2}").click()
    expect(phone.locator("#f-age_group")).to_be_visible()
    shot(phone, "survey-last")
    phone.select_option("#f-age_group", "60_plus")
    phone.fill("#f-suggestion", "<b>ruang tunggu</b> sejuk")  # markup: refused, kept as text
    phone.click("form.survey button[type=submit]")
    expect(phone.locator("#problem")).to_contain_text("teks biasa")
    expect(phone.locator("#f-suggestion")).to_have_value("<b>ruang tunggu</b> sejuk")
    assert phone.locator("form.survey b").count() == 0
    phone.fill("#f-suggestion", "Ruang tunggu sejuk")
    phone.click("form.survey button[type=submit]")
    expect(phone.locator(".thanks")).to_contain_text("Terima kasih atas penilaian Anda")
    shot(phone, "thanks")
    result = report(web_server)
    assert result["respondents"] == 1 and result["unsur"][2]["total"] == 2


def test_the_console_skm_page(web_server: ServerProcess, new_page: NewPage, shot: Shot) -> None:
    ticket = issue(web_server)
    with api(web_server, officer_token(web_server, "L03")) as officer:
        officer.post("/counters/L03/call")
        officer.post("/counters/L03/finish")
    with api(web_server) as phone:
        token = ticket["page"][3:]
        body = {"ticket": token, "answers": [4] * 9, "suggestion": "<script>alert(1)</script>x"}
        assert phone.post("/surveys", json=body).status_code == 422
        body["suggestion"] = "=HYPERLINK(\"http://x\") & 'ok' < 5"
        assert phone.post("/surveys", json=body).status_code == 201
    page = new_page("desktop")
    sign_in(page, web_server.url)
    page.goto(f"{web_server.url}/console/skm")
    expect(page.locator("h1")).to_contain_text("Survei Kepuasan")
    expect(page.locator(".ikm-value")).to_have_text("100,00")
    expect(page.locator(".grade-name")).to_contain_text("Sangat Baik")
    expect(page.locator(".suggestions")).to_contain_text("=HYPERLINK(\"http://x\") & 'ok' < 5")
    shot(page, "results")
    with page.expect_download() as xlsx:
        page.click("a.download-xlsx")
    assert xlsx.value.suggested_filename.endswith(".xlsx")


@pytest.mark.slow
def test_an_admin_rewords_a_question_and_the_phone_asks_it(
    web_server: ServerProcess, new_page: NewPage, shot: Shot
) -> None:
    page = new_page("desktop")
    sign_in(page, web_server.url)
    page.goto(f"{web_server.url}/console/skm")
    page.click("#questions ~ details:nth-of-type(8) summary")
    page.fill("#q8-text", "Bagaimana kenyamanan ruang tunggu kami?")
    page.click("#q8-text >> xpath=ancestor::form//button[@type='submit']")
    expect(page.locator(".notice.ok")).to_contain_text("U8")
    expect(page.locator("details").nth(7)).to_contain_text("Bagaimana kenyamanan ruang tunggu")
    shot(page, "questions")
    # A refused wording: the same page again, that question open with what was typed and
    # why (nothing saved), not a redirect carrying the message in its address.
    page.click("#questions ~ details:nth-of-type(3) summary")
    page.fill("#q3-text", "Berapa lama?")
    page.fill("#q3-a2", "")
    with page.expect_response(lambda r: r.url.endswith("/console/skm/questions")) as sent:
        page.click("#q3-text >> xpath=ancestor::form//button[@type='submit']")
    assert sent.value.status == 422
    expect(page.locator("#question-problem")).to_be_visible()
    expect(page.locator("#q3-text")).to_have_value("Berapa lama?")
    shot(page, "question-refused")
    # Only a real question's code makes a notice: nothing typed into an address is shown.
    page.goto(f"{web_server.url}/console/skm?question=Akun+Anda+diblokir&saved=Hubungi+0812")
    expect(page.locator(".notice.ok")).to_have_count(0)
    ticket = issue(web_server)
    with api(web_server, officer_token(web_server, "L03")) as officer:
        officer.post("/counters/L03/call")
        officer.post("/counters/L03/finish")
    phone = new_page("phone")
    phone.goto(web_server.url + ticket["page"])
    expect(phone.locator("#q8")).to_contain_text("Bagaimana kenyamanan ruang tunggu kami?")


def test_the_phone_survey_by_keyboard_alone(
    web_server: ServerProcess, new_page: NewPage, shot: Shot
) -> None:
    """Arrows choose an answer, Enter goes on, the last screen sends: no pointer at all."""
    ticket = issue(web_server, "KK")
    with api(web_server, officer_token(web_server, "L04")) as officer:
        officer.post("/counters/L04/call")
        officer.post("/counters/L04/finish")
    for size in ("phone", "tablet", "desktop"):
        page = new_page(size)
        page.goto(web_server.url + ticket["page"])
        expect(page.locator("#step-count")).to_have_text("Pertanyaan 1 dari 9")
        shot(page, "survey-step")
    page.locator("#q1 input").first.focus()
    for n in range(1, 10):
        expect(page.locator("#step-count")).to_have_text(f"Pertanyaan {n} dari 9")
        page.keyboard.press("ArrowDown")  # the first answer to the second
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
    expect(page.locator("#f-suggestion")).to_be_visible()
    page.locator("#f-suggestion").focus()
    page.keyboard.type("Terima kasih")
    page.locator("form.survey button[type=submit]").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".thanks")).to_contain_text("Terima kasih atas penilaian Anda")
    assert page.evaluate("sessionStorage.length") == 0  # sent: nothing kept
    result = report(web_server)
    assert result["respondents"] >= 1
