"""Antrean online's rules over a real database (SQLite file and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, inspect, select, text

from server.access.auth import Principal
from server.booking import bookings, places, retention, views
from server.booking.tables import BookingRow, PlaceRow
from server.problems import Problem
from server.queue.rules import QueueService
from server.queue.site import Site
from server.reports.summary import summary_report
from server.store.db import Store
from server.store.tables import TicketRow
from shared.config import Config, parse_config
from shared.models import BookingRequest
from shared.timeutil import business_day
from tests.server.conftest import FakeClock

MONDAY = date(2026, 11, 30)  # the FakeClock starts at 09:00 WIB on it

SITE = """
[site]
name = "Uji"
[schedule]
last_issue_minutes = 30
holidays = ["2026-12-02"]
dates = { "2026-12-03" = [] }
[schedule.week]
monday = ["08:00-15:00"]
tuesday = ["08:00-15:00"]
wednesday = ["08:00-15:00"]
thursday = ["08:00-15:00"]
friday = ["08:00-15:00"]
[booking]
days_ahead = 3
retention_days = 30
early_minutes = 30
[[agencies]]
code = "DUK"
name = "Dukcapil"
  [[agencies.services]]
  code = "KTP"
  name = "KTP-el"
  prefix = "A"
  quota = 5
  needs_nik = true
  sessions = [{ range = "08:00-10:00", places = 2 }, { range = "10:00-12:00", places = 1 }]
  [[agencies.services]]
  code = "KK"
  name = "Kartu Keluarga"
  prefix = "B"
  sessions = [{ range = "13:00-15:00", places = 3 }]
  [[agencies.services]]
  code = "AKTA"
  name = "Akta"
  prefix = "C"
