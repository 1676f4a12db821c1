"""counter.link: what an event makes worth re-reading, the connection's word, and the
ServerLink's retries and sessions against a real server or none at all (a closed port)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from counter.flow import Request
from counter.link import Connection, ServerLink, rereads_for
from shared.client import ServerLocator, Worker
from shared.errors import ServerUnavailable
from shared.models import CounterInfo, CounterStatus, Event, EventType
from tests.counter.conftest import Site, UiThread
from tests.counter.wire import ticket

DEAD = "http://127.0.0.1:9"  # nothing listens there: refused at once
MINE = ("KTP", "KK")


def event(kind: EventType, **kw: object) -> Event:
    return Event.model_validate(
        {"seq": 10, "type": kind, "at": datetime(2025, 3, 3, 2, 0, tzinfo=UTC), **kw}
    )


def info(code: str) -> CounterInfo:
    return CounterInfo(
        code=code, name=code, agency="X", agency_name="X", services=[], status=CounterStatus.OPEN
    )


def test_what_an_event_makes_worth_reading_again() -> None:
    both = ("counter", "services")
    assert rereads_for(event(EventType.SITE_CHANGED), "L03", MINE) == both
    assert rereads_for(event(EventType.PAUSED, counter=info("L03")), "L03", MINE) == both
    # a ticket held here (e.g. called from another terminal of the same counter)
    assert rereads_for(event(EventType.CALLED, ticket=ticket(counter="L03")), "L03", MINE) == both
    issued = event(EventType.ISSUED, ticket=ticket(service="KK", counter=None))
    assert rereads_for(issued, "L03", MINE) == ("services",)
    assert rereads_for(issued, "L03", ("AKTA",)) == ()  # another counter's queue
    assert rereads_for(event(EventType.PAUSED, counter=info("L04")), "L03", MINE) == ()


def test_the_connection_says_down_until_the_stream_is_back() -> None:
    c = Connection()
    assert c.state == "connecting"
    assert c.stream_said("connected") and c.state == "connected"
    assert not c.stream_said("connected")  # not news: nothing to re-read
    c.http_down = True  # a request found no server before the stream noticed
    assert c.state == "down"
    assert not c.stream_said("disconnected")
    assert not c.stream_said("connecting")  # trying again is still "down" to the officer
    assert c.state == "down"
    assert c.stream_said("connected")  # back: re-read, and requests are trusted again
    assert c.state == "connected" and not c.http_down


class Link:
    """A ServerLink and what it reported, for one test."""

    def __init__(self, url: str, ui: UiThread) -> None:
        self.reads: list[tuple[object, object]] = []
        self.changes = 0
        self.sessions_over = 0
        self.worker = Worker("counter-test")
        self.link = ServerLink(
            ServerLocator(url, None),
            self.worker,
            ui.post,
            live=False,
            timeout=1.0,
            on_read=lambda state, services: self.reads.append((state, services)),
            on_session_over=self._over,
            on_change=self._changed,
            mine=lambda: MINE,
        )

    def _over(self) -> None:
        self.sessions_over += 1
        self.link.end()  # as the controller's logout does

    def _changed(self) -> None:
        self.changes += 1

    def close(self) -> None:
        self.link.end()
        self.worker.stop()
        if self.link.client is not None:
            self.link.client.close()


@pytest.fixture
def dead(ui: UiThread) -> Iterator[Link]:
    made = Link(DEAD, ui)
    yield made
    made.close()


def test_a_reread_that_found_no_server_waits_for_the_clock(dead: Link, ui: UiThread) -> None:
    link = dead.link
    link.begin("L03", seq=0)
    link.want("counter")
    ui.pump(lambda: not link.refreshing)
    assert link.connection.state == "down" and link.pending == {"counter"}
    assert dead.changes == 1 and dead.reads == []
    ui.settle(quiet=0.2)  # not asked again in a loop
    assert not link.refreshing and dead.changes == 1
    link.tick(100.0)  # the first tick retries
    assert link.refreshing
    ui.pump(lambda: not link.refreshing)
    assert dead.changes == 2 and link.pending == {"counter"}
    link.tick(101.0)  # then every RETRY_SECONDS
    assert not link.refreshing
    link.tick(103.0)
    assert link.refreshing
    ui.pump(lambda: not link.refreshing)


def test_wishes_merge_into_the_running_reread(dead: Link, ui: UiThread) -> None:
    link = dead.link
    link.begin("L03", seq=0)
    link.want("services")
    link.want("counter")  # while the first is out: asked for after it, with it
    assert link.pending == {"counter"}
    ui.pump(lambda: not link.refreshing)
    assert link.pending == {"counter", "services"}  # both kept for the retry
    assert dead.changes == 1


def test_an_answer_after_the_session_ended_is_dropped(dead: Link, ui: UiThread) -> None:
    link = dead.link
    link.begin("L03", seq=0)
    link.want("counter", "services")
    link.end()  # logged out before the answer came
    ui.settle(quiet=0.3)
    assert dead.changes == 0 and not link.connection.http_down
    assert not link.refreshing and link.pending == frozenset()
    link.want("counter")  # and no re-reads outside a session
    link.tick(0.0)
    assert not link.refreshing


def test_an_action_with_no_answer_marks_the_server_down(dead: Link, ui: UiThread) -> None:
    link = dead.link
    link.begin("L03", seq=0)
    got: list[BaseException | None] = []
    link.act(Request("call"), lambda _answer, exc: got.append(exc))
    ui.pump(lambda: bool(got))
    assert isinstance(got[0], ServerUnavailable)
    assert link.connection.state == "down"


def test_a_401_ends_the_session_instead_of_answering(site: Site, ui: UiThread) -> None:
    made = Link(site.url, ui)
    try:
        link = made.link
        link.begin(site.counter()[0], seq=0)  # (no login: the server knows no such session)
        got: list[object] = []
        link.act(Request("call"), lambda answer, exc: got.append((answer, exc)))
        ui.pump(lambda: made.sessions_over == 1)
        ui.settle(quiet=0.2)
        assert got == [] and made.changes == 0
    finally:
        made.close()
