"""Bad input at every endpoint: a clear JSON error, never a 500, nothing lost."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.server.conftest import LiveServer

WRITES = [
    "/tickets", "/tickets/1/cancel", "/sessions", "/counters/L03/call", "/counters/L03/recall",
    "/counters/L03/start", "/counters/L03/finish", "/counters/L03/skip", "/counters/L03/pause",
    "/counters/L03/resume", "/counters/L03/transfer", "/counters/L03/requeue", "/devices/status",
]  # fmt: skip
READS = ["/health", "/services", "/board", "/tickets/1", "/counters/L03", "/reports/daily"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
bodies = st.one_of(
    json_values.map(json.dumps),
    st.fixed_dictionaries(
        {},
        optional={
            "service": json_values | st.sampled_from(["KTP", "", "x" * 100, "KTP\u0000"]),
            "priority": json_values,
            "request_id": json_values | st.text(min_size=8, max_size=80),
            "username": json_values,
            "pin": json_values | st.text(max_size=20),
            "counter": json_values | st.sampled_from(["L03", "L99", ""]),
            "code": json_values,
            "printer": json_values,
        },
    ).map(json.dumps),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
)


def check(r: httpx.Response) -> None:
    assert r.status_code < 500, (r.status_code, r.text)
    if r.status_code >= 400:
        body = r.json()
        assert isinstance(body["code"], str) and isinstance(body["message"], str)


def tickets_issued(live: LiveServer) -> int:
    with live.client() as c:
        return int(sum(a["waiting"] for a in c.get("/board").json()["waiting"]))


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    path=st.sampled_from(WRITES),
    body=bodies,
    token=st.sampled_from([None, "demo-kiosk", "demo-display", "garbage", "ses_x"]),
)
def test_fuzzed_writes_never_500(live: LiveServer, path: str, body: str, token: str | None) -> None:
    headers = {"content-type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    with live.client() as c:
        check(c.post(path, content=body.encode("utf-8", "surrogatepass"), headers=headers))


def test_every_read_answers_json(live: LiveServer) -> None:
    with live.client() as c:
        for path in READS:
            check(c.get(path))
        check(c.get("/nope"))
        check(c.put("/tickets"))
        check(c.get("/board", params={"recent": "many"}))
        check(c.get("/reports/daily", params={"date": "2026-13-45"}))


def test_huge_and_malformed_bodies(live: LiveServer) -> None:
    auth = {"Authorization": "Bearer demo-kiosk", "content-type": "application/json"}
    with live.client() as c:
        huge = c.post("/tickets", content=b'{"service": "' + b"A" * 200_000 + b'"}', headers=auth)
        assert huge.status_code == 413 and huge.json()["code"] == "too_large"

        def chunks():  # type: ignore[no-untyped-def]
            for _ in range(100):
                yield b" " * 1024

        streamed = c.post("/tickets", content=chunks(), headers=auth)
        assert streamed.status_code == 413
        for raw in [
            b"{",
            b"[]",
            b"null",
            b'{"service": 5}',
            b'{"service":"KTP"}',
            b'{"service":"KTP","request_id":"short"}',
            b"\xff\xfe",
        ]:
            r = c.post("/tickets", content=raw, headers=auth)
            assert r.status_code == 422, raw
            check(r)
    assert tickets_issued(live) == 0  # nothing half-issued


def test_wrong_types_on_known_endpoints(live: LiveServer) -> None:
    with live.client() as c:
        tok = c.post("/sessions", json={"username": "demo", "pin": "123456", "counter": "L03"})
        token = tok.json()["token"]
        for body in [{"service": 3}, {"service": None}, {}, {"service": "NOPE"}]:
            check(
                c.post(
                    "/counters/L03/transfer",
                    json=body,
                    headers={"Authorization": f"Bearer {token}"},
                )
            )
        check(
            c.post(
                "/counters/L03/requeue",
                json={"code": "Z999"},
                headers={"Authorization": f"Bearer {token}"},
            )
        )
        check(c.post("/sessions", json={"username": "demo", "pin": "12", "counter": "L03"}))
        check(c.post("/sessions", json={"username": "demo", "pin": "123456", "counter": "L99"}))


@pytest.mark.parametrize("spelled", ["+1", "1.0", "%201", "01", "1%20", "1e0", "%2B1"])
def test_an_id_is_taken_only_in_its_canonical_form(live: LiveServer, spelled: str) -> None:
    with live.client("demo-kiosk") as k:
        made = k.post("/tickets", json={"service": "KTP", "request_id": "canonical-0001"})
        assert made.status_code in (200, 201), made.text
        first = made.json()["id"]
        assert k.get(f"/tickets/{first}").status_code == 200
        r = k.get(f"/tickets/{spelled.replace('1', str(first), 1)}")
        assert r.status_code == 422, (spelled, r.status_code, r.text)
        assert r.json()["code"] == "invalid_request"
