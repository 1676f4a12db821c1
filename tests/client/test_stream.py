"""EventStream and the server's WS /events together: replay, hand-over, restarts."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

import pytest

from shared import stream as stream_module
from shared.client import ApiClient, EventStream, ServerLocator
from shared.models import Event, EventType
from tests.client.conftest import KIOSK, ServerProcess
from tests.client.wire import LiveSubscribers, issue_many

SERVICES = ["KTP", "KK", "AKTA", "IZIN", "JKN"]


class Seen:
    """What one EventStream delivered, in order."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.states: list[str] = []

    @property
    def seqs(self) -> list[int]:
        return [e.seq for e in self.events]


def open_stream(url: str, after: int = 0) -> tuple[EventStream, Seen]:
    seen = Seen()
    stream = EventStream(ServerLocator(url, None), seen.events.append, seen.states.append, after)
    stream.start()
    return stream, seen


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def last_seq(url: str) -> int:
    with ApiClient(url) as client:
        return client.board(recent=0).seq


def test_subscribers_joining_under_load_see_every_event_once(server: ServerProcess) -> None:
    """Replay from the log hands over to live events with no gap and no repeat."""
    total = 150
    issuing = threading.Thread(target=issue_many, args=(server.url, total, SERVICES, 3))
    issuing.start()
    streams: list[tuple[EventStream, Seen]] = []
    raw: list[LiveSubscribers] = []
    try:
        # Join at different moments while tickets are being issued.
        for _ in range(4):
            time.sleep(0.3)
            streams.append(open_stream(server.url))
            raw.append(LiveSubscribers(server.url, 5))
        streams.append(open_stream(server.url, after=7))  # a resume, mid-load
        issuing.join(120)
        assert not issuing.is_alive()
        final = last_seq(server.url)
        assert final == total
        for stream, _ in streams:
            # The lambda runs within this iteration, so late binding is harmless.
            caught_up = wait_until(lambda: stream.last_seq >= final)  # noqa: B023
            assert caught_up, (stream.last_seq, final)
        for group in raw:
            assert group.wait_for(final)
    finally:
        for stream, _ in streams:
            stream.stop()
        for group in raw:
            group.close()
    for (stream, seen), start in zip(streams, [0, 0, 0, 0, 7], strict=True):
        assert seen.seqs == list(range(start + 1, final + 1))
        assert stream.connects == 1  # no gap ever made the client reconnect
        assert {e.type for e in seen.events} == {EventType.ISSUED}
    for group in raw:  # the server's own guarantee, without the client's repairs
        for seqs in group.seqs:
            assert seqs == list(range(1, final + 1))


def _restart_scenario(
    server: ServerProcess, monkeypatch: pytest.MonkeyPatch, *, hard: bool, first: int
) -> None:
    """Events before, during (client away) and after a restart arrive once, in order."""
    kiosk = ApiClient(server.url, token=KIOSK)
    monkeypatch.setattr(stream_module, "BACKOFF_FIRST", 0.05)
    monkeypatch.setattr(stream_module, "BACKOFF_CAP", 0.3)
    stream, seen = open_stream(server.url, after=first - 1)
    z = first - 1  # seqs below are relative to where this scenario starts
    try:
        assert wait_until(lambda: stream.state == "connected", 10)
        before = [kiosk.issue("KTP", False, uuid.uuid4().hex) for _ in range(10)]
        assert wait_until(lambda: stream.last_seq == z + 10, 10)
        # A long backoff keeps the client away while the server restarts and works.
        monkeypatch.setattr(stream_module, "BACKOFF_FIRST", 120.0)
        monkeypatch.setattr(stream_module, "BACKOFF_CAP", 120.0)
        server.restart(hard=hard)
        during = [kiosk.issue("KTP", False, uuid.uuid4().hex) for _ in range(10)]
        assert stream.connects == 1 and stream.state == "disconnected"
        assert stream.last_seq == z + 10
        stream.retry_now()
        assert wait_until(lambda: stream.last_seq == z + 20, 20), stream.last_seq
        after = [kiosk.issue("KK", False, uuid.uuid4().hex) for _ in range(5)]
        assert wait_until(lambda: stream.last_seq == z + 25, 10)
    finally:
        stream.stop()
        kiosk.close()
    assert seen.seqs == list(range(first, first + 25))
    codes = [t.code for t in before + during + after]
    assert [e.ticket.code for e in seen.events if e.ticket] == codes
    assert stream.connects >= 2
    # The client noticed: connected, lost the server, connected again.
    joined = ",".join(seen.states)
    assert "connected,disconnected" in joined and joined.count("connected,") >= 2


def test_client_across_a_crash_and_a_graceful_restart(
    server: ServerProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    _restart_scenario(server, monkeypatch, hard=True, first=1)  # kill -9: no close frame
    _restart_scenario(server, monkeypatch, hard=False, first=26)  # SIGTERM: server closes


@pytest.mark.slow
def test_a_server_back_with_a_fresh_database_is_followed_from_its_first_event(
    server: ServerProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The log restarting below our seq (database replaced) is detected, not waited out."""
    monkeypatch.setattr(stream_module, "BACKOFF_FIRST", 0.05)
    monkeypatch.setattr(stream_module, "BACKOFF_CAP", 0.3)
    resets: list[int] = []
    seen = Seen()
    stream = EventStream(
        ServerLocator(server.url, None),
        seen.events.append,
        seen.states.append,
        on_reset=lambda: resets.append(1),
    )
    stream.start()
    try:
        with ApiClient(server.url, token=KIOSK) as kiosk:
            for _ in range(12):
                kiosk.issue("KTP", False, uuid.uuid4().hex)
        assert wait_until(lambda: stream.last_seq == 12, 10)
        server.stop()
        for old in server.data_dir.glob("*.sqlite*"):
            old.unlink()  # the technician put a new database in place
        server.start()
        with ApiClient(server.url, token=KIOSK) as kiosk:
            fresh = [kiosk.issue("KK", False, uuid.uuid4().hex) for _ in range(3)]
        assert wait_until(lambda: len(seen.events) == 15, 20), seen.seqs
    finally:
        stream.stop()
    assert resets == [1]
    assert seen.seqs == [*range(1, 13), 1, 2, 3]
    assert [e.ticket.code for e in seen.events[12:] if e.ticket] == [t.code for t in fresh]