[[counters]]
code = "L01"
name = "Loket 1"
agency = "DUK"
services = ["KTP", "KK", "AKTA"]
"""

NIK = "3578012345670001"


@pytest.fixture
def config() -> Config:
    return parse_config(SITE)


@pytest.fixture
def site(config: Config) -> Site:
    return Site(config)


@pytest.fixture
def q(store: Store, site: Site, clock: FakeClock) -> Iterator[QueueService]:
    queue = QueueService(store, site, clock=clock)
    queue.sync_counters()
    yield queue


def req(**kw: Any) -> BookingRequest:
    base: dict[str, Any] = {
        "service": "KTP",
        "date": MONDAY,
        "session": "08:00-10:00",
        "name": "Siti Aminah",
        "phone": "0812 3456 7890",
        "nik": NIK,
    }
    return BookingRequest(**{**base, **kw})


def refused(fn: Any, *args: Any) -> Problem:
    with pytest.raises(Problem) as info:
        fn(*args)
    return info.value


def count(store: Store, table: Any) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def test_places_are_claimed_exactly_and_released_one_at_a_time(store: Store) -> None:
    with store.write() as s:
        got = [places.claim(s, "KTP", MONDAY, "08:00-10:00", 3) for _ in range(5)]
    assert got == [True, True, True, False, False]
    with store.write() as s:
        places.release(s, "KTP", MONDAY, "08:00-10:00")
        assert places.taken(s, "KTP", MONDAY) == {"08:00-10:00": 2}
        assert places.claim(s, "KTP", MONDAY, "08:00-10:00", 3)
        assert not places.claim(s, "KTP", MONDAY, "08:00-10:00", 3)
        for _ in range(5):  # never below zero
            places.release(s, "KTP", MONDAY, "08:00-10:00")
        assert places.taken(s, "KTP", MONDAY) == {"08:00-10:00": 0}


def test_a_booking_gives_a_code_and_a_link_and_hides_the_person(
    store: Store, site: Site, clock: FakeClock
) -> None:
    made = bookings.book(store, site, req(), clock())
    assert len(made.code) == 8 and set(made.code) <= set("34679ACDEFHJKMNPRTUVWXY")
    assert len(made.token) >= 40
    assert made.status == "booked" and made.nik == "3578********0001"
    seen = bookings.lookup(store, site, made.token, clock())
    dumped = seen.model_dump_json()
    assert "Siti" not in dumped and "3456" not in dumped and NIK not in dumped
    assert seen.come_from.hour == 7 and seen.come_from.minute == 30  # early_minutes before
    with store.read() as s:
        row = s.scalar(select(BookingRow))
        assert row is not None
        assert row.phone == "+6281234567890"
        assert row.token_hash != made.token
        raw = " ".join(str(v) for v in s.execute(text("SELECT * FROM bookings")).one())
    assert NIK not in raw  # the whole NIK is nowhere in the row
    other = refused(bookings.lookup, store, site, "x" * 43, clock())
    assert other.status == 404 and other.code == "unknown_booking"


def test_one_active_booking_per_phone_per_service_per_day(
    store: Store, site: Site, clock: FakeClock
) -> None:
    first = bookings.book(store, site, req(phone="081234567890"), clock())
    for same in ("+6281234567890", "6281234567890", "0812-3456-7890"):
        problem = refused(
            bookings.book, store, site, req(phone=same, session="10:00-12:00"), clock()
        )
        assert (problem.status, problem.code) == (409, "already_booked")
    bookings.book(store, site, req(service="KK", session="13:00-15:00"), clock())  # other service
    bookings.book(store, site, req(date=MONDAY + timedelta(days=1)), clock())  # other day
    bookings.cancel(store, site, first.token, clock())
    bookings.book(store, site, req(session="10:00-12:00"), clock())  # free again


def test_a_full_session_refuses_and_a_cancel_frees_exactly_one(
    store: Store, site: Site, clock: FakeClock
) -> None:
    a = bookings.book(store, site, req(phone="081111111111"), clock())
    bookings.book(store, site, req(phone="081111111112"), clock())
    problem = refused(bookings.book, store, site, req(phone="081111111113"), clock())
    assert (problem.status, problem.code) == (409, "full")
    bookings.cancel(store, site, a.token, clock())
    again = refused(bookings.cancel, store, site, a.token, clock())
    assert (again.status, again.code) == (409, "booking_cancelled")
    # Not at once to the fastest script: the place returns at a housekeeping round once
    # RELEASE_AFTER has passed since the cancel.
    assert refused(bookings.book, store, site, req(phone="081111111113"), clock()).code == "full"
    clock.advance(minutes=4)
    assert retention.release_cancelled(store, clock()) == 0
    clock.advance(minutes=1)
    assert retention.release_cancelled(store, clock()) == 1
    assert retention.release_cancelled(store, clock()) == 0  # once
    with store.read() as s:
        assert places.taken(s, "KTP", MONDAY)["08:00-10:00"] == 1  # one freed, not two
    bookings.book(store, site, req(phone="081111111113"), clock())
    last = refused(bookings.book, store, site, req(phone="081111111114"), clock())
    assert last.code == "full"


def test_slots_list_open_days_and_places_left(store: Store, site: Site, clock: FakeClock) -> None:
    bookings.book(store, site, req(), clock())
    with store.read() as s:
        slots = bookings.slots_view(s, site, "KTP", MONDAY, clock())
    assert [(x.session, x.start, x.places, x.left) for x in slots.slots] == [
        ("08:00-10:00", "08.00", 2, 1),
        ("10:00-12:00", "10.00", 1, 1),
    ]
    # Wednesday is a holiday and Thursday a closed date: days_ahead 3 reaches Friday.
    answer = bookings.bookable_view(site, clock())
    assert answer.days == [MONDAY, date(2026, 12, 1), date(2026, 12, 4)]
    assert [s.code for a in answer.agencies for s in a.services] == ["KTP", "KK"]  # not AKTA
    clock.advance(hours=2)  # 11:00: the first session is over
    with store.read() as s:
        later = bookings.slots_view(s, site, "KTP", MONDAY, clock())
    assert [x.session for x in later.slots] == ["10:00-12:00"]


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"date": MONDAY - timedelta(days=1)}, 422, "date_in_past"),
        ({"date": date(2026, 12, 2)}, 409, "closed"),  # a holiday
        ({"date": date(2026, 12, 3)}, 409, "closed"),  # a closed date
        ({"date": date(2026, 12, 7)}, 409, "closed"),  # past days_ahead open days
        ({"session": "07:00-08:00"}, 404, "unknown_session"),
        ({"service": "AKTA"}, 404, "unknown_service"),  # takes no bookings
        ({"service": "NOPE"}, 404, "unknown_service"),
        ({"name": "<script>alert(1)</script>"}, 422, "invalid_request"),
        ({"name": "Siti <b>Aminah</b>"}, 422, "invalid_request"),
        ({"name": "   "}, 422, "invalid_request"),
        ({"phone": "0812<345>67890"}, 422, "invalid_request"),
        ({"phone": "+1 202 555 0100"}, 422, "invalid_request"),
        ({"phone": "0000000"}, 422, "invalid_request"),
        ({"nik": None}, 422, "invalid_request"),  # KTP needs one
        ({"nik": "35780123"}, 422, "invalid_request"),
    ],
)
def test_bad_bookings_are_refused_and_nothing_is_stored(
    store: Store, site: Site, clock: FakeClock, change: dict[str, Any], status: int, code: str
) -> None:
    problem = refused(bookings.book, store, site, req(**change), clock())
    assert (problem.status, problem.code) == (status, code)
    assert count(store, BookingRow) == 0 and count(store, PlaceRow) == 0


def test_session_over_is_refused(store: Store, site: Site, clock: FakeClock) -> None:
    clock.advance(hours=1, minutes=1)  # 10:01
    problem = refused(bookings.book, store, site, req(), clock())
    assert (problem.status, problem.code) == (409, "session_over")


def test_check_in_within_the_window_issues_an_online_ticket_in_line(
    store: Store, site: Site, q: QueueService, clock: FakeClock
) -> None:
    walk_in = q.issue("KTP", False, "walkin-0001", 7).ticket
    made = bookings.book(store, site, req(), clock())
    clock.advance(minutes=5)
    done = bookings.check_in(store, q, made.code.lower(), "checkin-0001", 7)
    assert done.created and done.ticket.online and done.ticket.booking == made.code
    assert done.ticket.number == walk_in.number + 1 and done.ticket.ahead == 1  # joins now
    again = bookings.check_in(store, q, made.code, "checkin-0001", 7)  # a kiosk's retry
    assert not again.created and again.ticket.id == done.ticket.id
    used = refused(bookings.check_in, store, q, made.code, "checkin-0002", 7)
    assert (used.status, used.code) == (409, "booking_checked_in")
    assert bookings.lookup(store, site, made.token, clock()).ticket == done.ticket.code
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(TicketRow)) == 2
        day = business_day(site.tz, clock())
        report = summary_report(s, site, day, day, "service")  # walk-in vs online
    ktp = next(r for r in report.rows if r.key == "KTP")
    assert (ktp.issued, ktp.online, ktp.walk_in) == (2, 1, 1)
    assert (report.total.online, report.total.walk_in) == (1, 1)


def test_the_database_keeps_only_the_masked_nik_and_logs_no_booking_code(
    store: Store, site: Site, q: QueueService, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """A copy of the database (or a backup) gives no way back to the hidden digits: no keyed
    hash, no key beside it. A code checks a booking in: the log names the booking's id."""
    caplog.set_level("INFO")
    made = bookings.book(store, site, req(), clock())
    other = bookings.book(store, site, req(phone="0813999999"), clock())
    clock.advance(minutes=5)
    bookings.check_in(store, q, made.code, "checkin-x1", 7)
    bookings.cancel(store, site, other.token, clock())
    engine = store.read_engine
    names = set(inspect(engine).get_table_names())
    columns = {c["name"] for c in inspect(engine).get_columns("bookings")}
    assert "booking_secrets" not in names and "nik_hash" not in columns
    with store.read() as s:
        everything = [
            str(v)
            for t in sorted(names)
            for row in s.execute(text(f"SELECT * FROM {t}"))
            for v in row
        ]
    assert {v for v in everything if "0001" in v} == {"3578********0001"}  # the masked form
    messages = [r.getMessage() for r in caplog.records]
    assert not [m for m in messages if made.code in m or other.code in m], messages
    assert any("booking" in m and "checked in" in m for m in messages), messages


