"""Request heads are bounded on the server's listener: 431, and the memory stays flat."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from tests.serverproc import ServerProcess


@pytest.fixture
def server(tmp_path: Path):  # type: ignore[no-untyped-def]
    proc = ServerProcess(tmp_path)
    proc.start()
    yield proc
    proc.stop()


def exchange(server: ServerProcess, head: bytes, *, chunk: int = 65536) -> bytes:
    """Send a raw request head (as fast as the server takes it); what came back."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as s:
        try:
            for i in range(0, len(head), chunk):
                s.sendall(head[i : i + chunk])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before the end: that is the point
        answer = b""
        try:
            while True:
                got = s.recv(65536)
                if not got:
                    break
                answer += got
        except (ConnectionResetError, TimeoutError):
            pass
        return answer


def request(*headers: bytes) -> bytes:
    return b"GET /api/v1/board HTTP/1.1\r\nHost: x\r\n" + b"".join(headers) + b"\r\n"


def test_a_big_header_or_many_headers_get_431(server: ServerProcess) -> None:
    big = exchange(server, request(b"X-Big: " + b"a" * 20_000 + b"\r\n"))
    assert big.startswith(b"HTTP/1.1 431 "), big[:200]
    assert b'"code":"headers_too_large"' in big.replace(b" ", b"")
    many = exchange(server, request(*[b"X-H%d: v\r\n" % i for i in range(150)]))
    assert many.startswith(b"HTTP/1.1 431 "), many[:200]
    # Normal requests, with a few KB of headers, are served as before
    fine = exchange(server, request(b"X-Fine: " + b"b" * 4000 + b"\r\n", b"Connection: close\r\n"))
    assert fine.startswith(b"HTTP/1.1 200 "), fine[:200]
    r = httpx.post(
        server.url + "/api/v1/tickets",
        json={"service": "KTP", "request_id": "after-the-big-ones"},
        headers={"Authorization": "Bearer demo-kiosk", **{f"X-{i}": "v" for i in range(40)}},
    )
    assert r.status_code == 201


def test_huge_headers_do_not_grow_the_server(server: ServerProcess) -> None:
    exchange(server, request(b"X-Warm: 1\r\n", b"Connection: close\r\n"))
    before = server.rss_kb("VmHWM")  # the peak: a header gathered whole, then freed, shows
    for _ in range(4):
        exchange(server, request(b"X-Huge: " + b"z" * 32_000_000 + b"\r\n"), chunk=1 << 20)
    grown = server.rss_kb("VmHWM") - before
    assert grown < 16_000, f"peak RSS grew by {grown} KB"
    assert httpx.get(server.url + "/api/v1/board").status_code == 200
