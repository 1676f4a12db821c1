"""The queue rules over a real database (SQLite file and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.problems import Problem
from server.queue.rules import QueueService
from server.queue.wire import ticket_wire
from server.store.tables import EventRow, TicketRow
from shared.models import TicketStatus
from tests.server.conftest import FakeClock


def issue(q: QueueService, service: str = "KTP", priority: bool = False, rid: str | None = None):
    issue.n = getattr(issue, "n", 0) + 1  # type: ignore[attr-defined]
    return q.issue(service, priority, rid or f"req-{issue.n:08d}", None).ticket  # type: ignore[attr-defined]


def test_numbers_start_at_one_per_service_and_use_the_prefix(queue: QueueService) -> None:
    a = issue(queue, "KTP")
    b = issue(queue, "KTP")
    c = issue(queue, "KK")
    assert (a.code, b.code, c.code) == ("B001", "B002", "BK001")
    assert (a.number, b.number, c.number) == (1, 2, 1)
    assert a.issued_at.utcoffset().total_seconds() == 7 * 3600  # WIB, not UTC
    assert b.ahead == 1


def test_repeated_request_id_returns_the_same_ticket(queue: QueueService) -> None:
    first = queue.issue("KTP", False, "kiosk-1-0001", None)
    again = queue.issue("KTP", False, "kiosk-1-0001", None)
    assert first.created and not again.created
    assert again.ticket.id == first.ticket.id
    assert issue(queue, "KTP").number == 2


def test_numbers_restart_each_business_day_in_the_site_zone(
    queue: QueueService, clock: FakeClock
) -> None:
    assert issue(queue).number == 1
    # 16:55 UTC Monday is 23:55 WIB: still Monday locally.
    clock.advance(hours=14, minutes=55)
    queue.site.demo = True  # open around the clock for this test
    assert issue(queue).number == 2
    clock.advance(minutes=10)  # 00:05 WIB Tuesday, still Monday in UTC
    t = issue(queue)
    assert t.number == 1 and t.business_day.isoformat() == "2026-12-01"


def test_closed_service_and_quota_are_refused(queue: QueueService, clock: FakeClock) -> None:
    clock.advance(hours=6, minutes=40)  # 15:40 WIB Monday: closed
    with pytest.raises(Problem) as exc:
        issue(queue)
    assert exc.value.status == 409 and exc.value.code == "service_closed"
    assert exc.value.extra["opens_at"].startswith("2026-12-01T08:00:00+07:00")
    clock.advance(hours=-1)  # 14:40 WIB: past the last-issue cut-off (14:30)
    with pytest.raises(Problem) as exc:
        issue(queue)
    assert exc.value.extra["reason"] == "cutoff"
    clock.advance(hours=-4)  # 10:40: open; quota of TANAH is 100
    for _ in range(100):
        issue(queue, "TANAH")
    with pytest.raises(Problem) as exc:
        issue(queue, "TANAH")
    assert exc.value.code == "quota_reached"


def test_unknown_service_is_404(queue: QueueService) -> None:
    with pytest.raises(Problem) as exc:
        issue(queue, "NOPE")
    assert exc.value.status == 404


def test_call_next_takes_the_oldest_and_priority_interleaves(queue: QueueService) -> None:
    regular = [issue(queue, "KTP") for _ in range(3)]
    prio = [issue(queue, "KTP", priority=True) for _ in range(4)]
    order = []
    for _ in range(7):
        ans = queue.call_next("L03")
        assert ans.ticket is not None
        order.append(ans.ticket.code)
    # priority_max_in_row = 2: P P R P P R P
    p, r = [t.code for t in prio], [t.code for t in regular]
    assert order == [p[0], p[1], r[0], p[2], p[3], r[1], r[2]]
    assert queue.call_next("L03").ticket is None


def test_counter_only_calls_its_own_services(queue: QueueService) -> None:
    issue(queue, "JKN")
    assert queue.call_next("L03").ticket is None
    assert queue.call_next("L06").ticket is not None


def test_recall_start_finish(queue: QueueService, clock: FakeClock) -> None:
    t = issue(queue)
    queue.call_next("L03")
    ans = queue.recall("L03")
    assert ans.ticket is not None and ans.ticket.recalls == 1
    assert queue.start("L03").ticket.status == TicketStatus.SERVING  # type: ignore[union-attr]
    clock.advance(minutes=7)
    done = queue.finish("L03")
    assert done.ticket is None and done.counter.ticket is None and done.counter.served_today == 1
    with queue.store.read() as s:
        row = s.get(TicketRow, t.id)
        assert row is not None and row.status == TicketStatus.DONE
    # The estimate now uses that 7-minute service.
    nxt = issue(queue)
    issue(queue)
    later = issue(queue)
    assert later.ahead == 2 and later.estimated_wait_minutes == 14
    assert nxt.ahead == 0


def test_actions_without_a_ticket_are_409(queue: QueueService) -> None:
    for act in (queue.recall, queue.start, queue.finish, queue.skip):
        with pytest.raises(Problem) as exc:
            act("L03")
        assert exc.value.status == 409 and exc.value.code == "no_current_ticket"


def test_no_show_then_requeue_within_window(queue: QueueService, clock: FakeClock) -> None:
    t = issue(queue)
    other = issue(queue)
    queue.call_next("L03")
    queue.skip("L03")
    clock.advance(minutes=10)
    queue.requeue("L03", t.code)
    # Back in its original place: called before the later ticket.
    assert queue.call_next("L03").ticket.code == t.code  # type: ignore[union-attr]
    queue.skip("L03")
    clock.advance(minutes=31)
    with pytest.raises(Problem) as exc:
        queue.requeue("L03", t.code)
    assert exc.value.code == "requeue_window_passed"
    assert queue.call_next("L03").ticket.code == other.code  # type: ignore[union-attr]


def test_transfer_keeps_the_code_and_links_the_tickets(queue: QueueService) -> None:
    t = issue(queue, "KTP")
    queue.call_next("L03")
    queue.start("L03")
    queue.transfer("L03", "AKTA")
    with queue.store.read() as s:
        rows = s.scalars(select(TicketRow).where(TicketRow.code == t.code)).all()
    assert [r.status for r in rows] == [TicketStatus.TRANSFERRED, TicketStatus.WAITING]
    assert rows[1].service == "AKTA" and rows[1].transferred_from == rows[0].id
    called = queue.call_next("L05").ticket  # L05 serves AKTA
    assert called is not None and called.code == "B001" and called.service == "AKTA"
    # The target service's own numbering is untouched.
    assert issue(queue, "AKTA").code == "BA001"


def test_cancel_only_waiting_and_only_by_issuer_or_supervisor(queue: QueueService) -> None:
    t = queue.issue("KTP", False, "cancel-me-01", 7).ticket
    with pytest.raises(Problem) as exc:
        queue.cancel(t.id, device_id=8, supervisor=False)
    assert exc.value.status == 403
    assert queue.cancel(t.id, device_id=7, supervisor=False).status == TicketStatus.CANCELLED
    with pytest.raises(Problem):
        queue.cancel(t.id, device_id=7, supervisor=False)
    assert queue.call_next("L03").ticket is None


def test_pause_and_resume(queue: QueueService) -> None:
    issue(queue)
    queue.call_next("L03")
    with pytest.raises(Problem) as exc:
        queue.pause("L03")
    assert exc.value.code == "counter_busy"
    queue.finish("L03")
    assert queue.pause("L03").counter.status == "paused"
    issue(queue)
    with pytest.raises(Problem) as exc:
        queue.call_next("L03")
    assert exc.value.code == "counter_paused"
    assert queue.resume("L03").counter.status == "open"
    assert queue.call_next("L03").ticket is not None


def test_every_change_is_an_event_with_gapless_seq(queue: QueueService) -> None:
    issue(queue)
    issue(queue, priority=True)
    queue.call_next("L03")
    queue.recall("L03")
    queue.start("L03")
    queue.call_next("L03")  # finishes the first, calls the second
    queue.skip("L03")
    with queue.store.read() as s:
        events = s.execute(select(EventRow.seq, EventRow.type).order_by(EventRow.seq)).all()
    assert [seq for seq, _ in events] == list(range(1, len(events) + 1))
    assert [t for _, t in events] == [
        "ticket.issued", "ticket.issued", "ticket.called", "ticket.recalled", "ticket.serving",
        "ticket.done", "ticket.called", "ticket.no_show",
    ]  # fmt: skip


def test_a_failed_action_leaves_no_event(queue: QueueService) -> None:
    with pytest.raises(Problem):
        queue.finish("L03")
    with pytest.raises(Problem):
        issue(queue, "NOPE")
    with queue.store.read() as s:
        assert s.scalar(select(EventRow.seq)) is None


def test_tickets_left_open_are_closed_the_next_day(queue: QueueService, clock: FakeClock) -> None:
    waiting = issue(queue)
    called = issue(queue)
    queue.call_next("L03")  # takes the first one
    clock.advance(days=1)
    assert queue.close_past_days() == 2
    with queue.store.read() as s:
        rows = {r.id: r.status for r in s.scalars(select(TicketRow))}
    assert rows == {waiting.id: TicketStatus.NO_SHOW, called.id: TicketStatus.CANCELLED}
    assert queue.close_past_days() == 0
    assert queue.call_next("L03").ticket is None  # the counter was released


def test_a_new_tickets_place_is_counted_as_for_any_ticket(
    queue: QueueService, clock: FakeClock
) -> None:
    """Issuing counts a new ticket's place its own (faster) way: it must agree with the
    general count, with ties in time, priority tickets, no-shows requeued to their old
    place, and a clock set back (so a new ticket is not last in its line)."""
    store, site = queue.store, queue.site
    queue.open_counter("L03", "demo")
    placed = []
    for i in range(40):
        if i % 3 == 0:
            clock.advance(seconds=1)  # the others tie in queued_at, decided by id
        if i == 20:
            clock.advance(seconds=-30)
        if i in (10, 25):  # a no-show who comes back keeps their place
            called = queue.call_next("L03").ticket
            assert called is not None
            queue.skip("L03")
            queue.requeue("L03", called.code)
        new = queue.issue("KTP", i % 4 == 1, f"place-{i:04d}", None).ticket
        with store.read() as s:
            row = s.get(TicketRow, new.id)
            assert row is not None
            placed.append((new.ahead, ticket_wire(s, site, row).ahead))
    assert [a for a, _ in placed] == [b for _, b in placed]
    assert max(a for a, _ in placed) > 20