def test_check_in_refusals_say_what_to_do(
    store: Store, site: Site, q: QueueService, clock: FakeClock
) -> None:
    later = bookings.book(store, site, req(session="10:00-12:00"), clock())
    early = refused(bookings.check_in, store, q, later.code, "checkin-0001", None)
    assert (early.status, early.code) == (409, "too_early")
    assert "09.30" in early.message and str(early.extra["come_at"]).startswith("2026-11-30T09:30")
    tomorrow = bookings.book(store, site, req(date=date(2026, 12, 1), phone="0813111111"), clock())
    next_day = refused(bookings.check_in, store, q, tomorrow.code, "checkin-0002", None)
    assert next_day.code == "too_early" and "2026-12-01" in next_day.message
    gone = bookings.book(store, site, req(phone="0813222222"), clock())
    bookings.cancel(store, site, gone.token, clock())
    cancelled = refused(bookings.check_in, store, q, gone.code, "checkin-0003", None)
    assert cancelled.code == "booking_cancelled"
    unknown = refused(bookings.check_in, store, q, "AAAAAAAA", "checkin-0004", None)
    assert unknown.status == 404
    clock.advance(hours=3, minutes=1)  # 12:01: the 10-12 session is over
    late = refused(bookings.check_in, store, q, later.code, "checkin-0005", None)
    assert late.code == "too_late"
    clock.advance(days=1)
    expired = refused(bookings.check_in, store, q, later.code, "checkin-0006", None)
    assert expired.code == "booking_expired"
    assert count(store, TicketRow) == 0


