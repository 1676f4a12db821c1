"""The complaint register's rules on SQLite and PostgreSQL: intake, steps, who may act,
working days, retention, and a known scenario whose figures are checked exactly."""

from __future__ import annotations

import csv
import io
import threading
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from server.access.auth import Principal
from server.complaints import exports, figures, register, rules
from server.complaints.register import ComplaintChange, ComplaintRequest, Filters
from server.complaints.tables import ComplaintRow
from server.office.tables import AuditRow
from server.problems import Problem
from server.queue.pages import TicketPages
from server.queue.rules import QueueService
from server.queue.site import Site
from server.store.db import Store
from tests import seed

ADMIN = Principal(role="admin", username="manager")


def at(day: str, hour: int = 9) -> datetime:
    """`hour` o'clock in Jombang (WIB, UTC+7) on `day`."""
    return datetime.fromisoformat(day).replace(hour=hour - 7, tzinfo=UTC)


def person(store: Store, username: str, role: str, counters: str = "") -> Principal:
    listed = [c for c in counters.split(",") if c]
    with store.write() as s:
        seed.add_officer(s, username, username.title(), "246810", listed, role)
    return Principal(role=role, username=username, counter=listed[0] if listed else None)


def file(store: Store, site: Site, who: Principal | None, when: datetime, **body: object):
    pages = TicketPages.load(store)
    req = ComplaintRequest.model_validate({"text": "Antrean KTP terlalu lama hari ini.", **body})
    return register.file(store, site, pages, who, req, when)


def step(store: Store, site: Site, who: Principal, cid: int, when: datetime, **body: object):
    return register.change(store, site, who, cid, ComplaintChange(**body), when)  # type: ignore[arg-type]


# -- the pure rules ----------------------------------------------------------------------


def test_working_days_skip_weekends_and_the_sites_holidays() -> None:
    xmas = {date(2026, 12, 25)}
    assert rules.working_days(date(2026, 11, 30), date(2026, 11, 30), xmas) == 0
    assert rules.working_days(date(2026, 11, 30), date(2026, 12, 8), xmas) == 6
    # Wed 23, Thu 24, (Fri 25 holiday, weekend), Mon 28, Tue 29, Wed 30
    assert rules.working_days(date(2026, 12, 22), date(2026, 12, 30), xmas) == 5
    assert rules.working_days(date(2026, 12, 22), date(2026, 12, 30), set()) == 6
    assert rules.due_day(date(2026, 12, 22), 5, xmas) == date(2026, 12, 30)
    assert rules.due_day(date(2026, 12, 4), 1, set()) == date(2026, 12, 7)  # Fri -> Mon


def test_contacts_are_normalized_and_masked() -> None:
    assert rules.clean_contact("0812-3456-7890") == "+6281234567890"
    assert rules.mask_contact("+6281234567890") == "+62812*****890"
    assert rules.clean_contact(" Budi.S@Mail.id ") == "budi.s@mail.id"
    assert rules.mask_contact("budi.s@mail.id") == "bu***@mail.id"
    assert rules.clean_contact("") is None
    with pytest.raises(Problem) as bad:
        rules.clean_contact("call me maybe")
    assert bad.value.status == 422 and bad.value.extra["field"] == "contact"


def test_text_is_kept_as_plain_text_with_a_bilingual_422() -> None:
    assert rules.clean_text("  <b>Loket</b> tutup\r\nsaat jam kerja \x07 ") == (
        "<b>Loket</b> tutup\nsaat jam kerja"
    )
    for bad in ("", "pendek", "x" * 2001):
        with pytest.raises(Problem) as refused:
            rules.clean_text(bad)
        errors = refused.value.extra["errors"]
        assert refused.value.status == 422 and errors[0]["field"] == "text"  # type: ignore[index]
        assert errors[0]["message"] and errors[0]["message_en"]  # type: ignore[index]
    assert len(rules.clean_text("x" * 2000)) == 2000


