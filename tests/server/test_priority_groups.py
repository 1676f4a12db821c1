"""Priority groups (issue 27): who a priority ticket is for. Told to the issuing kiosk and
the officer; never in what the LAN reads openly (a ticket, the board, the event stream)."""

from __future__ import annotations

import json

import httpx
import websockets.sync.client as ws_client

from server.queue.rules import QueueService
from shared.models import Event
from tests.admin import admin_token
from tests.server.conftest import LiveServer
from tests.server.test_api import officer_token
from tests.server.test_office_api import office as office  # a fixture


def issue(c: httpx.Client, rid: str, **body: object) -> httpx.Response:
    return c.post("/tickets", json={"service": "KTP", "request_id": rid, **body})


def events(live: LiveServer) -> list[dict[str, object]]:
    """Every event so far, as the stream sends them (the raw JSON)."""
    url = live.url.replace("http", "ws") + "/api/v1/events?after=0"
    out: list[dict[str, object]] = []
    with ws_client.connect(url) as ws:
        while True:
            try:
                out.append(json.loads(ws.recv(timeout=1)))
            except TimeoutError:
                return out


def test_the_kiosk_gives_a_group_and_only_its_answer_holds_it(live: LiveServer) -> None:
    with live.client("demo-kiosk") as k:
        services = k.get("/services").json()
        lansia = issue(k, "group-000001", priority=True, priority_group="lansia")
        again = issue(k, "group-000001", priority=True, priority_group="lansia")
        plain = issue(k, "group-000002")
    assert [g["code"] for g in services["priority_groups"]] == [
        "lansia", "disabilitas", "ibu_hamil", "balita",
    ]  # fmt: skip
    assert services["priority_groups"][1]["name"] == "Penyandang disabilitas"
    assert lansia.status_code == 201 and lansia.json()["priority_group"] == "lansia"
    assert again.status_code == 200 and again.json()["priority_group"] == "lansia"
    assert plain.json()["priority_group"] is None
    tid = lansia.json()["id"]
    with live.client() as c:  # what anyone on the LAN reads
        ticket = c.get(f"/tickets/{tid}")
        board_before = c.get("/board")
    assert ticket.status_code == 200 and "priority_group" not in ticket.json()
    assert "lansia" not in ticket.text and "lansia" not in board_before.text
    token = officer_token(live)
    with live.client(token) as o:
        called = o.post("/counters/L03/call").json()
    assert called["ticket"]["id"] == tid  # priority first: the interleave as before
    assert called["priority_group"] == "lansia"  # the officer's own answer
    assert "priority_group" not in called["ticket"]
    assert "priority_group" not in called["counter"]["ticket"]
    with live.client() as c:
        board = c.get("/board")
        counter = c.get("/counters/L03")
    for text in (board.text, counter.text):
        assert "priority_group" not in text and "lansia" not in text
    stream = events(live)
    assert {e["type"] for e in stream} >= {"ticket.issued", "ticket.called"}
    for e in stream:
        assert "priority_group" not in json.dumps(e) and "lansia" not in json.dumps(e)
        Event.model_validate(e)


def test_an_unknown_group_is_a_422_naming_the_field(live: LiveServer) -> None:
    with live.client("demo-kiosk") as k:
        unknown = issue(k, "group-000010", priority=True, priority_group="vip")
        not_priority = issue(k, "group-000011", priority=False, priority_group="lansia")
        after = issue(k, "group-000012", priority=True, priority_group="balita")
    for r in (unknown, not_priority):
        assert r.status_code == 422, r.text
        body = r.json()
        assert body["field"] == "priority_group"
        assert body["errors"][0]["message"] and body["errors"][0]["message_en"]
    assert "vip" in unknown.json()["message"]
    assert after.status_code == 201 and after.json()["number"] == 1  # nothing was lost


def test_the_officer_sets_the_group_of_the_current_ticket(live: LiveServer) -> None:
    with live.client("demo-kiosk") as k:
        t = issue(k, "group-000020").json()
    with live.client(officer_token(live)) as o:
        none_yet = o.post("/counters/L03/group", json={"priority_group": "lansia"})
        o.post("/counters/L03/call")
        bad = o.post("/counters/L03/group", json={"priority_group": "raja"})
        ok = o.post("/counters/L03/group", json={"priority_group": "ibu_hamil"})
        started = o.post("/counters/L03/start").json()
    with live.client("demo-kiosk") as k:  # only the officer at the counter
        other = k.post("/counters/L03/group", json={"priority_group": "lansia"})
    assert none_yet.status_code == 409 and none_yet.json()["code"] == "no_current_ticket"
    assert bad.status_code == 422 and bad.json()["field"] == "priority_group"
    assert ok.status_code == 200 and ok.json()["priority_group"] == "ibu_hamil"
    assert ok.json()["ticket"]["id"] == t["id"]
    assert started["priority_group"] == "ibu_hamil"  # kept on the ticket
    assert other.status_code == 403
    with live.client() as c:
        assert "ibu_hamil" not in c.get(f"/tickets/{t['id']}").text
        assert "ibu_hamil" not in c.get("/board").text


def test_a_transfer_keeps_the_group(queue: QueueService) -> None:
    queue.open_counter("L03", "demo")
    queue.issue("KTP", True, "group-000030", None, "disabilitas")
    assert queue.call_next("L03").priority_group == "disabilitas"
    queue.transfer("L03", "KK")
    queue.open_counter("L04", "demo")
    called = queue.call_next("L04")
    assert called.ticket is not None and called.ticket.service == "KK"
    assert called.priority_group == "disabilitas"


def test_the_site_edits_its_groups(office: LiveServer) -> None:
    """In the site's settings (PATCH /admin/site, as the console and the TOML): applied live."""
    live = office
    token = admin_token(live.ctx.store)
    groups = [
        {"code": "lansia", "name": "Lanjut usia", "name_en": "Older people"},
        {"code": "veteran", "name": "Veteran", "name_en": "Veterans"},
    ]
    with live.client(token) as a:
        ok = a.patch("/admin/site", json={"queue": {"priority_groups": groups}})
        twice = a.patch("/admin/site", json={"queue": {"priority_groups": groups * 2}})
        reserved = a.patch(
            "/admin/site", json={"queue": {"priority_groups": [{"code": "umum", "name": "U"}]}}
        )
    assert ok.status_code == 200, ok.text
    assert ok.json()["queue"]["priority_groups"] == groups
    assert twice.status_code == 422 and reserved.status_code == 422
    with live.client("demo-kiosk") as k:
        assert [g["code"] for g in k.get("/services").json()["priority_groups"]] == [
            "lansia", "veteran",
        ]  # fmt: skip
        assert issue(k, "group-000040", priority=True, priority_group="veteran").status_code == 201
        assert issue(k, "group-000041", priority=True, priority_group="balita").status_code == 422
