"""The display's controller, without a window: board model, spotlight hold, announcing once.

Boards and events are built with the server's own wire models (shared/models.py),
sent through JSON and read back by the display's reader, as they travel for real.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from display import wire
from display.controller import (
    AnnouncementQueue,
    Call,
    DisplayController,
    SpotlightQueue,
    replay,
)
from display.settings import from_config
from shared.config import Config, load_config
from shared.models import (
    Board,
    CounterInfo,
    CounterState,
    CounterStatus,
    Event,
    EventType,
    Ticket,
    TicketStatus,
    WaitingCount,
)

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


class FakeClock:
    """Time we move by hand (a clock is a parameter, not our code being mocked)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(None)


def ticket(
    tid: int,
    code: str,
    service: str,
    counter: str | None = None,
    status: TicketStatus = TicketStatus.WAITING,
    config: Config | None = None,
) -> Ticket:
    cfg = config or load_config(None)
    found = cfg.service(service)
    assert found is not None
    agency, svc = found
    cc = cfg.counter_config(counter) if counter else None
    return Ticket(
        id=tid,
        code=code,
        number=int(code[-3:]),
        service=service,
        service_name=svc.name,
        agency=agency.code,
        agency_name=agency.name,
        priority=False,
        status=status,
        issued_at=NOW,
        counter=counter,
        counter_name=cc.name if cc else None,
        business_day=date(2026, 11, 27),
    )


def counter_info(
    config: Config, code: str, status: CounterStatus = CounterStatus.OPEN
) -> CounterInfo:
    c = config.counter_config(code)
    assert c is not None
    agency = next(a for a in config.agencies if a.code == c.agency)
    return CounterInfo(
        code=c.code,
        name=c.name,
        agency=c.agency,
        agency_name=agency.name,
        services=c.services,
        status=status,
    )


def event(
    seq: int, kind: EventType, t: Ticket | None = None, counter: CounterInfo | None = None
) -> wire.Event:
    sent = Event(seq=seq, type=kind, at=NOW, ticket=t, counter=counter)
    return wire.parse_event(sent.model_dump_json())


def board(
    config: Config,
    seq: int,
    current: dict[str, Ticket] | None = None,
    recent: list[Ticket] | None = None,
    waiting: dict[str, int] | None = None,
    at: datetime = NOW,
    stopped: dict[str, str] | None = None,
) -> wire.Board:
    current = current or {}
    counters = [
        CounterState(**counter_info(config, c.code).model_dump(), ticket=current.get(c.code))
        for c in config.counters
    ]
    counts = [
        WaitingCount(
            service=s.code,
            service_name=s.name,
            agency=a.code,
            waiting=(waiting or {}).get(s.code, 0),
            stop_reason=(stopped or {}).get(s.code),
        )
        for a in config.agencies
        for s in a.services
    ]
    sent = Board(
        seq=seq,
        site=config.site.name,
        time=at,
        counters=counters,
        recent=recent or [],
        waiting=counts,
    )
    return wire.parse_board(sent.model_dump_json())


def first_counter_for(config: Config, service: str) -> str:
    return next(c.code for c in config.counters if service in c.services)


def test_board_then_events_build_the_model(config: Config) -> None:
    ctl = DisplayController(from_config(config), FakeClock())
    ctl.set_state("connected")
    svc = config.agencies[0].services[0].code
    counter = first_counter_for(config, svc)
    assert ctl.load_board(board(config, 10, waiting={svc: 2})) == []
    assert ctl.connected
    assert ctl.waiting()[0].waiting == 2

    t = ticket(1, "A001", svc, config=config)
    called = ticket(1, "A001", svc, counter, TicketStatus.CALLED, config)
    calls = replay(
        ctl,
        [
            event(11, EventType.ISSUED, t),
            event(12, EventType.CALLED, called, counter_info(config, counter)),
        ],
    )
    assert [c.code for c in calls] == ["A001"]
    tile = next(v for v in ctl.counters() if v.code == counter)
    assert (tile.ticket_code, tile.ticket_status) == ("A001", "called")
    assert ctl.waiting()[0].waiting == 2  # +1 issued, -1 called
    assert [r.code for r in ctl.recent()] == ["A001"]

    done = ticket(1, "A001", svc, counter, TicketStatus.DONE, config)
    ctl.apply_event(event(13, EventType.DONE, done, counter_info(config, counter)))
    assert tile.ticket_code == ""
    assert [r.code for r in ctl.recent()] == ["A001"]  # the list of calls keeps it

    ctl.apply_event(
        event(14, EventType.PAUSED, None, counter_info(config, counter, CounterStatus.PAUSED))
    )
    assert tile.status == "paused"
    group = next(g for g in ctl.groups() if g.code == config.agencies[0].code)
    assert counter in [c.code for c in group.counters]


