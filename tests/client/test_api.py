"""ApiClient against a real server: typed answers and the error mapping."""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shared.client import ApiClient
from shared.errors import ApiError, ServerUnavailable
from shared.models import (
    Board,
    CounterStatus,
    DailyReport,
    Health,
    ServicesAnswer,
    Ticket,
    TicketStatus,
)
from tests.client.conftest import KIOSK, ServerProcess


def rid() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def kiosk(shared_server: ServerProcess) -> Iterator[ApiClient]:
    with ApiClient(shared_server.url, token=KIOSK) as client:
        yield client


@pytest.fixture
def officer(shared_server: ServerProcess) -> Iterator[ApiClient]:
    with ApiClient(shared_server.url) as client:
        yield client


def test_reads_are_typed(kiosk: ApiClient) -> None:
    health = kiosk.health()
    assert isinstance(health, Health)
    assert health.status == "ok" and health.demo
    assert health.site == "MPP Kabupaten Jombang"
    services = kiosk.services()
    assert isinstance(services, ServicesAnswer)
    assert len(services.agencies) >= 10
    assert all(s.open_now for a in services.agencies for s in a.services)  # demo: always open
    board = kiosk.board(recent=3)
    assert isinstance(board, Board)
    assert {c.code for c in board.counters} >= {"L01"}


def test_issue_is_idempotent_per_request_id(kiosk: ApiClient, officer: ApiClient) -> None:
    request_id = rid()
    first = kiosk.issue("IZIN", False, request_id)
    again = kiosk.issue("IZIN", False, request_id)
    other = kiosk.issue("IZIN", True, rid())
    assert isinstance(first, Ticket)
    assert first.status is TicketStatus.WAITING
    assert again.id == first.id and again.code == first.code
    assert other.id != first.id and other.priority
    assert kiosk.ticket(first.id).code == first.code
    # The demo kiosk token has no device row, so the server lets only a supervisor cancel.
    officer.login("demo", "123456", "L01")
    cancelled = officer.cancel(first.id)
    assert cancelled.status is TicketStatus.CANCELLED
    assert kiosk.ticket(first.id).status is TicketStatus.CANCELLED
    kiosk.device_status("paper_near_end", "sensor")  # 204: nothing to parse


def test_officer_flow(kiosk: ApiClient, officer: ApiClient) -> None:
    session = officer.login("demo", "123456", "L02")
    assert officer.token == session.token
    assert session.counter.code == "L02" and session.officer.role == "supervisor"
    service = session.counter.services[0]
    ticket = kiosk.issue(service, False, rid())
    # Other tests share this server: call until our ticket comes (oldest first).
    answer = officer.call("L02")
    while answer.ticket is not None and answer.ticket.id != ticket.id:
        answer = officer.call("L02")
    assert answer.ticket is not None and answer.ticket.status is TicketStatus.CALLED
    assert answer.counter.ticket is not None and answer.counter.ticket.id == ticket.id
    assert officer.recall("L02").ticket.recalls == 1  # type: ignore[union-attr]
    officer.skip("L02")
    assert kiosk.ticket(ticket.id).status is TicketStatus.NO_SHOW
    officer.requeue("L02", ticket.code)
    assert kiosk.ticket(ticket.id).status is TicketStatus.WAITING
    called = officer.call("L02")
    while called.ticket is not None and called.ticket.code != ticket.code:
        called = officer.call("L02")
    assert called.ticket is not None
    started = officer.start("L02")
    assert started.ticket is not None and started.ticket.status is TicketStatus.SERVING
    target = "NONIZIN" if service != "NONIZIN" else "IZIN"
    moved = officer.transfer("L02", target)
    assert moved.ticket is None and moved.counter.ticket is None
    assert kiosk.ticket(ticket.id).status is TicketStatus.TRANSFERRED
    assert officer.counter("L02").ticket is None
    assert officer.pause("L02").counter.status is CounterStatus.PAUSED
    with pytest.raises(ApiError) as paused:
        officer.call("L02")
    assert (paused.value.status, paused.value.code) == (409, "counter_paused")
    assert officer.resume("L02").counter.status is CounterStatus.OPEN
    report = officer.report_daily()
    assert isinstance(report, DailyReport)
    assert any(s.service == service and s.issued >= 1 for s in report.services)
    officer.logout()
    assert officer.token is None
    with pytest.raises(ApiError) as gone:
        officer.call("L02")
    assert gone.value.status == 401


