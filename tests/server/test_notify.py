"""Messages to waiting visitors: decided with the event, sent once, through a real channel
(a fake modem on a pty, a local HTTP gateway), the whole path from the kiosk's issue."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from server.access.context import ServerContext
from server.notify import rules
from server.notify.channels import HttpChannel, Outgoing, render_body
from server.notify.rules import Notifier, issue_with_phone, normalize_phone
from server.notify.sender import Sender, claim, recover
from server.notify.tables import OutboxRow, PhoneRow
from server.problems import Problem
from server.queue.rules import QueueService
from server.queue.site import Site
from server.store.db import Store
from shared.config import Config, NotifyConfig
from tests.notify_wire import FakeGateway, FakeModem
from tests.server.conftest import FakeClock, LiveServer, run_in_thread


def with_notify(config: Config, **settings: Any) -> Config:
    return config.model_copy(update={"notify": NotifyConfig(**settings)})


def wait_for(what: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not what():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


def outbox(store: Store) -> list[OutboxRow]:
    with store.read() as s:
        return list(s.scalars(select(OutboxRow).order_by(OutboxRow.id)))


# -- the rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("0812 3456 7890", "6281234567890"),
        ("+62 812-3456-7890", "6281234567890"),
        ("6285712345678", "6285712345678"),
        ("0812.345.678", "62812345678"),
    ],
)
def test_a_mobile_number_in_any_usual_form_is_one_number(given: str, stored: str) -> None:
    assert normalize_phone(given) == stored


@pytest.mark.parametrize("bad", ["", "12345", "0211234567", "+1 415 555 0100", "08123", "08x2"])
def test_anything_but_an_indonesian_mobile_is_a_422_naming_phone(bad: str) -> None:
    with pytest.raises(Problem) as err:
        normalize_phone(bad)
    assert err.value.status == 422 and err.value.extra["field"] == "phone"


def test_a_phone_is_shown_masked_and_texts_fit_one_sms() -> None:
    assert rules.mask_phone("6281234567890") == "0812*****890"
    reason = "blangko habis " * 20
    long = rules.stopped_text("B017", "KTP-el", reason, "MPP \u201cJombang\u201d", "id")
    assert len(long) <= 160 and long.isascii()


def test_a_json_body_gets_its_values_escaped() -> None:
    body, kind = render_body('{"to": "{phone}", "msg": "{text}"}', "62812", 'He said "hi"\n')
    assert kind == "application/json"
    assert body == '{"to": "62812", "msg": "He said \\"hi\\"\\n"}'
    plain, kind = render_body("to={phone}&text={text}", "62812", "a b")
    assert plain == "to=62812&text=a b" and kind.startswith("text/plain")


# -- decided in the event's transaction -----------------------------------------------------


@pytest.fixture
def notified(store: Store, config: Config, clock: FakeClock) -> QueueService:
    site = Site(with_notify(config, channel="http", url="http://127.0.0.1:9/"), demo=True)
    q = QueueService(store, site, clock=clock, on_event=Notifier(lambda: site).on_event)
    q.sync_counters()
    q.open_counter("L03", "demo")
    return q


def test_near_and_called_are_decided_once_each(notified: QueueService, store: Store) -> None:
    q = notified
    for i in range(5):
        q.issue("KTP", False, f"req-before-{i}", None)
    mine = issue_with_phone(q, "KTP", False, "req-mine-01", None, "0812 3456 7890")
    assert mine.ticket.ahead == 5
    with store.read() as s:
        assert s.get(PhoneRow, mine.ticket.id).phone == "6281234567890"  # type: ignore[union-attr]
    q.call_next("L03")  # 4 ahead: not yet
    assert outbox(store) == []
    q.call_next("L03")  # 3 ahead: near
    [near] = outbox(store)
    assert (near.kind, near.phone, near.state) == ("near", "6281234567890", "due")
    assert "3 antrean lagi" in near.text and mine.ticket.code in near.text
    for _ in range(3):
        q.call_next("L03")
    assert len(outbox(store)) == 1  # near is said once
    q.call_next("L03")  # mine
    _near, called = outbox(store)
    assert called.kind == "called" and called.text.startswith(f"Nomor {mine.ticket.code}")
    assert "Loket 3" in called.text
    q.recall("L03")
    q.start("L03")
    q.transfer("L03", "AKTA")
    kinds = [r.kind for r in outbox(store)]
    assert kinds == ["near", "called", "transferred"]
    assert "AKTA" in outbox(store)[-1].text or "Akta" in outbox(store)[-1].text


def test_a_ticket_already_near_is_told_at_once_and_none_without_a_channel(
    store: Store, config: Config, clock: FakeClock
) -> None:
    site = Site(with_notify(config, channel="http", url="http://127.0.0.1:9/"), demo=True)
    q = QueueService(store, site, clock=clock, on_event=Notifier(lambda: site).on_event)
    q.sync_counters()
    issue_with_phone(q, "KK", False, "req-kk-0001", None, "081234567890")
    [near] = outbox(store)
    assert near.kind == "near" and "Anda berikutnya" in near.text
    off = Site(config, demo=True)  # channel none: phones kept, nothing decided
    q2 = QueueService(store, off, clock=clock, on_event=Notifier(lambda: off).on_event)
    issue_with_phone(q2, "IZIN", False, "req-izin-001", None, "081234567890")
    assert len(outbox(store)) == 1


def test_the_estimate_rule_counts_too(store: Store, config: Config, clock: FakeClock) -> None:
    # the sample's default service time 6 min, one counter: 6 ahead = 36 min, under 37
    site = Site(
        with_notify(config, channel="http", url="http://127.0.0.1:9/", near_ahead=0,
                    near_minutes=37),
        demo=True,
    )  # fmt: skip
    q = QueueService(store, site, clock=clock, on_event=Notifier(lambda: site).on_event)
    q.sync_counters()
    q.open_counter("L03", "demo")
    for i in range(7):
        q.issue("AKTA", False, f"req-akta-{i:03d}", None)
    issue_with_phone(q, "AKTA", False, "req-akta-mine", None, "081234567890")  # 7 ahead
    assert outbox(store) == []
    q.call_next("L03")
    [near] = outbox(store)
    assert "6 antrean lagi" in near.text and "menit" in near.text


# -- the worker --------------------------------------------------------------------------


def test_a_crash_while_sending_never_sends_a_modem_message_twice(
    notified: QueueService, store: Store, clock: FakeClock
) -> None:
    issue_with_phone(notified, "KK", False, "req-kk-crash", None, "081234567890")
    [claimed] = claim(store, notified.site, clock())  # then the process died
    assert outbox(store)[0].state == "sending"
    recover(store, retry_unknown=False, now=clock())
    assert outbox(store)[0].state == "unknown"
    assert claim(store, notified.site, clock()) == []
    assert claimed.attempts == 1


def test_a_crash_while_sending_to_a_gateway_sends_again_with_the_same_key(
    notified: QueueService, store: Store, clock: FakeClock
) -> None:
    issue_with_phone(notified, "KK", False, "req-kk-crash2", None, "081234567890")
    with FakeGateway() as gw:
        site = Site(with_notify(notified.site.config, channel="http", url=gw.url), demo=True)
        channel = HttpChannel(site.config.notify)
        [first] = claim(store, site, clock())
        channel.send(Outgoing(first.id, first.phone, first.text))  # sent, then the crash
        sender = Sender(store, lambda: site, clock)
        assert sender.round() == 1  # recovered, claimed again, sent again
        sender.close()
        channel.close()
        assert len(gw.posts) == 2 and len(gw.messages()) == 1  # one key: one message
        keys = {p["headers"]["Idempotency-Key"] for p in gw.posts}
        assert keys == {f"antrian-{first.id}"}
    assert outbox(store)[0].state == "sent"


def test_a_failing_gateway_leaves_messages_due_with_backoff_then_failed(
    notified: QueueService, store: Store, clock: FakeClock
) -> None:
    issue_with_phone(notified, "KK", False, "req-kk-fail", None, "081234567890")
    with FakeGateway(status=500) as gw:
        site = Site(with_notify(notified.site.config, channel="http", url=gw.url), demo=True)
        sender = Sender(store, lambda: site, clock)
        assert sender.round() == 1
        row = outbox(store)[0]
        assert row.state == "due" and row.attempts == 1 and "500" in (row.error or "")
        assert sender.round() == 0  # not before its next try
        for _ in range(4):
            clock.advance(minutes=11)
            sender.round()
        sender.close()
    row = outbox(store)[0]
    assert row.state == "failed" and row.attempts == 5 and len(gw.posts) == 5
    notified.call_next("L03")  # the queue never waited for the channel
    assert outbox(store)[-1].kind == "called"


def test_the_per_minute_cap_holds(notified: QueueService, store: Store, clock: FakeClock) -> None:
    for i in range(4):
        issue_with_phone(notified, "KK", False, f"req-kk-cap{i}", None, "081234567890")
    # KK's first four are near at once (3 ahead at most)
    with FakeGateway() as gw:
        site = Site(
            with_notify(notified.site.config, channel="http", url=gw.url, per_minute=3),
            demo=True,
        )
        sender = Sender(store, lambda: site, clock)
        assert sender.round() == 3
        assert sender.round() == 0
        clock.advance(seconds=61)
        assert sender.round() == 1
        sender.close()
    assert len(gw.messages()) == 4


# -- the whole path: the kiosk's issue, a counter's call, the channel ------------------------


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    with FakeGateway() as gw:
        yield gw


def live_with(store: Store, config: Config) -> Iterator[LiveServer]:
    ctx = ServerContext(store=store, site=Site(config, demo=True), settings=config.server)
    ctx.queue.sync_counters()
    yield from run_in_thread(ctx)


def officer(live: LiveServer) -> str:
    with live.client() as c:
        r = c.post("/sessions", json={"username": "demo", "pin": "123456", "counter": "L03"})
    assert r.status_code == 201, r.text
    return str(r.json()["token"])


def run_visit(live: LiveServer) -> dict[str, Any]:
    """Two ahead of a visitor who leaves a number; the counter calls three times."""
    with live.client("demo-kiosk") as k:
        for i in range(4):
            assert k.post("/tickets", json={"service": "AKTA", "request_id": f"walk-{i:05d}"})
        mine = k.post(
            "/tickets",
            json={"service": "AKTA", "request_id": "with-phone-1", "phone": "0857 1234 5678"},
        )
        assert mine.status_code == 201, mine.text
        bad = k.post(
            "/tickets", json={"service": "AKTA", "request_id": "bad-phone-1", "phone": "021 555"}
        )
        assert bad.status_code == 422 and bad.json()["field"] == "phone"
    with live.client(officer(live)) as c:
        for _ in range(5):
            assert c.post("/counters/L03/call").status_code == 200
    return dict(mine.json())


def test_the_whole_path_through_an_http_gateway(
    store: Store, config: Config, gateway: FakeGateway
) -> None:
    cfg = with_notify(
        config,
        channel="http",
        url=gateway.url,
        headers={"Authorization": "Bearer rahasia"},
        body='{"to": "{phone}", "message": "{text}"}',
    )
    for live in live_with(store, cfg):
        mine = run_visit(live)
        wait_for(lambda: len(gateway.messages()) == 2)
    near, called = gateway.messages()
    assert near == {
        "to": "6285712345678",
        "message": f"{mine['code']}: Giliran Anda sebentar lagi: 3 antrean lagi."
        " Silakan kembali ke MPP Kabupaten Jombang.",
    }
    assert called["message"].startswith(f"Nomor {mine['code']} dipanggil ke Loket 3.")
    assert gateway.posts[0]["headers"]["Authorization"] == "Bearer rahasia"
    assert [r.state for r in outbox(store)] == ["sent", "sent"]


def test_the_whole_path_through_a_gsm_modem(store: Store, config: Config) -> None:
    with FakeModem() as modem:
        for live in live_with(store, with_notify(config, channel="sms", device=modem.path)):
            mine = run_visit(live)
            wait_for(lambda: len(modem.sent) == 2)
    (n1, near), (n2, called) = modem.sent
    assert n1 == n2 == "085712345678"
    assert "3 antrean lagi" in near and called.startswith(f"Nomor {mine['code']} dipanggil")


# -- a service stopped for the day --------------------------------------------------------


def test_a_stopped_service_refuses_kiosks_and_tells_its_waiting_visitors(
    store: Store, config: Config, gateway: FakeGateway
) -> None:
    for live in live_with(store, with_notify(config, channel="http", url=gateway.url)):
        with live.client("demo-kiosk") as k:
            for i in range(5):
                body = {"service": "KTP", "request_id": f"stop-{i:06d}", "phone": "081299990000"}
                assert k.post("/tickets", json=body).status_code == 201
            k.post("/tickets", json={"service": "KK", "request_id": "other-line-1"})
            wait_for(lambda: len(gateway.messages()) == 4)  # the first four are near at once
            with live.client(officer(live)) as sup:
                assert sup.post("/counters/L03/call").status_code == 200  # one is called
                wait_for(lambda: len(gateway.messages()) == 6)  # called, and the fifth near
                bad = sup.post("/services/KTP/stop", json={"reason": "   "})
                assert bad.status_code == 422 and bad.json()["field"] == "reason"
                stopped = sup.post("/services/KTP/stop", json={"reason": "Blangko habis"})
                assert stopped.status_code == 200, stopped.text
                again = sup.post("/services/KTP/stop", json={"reason": "another reason"})
            with live.client("demo-kiosk") as kiosk_only:
                refused = kiosk_only.post("/services/KTP/stop", json={"reason": "x"})
            after = k.post("/tickets", json={"service": "KTP", "request_id": "stop-after-1"})
            still = k.post("/tickets", json={"service": "KK", "request_id": "other-line-2"})
            services = k.get("/services").json()
        wait_for(lambda: len(gateway.messages()) == 10)  # the four still waiting are told
    assert refused.status_code == 403
    info = stopped.json()
    assert info["open_now"] is False and info["closed_reason"] == "stopped"
    assert info["stop_reason"] == "Blangko habis" == again.json()["stop_reason"]
    assert after.status_code == 409 and after.json()["code"] == "service_stopped"
    assert after.json()["reason"] == "Blangko habis"
    assert still.status_code == 201
    ktp = next(s for a in services["agencies"] for s in a["services"] if s["code"] == "KTP")
    assert ktp["stop_reason"] == "Blangko habis"
    told = [m["text"] for m in gateway.messages() if "dihentikan" in m["text"]]
    assert len(told) == 4
    assert all("Layanan KTP" in t or "KTP-el" in t for t in told), told
    ending = "dihentikan hari ini: Blangko habis. MPP Kabupaten Jombang"
    assert all(t.endswith(ending) for t in told)


def test_phones_are_erased_after_their_day_and_unsent_messages_expire(
    notified: QueueService, store: Store, clock: FakeClock
) -> None:
    from server.notify.sender import erase_past

    issue_with_phone(notified, "KK", False, "req-erase-01", None, "081234567890")
    assert erase_past(store, notified.site, clock()) == 0  # today's stay
    with store.read() as s:
        assert s.get(PhoneRow, outbox(store)[0].ticket_id).phone == "6281234567890"  # type: ignore[union-attr]
    clock.advance(days=1)
    assert erase_past(store, notified.site, clock()) == 1
    [row] = outbox(store)
    assert row.phone is None and row.state == "expired"
    with store.read() as s:
        phone = s.get(PhoneRow, row.ticket_id)
        assert phone is not None and phone.phone is None and phone.erased_at == clock()


def test_the_notify_settings_go_through_the_one_validator_and_apply_live(
    store: Store, config: Config, gateway: FakeGateway
) -> None:
    from server.office import live as office_live
    from tests.admin import admin_token

    site = office_live.start_site(store, config, demo=True)  # the site in the database
    ctx = ServerContext(store=store, site=site, settings=config.server)
    ctx.queue.sync_counters()
    for server in run_in_thread(ctx):
        with server.client(admin_token(store)) as admin:
            assert admin.get("/admin/site").json()["notify"]["channel"] == "none"
            bad = admin.patch("/admin/site", json={"notify": {"channel": "sms"}})
            assert bad.status_code == 422
            assert bad.json()["errors"][0]["field"] == "notify.device"
            assert "perangkat modem" in bad.json()["errors"][0]["message"]
            ok = admin.patch(
                "/admin/site",
                json={"notify": {"channel": "http", "url": gateway.url, "near_ahead": 0}},
            )
            assert ok.status_code == 200, ok.text
            assert ok.json()["notify"]["near_ahead"] == 0
        with server.client("demo-kiosk") as k:
            assert k.get("/services").json()["messages"] is True
            r = k.post("/tickets", json={"service": "KK", "request_id": "live-set-01",
                                         "phone": "081277776666"})  # fmt: skip
            assert r.status_code == 201
        wait_for(lambda: len(gateway.messages()) == 1)  # first in line, near_ahead 0
    assert gateway.messages()[0]["to"] == "6281277776666"


def test_a_bookings_phone_follows_its_ticket_at_check_in(
    store: Store, config: Config, gateway: FakeGateway
) -> None:
    from tests.server.test_booking_api import body

    for live in live_with(store, with_notify(config, channel="http", url=gateway.url)):
        c = live.client()
        made = c.post("/bookings", json=body(live, phone="+62 857 0000 1111"))
        assert made.status_code == 201, made.text
        landline = c.post("/bookings", json=body(live, phone="0321 861234", name="Siti Aminah"))
        assert landline.status_code == 201, landline.text
        with live.client("demo-kiosk") as k:
            for i, b in enumerate((made, landline)):
                checking = {"code": b.json()["code"], "request_id": f"ci-phone-{i:04d}"}
                r = k.post("/bookings/check-in", json=checking)
                assert r.status_code == 201, r.text
        wait_for(lambda: len(gateway.messages()) == 1)  # first in its line: near at once
        time.sleep(0.3)
    [near] = gateway.messages()  # the landline's booking keeps no number for messages
    assert near["to"] == "6285700001111" and "Giliran Anda sebentar lagi" in near["text"]
