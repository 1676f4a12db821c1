"""POST /api/v1/surveys on a real server: the visitor by its page token, bad input refused."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from server.skm.tables import SurveyRow
from shared.timeutil import utcnow
from tests import seed
from tests.server.conftest import LiveServer

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
GOOD = [4, 3, 3, 4, 3, 4, 4, 3, 2]


def issue(live: LiveServer, service: str = "KTP") -> dict[str, Any]:
    with live.client("demo-kiosk") as kiosk:
        answer = kiosk.post(
            "/tickets", json={"service": service, "priority": False, "request_id": uuid.uuid4().hex}
        )
    assert answer.status_code == 201, answer.text
    ticket: dict[str, Any] = answer.json()
    return ticket


def officer(live: LiveServer, counter: str) -> httpx.Client:
    with live.client() as anyone:
        session = anyone.post(
            "/sessions", json={"username": "demo", "pin": "123456", "counter": counter}
        )
    assert session.status_code == 201, session.text
    return live.client(session.json()["token"])


def served(live: LiveServer, counter: str = "L03", service: str = "KTP") -> dict[str, Any]:
    ticket = issue(live, service)
    with officer(live, counter) as o:
        assert o.post(f"/counters/{counter}/call").json()["ticket"]["id"] == ticket["id"]
        assert o.post(f"/counters/{counter}/finish").status_code == 200
    return ticket


def surveys(live: LiveServer) -> int:
    with live.ctx.store.read() as s:
        return int(s.scalar(select(func.count()).select_from(SurveyRow)) or 0)


def token_of(live: LiveServer, ticket: dict[str, Any]) -> str:
    return live.ctx.pages.token(ticket["id"])


def test_the_visitor_answers_once_by_the_page_token(live: LiveServer) -> None:
    ticket = served(live)
    with live.client() as phone:
        body = {"ticket": token_of(live, ticket), "answers": GOOD, "suggestion": "Cepat"}
        first = phone.post("/surveys", json=body)
        assert first.status_code == 201, first.text
        assert first.json()["ticket"] == ticket["id"]
        assert first.json()["channel"] == "phone"
        assert first.json()["code"] == ticket["code"]
        again = phone.post("/surveys", json=body)
        assert again.status_code == 409
        assert again.json()["code"] == "already_answered"
    assert surveys(live) == 1


def test_not_done_unknown_or_forged_tickets_are_refused(live: LiveServer) -> None:
    waiting = issue(live)
    with live.client() as phone:
        not_done = phone.post("/surveys", json={"ticket": token_of(live, waiting), "answers": GOOD})
        assert (not_done.status_code, not_done.json()["code"]) == (409, "ticket_not_done")
        # A sequential id is not a visitor's address; nor is a token with one letter changed.
        by_id = phone.post("/surveys", json={"ticket": waiting["id"], "answers": GOOD})
        assert by_id.status_code == 404
        token = token_of(live, waiting)
        forged = token[:-1] + ("A" if token[-1] != "A" else "B")
        assert phone.post("/surveys", json={"ticket": forged, "answers": GOOD}).status_code == 404
    assert surveys(live) == 0


def test_callers_other_than_a_survey_tablet_are_refused(live: LiveServer) -> None:
    ticket = served(live)
    body = {"ticket": ticket["id"], "answers": GOOD}
    with live.client("demo-kiosk") as kiosk:
        assert kiosk.post("/surveys", json=body).status_code == 403
    with live.client("no-such-token") as stranger:
        assert stranger.post("/surveys", json=body).status_code == 401
    with officer(live, "L03") as o:
        assert o.post("/surveys", json=body).status_code == 403
    assert surveys(live) == 0


BAD: list[dict[str, Any]] = [
    {"answers": [5, 3, 3, 3, 3, 3, 3, 3, 3]},
    {"answers": [0, 3, 3, 3, 3, 3, 3, 3, 3]},
    {"answers": [3] * 8},
    {"answers": [3] * 10},
    {"answers": ["3"] * 9},
    {"answers": [3.5] * 9},
    {"answers": "444444444"},
    {"suggestion": "x" * 100_000},
    {"suggestion": "y" * 1001},
    {"suggestion": "<script>alert('skm')</script>"},
    {"suggestion": 'Bagus <img src=x onerror="alert(1)">'},
    {"profile": {"name": "Budi Santoso"}},
    {"profile": {"nik": "3517000000000001"}},
    {"profile": {"sex": "L"}},
    {"extra": "field"},
]


def test_bad_input_is_refused_and_nothing_is_stored(live: LiveServer) -> None:
    ticket = served(live)
    token = token_of(live, ticket)
    with live.client() as phone:
        for change in BAD:
            answer = phone.post("/surveys", json={"ticket": token, "answers": GOOD, **change})
            assert 400 <= answer.status_code < 500, (change, answer.text)
            assert {"code", "message"} <= set(answer.json()), change
            assert surveys(live) == 0, change
        # and the ticket can still be answered properly
        assert phone.post("/surveys", json={"ticket": token, "answers": GOOD}).status_code == 201


def test_not_json_is_a_clear_error(live: LiveServer) -> None:
    with live.client() as phone:
        answer = phone.post(
            "/surveys", content=b"\xff\xfe{", headers={"content-type": "application/json"}
        )
    assert 400 <= answer.status_code < 500
    assert "code" in answer.json()


def survey_tablet(live: LiveServer, counter: str) -> httpx.Client:
    """A survey tablet registered for `counter` (as `antrian device add` does)."""
    with live.ctx.store.write() as s:
        token = seed.add_device(s, f"tablet-{counter}", "survey", utcnow(), counter=counter)
    return live.client(token)


def test_a_survey_tablet_answers_for_tickets_finished_at_its_counter(live: LiveServer) -> None:
    here, there = served(live, "L03"), served(live, "L04")
    with survey_tablet(live, "L03") as tablet:
        other = tablet.post("/surveys", json={"ticket": there["id"], "answers": GOOD})
        assert (other.status_code, other.json()["code"]) == (403, "counter_not_allowed")
        asked_other = tablet.post(
            "/surveys", params={"counter": "L04"}, json={"ticket": there["id"], "answers": GOOD}
        )
        assert asked_other.status_code == 403
        assert surveys(live) == 0
        mine = tablet.post("/surveys", json={"ticket": here["id"], "answers": GOOD})
        assert mine.status_code == 201, mine.text
        assert mine.json()["channel"] == "tablet"
        again = tablet.post("/surveys", json={"ticket": here["id"], "answers": GOOD})
        assert again.status_code == 409
    with live.ctx.store.read() as s:
        row = s.scalars(select(SurveyRow)).one()
    assert (row.ticket_id, row.counter, row.officer, row.channel) == (
        here["id"],
        "L03",
        "demo",
        "tablet",
    )


def test_the_demo_tablet_says_its_counter(live: LiveServer) -> None:
    ticket = served(live, "L03")
    body = {"ticket": ticket["id"], "answers": GOOD}
    with live.client("demo-survey") as tablet:
        assert tablet.post("/surveys", json=body).status_code == 422  # which counter?
        assert tablet.post("/surveys", params={"counter": "L04"}, json=body).status_code == 403
        assert tablet.post("/surveys", params={"counter": "L03"}, json=body).status_code == 201


def admin(live: LiveServer) -> httpx.Client:
    with live.client() as anyone:
        session = anyone.post(
            "/sessions", json={"username": "admin", "password": "demo-admin-2026"}
        )
    assert session.status_code == 201, session.text
    return live.client(session.json()["token"])


def test_results_for_a_supervisor_and_an_admin(live: LiveServer) -> None:
    ticket = served(live)
    with live.client() as phone:
        body = {"ticket": token_of(live, ticket), "answers": GOOD, "suggestion": "=1+1"}
        assert phone.post("/surveys", json=body).status_code == 201
    day = ticket["business_day"]
    period = {"from": day, "to": day}
    with officer(live, "L03") as supervisor:  # the demo officer is a supervisor
        got = supervisor.get("/reports/skm", params=period)
        assert got.status_code == 200, got.text
        result = got.json()
        assert (
            supervisor.get("/reports/skm", params={**period, "officer": "demo"}).status_code == 403
        )
    assert result["respondents"] == 1 and result["served"] == 1 and result["sample_needed"] == 1
    assert result["ikm"] == 83.33 and result["grade"] == "B" and result["grade_name"] == "Baik"
    assert [u["nrr"] for u in result["unsur"]] == [float(a) for a in GOOD]
    assert "officer" not in result["groups"]
    assert result["suggestions"][0]["text"] == "=1+1"
    with admin(live) as manager:
        mine = manager.get("/reports/skm", params={**period, "officer": "demo"}).json()
        assert mine["groups"]["officer"][0]["key"] == "demo" and mine["respondents"] == 1
        xlsx = manager.get("/reports/skm", params={**period, "format": "xlsx"})
        assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
        assert "attachment" in xlsx.headers["content-disposition"]
        assert (
            manager.get("/reports/skm", params={"from": day, "to": "1999-01-01"}).status_code == 422
        )
        assert manager.get("/reports/skm", params={**period, "agency": "NOPE"}).status_code == 404
    with live.client("demo-kiosk") as kiosk:
        assert kiosk.get("/reports/skm", params=period).status_code == 403
    with live.client() as nobody:
        assert nobody.get("/reports/skm", params=period).status_code == 401
