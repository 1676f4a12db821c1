"""Antrean online over HTTP: a live server on loopback (demo: sessions all day)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.access.context import ServerContext
from server.booking.tables import BookingRow
from server.queue.site import Site
from server.store.db import Store
from shared.config import Config
from shared.timeutil import business_day, utcnow
from tests.server.conftest import LiveServer, run_in_thread

NIK = "3578012345670001"


def body(live: LiveServer, **kw: object) -> dict[str, object]:
    today = business_day(live.ctx.site.tz, utcnow())
    session = next(
        s["session"]
        for s in live.client()
        .get("/bookings/slots", params={"service": "JKN", "date": str(today)})
        .json()["slots"]
    )
    base: dict[str, object] = {
        "service": "JKN",
        "date": str(today),
        "session": session,
        "name": "Budi Santoso",
        "phone": "081234567890",
    }
    return {**base, **kw}


def stored(live: LiveServer) -> int:
    with live.ctx.store.read() as s:
        return int(s.scalar(select(func.count()).select_from(BookingRow)) or 0)


def test_book_look_up_cancel_and_check_in(live: LiveServer) -> None:
    c = live.client()
    services = c.get("/bookings/services").json()
    assert {"KTP", "JKN"} <= {s["code"] for a in services["agencies"] for s in a["services"]}
    made = c.post("/bookings", json=body(live))
    assert made.status_code == 201, made.text
    booking = made.json()
    assert "name" not in booking and "phone" not in booking
    seen = c.get(f"/bookings/{booking['token']}").json()
    assert seen["code"] == booking["code"] and "token" not in seen
    kiosk = live.client("demo-kiosk")
    first = kiosk.post(
        "/bookings/check-in", json={"code": booking["code"], "request_id": "ci-00000001"}
    )
    assert first.status_code == 201, first.text
    ticket = first.json()
    assert ticket["online"] is True and ticket["booking"] == booking["code"]
    again = kiosk.post(
        "/bookings/check-in", json={"code": booking["code"], "request_id": "ci-00000001"}
    )
    assert again.status_code == 200 and again.json()["id"] == ticket["id"]
    used = kiosk.post(
        "/bookings/check-in", json={"code": booking["code"], "request_id": "ci-00000002"}
    )
    assert used.status_code == 409 and used.json()["code"] == "booking_checked_in"
    assert c.post(f"/bookings/{booking['token']}/cancel").json()["code"] == "booking_checked_in"
    other = c.post("/bookings", json=body(live, phone="081298765432")).json()
    cancelled = c.post(f"/bookings/{other['token']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert c.post(f"/bookings/{other['token']}/cancel").status_code == 409
    assert c.get("/bookings/" + "A" * 43).status_code == 404  # another's link: nothing


def test_who_may_do_what(live: LiveServer) -> None:
    c = live.client()
    assert (
        c.post("/bookings/check-in", json={"code": "AAAA", "request_id": "ci-0000001"}).status_code
        == 401
    )
    display = live.client("demo-display")
    assert (
        display.post(
            "/bookings/check-in", json={"code": "AAAA", "request_id": "ci-0000001"}
        ).status_code
        == 403
    )
    assert (
        live.client("demo-kiosk").get("/admin/bookings", params={"date": "2026-12-01"}).status_code
        == 403
    )
    assert c.get("/bookings/check-in").status_code == 405  # not taken for a token


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"name": "<img src=x onerror=alert(1)>"}, 422),
        ({"name": "Budi\u0000"}, 422),
        ({"phone": "<b>0812</b>"}, 422),
        ({"date": "2020-01-01"}, 422),
        ({"session": "07:13-07:14"}, 404),
        ({"service": "NOPE"}, 404),
        ({"extra": "field"}, 422),
        ({"date": "not a date"}, 422),
    ],
)
def test_bad_input_is_a_4xx_and_stores_nothing(
    live: LiveServer, change: dict[str, object], status: int
) -> None:
    r = live.client().post("/bookings", json=body(live, **change))
    assert r.status_code == status, r.text
    assert set(r.json()) >= {"code", "message"}
    assert stored(live) == 0


def test_a_huge_body_is_refused(live: LiveServer) -> None:
    r = live.client().post("/bookings", json=body(live, name="A" * 200_000))
    assert r.status_code == 413 and r.json()["code"] == "too_large"
    assert stored(live) == 0


def rated(store: Store, config: Config, **rates: int) -> Iterator[LiveServer]:
    """A demo server with these [server] rates."""
    settings = config.server.model_copy(update=rates)
    ctx = ServerContext(store=store, site=Site(config, demo=True), settings=settings)
    yield from run_in_thread(ctx)


@pytest.fixture
def strict(store: Store, config: Config) -> Iterator[LiveServer]:
    """A demo server whose booking rate is 2 a minute, bursts of 2."""
    yield from rated(store, config, booking_per_minute=2, booking_burst=2)


def test_booking_is_rate_limited_per_address(strict: LiveServer) -> None:
    c = strict.client()
    assert c.post("/bookings", json=body(strict)).status_code == 201
    assert c.post("/bookings", json=body(strict, phone="081200000002")).status_code == 201
    third = c.post("/bookings", json=body(strict, phone="081200000003"))
    assert third.status_code == 429
    assert third.json()["code"] == "rate_limited" and "try again" in third.json()["message"]
    assert 1 <= int(third.headers["retry-after"]) <= 30
    assert stored(strict) == 2


@pytest.fixture
def door(store: Store, config: Config) -> Iterator[LiveServer]:
    """Generous per address (a dozen addresses look like one here), strict per session
    and overall; check-in guesses limited per kiosk."""
    settings = config.server.model_copy(
        update={
            "booking_per_minute": 1000,
            "booking_burst": 1000,
            "booking_session_per_minute": 6,
            "booking_session_burst": 3,
            "booking_overall_per_minute": 6,
            "booking_overall_burst": 5,
            "check_in_per_minute": 10,
            "check_in_burst": 10,
        }
    )
    ctx = ServerContext(store=store, site=Site(config, demo=True), settings=settings)
    yield from run_in_thread(ctx)


def test_bookings_are_limited_per_session_and_overall(door: LiveServer) -> None:
    c = door.client()
    first = body(door)
    answers = [c.post("/bookings", json={**first, "phone": f"08120000{i:04d}"}) for i in range(3)]
    assert [r.status_code for r in answers] == [201] * 3
    same = c.post("/bookings", json={**first, "phone": "081299990000"})
    assert same.status_code == 429 and same.json()["code"] == "rate_limited", same.text
    assert "session" in same.json()["message"]
    others = [
        c.post("/bookings", json=body(door, service="KTP", phone=f"08130000{i:04d}", nik=NIK))
        for i in range(3)
    ]
    assert [r.status_code for r in others][:2] == [201, 201]
    assert others[2].status_code == 429 and "site" in others[2].json()["message"]
    assert stored(door) == 5


def test_check_in_guesses_are_limited_per_kiosk_and_alert_the_floor(door: LiveServer) -> None:
    from server.reports.tables import AlertRow
    from server.runtime.loops import check_alerts

    kiosk = door.client("demo-kiosk")
    codes = []
    for i in range(14):
        r = kiosk.post(
            "/bookings/check-in", json={"code": f"AAAA{i:04d}", "request_id": f"g-{i:06d}"}
        )
        codes.append(r.status_code)
    assert codes[:10] == [404] * 10 and set(codes[10:]) == {429}, codes
    check_alerts(door.ctx)
    with door.ctx.store.read() as s:
        alerts = s.scalars(select(AlertRow).where(AlertRow.kind == "guessing")).all()
    assert [a.subject for a in alerts] == ["demo-kiosk"] or len(alerts) == 1, alerts
    assert "kode booking salah" in alerts[0].message


def test_slots_leave_out_past_and_far_dates(live: LiveServer) -> None:
    c = live.client()
    today = business_day(live.ctx.site.tz, utcnow())
    days = c.get("/bookings/services").json()["days"]
    assert len(days) == live.ctx.site.config.booking.days_ahead
    far = today + timedelta(days=60)
    r = c.get("/bookings/slots", params={"service": "KTP", "date": str(far)})
    assert r.status_code == 409 and r.json()["code"] == "closed"
    past = c.get(
        "/bookings/slots", params={"service": "KTP", "date": str(today - timedelta(days=1))}
    )
    assert past.status_code == 422


def test_find_by_code_and_phone_gives_a_new_link(live: LiveServer) -> None:
    c = live.client()
    made = c.post("/bookings", json=body(live, phone="0812-3456-7000")).json()
    # The phone in any of its written forms; the code as typed on a phone's keyboard.
    code = made["code"].lower()[:4] + " " + made["code"].lower()[4:]
    found = c.post("/bookings/find", json={"code": code, "phone": "+62 812 3456 7000"})
    assert found.status_code == 200, found.text
    assert found.json()["code"] == made["code"] and found.json()["token"] != made["token"]
    # Both links lead to the booking; cancelling by the new one is the same booking.
    assert c.get(f"/bookings/{made['token']}").json()["status"] == "booked"
    assert c.post(f"/bookings/{found.json()['token']}/cancel").json()["status"] == "cancelled"
    assert c.get(f"/bookings/{made['token']}").json()["status"] == "cancelled"
    # A wrong pair says so without saying which part was wrong.
    wrong_phone = c.post("/bookings/find", json={"code": made["code"], "phone": "081234567001"})
    wrong_code = c.post("/bookings/find", json={"code": "AAAAAAAA", "phone": "081234567000"})
    assert wrong_phone.status_code == wrong_code.status_code == 404
    assert wrong_phone.json() == wrong_code.json()
    assert wrong_phone.json()["code"] == "unknown_booking"


@pytest.fixture
def guessed(store: Store, config: Config) -> Iterator[LiveServer]:
    """Three refused look-ups an hour per address; the booking rate out of the way."""
    yield from rated(
        store, config, booking_lookup_misses_per_hour=3, booking_per_minute=1000, booking_burst=1000
    )


def test_look_up_guesses_are_counted_per_address(guessed: LiveServer) -> None:
    c = guessed.client()
    made = c.post("/bookings", json=body(guessed)).json()
    pair = {"code": made["code"], "phone": "081234567890"}
    for _ in range(3):  # found pairs are no guess
        assert c.post("/bookings/find", json=pair).status_code == 200
    guesses = [
        c.post("/bookings/find", json={"code": f"AAAA{i:04d}", "phone": "081234567890"})
        for i in range(2)
    ]
    bad_phone = c.post("/bookings/find", json={"code": made["code"], "phone": "1234567"})
    assert [r.status_code for r in guesses] == [404, 404] and bad_phone.status_code == 422
    # the fourth refusal's turn: refused before the pair is looked at, the right one too
    stopped = c.post("/bookings/find", json=pair)
    assert stopped.status_code == 429 and stopped.json()["code"] == "rate_limited"
    assert 3000 <= int(stopped.headers["retry-after"]) <= 3600
