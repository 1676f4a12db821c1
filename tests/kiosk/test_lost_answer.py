"""A ticket's 201 lost on the way back: the kiosk retries with the same request_id and
gets the same ticket, no number used twice, none skipped (docs/ARCHITECTURE.md, the queue's rules).

Between the kiosk (its controller, Worker and ApiClient) and a real server process
sits a TCP proxy on 127.0.0.1 that passes everything through except the answer to
the first POST /tickets: it reads that answer whole from the server (so the ticket
is committed) and then drops the kiosk's connection, or leaves it silent until the
kiosk gives up waiting.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.controller import KioskController
from server.store.db import Store
from server.store.migrate import upgrade
from shared.client import ApiClient
from shared.timeutil import utcnow
from tests import seed
from tests.kiosk.conftest import DummyPrinter, UiLoop
from tests.serverproc import ServerProcess

Make = Callable[..., tuple[KioskController, UiLoop]]
ISSUE = b"POST /api/v1/tickets "


def read_response(sock: socket.socket, first: bytes) -> bytes:
    """One whole HTTP/1.1 response (uvicorn sends Content-Length) from `first` on."""
    data = first
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


class LosingProxy:
    """127.0.0.1:PORT -> the server; swallows the answers to the first `lose` issues."""

    def __init__(self, upstream: str, lose: int, how: str) -> None:
        host, port = upstream.removeprefix("http://").split(":")
        self.upstream = (host, int(port))
        self._to_lose = lose
        self.how = how  # "close": drop the connection; "silence": say nothing, keep it open
        self.lost: list[bytes] = []  # the answers the kiosk never got
        self.issues = 0  # POST /tickets that went through
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._start(self._accept, "proxy-accept")

    def _start(self, target: Callable[..., None], name: str, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:  # closed by stop()
                return
            server = socket.create_connection(self.upstream)
            for s in (client, server):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._sockets += [client, server]
            lose_next = threading.Event()
            self._start(self._to_server, "proxy-up", client, server, lose_next)
            self._start(self._to_kiosk, "proxy-down", server, client, lose_next)

    def _to_server(
        self, client: socket.socket, server: socket.socket, lose: threading.Event
    ) -> None:
        with contextlib.suppress(OSError):
            while chunk := client.recv(65536):
                if chunk.startswith(ISSUE):
                    with self._lock:
                        self.issues += 1
                        if self._to_lose > 0:
                            self._to_lose -= 1
                            lose.set()
                server.sendall(chunk)
        hang_up(client, server)  # the kiosk hung up (or gave up waiting)

    def _to_kiosk(
        self, server: socket.socket, client: socket.socket, lose: threading.Event
    ) -> None:
        with contextlib.suppress(OSError):
            while chunk := server.recv(65536):
                if not lose.is_set():
                    client.sendall(chunk)
                    continue
                answer = read_response(server, chunk)  # committed and answered...
                with self._lock:
                    self.lost.append(answer)
                lose.clear()
                if self.how == "close":  # ...and the line drops
                    hang_up(client, server)
                return  # "silence": the kiosk waits until its own timeout

    def stop(self) -> None:
        hang_up(self._listener)  # wakes accept() too
        with self._lock:
            hang_up(*self._sockets)
        for thread in self._threads:
            thread.join(5)
            assert not thread.is_alive(), thread.name


def hang_up(*sockets: socket.socket) -> None:
    """shutdown() first: it wakes a thread blocked in recv() on the socket; close() does not."""
    for s in sockets:
        with contextlib.suppress(OSError):
            s.shutdown(socket.SHUT_RDWR)
        s.close()


def status_and_body(answer: bytes) -> tuple[int, dict[str, object]]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(body)


@pytest.fixture
def site(db_url: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, str]]:
    """The demo site (every service open) on a fresh database, with a registered kiosk."""
    store = Store(db_url)
    upgrade(store)
    with store.write() as s:
        token = seed.add_device(s, "kiosk-lobby", "kiosk", utcnow())
    store.dispose()
    server = ServerProcess(tmp_path, demo=True, db=db_url)
    server.start()
    yield server, token
    server.stop()


# What the kiosk's ApiClient sees in each case (it raises ServerUnavailable for both).
SEEN = {"close": "RemoteProtocolError", "silence": "ReadTimeout"}


@pytest.mark.parametrize("how", list(SEEN))
def test_a_lost_201_gives_the_same_ticket_again(
    site: tuple[ServerProcess, str], make_kiosk: Make, how: str, caplog: pytest.LogCaptureFixture
) -> None:
    server, token = site
    proxy = LosingProxy(server.url, lose=1, how=how)
    try:
        printer = DummyPrinter()
        kiosk, loop = make_kiosk(proxy.url, printer=printer, token=token)
        kiosk.tick()
        loop.run_until(lambda: kiosk.screen == "home" and kiosk.client is not None, kiosk)

        kiosk.choose_agency("DUKCAPIL")
        kiosk.choose_service("KTP")
        kiosk.choose_priority(False)
        loop.run_until(lambda: kiosk.screen == "done", kiosk, timeout=20)
        first = kiosk.ticket
        assert first is not None

        # The server did make it and answer 201; the kiosk never saw that answer.
        assert len(proxy.lost) == 1
        status, lost = status_and_body(proxy.lost[0])
        assert status == 201
        assert proxy.issues == 2  # the retry, with the same request_id
        assert f"unreachable: {SEEN[how]}" in caplog.text
        assert (first.id, first.code, first.number) == (lost["id"], lost["code"], lost["number"])
        assert len(printer.jobs) == 1

        kiosk.go_home(new_visitor=True)  # the next visitor
        kiosk.choose_agency("DUKCAPIL")
        kiosk.choose_service("KTP")
        kiosk.choose_priority(False)
        loop.run_until(lambda: kiosk.screen == "done" and kiosk.ticket != first, kiosk)
        second = kiosk.ticket
        assert second is not None and proxy.issues == 3 and len(proxy.lost) == 1
    finally:
        proxy.stop()

    assert second.number == first.number + 1  # nothing used twice, nothing skipped
    assert second.code[0] == first.code[0]
    with ApiClient(server.url) as api:
        ktp = next(s for a in api.services().agencies for s in a.services if s.code == "KTP")
        assert ktp.waiting == 2
        assert api.ticket(first.id).status == "waiting"