def test_recall_moves_to_top_and_is_announced_again(config: Config) -> None:
    ctl = DisplayController(from_config(config), FakeClock())
    ctl.set_state("connected")
    ctl.load_board(board(config, 0))
    svc = config.agencies[1].services[0].code
    c1 = first_counter_for(config, svc)
    a = ticket(1, "B001", svc, c1, TicketStatus.CALLED, config)
    b = ticket(2, "B002", svc, c1, TicketStatus.CALLED, config)
    calls = replay(
        ctl,
        [
            event(1, EventType.CALLED, a, counter_info(config, c1)),
            event(2, EventType.CALLED, b, counter_info(config, c1)),
            event(3, EventType.RECALLED, a, counter_info(config, c1)),
        ],
    )
    assert [(c.code, c.recall) for c in calls] == [("B001", False), ("B002", False), ("B001", True)]
    assert [r.code for r in ctl.recent()] == ["B001", "B002"]


def test_calls_before_the_board_seq_are_shown_but_never_announced(config: Config) -> None:
    """A reconnect replays events the board already holds: nothing is read out twice."""
    ctl = DisplayController(from_config(config), FakeClock())
    svc = config.agencies[0].services[0].code
    counter = first_counter_for(config, svc)
    a = ticket(1, "A001", svc, counter, TicketStatus.CALLED, config)
    b = ticket(2, "A002", svc, counter, TicketStatus.CALLED, config)
    ctl.set_state("connected")
    assert ctl.load_board(board(config, 5)) == []
    assert ctl.apply_event(event(6, EventType.CALLED, a, counter_info(config, counter))) is not None
    # connection lost; the stream comes back and replays 6 and 7 while the board loads
    ctl.set_state("disconnected")
    ctl.set_state("connecting")
    assert ctl.set_state("connected") is True
    assert ctl.apply_event(event(6, EventType.CALLED, a, counter_info(config, counter))) is None
    assert ctl.apply_event(event(7, EventType.CALLED, b, counter_info(config, counter))) is None
    # the board was taken at seq 7, minutes later: both calls are in it; 8 is new
    c = ticket(3, "A003", svc, counter, TicketStatus.CALLED, config)
    ctl.apply_event(event(8, EventType.CALLED, c, counter_info(config, counter)))
    later = NOW + timedelta(minutes=5)
    calls = ctl.load_board(board(config, 7, current={counter: b}, recent=[b, a], at=later))
    assert [x.code for x in calls] == ["A003"]
    assert [x.code for x in ctl.recent()] == ["A003", "A002", "A001"]
    # a late duplicate is still ignored
    assert ctl.apply_event(event(8, EventType.CALLED, c, counter_info(config, counter))) is None
    assert [x.seq for x in ctl.announcements.pending] == [6, 8]


def test_a_restarted_display_does_not_announce_old_calls(config: Config) -> None:
    svc = config.agencies[0].services[0].code
    counter = first_counter_for(config, svc)
    a = ticket(1, "A001", svc, counter, TicketStatus.CALLED, config)
    ctl = DisplayController(from_config(config), FakeClock())
    ctl.apply_event(
        event(1, EventType.CALLED, a, counter_info(config, counter))
    )  # before any board
    ctl.set_state("connected")
    assert ctl.load_board(board(config, 1, current={counter: a}, recent=[a])) == []
    assert ctl.spotlight.current is not None and ctl.spotlight.current.code == "A001"
    assert not ctl.announcements.busy