def test_steps_only_forward() -> None:
    rules.check_step("received", "in_process")
    rules.check_step("in_process", "answered")
    rules.check_step("answered", "closed")
    for current, wanted in (
        ("answered", "in_process"),
        ("closed", "answered"),
        ("closed", "received"),
    ):
        with pytest.raises(Problem) as refused:
            rules.check_step(current, wanted)
        assert refused.value.status == 409


# -- on the database -------------------------------------------------------------------------


def test_references_count_up_within_the_year_and_restart(store: Store, site: Site) -> None:
    a = file(store, site, None, at("2026-12-30"), agency="DUKCAPIL")
    b = file(store, site, None, at("2026-12-31"), service="KTP")
    c = file(store, site, None, at("2027-01-04"), service="IZIN")
    assert [a.reference, b.reference, c.reference] == [
        "ADU-2026-000001", "ADU-2026-000002", "ADU-2027-000001",
    ]  # fmt: skip
    assert len({a.token, b.token, c.token}) == 3 and len(a.token) >= 40


def test_references_are_gapless_and_unique_under_concurrency(store: Store, site: Site) -> None:
    refs: list[str] = []
    errors: list[BaseException] = []

    def many() -> None:
        try:
            for _ in range(10):
                refs.append(file(store, site, None, at("2026-12-01"), agency="BPN").reference)
        except BaseException as exc:  # the test reports it
            errors.append(exc)

    threads = [threading.Thread(target=many) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(refs) == [f"ADU-2026-{n:06d}" for n in range(1, 41)]


def test_a_refused_complaint_keeps_nothing_and_takes_no_number(store: Store, site: Site) -> None:
    refused_bodies: list[dict[str, object]] = [
        {"agency": "NOPE"},
        {"service": "NOPE"},
        {"agency": "BPN", "contact": "?"},
        {"agency": "BPN", "text": "kurang"},
        {"agency": "BPN", "channel": "desk"},
        {"agency": "BPN", "ticket": 1},
        {"agency": "BPN", "ticket_page": "x" * 26},
    ]
    for body in refused_bodies:
        with pytest.raises(Problem) as refused:
            file(store, site, None, at("2026-12-01"), **body)
        assert refused.value.status in (403, 404, 422), body
    with store.read() as s:
        assert s.scalars(select(ComplaintRow)).all() == []
    assert file(store, site, None, at("2026-12-01"), agency="BPN").reference == "ADU-2026-000001"


def test_tickets_are_linked_by_page_token_or_by_the_officer_serving_them(
    store: Store, site: Site, queue: QueueService
) -> None:
    issued = queue.issue("KTP", False, "r1", None)
    pages = TicketPages.load(store)
    page = pages.token(issued.ticket.id)
    by_visitor = file(store, site, None, at("2026-11-30"), ticket_page=page)
    officer = person(store, "sari", "officer", "L03")
    queue.open_counter("L03", "sari")
    assert queue.call_next("L03").ticket is not None
    by_officer = file(store, site, officer, at("2026-11-30"), ticket=issued.ticket.id)
    other = person(store, "joko", "officer", "L06")
    with pytest.raises(Problem) as refused:
        file(store, site, other, at("2026-11-30"), ticket=issued.ticket.id)
    assert refused.value.code == "not_your_ticket"
    with store.read() as s:
        rows = {r.reference: r for r in s.scalars(select(ComplaintRow))}
    first, second = rows[by_visitor.reference], rows[by_officer.reference]
    assert (first.ticket_id, first.channel, first.service, first.agency) == (
        issued.ticket.id, "ticket_page", "KTP", "DUKCAPIL",
    )  # fmt: skip
    assert (second.ticket_id, second.channel, second.filed_by) == (issued.ticket.id, "desk", "sari")


def test_steps_are_timestamped_audited_and_read_on_the_link(store: Store, site: Site) -> None:
    made = file(store, site, None, at("2026-11-30"), service="KTP", contact="081234567890")
    person(store, "dina", "supervisor", "L03")
    with pytest.raises(Problem) as refused:
        step(store, site, ADMIN, made.id, at("2026-12-01"), status="answered")
    assert refused.value.extra["field"] == "answer"
    step(store, site, ADMIN, made.id, at("2026-12-01"), assignee="dina")
    mid = register.lookup(store, site, made.token)
    assert mid.status == "in_process" and mid.in_process_at == at("2026-12-01")
    step(store, site, ADMIN, made.id, at("2026-12-02"), answer="Loket KTP ditambah mulai besok.")
    step(store, site, ADMIN, made.id, at("2026-12-03"), status="closed", lapor_number="LPR-123")
    seen = register.lookup(store, site, made.token)
    assert seen.status == "closed" and seen.answer == "Loket KTP ditambah mulai besok."
    assert (seen.answered_at, seen.closed_at) == (at("2026-12-02"), at("2026-12-03"))
    assert "contact" not in seen.model_dump()
    with pytest.raises(Problem) as again:
        step(store, site, ADMIN, made.id, at("2026-12-04"), status="in_process")
    assert again.value.status == 409
    with store.read() as s:
        log = s.scalars(select(AuditRow).where(AuditRow.entity == "complaint")).all()
    assert [(r.action, r.key) for r in log] == [("update", "ADU-2026-000001")] * 3
    assert all("0812" not in (r.before or "") + (r.after or "") for r in log)


def test_a_supervisor_handles_only_their_agencies(store: Store, site: Site) -> None:
    ktp = file(store, site, None, at("2026-11-30"), service="KTP")
    izin = file(store, site, None, at("2026-11-30"), service="IZIN")
    dina = person(store, "dina", "supervisor", "L03")  # a DUKCAPIL counter
    nobody = person(store, "rudi", "supervisor")
    seen = register.listing(store, site, dina, Filters(), at("2026-12-01"))
    assert [e.reference for e in seen] == [ktp.reference]
    assert register.listing(store, site, nobody, Filters(), at("2026-12-01")) == []
    step(store, site, dina, ktp.id, at("2026-12-01"), answer="Sudah kami tindak lanjuti.")
    for who, cid in ((dina, izin.id), (nobody, ktp.id)):
        with pytest.raises(Problem) as refused:
            step(store, site, who, cid, at("2026-12-01"), answer="Sudah kami tindak lanjuti.")
        assert refused.value.status == 403
    officer = Principal(role="officer", username="sari", counter="L03")
    with pytest.raises(Problem):
        register.listing(store, site, officer, Filters(), at("2026-12-01"))
    with store.read() as s:
        views = s.scalars(select(AuditRow).where(AuditRow.action == "view")).all()
    assert [(v.actor, v.entity) for v in views] == [
        ("dina", "personal_data"),
        ("rudi", "personal_data"),
    ]


def test_contacts_are_masked_in_the_register_and_erased_after_retention(
    store: Store, site: Site
) -> None:
    old = file(store, site, None, at("2025-11-03"), agency="BPN", contact="081234567890")
    new = file(store, site, None, at("2026-11-30"), agency="BPN", contact="081234567890")
    entries = {
        e.reference: e for e in register.listing(store, site, ADMIN, Filters(), at("2026-12-01"))
    }
    assert entries[new.reference].contact == "+62812*****890"
    assert register.erase(store, site, at("2026-12-01")) == 1
    with store.read() as s:
        rows = {r.reference: r for r in s.scalars(select(ComplaintRow))}
    assert rows[old.reference].contact is None and rows[old.reference].contact_masked is None
    assert rows[new.reference].contact == "+6281234567890"
    assert register.erase(store, site, at("2026-12-01")) == 0


# -- the known scenario --------------------------------------------------------------------

ANSWER = "Terima kasih, sudah kami perbaiki."


def scenario(store: Store, site: Site) -> dict[str, int]:
    """Five complaints in November-December 2026 and one in January 2027 (target 5 days;
    25 December is a holiday of the sample site)."""
    person(store, "dina", "supervisor", "L03")
    ids = {}
    ids["A"] = file(store, site, None, at("2026-11-30"), service="KTP").id
    ids["B"] = file(store, site, ADMIN, at("2026-11-30"), service="KK", channel="desk").id
    ids["C"] = file(store, site, ADMIN, at("2026-12-22"), service="IZIN", channel="phone").id
    ids["D"] = file(store, site, None, at("2026-12-01"), service="IZIN").id
    ids["E"] = file(store, site, ADMIN, at("2026-12-02"), service="KTP", channel="letter").id
    ids["F"] = file(store, site, None, at("2027-01-04"), service="KTP").id
    step(store, site, ADMIN, ids["A"], at("2026-12-02"), answer=ANSWER)  # 2 days
    step(store, site, ADMIN, ids["A"], at("2026-12-03"), status="closed")
    step(store, site, ADMIN, ids["B"], at("2026-12-08"), answer=ANSWER)  # 6 days: late
    step(store, site, ADMIN, ids["C"], at("2026-12-30"), answer=ANSWER)  # 5 (holiday skipped)
    step(store, site, ADMIN, ids["E"], at("2026-12-03"), assignee="dina")
    step(store, site, ADMIN, ids["F"], at("2027-01-05"), answer=ANSWER)
    return ids


def _rows(report: figures.ComplaintFigures) -> dict[str, tuple[object, ...]]:
    return {
        r.key: (r.received, r.answered, r.closed, r.answered_within_target, r.median_days,
                r.p90_days, r.resolved_share)
        for r in [*report.rows, report.total]
    }  # fmt: skip


def test_the_scenarios_figures(store: Store, site: Site) -> None:
    scenario(store, site)
    with store.read() as s:
        by = {
            g: figures.figures(s, site, date(2026, 11, 1), date(2026, 12, 31), g)
            for g in figures.GROUPS
        }
    assert _rows(by["agency"]) == {
        "DPMPTSP": (2, 1, 0, 1, 5.0, 5.0, 50.0),
        "DUKCAPIL": (3, 2, 1, 1, 4.0, 6.0, 66.7),
        "total": (5, 3, 1, 2, 5.0, 6.0, 60.0),
    }
    assert _rows(by["channel"]) == {
        "desk": (1, 1, 0, 0, 6.0, 6.0, 100.0),
        "letter": (1, 0, 0, 0, None, None, 0.0),
        "phone": (1, 1, 0, 1, 5.0, 5.0, 100.0),
        "web": (2, 1, 1, 1, 2.0, 2.0, 50.0),
        "total": (5, 3, 1, 2, 5.0, 6.0, 60.0),
    }
    assert _rows(by["month"]) == {
        "2026-11": (2, 2, 1, 1, 4.0, 6.0, 100.0),
        "2026-12": (3, 1, 0, 1, 5.0, 5.0, 33.3),
        "total": (5, 3, 1, 2, 5.0, 6.0, 60.0),
    }
    assert _rows(by["service"])["KTP"] == (2, 1, 1, 1, 2.0, 2.0, 50.0)
    assert by["agency"].total.within_target_share == 66.7
    assert by["agency"].rows[1].label == "Dispendukcapil"


def test_overdue_complaints(store: Store, site: Site) -> None:
    ids = scenario(store, site)
    with store.read() as s:
        late = register.overdue(s, site, at("2026-12-09"))
    # D filed Tue 1 Dec is due Tue 8 Dec; E filed Wed 2 Dec is due Wed 9 Dec (not yet late)
    assert late == [("ADU-2026-000004", "DPMPTSP", date(2026, 12, 8))]
    entries = register.listing(store, site, ADMIN, Filters(overdue=True), at("2026-12-10"))
    assert sorted(e.id for e in entries) == sorted([ids["D"], ids["E"]])


def test_the_exports_write_typed_text_as_text(store: Store, site: Site) -> None:
    made = file(store, site, None, at("2026-11-30"), agency="BPN",
                text='=HYPERLINK("http://x.example","klik") <script>alert(1)</script>')  # fmt: skip
    step(
        store,
        site,
        ADMIN,
        made.id,
        at("2026-12-01"),
        answer="@SUM(1+1) jawaban kami",
        lapor_number="-123",
    )
    entries = register.listing(store, site, ADMIN, Filters(), at("2026-12-01"))
    rows = list(csv.reader(io.StringIO(exports.register_csv(site, entries).decode("utf-8-sig"))))
    head, line = rows
    assert line[head.index("Isi pengaduan")].startswith("'=HYPERLINK(")
    assert line[head.index("Tanggapan")] == "'@SUM(1+1) jawaban kami"
    assert line[head.index("Nomor tracking LAPOR!")] == "'-123"
    assert line[head.index("Nomor pengaduan")] == "ADU-2026-000001"
    ws = load_workbook(io.BytesIO(exports.register_xlsx(site, entries))).active
    assert ws is not None
    cell = ws.cell(row=2, column=6)
    assert cell.value.startswith("=HYPERLINK(") and cell.data_type == "s"
    assert ws.cell(row=2, column=13).data_type == "s"


def test_the_figures_exports_carry_the_same_numbers(store: Store, site: Site) -> None:
    scenario(store, site)
    with store.read() as s:
        report = figures.figures(s, site, date(2026, 11, 1), date(2026, 12, 31), "agency")
    rows = list(csv.DictReader(io.StringIO(exports.figures_csv(report).decode())))
    assert [(r["key"], r["received"], r["resolved_share"]) for r in rows] == [
        ("DPMPTSP", "2", "50.0"), ("DUKCAPIL", "3", "66.7"), ("total", "5", "60.0"),
    ]  # fmt: skip
    ws = load_workbook(io.BytesIO(exports.figures_xlsx(report))).active
    assert ws is not None
    assert [ws.cell(row=8, column=c).value for c in (1, 2, 9)] == ["Jumlah", 5, 60.0]
    pdf = exports.figures_pdf(report, site, date(2026, 12, 31))
    assert pdf.startswith(b"%PDF")


def test_bad_figures_requests(store: Store, site: Site) -> None:
    with store.read() as s:
        for args in (
            (date(2026, 12, 2), date(2026, 12, 1), "agency"),
            (date(2026, 12, 1), date(2026, 12, 1), "x"),
        ):
            with pytest.raises(Problem) as refused:
                figures.figures(s, site, *args)
            assert refused.value.status == 422


def test_overdue_complaints_are_floor_alerts_until_answered(store: Store, site: Site) -> None:
    from server.reports.alerts import evaluate_alerts
    from server.reports.tables import AlertRow

    ids = scenario(store, site)
    now = at("2026-12-09", 10)

    def evaluate(when: datetime) -> tuple[int, int]:
        with store.write() as s:
            more = register.overdue_alerts(s, site, when)
            return evaluate_alerts(s, site, when, more)

    evaluate(now)
    with store.read() as s:
        opened = s.scalars(select(AlertRow).where(AlertRow.kind == "complaint")).all()
    assert [(a.subject, a.message, a.ended_at) for a in opened] == [
        ("DPMPTSP", "DPMPTSP: 1 pengaduan lewat target 5 hari kerja (ADU-2026-000004)", None)
    ]
    step(store, site, ADMIN, ids["D"], now, answer=ANSWER)
    evaluate(now)
    with store.read() as s:
        ended = s.scalars(select(AlertRow).where(AlertRow.kind == "complaint")).all()
    assert [a.ended_at for a in ended] == [now]
    assert register.open_counts(store, site, ADMIN, at("2026-12-10")) == (1, 1)  # E, late now


def test_two_servers_on_one_database_share_the_count(db_url: str, site: Site) -> None:
    """Two Stores (as two server processes would have) filing at once: every write batch
    takes the database's write lock first (SQLite BEGIN IMMEDIATE, PostgreSQL the seq
    row FOR UPDATE), so the year's count stays gapless and unique across them."""
    from server.store.migrate import upgrade

    stores = [Store(db_url), Store(db_url)]
    upgrade(stores[0])
    refs: list[str] = []
    errors: list[BaseException] = []

    def many(store: Store) -> None:
        try:
            for _ in range(15):
                refs.append(file(store, site, None, at("2026-12-01"), agency="BPN").reference)
        except BaseException as exc:  # the test reports it
            errors.append(exc)

    threads = [threading.Thread(target=many, args=(st,)) for st in stores for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for st in stores:
        st.dispose()
    assert not errors
    assert sorted(refs) == [f"ADU-2026-{n:06d}" for n in range(1, 61)]
