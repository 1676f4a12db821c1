"""The visitor's page /t/{token} over HTTP: status, then the survey's form, on a real server."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from server.skm.tables import SurveyRow
from tests.server.conftest import LiveServer
from tests.server.skm.test_api import GOOD, issue, officer, surveys

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def phone(live: LiveServer) -> httpx.Client:
    return httpx.Client(base_url=live.url, timeout=10)


def form_for(html: str, answers: list[int] | None = None, **extra: str) -> dict[str, str]:
    key = re.search(r'name="csrf" value="([^"]+)"', html)
    assert key is not None, "no survey form on the page"
    fields = {f"u{i + 1}": str(a) for i, a in enumerate(answers or GOOD)}
    return {"csrf": key.group(1), **fields, **extra}


def finish(live: LiveServer, ticket: dict[str, Any], counter: str = "L03") -> None:
    with officer(live, counter) as o:
        assert o.post(f"/counters/{counter}/call").json()["ticket"]["id"] == ticket["id"]
        assert o.post(f"/counters/{counter}/finish").status_code == 200


def test_the_issue_answer_carries_the_page_and_nothing_else_does(live: LiveServer) -> None:
    ticket = issue(live)
    assert re.fullmatch(r"/t/[A-Za-z0-9_-]{22}", ticket["page"])
    assert live.ctx.pages.ticket_id(ticket["page"][3:]) == ticket["id"]
    with live.client() as anyone:
        again = anyone.get(f"/tickets/{ticket['id']}").json()
        board = anyone.get("/board").text
    assert "page" not in again
    assert ticket["page"][3:] not in board
    with live.ctx.store.read() as s:
        from server.store.tables import EventRow

        bodies = list(s.scalars(select(EventRow.body)))
    assert bodies and all(ticket["page"][3:] not in b for b in bodies)


def test_a_waiting_ticket_shows_where_it_stands(live: LiveServer) -> None:
    first, second = issue(live), issue(live)
    with phone(live) as p:
        page = p.get(second["page"])
        next_up = p.get(first["page"])
        english = p.get(second["page"], params={"lang": "en"})  # remembered from here on
    assert page.status_code == 200
    assert second["code"] in page.text and "Menunggu dipanggil" in page.text
    assert "Di depan Anda: 1 orang" in page.text
    assert 'http-equiv="refresh"' in page.text
    assert "Waiting to be called" in english.text and "1 people ahead" in english.text
    # no counter open yet: said once, with no "you are next" above it (as the kiosk says)
    assert "Anda dipanggil pertama saat loket buka" in next_up.text
    assert "nomor berikutnya" not in next_up.text
    assert 'name="csrf"' not in page.text  # no survey before the service
    with officer(live, "L03"), phone(live) as p:  # a counter opens
        assert "Anda nomor berikutnya" in p.get(first["page"]).text


def test_called_then_done_shows_the_counter_then_the_survey(live: LiveServer) -> None:
    ticket = issue(live)
    with officer(live, "L03") as o:
        o.post("/counters/L03/call")
        with phone(live) as p:
            called = p.get(ticket["page"]).text
        o.post("/counters/L03/finish")
    assert "Dipanggil! Silakan menuju Loket 3" in called
    with phone(live) as p:
        done = p.get(ticket["page"]).text
    assert "Bagaimana pelayanan kami hari ini?" in done
    assert "Kotak saran (boleh dikosongkan)" in done and "Lewati" in done
    assert done.count('type="radio"') == 36
    assert 'http-equiv="refresh"' not in done  # a half-filled form must not reload away


def test_the_phone_answers_once(live: LiveServer) -> None:
    ticket = issue(live)
    finish(live, ticket)
    with phone(live) as p:
        html = p.get(ticket["page"]).text
        sent = p.post(ticket["page"], data=form_for(html, sex="female", suggestion="Ramah"))
        assert sent.status_code == 303 and sent.headers["location"].endswith("?thanks=1")
        thanks = p.get(sent.headers["location"]).text
        assert "Terima kasih atas penilaian Anda" in thanks
        again = p.post(ticket["page"], data=form_for(html))
        assert again.status_code == 303
        later = p.get(ticket["page"]).text
    assert "sudah kami terima" in later and 'name="csrf"' not in later
    with live.ctx.store.read() as s:
        row = s.scalars(select(SurveyRow)).one()
    assert (row.channel, row.sex, row.suggestion, row.u1) == ("phone", "female", "Ramah", 4)


REFUSED = [
    ({"u5": ""}, "Mohon jawab semua pertanyaan."),
    ({"u5": "7"}, "Mohon jawab semua pertanyaan."),
    ({"u9": "<b>"}, "Mohon jawab semua pertanyaan."),
    ({"suggestion": "z" * 1001}, "Saran terlalu panjang"),
    # (100 KB: the body limit answers 413 before the form is read; a browser's textarea
    # stops at 1,000 characters anyway)
    ({"suggestion": "z" * 100_000}, "too_large"),
    ({"suggestion": "<script>alert('x')</script>"}, "Saran hanya berupa teks biasa"),
    ({"education": "S3"}, "Pilihan tidak dikenal."),
    ({"csrf": "0" * 32}, "Formulir kedaluwarsa"),
]


def test_a_refused_form_says_why_and_stores_nothing(live: LiveServer) -> None:
    ticket = issue(live)
    finish(live, ticket)
    with phone(live) as p:
        html = p.get(ticket["page"]).text
        for change, shown in REFUSED:
            answer = p.post(ticket["page"], data={**form_for(html), **change})
            assert answer.status_code in (403, 413, 422), change
            assert shown in answer.text, change
            if "script" in change.get("suggestion", ""):
                # kept in the form for the visitor to fix, as text, never as markup
                assert "<script>alert" not in answer.text
                assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in answer.text
            assert surveys(live) == 0, change


def test_unknown_and_forged_tokens_are_a_plain_404(live: LiveServer) -> None:
    ticket = issue(live)
    token = ticket["page"][3:]
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    with phone(live) as p:
        for path in (f"/t/{forged}", "/t/1", "/t/" + "A" * 22, f"/t/{ticket['id']}"):
            page = p.get(path)
            assert page.status_code == 404, path
            assert "Tiket tidak ditemukan" in page.text
        posted = p.post(f"/t/{forged}", data={"u1": "4"})
        assert posted.status_code == 404
    assert surveys(live) == 0


def test_a_transferred_ticket_page_follows_it_and_its_survey_is_the_last_service(
    live: LiveServer,
) -> None:
    ticket = issue(live, "KTP")
    with officer(live, "L03") as o:
        o.post("/counters/L03/call")
        assert o.post("/counters/L03/transfer", json={"service": "AKTA"}).status_code == 200
    with phone(live) as p:
        moved = p.get(ticket["page"]).text
    assert "Menunggu dipanggil" in moved and "Akta" in moved
    with officer(live, "L05") as o:
        assert o.post("/counters/L05/call").json()["ticket"]["code"] == ticket["code"]
        o.post("/counters/L05/finish")
    with phone(live) as p:
        html = p.get(ticket["page"]).text
        assert p.post(ticket["page"], data=form_for(html)).status_code == 303
    with live.ctx.store.read() as s:
        row = s.scalars(select(SurveyRow)).one()
    assert (row.service, row.counter) == ("AKTA", "L05") and row.ticket_id != ticket["id"]


def test_the_skip_link_thanks_and_leaves_the_survey_open(live: LiveServer) -> None:
    ticket = issue(live)
    finish(live, ticket)
    with phone(live) as p:
        skipped = p.get(ticket["page"], params={"skip": "1"}).text
    assert "Terima kasih atas kunjungan Anda" in skipped and 'name="csrf"' not in skipped
    assert "Beri penilaian" in skipped
    assert surveys(live) == 0