def test_server_data_reset_lowers_the_watermark(config: Config) -> None:
    svc = config.agencies[0].services[0].code
    counter = first_counter_for(config, svc)
    ctl = DisplayController(from_config(config), FakeClock())
    ctl.set_state("connected")
    ctl.load_board(board(config, 500))
    ctl.set_state("connected")
    ctl.load_board(board(config, 3))
    assert ctl.server_reset
    a = ticket(1, "A001", svc, counter, TicketStatus.CALLED, config)
    assert ctl.apply_event(event(4, EventType.CALLED, a, counter_info(config, counter))) is not None


def test_spotlight_holds_each_call_then_advances() -> None:
    clock = FakeClock()
    spot = SpotlightQueue(6.0, clock)
    calls = [_call(i) for i in range(1, 4)]
    assert spot.push(calls[0]) is True
    clock.now += 1
    assert spot.push(calls[1]) is False  # A001 has had only 1 s
    assert spot.push(calls[2]) is False
    clock.now += 4.9
    assert spot.tick() is False and spot.current == calls[0]
    clock.now += 0.2
    assert spot.tick() is True and spot.current == calls[1]
    clock.now += 5.9
    assert spot.tick() is False
    clock.now += 0.2
    assert spot.tick() is True and spot.current == calls[2]
    clock.now += 10
    assert spot.tick() is False
    assert spot.push(_call(9)) is True  # held long enough: a new call shows at once


def test_spotlight_backlog_is_bounded_and_recall_of_pending_not_doubled() -> None:
    clock = FakeClock()
    spot = SpotlightQueue(6.0, clock, max_pending=3)
    spot.push(_call(1))
    for i in range(2, 8):
        spot.push(_call(i))
    spot.push(_call(7))
    assert [c.ticket_id for c in spot.pending] == [5, 6, 7]
    assert spot.dropped == 3


def test_announcement_queue_plays_one_at_a_time_in_order() -> None:
    q = AnnouncementQueue(max_pending=2)
    q.push(_call(1))
    q.push(_call(2))
    first = q.start_next()
    assert first is not None and first.ticket_id == 1
    q.push(_call(3))
    q.push(_call(4))  # 2 is dropped: 3 and 4 pending
    assert q.start_next() is None  # 1 is still playing: never cut off
    q.finished()
    third = q.start_next()
    assert third is not None and third.ticket_id == 3
    assert q.dropped == 1


def _call(i: int) -> Call:
    return Call(
        seq=i,
        ticket_id=i,
        code=f"A{i:03d}",
        counter="L01",
        counter_name="Loket 1",
        agency="X",
        agency_name="X",
        service_name="S",
    )


def test_a_new_call_goes_on_top_of_a_full_recent_list(config: Config) -> None:
    svc = config.agencies[0].services[0].code
    counter = first_counter_for(config, svc)
    size = config.display.recent_calls
    old = [
        ticket(i, f"A{i:03d}", svc, counter, TicketStatus.DONE, config) for i in range(size, 0, -1)
    ]
    ctl = DisplayController(from_config(config), FakeClock())
    ctl.set_state("connected")
    ctl.load_board(board(config, 50, recent=old))
    assert [r.code for r in ctl.recent()] == [t.code for t in old]
    new = ticket(99, "A099", svc, counter, TicketStatus.CALLED, config)
    ctl.apply_event(event(51, EventType.CALLED, new, counter_info(config, counter)))
    assert [r.code for r in ctl.recent()] == ["A099", *[t.code for t in old][: size - 1]]