@pytest.mark.parametrize(
    ("call", "status", "code"),
    [
        (lambda k, o: o.call("L01"), 401, "unauthorized"),  # no token
        (lambda k, o: o.login("demo", "654321", "L01"), 401, "wrong_pin"),
        (lambda k, o: k.issue("NO_SUCH", False, rid()), 404, "unknown_service"),
        (lambda k, o: k.ticket(987654), 404, "unknown_ticket"),
        (lambda k, o: o.login("demo", "123456", "L99"), 404, "unknown_counter"),
        (lambda k, o: k.issue("IZIN", False, "short"), 422, "invalid_request"),
        (lambda k, o: k.report_daily(), 403, "forbidden"),  # a kiosk is no supervisor
    ],
)
def test_error_answers_become_api_errors(
    kiosk: ApiClient, officer: ApiClient, call: object, status: int, code: str
) -> None:
    with pytest.raises(ApiError) as caught:
        call(kiosk, officer)  # type: ignore[operator]
    assert (caught.value.status, caught.value.code) == (status, code)
    assert caught.value.message  # a human message, from the JSON body


def test_pause_with_a_ticket_is_a_conflict(kiosk: ApiClient, officer: ApiClient) -> None:
    officer.login("demo", "123456", "L18")
    services = officer.counter("L18").services
    kiosk.issue(services[0], False, rid())
    assert officer.call("L18").ticket is not None
    with pytest.raises(ApiError) as busy:
        officer.pause("L18")
    assert (busy.value.status, busy.value.code) == (409, "counter_busy")
    officer.finish("L18")


def test_refused_connection_is_server_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: refused
        with ApiClient(f"http://127.0.0.1:{port}") as client, pytest.raises(ServerUnavailable):
            client.health()


def test_silent_server_times_out_as_server_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()  # accepts (kernel backlog) but never answers
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        with ApiClient(url, timeout=0.3) as client, pytest.raises(ServerUnavailable) as caught:
            client.health()
    assert "Timeout" in str(caught.value)


class _Proxy(BaseHTTPRequestHandler):
    """What a misconfigured reverse proxy answers: plain text, not our JSON."""

    def do_GET(self) -> None:
        body = b"502 Bad Gateway: upstream down"
        self.send_response(502)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_non_json_error_falls_back_to_text() -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    thread = threading.Thread(target=httpd.serve_forever)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}"
        with ApiClient(url) as client, pytest.raises(ApiError) as caught:
            client.health()
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
    assert caught.value.status == 502
    assert caught.value.code == "http_502"
    assert caught.value.message == "502 Bad Gateway: upstream down"


def test_url_forms_are_normalized(shared_server: ServerProcess) -> None:
    bare = shared_server.url.removeprefix("http://")
    for url in (bare, shared_server.url + "/", shared_server.url + "/api/v1/"):
        with ApiClient(url) as client:
            assert client.base_url == shared_server.url
            assert client.health().status == "ok"


def test_one_client_is_safe_across_threads(kiosk: ApiClient) -> None:
    with ThreadPoolExecutor(8) as pool:
        tickets = list(pool.map(lambda _: kiosk.issue("KTP", False, rid()), range(80)))
    numbers = [t.number for t in tickets]
    assert len(set(numbers)) == 80
    assert max(numbers) - min(numbers) == 79  # gapless: no other test issues KTP


def test_an_error_keeps_the_answers_other_fields() -> None:
    import httpx

    from shared.client import _api_error

    locked = httpx.Response(423, json={"code": "locked", "message": "Locked.", "minutes": 4})
    err = _api_error(locked)
    assert (err.code, err.message, err.extra) == ("locked", "Locked.", {"minutes": 4})
    assert _api_error(httpx.Response(502, text="Bad Gateway")).extra == {}
