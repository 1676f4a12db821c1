"""POST /tickets answered beneath the route (server/api/fast_issue.py) gives the route's answers."""

from __future__ import annotations

import httpx

from server.api.fast_issue import FastIssue
from shared.client import ApiClient
from shared.models import IssuedTicket, Ticket
from tests.server.conftest import LiveServer


def fast_path(live: LiveServer) -> FastIssue:
    """The FastIssue in front of the running app."""
    assert isinstance(live.app, FastIssue)
    return live.app


def issue(c: httpx.Client, **body: object) -> httpx.Response:
    return c.post("/tickets", json={"service": "KTP", **body})


def test_a_known_kiosk_is_answered_beneath_the_route(live: LiveServer) -> None:
    with live.client("demo-kiosk") as c:
        first = issue(c, request_id="fast-000001")  # unknown token yet: the route checks it
        fast = fast_path(live)
        assert fast.answered == 0
        rest = [issue(c, request_id=f"fast-00000{i}", priority=i == 4) for i in range(2, 6)]
        again = issue(c, request_id="fast-000003")
    assert fast.answered == 5
    assert [r.status_code for r in [first, *rest]] == [201] * 5 and again.status_code == 200
    tickets = [Ticket.model_validate_json(r.content) for r in [first, *rest]]
    assert [t.number for t in tickets] == [1, 2, 3, 4, 5]
    assert [t.ahead for t in tickets] == [0, 1, 2, 0, 4]  # the priority one goes first
    assert first.headers["content-type"] == rest[0].headers["content-type"] == "application/json"
    with live.client() as c:  # the route's view of the ticket asked for again
        got = c.get(f"/tickets/{tickets[2].id}").json()
    # the same, but for the page's address and the priority group, which only the
    # issuing kiosk's answer has
    only_kiosk = {k: again.json()[k] for k in ("page", "priority_group")}
    assert "priority_group" not in got
    assert {**got, **only_kiosk} == again.json()
    assert got["ahead"] == 3  # now behind the priority one
    assert IssuedTicket.model_validate_json(again.content).model_dump_json().encode() == (
        again.content
    )  # the spliced answer is byte for byte what the model writes


def test_its_refusals_are_the_routes(live: LiveServer) -> None:
    """The same request answered by the route (token not yet known) and beneath it."""
    requests = [
        {"service": "NOPE", "request_id": "fast-unknown-1"},  # 404 unknown_service
        {"service": "KK", "request_id": "fast-000001"},  # 409 request_id_reused
    ]
    answers = []
    with live.client("demo-kiosk") as c:
        assert issue(c, request_id="fast-000001").status_code == 201
        fast = fast_path(live)
        for body in requests:
            live.ctx.forget_principals()  # the next request goes through the route
            by_route = c.post("/tickets", json=body)
            answered = fast.answered
            beneath = c.post("/tickets", json=body)
            assert fast.answered == answered + 1
            answers.append((by_route.status_code, beneath.status_code))
            assert by_route.content == beneath.content
    assert answers == [(404, 404), (409, 409)]


def test_anything_unusual_goes_on_to_the_route(live: LiveServer) -> None:
    with live.client("demo-kiosk") as c:
        assert issue(c, request_id="fast-000001").status_code == 201
        fast = fast_path(live)
        missing = c.post("/tickets", json={"service": "KTP"})
        wrong = issue(c, request_id="fast-000002", priority="sometimes")
        extra = issue(c, request_id="fast-000003", colour="red")
        broken = c.post("/tickets", content=b'{"service": "KTP",', headers=json_type())
        big = c.post(
            "/tickets",
            content=b'{"service": "KTP", "request_id": "fast-000004"}' + b" " * 2000,
            headers=json_type(),
        )
    with live.client("demo-display") as c:
        display = issue(c, request_id="fast-000005")
        display_again = issue(c, request_id="fast-000005")
    assert fast.answered == 0
    for r in (missing, wrong, extra, broken):
        assert r.status_code == 422 and r.json()["code"] == "invalid_request", r.text
    assert big.status_code == 201 and big.json()["number"] == 2
    assert display.status_code == display_again.status_code == 403
    assert display_again.json()["code"] == "forbidden"


def test_a_failed_database_is_a_json_500_on_both_paths(live: LiveServer) -> None:
    with live.client("demo-kiosk") as c:
        assert issue(c, request_id="fast-000001").status_code == 201  # the token is known now
        fast = fast_path(live)
        with live.ctx.store.write_engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE daily_numbers")  # every new number fails now
        beneath = issue(c, request_id="fast-000002")
        assert fast.answered == 1
        # the route's answer, for a caller the fast path does not take (a charset)
        routed = c.post(
            "/tickets",
            content=b'{"service": "KTP", "request_id": "fast-000003"}',
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        assert fast.answered == 1
    with live.client("demo-kiosk") as c:  # uvicorn closes a connection after a route's 500
        again = issue(c, request_id="fast-000001")  # what was committed is still answered
    assert beneath.status_code == routed.status_code == 500
    assert beneath.json() == routed.json()
    assert beneath.json()["code"] == "internal_error"
    assert again.status_code == 200 and again.json()["number"] == 1


def json_type() -> dict[str, str]:
    return {"Content-Type": "application/json"}


def test_the_kiosks_own_client_takes_it(live: LiveServer) -> None:
    with ApiClient(live.url, token="demo-kiosk") as client:
        first = client.issue("KTP", False, "client-000001")
        fast = fast_path(live)
        second = client.issue("KTP", True, "client-000002")
    assert fast.answered == 1
    assert (first.number, second.number, second.priority) == (1, 2, True)
