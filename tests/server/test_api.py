"""API v1 over real HTTP on loopback: contract, roles, auth, lock-out."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from server.store.tables import DeviceRow, LoginFailure, OfficerRow
from shared.timeutil import utcnow
from tests import seed
from tests.server.conftest import LiveServer

TICKET_FIELDS = {
    "id", "code", "number", "service", "service_name", "agency", "agency_name", "priority",
    "status", "issued_at", "ahead", "estimated_wait_minutes", "counter",
}  # fmt: skip


def login(live: LiveServer, username: str = "demo", pin: str = "123456", counter: str = "L03"):
    with live.client() as c:
        r = c.post("/sessions", json={"username": username, "pin": pin, "counter": counter})
    return r


def officer_token(live: LiveServer, counter: str = "L03") -> str:
    r = login(live, counter=counter)
    assert r.status_code == 201, r.text
    return str(r.json()["token"])


def test_health_and_services(live: LiveServer) -> None:
    with live.client() as c:
        h = c.get("/health").json()
        assert h["site"] == "MPP Kabupaten Jombang" and h["api_version"] == "1"
        assert h["time"].endswith("+07:00")
        svc = c.get("/services").json()
    assert len(svc["agencies"]) == 12
    ktp = next(s for a in svc["agencies"] for s in a["services"] if s["code"] == "KTP")
    assert ktp["open_now"] and ktp["waiting"] == 0 and ktp["prefix"] == "B"


def test_issue_contract(live: LiveServer) -> None:
    body = {"service": "KTP", "priority": False, "request_id": "kiosk-a-000001"}
    with live.client("demo-kiosk") as c:
        first = c.post("/tickets", json=body)
        again = c.post("/tickets", json=body)
        unknown = c.post("/tickets", json={**body, "service": "NOPE", "request_id": "x" * 10})
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert set(first.json()) >= TICKET_FIELDS
    assert first.json()["code"] == "B001"
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_service"
    with live.client() as c:
        got = c.get(f"/tickets/{first.json()['id']}")
        missing = c.get("/tickets/999999")
    assert got.json()["status"] == "waiting"
    assert missing.status_code == 404 and missing.json()["code"] == "unknown_ticket"


def test_closed_service_is_409_in_production(live_prod: LiveServer, store) -> None:  # type: ignore[no-untyped-def]
    with store.write() as s:
        token = seed.add_device(s, "kiosk-1", "kiosk", utcnow())
    with live_prod.client() as c:
        services = c.get("/services").json()
    ktp = next(s for a in services["agencies"] for s in a["services"] if s["code"] == "KTP")
    with live_prod.client(token) as c:
        r = c.post("/tickets", json={"service": "KTP", "request_id": "kiosk-1-000001"})
    if ktp["open_now"]:
        assert r.status_code == 201
    else:
        assert r.status_code == 409 and r.json()["code"] == "service_closed"
        assert ktp["closed_reason"] in {"closed", "holiday", "break", "cutoff"}
        assert ktp["opens_at"] is not None


def test_writes_need_a_token_and_the_right_role(live: LiveServer) -> None:
    body = {"service": "KTP", "request_id": "kiosk-a-000002"}
    with live.client() as c:
        assert c.post("/tickets", json=body).status_code == 401
        assert c.post("/counters/L03/call").status_code == 401
    with live.client("not-a-token") as c:
        r = c.post("/tickets", json=body)
        assert r.status_code == 401 and r.json()["code"] == "unauthorized"
    with live.client("demo-kiosk") as c:
        r = c.post("/counters/L03/call")
        assert r.status_code == 403  # a kiosk token cannot call
    with live.client("demo-display") as c:
        assert c.post("/tickets", json=body).status_code == 403
    with live.client(officer_token(live)) as c:
        assert c.post("/tickets", json=body).status_code == 403


def test_officer_acts_only_at_allowed_counters(live: LiveServer, store) -> None:  # type: ignore[no-untyped-def]
    with store.write() as s:
        seed.add_officer(s, "siti", "Siti Aminah", "4321", ["L03"], "officer")
    assert login(live, "siti", "4321", "L06").status_code == 403
    r = login(live, "siti", "4321", "L03")
    assert r.status_code == 201 and r.json()["officer"]["name"] == "Siti Aminah"
    token = r.json()["token"]
    with live.client(token) as c:
        assert c.post("/counters/L03/call").status_code == 200
        other = c.post("/counters/L04/call")
        assert other.status_code == 403 and other.json()["code"] == "counter_not_allowed"
        assert c.delete("/sessions/current").status_code == 204
        assert c.post("/counters/L03/call").status_code == 401


def test_pin_lock_out_after_repeated_failures(live: LiveServer, store) -> None:  # type: ignore[no-untyped-def]
    with store.write() as s:
        seed.add_officer(s, "budi", "Budi", "1111", ["L03"], "officer")
    for _ in range(4):
        r = login(live, "budi", "9999", "L03")
        assert r.status_code == 401 and r.json()["code"] == "wrong_pin"
    assert login(live, "budi", "9999", "L03").status_code == 401  # the 5th locks
    locked = login(live, "budi", "1111", "L03")  # even the right PIN now
    assert locked.status_code == 423 and locked.json()["minutes"] == 5
    with store.read() as s:
        officer = s.scalar(select(OfficerRow).where(OfficerRow.username == "budi"))
        assert officer is not None and "1111" not in officer.pin_hash  # stored hashed
        failure = s.get(LoginFailure, "budi")
        assert failure is not None and failure.locked_until is not None


def test_device_tokens_are_stored_hashed(live: LiveServer, store) -> None:  # type: ignore[no-untyped-def]
    with store.write() as s:
        token = seed.add_device(s, "kiosk-lobby", "kiosk", utcnow())
    with store.read() as s:
        row = s.scalar(select(DeviceRow))
        assert row is not None and token not in row.token_hash and len(row.token_hash) == 64
    with live.client(token) as c:
        r = c.post("/tickets", json={"service": "JKN", "request_id": "lobby-00001"})
        assert r.status_code == 201
        assert c.post("/devices/status", json={"printer": "paper_out"}).status_code == 204
    with store.read() as s:
        row = s.scalar(select(DeviceRow))
        assert row is not None and row.printer_status == "paper_out" and row.last_seen_at


def test_counter_flow_and_board(live: LiveServer) -> None:
    with live.client("demo-kiosk") as k:
        t = k.post("/tickets", json={"service": "KTP", "request_id": "flow-000001"}).json()
    with live.client(officer_token(live)) as c:
        called = c.post("/counters/L03/call").json()
        assert called["ticket"]["code"] == t["code"] and called["counter"]["status"] == "open"
        assert c.post("/counters/L03/recall").json()["ticket"]["recalls"] == 1
        assert c.post("/counters/L03/start").json()["ticket"]["status"] == "serving"
        moved = c.post("/counters/L03/transfer", json={"service": "AKTA"})
        assert moved.status_code == 200 and moved.json()["ticket"] is None
        none = c.post("/counters/L04/call").json()  # supervisor demo may act anywhere
        assert none["ticket"] is None
        assert c.post("/counters/L03/pause").json()["counter"]["status"] == "paused"
        assert c.post("/counters/L03/call").status_code == 409
        assert c.post("/counters/L03/resume").json()["counter"]["status"] == "open"
        assert c.post("/counters/L99/call").status_code == 404
    with live.client() as c:
        board = c.get("/board").json()
    assert board["seq"] >= 6
    l03 = next(x for x in board["counters"] if x["code"] == "L03")
    assert {"code", "name", "agency", "services", "status", "ticket"} <= set(l03)
    assert board["recent"][0]["code"] == t["code"]
    akta = next(w for w in board["waiting"] if w["service"] == "AKTA")
    assert akta["waiting"] == 1


def test_report_daily_needs_a_supervisor(live: LiveServer) -> None:
    with live.client("demo-kiosk") as k:
        k.post("/tickets", json={"service": "KTP", "request_id": "rep-0000001"})
        assert k.get("/reports/daily").status_code == 403
    with live.client(officer_token(live)) as c:
        c.post("/counters/L03/call")
        c.post("/counters/L03/finish")
        rep = c.get("/reports/daily").json()
        csv = c.get("/reports/daily", params={"format": "csv"})
    ktp = next(s for s in rep["services"] if s["service"] == "KTP")
    assert (ktp["issued"], ktp["served"]) == (1, 1)
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("date,service,")


def test_openapi_names_every_contract_path(live: LiveServer) -> None:
    paths = set(httpx.get(live.url + "/openapi.json", timeout=10).json()["paths"])
    for path in [
        "/health",
        "/services",
        "/tickets",
        "/tickets/{ticket_id}",
        "/tickets/{ticket_id}/cancel",
        "/sessions",
        "/counters/{code}/call",
        "/counters/{code}/recall",
        "/counters/{code}/start",
        "/counters/{code}/finish",
        "/counters/{code}/skip",
        "/counters/{code}/requeue",
        "/counters/{code}/pause",
        "/counters/{code}/resume",
        "/counters/{code}/transfer",
        "/board",
        "/reports/daily",
    ]:
        assert "/api/v1" + path in paths


# 2**31 and 2**62: past PostgreSQL's INTEGER, where the id once reached the database (a 500).
@pytest.mark.parametrize(
    "path",
    ["/tickets/abc", "/tickets/0", "/tickets/2147483648", "/tickets/4611686018427387903",
     "/tickets/99999999999999999999"],
)  # fmt: skip
def test_bad_ids_are_422_not_500(live: LiveServer, path: str) -> None:
    with live.client() as c:
        r = c.get(path)
    assert r.status_code in (404, 422) and "code" in r.json()


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_cancelling_an_id_past_2_31_is_422_not_500(live: LiveServer) -> None:
    """Ids are INTEGER columns: on PostgreSQL a bigger one was a 500."""
    with live.client("demo-kiosk") as c:
        r = c.post("/tickets/2147483648/cancel")
    assert r.status_code == 422, r.text


def test_a_phone_scanning_the_qr_code_gets_a_page(live: LiveServer) -> None:
    with live.client("demo-kiosk") as k:
        t = k.post("/tickets", json={"service": "KTP", "request_id": "qr-0000001"}).json()
    assert t["page"].startswith("/t/")
    with httpx.Client(base_url=live.url, timeout=10) as phone:
        page = phone.get(t["page"])
        by_id = phone.get(f"/api/v1/tickets/{t['id']}", headers={"Accept": "text/html,*/*"})
    assert page.headers["content-type"].startswith("text/html")
    assert "B001" in page.text and "Menunggu dipanggil" in page.text
    # a sequential id is never a page address: JSON only, without the page's token
    assert by_id.headers["content-type"].startswith("application/json")
    assert "page" not in by_id.json() and t["page"][3:] not in by_id.text


def test_the_demo_kiosk_cancels_its_own_ticket_when_printing_fails(live: LiveServer) -> None:
    with live.client("demo-kiosk") as k:
        t = k.post("/tickets", json={"service": "KTP", "request_id": "print-fail-01"}).json()
        r = k.post(f"/tickets/{t['id']}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"


def test_a_site_can_require_a_token_to_read(store, config) -> None:  # type: ignore[no-untyped-def]
    import websockets.sync.client as ws_client
    from websockets.exceptions import ConnectionClosed, InvalidStatus

    from server.access.context import ServerContext
    from server.queue.site import Site
    from tests.server.conftest import run_in_thread

    settings = config.server.model_copy(update={"require_token_for_reads": True})
    ctx = ServerContext(store=store, site=Site(config, demo=True), settings=settings)
    ctx.queue.sync_counters()
    for live in run_in_thread(ctx):
        with live.client() as c:
            assert c.get("/board").status_code == 401
        with live.client("demo-display") as c:
            assert c.get("/board").status_code == 200
        events = live.url.replace("http", "ws") + "/api/v1/events?after=0"
        try:
            with ws_client.connect(events) as ws:
                ws.recv(timeout=5)
            refused = False
        except (ConnectionClosed, InvalidStatus):
            refused = True
        assert refused
        with ws_client.connect(
            events, additional_headers={"Authorization": "Bearer demo-display"}
        ) as ws:
            ws.ping().wait(5)  # accepted and alive
