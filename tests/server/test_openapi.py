"""What schemathesis found, each pinned down: the document declares what routes answer,
and the answers that middleware gives are right (tests/server/test_schemathesis.py)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.server.conftest import LiveServer

# The database plays no part here.
pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

ERROR_REF = "#/components/schemas/ErrorAnswer"


def document(live: LiveServer) -> dict[str, Any]:
    doc: dict[str, Any] = httpx.get(live.url + "/openapi.json", timeout=10).json()
    return doc


def operation(doc: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    op: dict[str, Any] = doc["paths"]["/api/v1" + path][method]
    return op


def test_every_error_answer_is_declared_as_code_and_message(live: LiveServer) -> None:
    doc = document(live)
    assert doc["components"]["schemas"]["ErrorAnswer"]["required"] == ["code", "message"]
    # FastAPI's default 422 describes {"detail": [...]}, which this server never sends.
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    seen = 0
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            for status, answer in op["responses"].items():
                if status.startswith(("4", "5")):
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == {"$ref": ERROR_REF}, (method, path, status)
                    seen += 1
    assert seen > 60


def test_statuses_the_routes_give_are_declared(live: LiveServer) -> None:
    doc = document(live)

    def declared(method: str, path: str) -> set[str]:
        return set(operation(doc, method, path)["responses"])

    assert {"401", "403", "404", "423", "400", "413", "422"} <= declared("post", "/sessions")
    assert {"404", "422"} <= declared("get", "/counters/{code}")
    for action in ("call", "recall", "start", "finish", "skip", "pause", "resume"):
        assert {"401", "403", "404", "409"} <= declared("post", f"/counters/{{code}}/{action}")
    for action in ("transfer", "requeue"):
        assert {"400", "401", "403", "404", "409", "413"} <= declared(
            "post", f"/counters/{{code}}/{action}"
        )
    assert {"401", "403"} <= declared("get", "/reports/daily")
    assert {"401", "404"} <= declared("get", "/tickets/{ticket_id}")
    assert {"401", "403", "400", "413", "503"} <= declared("post", "/tickets")
    assert {"401", "403"} <= declared("delete", "/sessions/current")


def test_other_content_types_are_declared(live: LiveServer) -> None:
    doc = document(live)
    ticket = operation(doc, "get", "/tickets/{ticket_id}")["responses"]["200"]["content"]
    assert set(ticket) == {"application/json"}  # the QR code's page is /t/{token}
    report = operation(doc, "get", "/reports/daily")["responses"]["200"]["content"]
    assert set(report) == {"application/json", "text/csv"}


# Logging in, booking, a booker's cancel by the link's token, filing a complaint.
OPEN_WRITES = (
    "/api/v1/sessions",
    "/api/v1/complaints",
    "/api/v1/surveys",
    "/api/v1/bookings",
    "/api/v1/bookings/find",
    "/api/v1/bookings/sms-code",
    "/api/v1/bookings/{token}/cancel",
)


def test_what_needs_a_token_is_declared(live: LiveServer) -> None:
    doc = document(live)
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    secured = {
        (method, path)
        for path, operations in doc["paths"].items()
        for method, op in operations.items()
        if op.get("security") == [{"bearer": []}]
    }
    writes = {
        (method, path)
        for path, operations in doc["paths"].items()
        for method in operations
        if method != "get" and path not in OPEN_WRITES
    }
    admin_reads = {
        ("get", path) for path, operations in doc["paths"].items()
        if path.startswith("/api/v1/admin/") and "get" in operations
    }  # fmt: skip
    assert len(admin_reads) >= 9  # the console's setup, people, devices, bookings' people
    reads = {
        ("get", path)
        for path in (
            "/api/v1/reports/daily",
            "/api/v1/reports/skm",
            "/api/v1/reports/summary",
            "/api/v1/reports/complaints",
            "/api/v1/reports/evidence",
            "/api/v1/floor",
        )
    }
    assert secured == writes | admin_reads | reads
    # A survey tablet sends its token; the visitor's phone none (its page token is the proof).
    assert operation(doc, "post", "/surveys")["security"] == [{"bearer": []}, {}]
    assert operation(doc, "post", "/complaints")["security"] == [{"bearer": []}, {}]


def test_a_405_says_what_is_allowed(live: LiveServer) -> None:
    with live.client("demo-kiosk") as c:
        r = c.request("TRACE", "/health")
        put = c.put("/tickets", json={})
    assert r.status_code == 405 and r.headers["allow"] == "GET"
    assert r.json()["code"] == "method_not_allowed"
    assert put.status_code == 405 and put.headers["allow"] == "POST"


def test_a_method_no_route_takes_is_405_without_a_token_too(live: LiveServer) -> None:
    """No token would make PUT /health work: 405, not "this needs a token"."""
    with live.client() as c:
        put_health = c.put("/health")
        put_tickets = c.put("/tickets", json={})
        post_nowhere = c.post("/nowhere", json={})
        post_tickets = c.post("/tickets", json={})
        post_cancel = c.post("/tickets/1/cancel")
    assert put_health.status_code == 405 and put_health.headers["allow"] == "GET"
    assert put_tickets.status_code == 405 and put_tickets.headers["allow"] == "POST"
    assert post_nowhere.status_code == 404 and post_nowhere.json()["code"] == "not_found"
    # A real write still needs a token before its body is read.
    assert post_tickets.status_code == 401 and post_tickets.json()["code"] == "unauthorized"
    assert post_cancel.status_code == 401


def test_a_body_that_is_not_utf8_is_a_400_with_a_code(live: LiveServer) -> None:
    with live.client() as c:
        r = c.post("/sessions", content=b"\x80", headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json() == {"code": "bad_request", "message": "There was an error parsing the body"}