def test_walk_ins_and_bookings_have_separate_pools(
    store: Store, site: Site, q: QueueService, clock: FakeClock
) -> None:
    # KTP: quota 5, sessions 2 + 1 places: walk-ins get 2.
    a = bookings.book(store, site, req(phone="0813000001"), clock())
    b = bookings.book(store, site, req(phone="0813000002"), clock())
    assert bookings.check_in(store, q, a.code, "checkin-a001", None).ticket.number == 1
    q.issue("KTP", False, "walkin-0001", None)
    q.issue("KTP", False, "walkin-0002", None)
    full = refused(q.issue, "KTP", False, "walkin-0003", None)
    assert full.code == "quota_reached"  # two walk-ins, though only number 3 was issued
    # A booked visitor is never refused for quota, walk-ins used it up or not.
    assert bookings.check_in(store, q, b.code, "checkin-b001", None).ticket.number == 4
    assert refused(q.issue, "KTP", False, "walkin-0004", None).code == "quota_reached"


def test_expiry_and_erasure(store: Store, site: Site, clock: FakeClock) -> None:
    kept = bookings.book(store, site, req(session="10:00-12:00"), clock())
    old = bookings.book(store, site, req(phone="0813999999"), clock())
    clock.advance(hours=1, minutes=1)  # 10:01: the 08-10 session ended unused
    assert retention.expire(store, site, clock()) == 1
    assert bookings.lookup(store, site, old.token, clock()).status == "expired"
    assert bookings.lookup(store, site, kept.token, clock()).status == "booked"
    clock.advance(days=30)
    assert retention.erase(store, site, clock()) == 0  # 30 days after: still kept
    clock.advance(days=1)
    assert retention.erase(store, site, clock()) == 2
    with store.read() as s:
        rows = s.scalars(select(BookingRow)).all()
    assert len(rows) == 2  # the counts stay
    assert {(r.name, r.phone, r.nik_masked) for r in rows} == {(None,) * 3}
    assert retention.erase(store, site, clock()) == 0


def test_only_an_admin_sees_names_and_each_look_is_audited(
    store: Store, site: Site, clock: FakeClock
) -> None:
    bookings.book(store, site, req(), clock())
    looks: list[tuple[str, str, dict[str, object]]] = []

    def audit(who: Principal, action: str, detail: dict[str, object], at: object) -> None:
        looks.append((str(who.username), action, detail))

    officer = Principal(role="supervisor", username="budi")
    problem = refused(views.people, store, site, officer, MONDAY, None, clock())
    assert problem.status == 403
    admin = Principal(role="admin", username="kepala")
    found = views.people(store, site, admin, MONDAY, "KTP", clock(), audit)
    assert [(p.name, p.phone, p.nik) for p in found] == [
        ("Siti Aminah", "+6281234567890", "3578********0001")
    ]
    assert looks == [  # the hook it was given; by default, the audit log (below)
        (
            "kepala",
            "booking.personal_data.view",
            {"date": "2026-11-30", "service": "KTP", "bookings": [found[0].code]},
        )
    ]


def test_a_look_at_names_is_in_the_audit_log(store: Store, site: Site, clock: FakeClock) -> None:
    from server.office.tables import AuditRow

    made = bookings.book(store, site, req(), clock())
    views.people(store, site, Principal(role="admin", username="kepala"), MONDAY, None, clock())
    with store.read() as s:
        row = s.scalar(select(AuditRow).where(AuditRow.entity == "personal_data"))
    assert row is not None and (row.actor, row.action, row.key) == (
        "kepala",
        "view",
        "2026-11-30 *",
    )
    assert made.code in str(row.after)


def test_demo_gives_every_service_sessions_all_day(config: Config) -> None:
    demo = Site(config, demo=True)
    for _agency, svc in demo.services.values():
        keys = [f"{x.start:%H:%M}-{x.end:%H:%M}" for x in svc.sessions]
        assert keys == ["00:00-06:00", "06:00-12:00", "12:00-18:00", "18:00-23:59"]
