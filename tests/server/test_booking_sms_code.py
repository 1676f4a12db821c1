"""Proof that the phone is the booker's: a one-time code by SMS before a booking, where the
site requires it ([booking] require_sms_code), through a GSM modem on a pty and through an
HTTP gateway on 127.0.0.1 (tests/notify_wire.py), as the notify room sends everything."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from server.access.context import ServerContext
from server.booking import bookings, phone_codes
from server.booking.tables import BookingRow, PhoneCodeRow
from server.notify.rules import code_sender
from server.notify.tables import OutboxRow
from server.notify.views import message_log
from server.problems import Problem
from server.queue.site import Site
from server.store.db import Store
from shared.config import BookingConfig, Config, NotifyConfig, parse_config
from shared.errors import ConfigError
from shared.models import BookingRequest
from shared.timeutil import business_day
from tests.notify_wire import FakeGateway, FakeModem, site_toml
from tests.server.conftest import FakeClock, LiveServer, run_in_thread
from tests.server.test_notify import wait_for

PHONE = "0812 3456 7890"


def proven(config: Config, **notify: Any) -> Config:
    return config.model_copy(
        update={
            "notify": NotifyConfig(**notify),
            "booking": BookingConfig(require_sms_code=True),
        }
    )


def live_with(store: Store, config: Config) -> Iterator[LiveServer]:
    ctx = ServerContext(store=store, site=Site(config, demo=True), settings=config.server)
    yield from run_in_thread(ctx)


def booking(live: LiveServer, **kw: object) -> dict[str, object]:
    today = business_day(live.ctx.site.tz, live.ctx.queue.clock())
    slots = live.client().get("/bookings/slots", params={"service": "JKN", "date": str(today)})
    session = slots.json()["slots"][0]["session"]
    return {"service": "JKN", "date": str(today), "session": session, "name": "Budi Santoso",
            "phone": PHONE, **kw}  # fmt: skip


def states(store: Store) -> list[str]:
    with store.read() as s:
        return list(s.scalars(select(OutboxRow.state)))


def the_code(text: str) -> str:
    found = re.search(r"\b([0-9]{6})\b", text)
    assert found is not None, text
    return found.group(1)


def test_the_setting_is_off_by_default_and_needs_a_channel() -> None:
    assert BookingConfig().require_sms_code is False
    with pytest.raises(ConfigError, match=r"booking\.require_sms_code needs a message channel"):
        parse_config(
            site_toml('channel = "none"').replace(
                "require_sms_code = false", "require_sms_code = true"
            )
        )
    parse_config(
        site_toml('channel = "http"\nurl = "http://127.0.0.1:9/send"').replace(
            "require_sms_code = false", "require_sms_code = true"
        )
    )


def test_the_console_turns_it_on_only_with_a_channel(store: Store, config: Config) -> None:
    from server.office import live as office_live
    from tests.admin import admin_token

    site = office_live.start_site(store, config, demo=True)
    ctx = ServerContext(store=store, site=site, settings=config.server)
    for server in run_in_thread(ctx):
        with server.client() as c:  # off: no code is sent, none is asked for
            off = c.post("/bookings/sms-code", json={"phone": PHONE})
            assert off.status_code == 409 and off.json()["code"] == "sms_code_off"
        with server.client(admin_token(store)) as admin:
            assert admin.get("/admin/site").json()["booking"]["require_sms_code"] is False
            bad = admin.patch("/admin/site", json={"booking": {"require_sms_code": True}})
            assert bad.status_code == 422, bad.text
            error = bad.json()["errors"][0]
            assert error["field"] == "booking.require_sms_code"
            assert "saluran pesan" in error["message"]
            ok = admin.patch(
                "/admin/site",
                json={
                    "notify": {"channel": "http", "url": "http://127.0.0.1:9/send"},
                    "booking": {"require_sms_code": True},
                },
            )
            assert ok.status_code == 200, ok.text
            assert ok.json()["booking"]["require_sms_code"] is True
        with server.client() as c:  # on now, live
            on = c.post("/bookings/sms-code", json={"phone": PHONE})
            assert on.status_code == 202, on.text


def test_the_whole_path_through_a_gsm_modem(store: Store, config: Config) -> None:
    with FakeModem() as modem:
        for live in live_with(store, proven(config, channel="sms", device=modem.path)):
            c = live.client()
            missing = c.post("/bookings", json=booking(live))
            assert missing.status_code == 422 and missing.json()["code"] == "sms_code_missing"
            asked = c.post("/bookings/sms-code", json={"phone": PHONE})
            assert asked.status_code == 202 and asked.json()["valid_seconds"] == 300
            wait_for(lambda: len(modem.sent) == 1)
            number, text = modem.sent[0]
            assert number == "081234567890" and len(text) <= 160
            assert "kode verifikasi booking MPP Kabupaten Jombang" in text
            code = the_code(text)
            wrong = "0" * 6 if code != "000000" else "111111"
            refused = c.post("/bookings", json=booking(live, sms_code=wrong))
            assert refused.status_code == 422 and refused.json()["code"] == "sms_code_wrong"
            assert refused.json()["field"] == "sms_code"
            made = c.post("/bookings", json=booking(live, sms_code=code))
            assert made.status_code == 201, made.text
            again = c.post("/bookings", json=booking(live, sms_code=code))
            assert again.status_code == 422 and again.json()["code"] == "sms_code_used"
            wait_for(lambda: states(store) == ["sent"])
    # At rest: the code's salted hash only; the outbox's text has it masked.
    with store.read() as s:
        rows = list(s.scalars(select(PhoneCodeRow)))
        texts = [r.text for r in s.scalars(select(OutboxRow))]
        assert s.scalar(select(BookingRow.phone)) == "+6281234567890"
        # the console's log lists it, with no ticket and the phone masked
        site = Site(config, demo=True)
        day = s.scalar(select(OutboxRow.business_day))
        assert day is not None
        log = message_log(s, site, day)
    assert [(m.kind, m.code, m.phone, m.state) for m in log.lines] == [
        ("code", "-", "0812*****890", "sent")
    ]
    assert len(rows) == 1 and rows[0].used_at is not None and rows[0].tries == 2
    assert code not in rows[0].code_hash
    assert texts == [text.replace(code, "******")]


def test_the_whole_path_through_an_http_gateway_in_english(store: Store, config: Config) -> None:
    with FakeGateway() as gateway:
        cfg = proven(config, channel="http", url=gateway.url)
        for live in live_with(store, cfg):
            c = live.client()
            asked = c.post("/bookings/sms-code", json={"phone": "+62 812 3456 7890", "lang": "en"})
            assert asked.status_code == 202, asked.text
            wait_for(lambda: len(gateway.messages()) == 1)
            message = gateway.messages()[0]
            assert message["to"] == "6281234567890"
            assert message["text"].endswith("Valid 5 minutes. Never share it.")
            made = c.post("/bookings", json=booking(live, sms_code=the_code(message["text"])))
            assert made.status_code == 201, made.text


@pytest.fixture
def door(store: Store, config: Config) -> tuple[Store, Site, FakeClock]:
    return (
        store,
        Site(proven(config, channel="http", url="http://127.0.0.1:9/send"), demo=True),
        FakeClock(),
    )


def _ask(store: Store, site: Site, clock: FakeClock) -> str:
    """A code asked for; returns it as the SMS would carry it (the worker's memory)."""
    held: dict[int, str] = {}
    phone_codes.ask(store, site, PHONE, "id", clock(), code_sender(site, held))
    return the_code(next(iter(held.values())))


def _book(store: Store, site: Site, clock: FakeClock, code: str) -> None:
    today = business_day(site.tz, clock())
    req = BookingRequest(service="JKN", date=today, session="06:00-12:00", name="Budi",
                         phone=PHONE, sms_code=code)  # fmt: skip
    bookings.book(store, site, req, clock())


def _refusal(fn: Any) -> str:
    with pytest.raises(Problem) as caught:
        fn()
    return caught.value.code


def test_a_code_expires_and_has_three_tries(door: tuple[Store, Site, FakeClock]) -> None:
    store, site, clock = door
    code = _ask(store, site, clock)
    clock.advance(minutes=5, seconds=1)
    assert _refusal(lambda: _book(store, site, clock, code)) == "sms_code_expired"
    code = _ask(store, site, clock)
    for _ in range(3):
        assert _refusal(lambda: _book(store, site, clock, "99999x")) == "sms_code_wrong"
    assert _refusal(lambda: _book(store, site, clock, code)) == "sms_code_tries_over"
    # a newer code replaces the older one
    older = _ask(store, site, clock)
    assert _refusal(lambda: _ask(store, site, clock)) == "rate_limited"  # three in 15 min
    clock.advance(minutes=15)
    newer = _ask(store, site, clock)
    if older != newer:
        assert _refusal(lambda: _book(store, site, clock, older)) == "sms_code_wrong"
    _book(store, site, clock, newer)
    # a day later the codes and their phones are gone
    clock.advance(days=1, minutes=1)
    phone_codes.forget_old(store, clock())
    with store.read() as s:
        assert list(s.scalars(select(PhoneCodeRow))) == []


def test_a_restart_never_sends_a_code_it_no_longer_holds(store: Store, config: Config) -> None:
    """The code lived in the old process's memory: its message expires unsent."""
    from server.notify.sender import Sender

    site = Site(proven(config, channel="http", url="http://127.0.0.1:9/send"), demo=True)
    clock = FakeClock()
    held: dict[int, str] = {}
    phone_codes.ask(store, site, PHONE, "id", clock(), code_sender(site, held))
    with FakeGateway() as gateway:
        cfg = proven(config, channel="http", url=gateway.url)
        fresh = Sender(store, lambda: Site(cfg, demo=True), clock=clock)  # a new process
        assert fresh.round() == 1
        fresh.close()
    assert gateway.posts == []
    assert states(store) == ["expired"]