def test_a_call_made_while_we_reconnected_is_still_read_out_once(config: Config) -> None:
    """Server restarted: a call made seconds before we were back is announced, once."""
    svc = config.agencies[0].services[0].code
    counter = first_counter_for(config, svc)
    a = ticket(1, "A001", svc, counter, TicketStatus.CALLED, config)
    b = ticket(2, "A002", svc, counter, TicketStatus.CALLED, config)
    ctl = DisplayController(from_config(config), FakeClock())
    ctl.set_state("connected")
    ctl.load_board(board(config, 5))
    assert ctl.apply_event(event(6, EventType.CALLED, a, counter_info(config, counter)))
    ctl.set_state("disconnected")
    ctl.set_state("connected")
    # the stream replays 6 (already read out) and 7 (made while we were away)
    ctl.apply_event(event(6, EventType.CALLED, a, counter_info(config, counter)))
    ctl.apply_event(event(7, EventType.CALLED, b, counter_info(config, counter)))
    soon = NOW + timedelta(seconds=3)
    calls = ctl.load_board(board(config, 7, current={counter: b}, recent=[b, a], at=soon))
    assert [c.code for c in calls] == ["A002"]
    assert [c.seq for c in ctl.announcements.pending] == [6, 7]


def test_the_board_turns_to_a_new_day_at_the_servers_midnight(config: Config) -> None:
    """Nothing open at midnight means no event then: the TV's own tick clears the day."""
    clock = FakeClock()
    ctl = DisplayController(from_config(config), clock)
    ctl.set_state("connected")
    svc = config.agencies[0].services[0].code
    counter = first_counter_for(config, svc)
    done = ticket(1, "A001", svc, counter, TicketStatus.DONE, config)
    late = datetime(2026, 11, 27, 16, 59, 50, tzinfo=UTC)  # 23:59:50 WIB
    ctl.load_board(board(config, 5, recent=[done], waiting={svc: 3}, at=late))
    assert [c.code for c in ctl.recent()] == ["A001"]
    assert ctl.spotlight.current is not None and ctl.spotlight.current.code == "A001"

    clock.now += 5
    assert not ctl.tick()
    assert [c.code for c in ctl.recent()] == ["A001"]
    clock.now += 6  # 00:00:01 by the server's clock, whatever the TV's wall clock says
    assert ctl.tick()
    assert ctl.recent() == []
    assert ctl.spotlight.current is None
    assert all(w.waiting == 0 for w in ctl.waiting())

    # The new day's first call shows and is read out as usual.
    tuesday = ticket(2, "A001", svc, counter, TicketStatus.CALLED, config).model_copy(
        update={"business_day": date(2026, 11, 28)}
    )
    sent = Event(
        seq=6, type=EventType.CALLED, at=late + timedelta(seconds=30), ticket=tuesday,
        counter=counter_info(config, counter),
    )  # fmt: skip
    calls = replay(ctl, [wire.parse_event(sent.model_dump_json())])
    assert [c.code for c in calls] == ["A001"]
    assert ctl.spotlight.current is not None and ctl.spotlight.current.ticket_id == 2


def test_a_late_event_of_yesterday_is_neither_shown_nor_read_out(config: Config) -> None:
    ctl = DisplayController(from_config(config), FakeClock())
    ctl.set_state("connected")
    svc = config.agencies[0].services[0].code
    counter = first_counter_for(config, svc)
    yesterday = ticket(1, "A009", svc, counter, TicketStatus.CALLED, config)
    ctl.load_board(board(config, 5, at=NOW + timedelta(days=1)))
    assert replay(ctl, [event(6, EventType.CALLED, yesterday, counter_info(config, counter))]) == []
    assert ctl.recent() == []
    assert all(c.ticket_code == "" for c in ctl.counters())


def test_a_stopped_service_is_listed_until_its_day_ends(config: Config) -> None:
    clock = FakeClock()
    ctl = DisplayController(from_config(config), clock)
    ctl.set_state("connected")
    late = datetime(2026, 11, 27, 16, 59, 50, tzinfo=UTC)  # 23:59:50 WIB
    ctl.load_board(board(config, 5, stopped={"KTP": "Blangko habis"}, at=late))
    [stop] = ctl.stopped()
    assert (stop.service, stop.name, stop.reason) == ("KTP", "KTP-el", "Blangko habis")
    assert stop.color == ctl.color("DUKCAPIL")
    clock.now += 11  # past the server's midnight: a stop is for its day only
    assert ctl.tick()
    assert ctl.stopped() == []
