"""EventStream against a scripted WebSocket peer: repeats, gaps, 4008, refusals.

The peer is a real websockets server on loopback that sends what a script
says, so every odd case the real server could produce is reproducible.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from websockets.sync.server import Server, ServerConnection, serve

from shared.client import EventStream, ServerLocator
from shared.models import Event

Script = Callable[[int, int], list[object]]  # (after, connection number) -> actions


def event(seq: int) -> str:
    at = datetime(2026, 11, 27, 8, 0, tzinfo=UTC).isoformat()
    return json.dumps({"seq": seq, "type": "counter.paused", "at": at})


class Peer:
    """A websockets server whose every connection follows `script`."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.afters: list[int] = []
        self.headers: list[str | None] = []
        self.server: Server = serve(self._handle, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.socket.getsockname()[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever)
        self.thread.start()

    def _handle(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        query = parse_qs(urlsplit(ws.request.path).query)
        after = int(query["after"][0])
        self.afters.append(after)
        self.headers.append(ws.request.headers.get("Authorization"))
        for action in self.script(after, len(self.afters)):
            if isinstance(action, int):
                ws.send(event(action))
            elif isinstance(action, tuple):  # ("close", code)
                ws.close(action[1], "scripted")
                return
        ws.wait_closed()  # hold the line until the client goes

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def peer_factory() -> Iterator[Callable[[Script], Peer]]:
    peers: list[Peer] = []

    def make(script: Script) -> Peer:
        peers.append(Peer(script))
        return peers[-1]

    yield make
    for p in peers:
        p.stop()


class Collector:
    def __init__(self) -> None:
        self.seqs: list[int] = []
        self.states: list[str] = []
        self.threads: set[str] = set()

    def on_event(self, e: Event) -> None:
        self.threads.add(threading.current_thread().name)
        self.seqs.append(e.seq)

    def wait(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.01)
        return predicate()


def run(peer: Peer, until: int, after: int = 0, token: str | None = None) -> Collector:
    got = Collector()
    stream = EventStream(
        ServerLocator(peer.url, None), got.on_event, got.states.append, after=after, token=token
    )
    stream.start()
    try:
        assert got.wait(lambda: bool(got.seqs) and got.seqs[-1] >= until), got.seqs
        time.sleep(0.05)  # anything more that was going to come
    finally:
        stream.stop()
    assert stream.last_seq == got.seqs[-1]
    return got


def test_repeats_are_dropped(peer_factory: Callable[[Script], Peer]) -> None:
    peer = peer_factory(lambda after, n: [1, 2, 2, 1, 3, 3, 4])
    got = run(peer, 4)
    assert got.seqs == [1, 2, 3, 4]
    assert got.threads == {"antrian-events"}


def test_a_gap_reconnects_from_the_last_seq(peer_factory: Callable[[Script], Peer]) -> None:
    # First connection skips 3; the reconnect (after=2) sends the rest.
    peer = peer_factory(lambda after, n: [1, 2, 4, 5] if n == 1 else list(range(after + 1, 7)))
    got = run(peer, 6)
    assert got.seqs == [1, 2, 3, 4, 5, 6]
    assert peer.afters == [0, 2]


def test_too_slow_close_resumes_after_the_last_seq(peer_factory: Callable[[Script], Peer]) -> None:
    def script(after: int, n: int) -> list[object]:
        if n == 1:
            return [*range(after + 1, after + 6), ("close", 4008)]
        return list(range(after + 1, after + 4))

    peer = peer_factory(script)
    got = run(peer, 18, after=10)
    assert got.seqs == list(range(11, 19))
    assert peer.afters == [10, 15]
    assert got.states[:3] == ["connecting", "connected", "disconnected"]
    assert got.states[-1] == "disconnected"  # after stop()


def test_a_hole_the_server_cannot_fill_is_passed_after_retries(
    peer_factory: Callable[[Script], Peer],
) -> None:
    peer = peer_factory(lambda after, n: [1, 2, 5, 6])  # 3 and 4 are gone for good
    got = run(peer, 6)
    assert got.seqs == [1, 2, 5, 6]
    assert len(peer.afters) == 4 and set(peer.afters) == {0, 2}


def test_the_token_is_sent(peer_factory: Callable[[Script], Peer]) -> None:
    peer = peer_factory(lambda after, n: [1])
    run(peer, 1, token="demo-display")
    assert peer.headers[0] == "Bearer demo-display"


def test_a_refused_token_backs_off(peer_factory: Callable[[Script], Peer]) -> None:
    peer = peer_factory(lambda after, n: [("close", 4401)])
    got = Collector()
    stream = EventStream(ServerLocator(peer.url, None), got.on_event, got.states.append)
    stream.start()
    time.sleep(1.0)
    stream.stop()
    # Backoff (patched: 0.05 s doubling to a 0.3 s cap) limits retries to a handful.
    assert 3 <= len(peer.afters) <= 10
    assert got.seqs == []


def test_a_failing_callback_does_not_stop_the_stream(
    peer_factory: Callable[[Script], Peer],
) -> None:
    peer = peer_factory(lambda after, n: [1, 2, 3])
    got = Collector()

    def on_event(e: Event) -> None:
        got.on_event(e)
        if e.seq == 2:
            raise RuntimeError("widget gone")

    stream = EventStream(ServerLocator(peer.url, None), on_event)
    stream.start()
    try:
        assert got.wait(lambda: got.seqs == [1, 2, 3])
    finally:
        stream.stop()


def test_stop_while_the_server_is_unreachable_is_prompt() -> None:
    got = Collector()
    stream = EventStream(ServerLocator("http://127.0.0.1:9", None), got.on_event, got.states.append)
    stream.start()
    time.sleep(0.3)
    t0 = time.monotonic()
    stream.stop()
    assert time.monotonic() - t0 < 2.0
    assert "connecting" in got.states and got.states[-1] == "disconnected"
