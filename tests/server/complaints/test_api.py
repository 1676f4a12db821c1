"""Pengaduan over real HTTP: file, follow up, the register, the figures and downloads;
who may do what; bad input; the public rate limit."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from server.access.context import ServerContext
from server.complaints.tables import ComplaintRow
from server.office.tables import AuditRow
from server.queue.site import Site
from server.store.db import Store
from shared.config import Config
from tests.admin import person_token
from tests.server.conftest import LiveServer, run_in_thread

TEXT = "Petugas loket KTP tidak ada di tempat selama satu jam."


def stored(store: Store) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count()).select_from(ComplaintRow)) or 0)


def test_file_follow_up_and_answer(live: LiveServer) -> None:
    public = live.client()
    made = public.post(
        "/complaints", json={"service": "KTP", "text": TEXT, "contact": "0812 3456 7890"}
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert set(body) == {"id", "reference", "token", "repeated"} and not body["repeated"]
    assert body["reference"].startswith("ADU-")
    seen = public.get(f"/complaints/{body['token']}").json()
    assert seen["status"] == "received" and seen["answer"] is None and "contact" not in seen
    assert seen["agency"] == "DUKCAPIL" and seen["text"] == TEXT
    assert public.get("/complaints/" + "A" * 43).status_code == 404

    admin = live.client(person_token(live.ctx.store, "manager", "admin"))
    person_token(live.ctx.store, "dina", "supervisor", "L03")
    path = f"/admin/complaints/{body['id']}"
    assert admin.patch(path, json={"status": "answered"}).status_code == 422
    moved = admin.patch(path, json={"assignee": "dina"}).json()
    assert moved["status"] == "in_process" and moved["contact"] == "+62812*****890"
    answer = "Mohon maaf, petugas sedang rapat; kini sudah dijadwalkan pengganti."
    answered = admin.patch(path, json={"answer": answer, "lapor_number": "2612345"}).json()
    assert answered["status"] == "answered" and answered["lapor_number"] == "2612345"
    closed = admin.patch(path, json={"status": "closed"})
    assert closed.json()["status"] == "closed"
    back = admin.patch(path, json={"status": "in_process"})
    assert back.status_code == 409 and back.json()["code"] == "complaint_step"
    final = public.get(f"/complaints/{body['token']}").json()
    assert final["status"] == "closed" and final["answer"] == answer
    assert admin.get(path).json()["reference"] == body["reference"]
    assert admin.get("/admin/complaints/999").status_code == 404
    # The whole contact, to call the complainant back: handlers only, each look audited.
    shown = admin.get(f"{path}/contact").json()
    assert shown == {"reference": body["reference"], "contact": "+6281234567890"}
    bpjs = live.client(person_token(live.ctx.store, "rina", "supervisor", "L06"))
    assert bpjs.get(f"{path}/contact").status_code == 403
    assert public.get(f"{path}/contact").status_code == 401
    with live.ctx.store.read() as s:
        looks = s.scalars(
            select(AuditRow.after).where(
                AuditRow.action == "view", AuditRow.key == body["reference"]
            )
        ).all()
    assert [x for x in looks if x and "whole" in x] == ['{"contact": "whole"}']


def test_who_may_do_what(live: LiveServer) -> None:
    store = live.ctx.store
    public = live.client()
    # The public never links a ticket by its id, and files only as web or ticket page.
    for extra in ({"ticket": 1}, {"channel": "letter"}):
        r = public.post("/complaints", json={"agency": "BPN", "text": TEXT, **extra})
        assert r.status_code in (403, 422), r.text
    assert stored(store) == 0
    made = public.post("/complaints", json={"service": "IZIN", "text": TEXT}).json()
    path = f"/admin/complaints/{made['id']}"
    assert public.get("/admin/complaints").status_code == 401
    officer = live.client(person_token(store, "sari", "officer", "L03"))
    assert officer.get("/admin/complaints").status_code == 403
    assert officer.patch(path, json={"answer": "Sudah ditangani."}).status_code == 403
    dukcapil = live.client(person_token(store, "dina", "supervisor", "L03"))
    assert dukcapil.get("/admin/complaints").json() == []
    assert dukcapil.patch(path, json={"answer": "Sudah ditangani ya."}).status_code == 403
    assert dukcapil.get(path).status_code == 403
    dpmptsp = live.client(person_token(store, "budi", "supervisor", "L01"))
    assert [e["id"] for e in dpmptsp.get("/admin/complaints").json()] == [made["id"]]
    assert dpmptsp.patch(path, json={"answer": "Sudah ditangani ya."}).status_code == 200
    assert public.post("/complaints", json={"agency": "BPN", "text": TEXT},
                       headers={"Authorization": "Bearer nope"}).status_code == 401  # fmt: skip
    # A letter recorded by the supervisor, for the citizen.
    letter = dpmptsp.post(
        "/complaints", json={"agency": "DPMPTSP", "text": TEXT, "channel": "letter"}
    )
    assert letter.status_code == 201


def test_the_officer_links_the_ticket_being_served(live: LiveServer) -> None:
    store = live.ctx.store
    ticket = (
        live.client("demo-kiosk")
        .post("/tickets", json={"service": "KTP", "priority": False, "request_id": "req-0000001"})
        .json()
    )
    live.ctx.queue.open_counter("L03", "sari")
    live.ctx.queue.call_next("L03")
    sari = live.client(person_token(store, "sari", "officer", "L03"))
    made = sari.post("/complaints", json={"ticket": ticket["id"], "text": TEXT})
    assert made.status_code == 201, made.text
    joko = live.client(person_token(store, "joko", "officer", "L06"))
    assert joko.post("/complaints", json={"ticket": ticket["id"], "text": TEXT}).status_code == 403
    admin = live.client(person_token(store, "manager", "admin"))
    entry = admin.get(f"/admin/complaints/{made.json()['id']}").json()
    assert (entry["ticket"], entry["channel"], entry["filed_by"], entry["service"]) == (
        ticket["code"], "desk", "sari", "KTP",
    )  # fmt: skip
    # The visitor by their page's token (the kiosk's answer carries the page).
    page = ticket["page"].removeprefix("/t/")
    by_page = live.client().post("/complaints", json={"ticket_page": page, "text": TEXT})
    assert by_page.status_code == 201


@pytest.mark.parametrize(
    "change",
    [
        {"text": "singkat"},
        {"text": "x" * 2001},
        {"contact": "bukan kontak"},
        {"agency": "NOPE"},
        {"service": "NOPE"},
        {"channel": "pigeon"},
        {"ticket_page": "A" * 26},
        {"text": None},
        {"ticket": 0},
    ],
)
def test_bad_input_is_a_4xx_and_keeps_nothing(live: LiveServer, change: dict[str, object]) -> None:
    r = live.client().post("/complaints", json={"agency": "BPN", "text": TEXT, **change})
    assert 400 <= r.status_code < 500 and {"code", "message"} <= set(r.json())
    assert stored(live.ctx.store) == 0


def test_markup_is_kept_as_text(live: LiveServer) -> None:
    text = "<script>alert('x')</script> loket tutup"
    made = live.client().post("/complaints", json={"agency": "BPN", "text": text}).json()
    assert live.client().get(f"/complaints/{made['token']}").json()["text"] == text


def test_figures_and_downloads(live: LiveServer) -> None:
    public = live.client()
    made = [public.post("/complaints", json={"service": s, "text": "=1+1 " + TEXT}).json()
            for s in ("KTP", "KK", "IZIN")]  # fmt: skip
    admin = live.client(person_token(live.ctx.store, "manager", "admin"))
    admin.patch(f"/admin/complaints/{made[0]['id']}", json={"answer": "Sudah kami perbaiki."})
    today = live.ctx.queue.today().isoformat()
    q = {"from": today, "to": today, "group": "agency"}
    report = admin.get("/reports/complaints", params=q).json()
    assert report["total"]["received"] == 3 and report["total"]["resolved_share"] == 33.3
    assert [(r["key"], r["received"]) for r in report["rows"]] == [("DPMPTSP", 1), ("DUKCAPIL", 2)]
    for fmt, start in (("csv", b"from,to"), ("xlsx", b"PK"), ("pdf", b"%PDF")):
        got = admin.get("/reports/complaints", params={**q, "format": fmt})
        assert got.status_code == 200 and got.content.startswith(start), fmt
        assert "attachment" in got.headers["content-disposition"]
    assert admin.get("/reports/complaints", params={**q, "group": "x"}).status_code == 422
    assert admin.get("/reports/complaints", params={"from": today}).status_code == 422
    register = admin.get("/admin/complaints", params={"format": "xlsx"})
    ws = load_workbook(io.BytesIO(register.content)).active
    assert ws is not None and ws.cell(row=2, column=6).value.startswith("=1+1")
    assert ws.cell(row=2, column=6).data_type == "s"
    csv_text = admin.get("/admin/complaints", params={"format": "csv"}).content.decode("utf-8-sig")
    assert "'=1+1 " in csv_text
    assert admin.get("/admin/complaints", params={"from": "1"}).status_code == 422


@pytest.fixture
def strict(store: Store, config: Config) -> Iterator[LiveServer]:
    """A demo server whose public rate is 2 a minute, bursts of 2."""
    settings = config.server.model_copy(update={"booking_per_minute": 2, "booking_burst": 2})
    ctx = ServerContext(store=store, site=Site(config, demo=True), settings=settings)
    yield from run_in_thread(ctx)


def test_the_public_intake_is_rate_limited(strict: LiveServer) -> None:
    c = strict.client()
    for _ in range(2):
        assert c.post("/complaints", json={"agency": "BPN", "text": TEXT}).status_code == 201
    third = c.post("/complaints", json={"agency": "BPN", "text": TEXT})
    assert third.status_code == 429 and third.json()["code"] == "rate_limited"
    assert "complaint" in third.json()["message"]
    assert stored(strict.ctx.store) == 2
    # Staff entering complaints at the desk are not held back.
    admin = strict.client(person_token(strict.ctx.store, "manager", "admin"))
    assert admin.post("/complaints", json={"agency": "BPN", "text": TEXT}).status_code == 201


def test_the_counter_apps_client_files_for_the_ticket_served(live: LiveServer) -> None:
    from shared.client import ApiClient
    from shared.errors import ApiError

    ticket = (
        live.client("demo-kiosk")
        .post("/tickets", json={"service": "KTP", "priority": False, "request_id": "req-0000009"})
        .json()
    )
    with ApiClient(live.url) as desk:
        desk.login("demo", "123456", "L03")
        desk.call("L03")
        made = desk.complain(ticket["id"], TEXT, contact="0812 3456 7890")
        assert made.reference.startswith("ADU-") and len(made.token) >= 40
        with pytest.raises(ApiError) as refused:
            desk.complain(ticket["id"], "kurang")
        assert refused.value.status == 422
    seen = live.client().get(f"/complaints/{made.token}").json()
    assert seen["service"] == "KTP" and seen["status"] == "received"


def test_the_same_request_again_is_the_complaint_filed_before(live: LiveServer) -> None:
    """The counter's answer lost on the way back, the officer saves again: one complaint,
    its reference again (200) with a new follow-up token (the lost one stops working).
    The public's request_id is not kept: its complaints are its own each time."""
    from shared.client import ApiClient

    ticket = (
        live.client("demo-kiosk")
        .post("/tickets", json={"service": "KTP", "priority": False, "request_id": "req-0000011"})
        .json()
    )
    before = stored(live.ctx.store)
    with ApiClient(live.url) as desk:
        desk.login("demo", "123456", "L03")
        desk.call("L03")
        first = desk.complain(ticket["id"], TEXT, request_id="form-00000001")
        again = desk.complain(ticket["id"], TEXT, request_id="form-00000001")
        other = desk.complain(ticket["id"], TEXT, request_id="form-00000002")
    assert not first.repeated and again.repeated and not other.repeated
    assert again.reference == first.reference != other.reference
    assert stored(live.ctx.store) == before + 2
    public = live.client()
    assert public.get(f"/complaints/{first.token}").status_code == 404
    assert public.get(f"/complaints/{again.token}").json()["reference"] == first.reference
    body = {"agency": "DUKCAPIL", "text": TEXT, "request_id": "public-00000001"}
    answers = [public.post("/complaints", json=body) for _ in range(2)]
    assert [r.status_code for r in answers] == [201, 201]
    assert answers[0].json()["reference"] != answers[1].json()["reference"]
