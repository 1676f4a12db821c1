"""The reports' scenario: tickets issued, called, served, skipped, cancelled and
transferred at set times on a FakeClock, so every figure is known in advance."""

from __future__ import annotations

from datetime import date, timedelta

from server.queue.rules import QueueService
from tests.server.conftest import MONDAY_9AM, FakeClock

MON, TUE = date(2026, 11, 30), date(2026, 12, 1)


def at(clock: FakeClock, minutes: float, day: int = 0) -> None:
    """Set the clock to 09:00 WIB of the scenario's day + minutes."""
    clock.now = MONDAY_9AM + timedelta(days=day, minutes=minutes)


def play(q: QueueService, clock: FakeClock) -> None:
    """Two days of tickets at set times: the answers are in test_reports_summary.py."""
    at(clock, 0)
    a1 = q.issue("IZIN", False, "r-a1", None).ticket  # no-show after waiting 25
    q.issue("IZIN", True, "r-a2", None, "lansia")  # priority: waits 10, served 12-20
    q.issue("IZIN", False, "r-a3", None)  # waits 40 (over the 30-minute target)
    q.issue("KTP", False, "r-b1", None)  # waits 10, transferred to IZIN at 20
    q.open_counter("L01", "budi")
    q.open_counter("L03", "sari")
    at(clock, 10)
    assert q.call_next("L01").ticket.code == "A002"  # type: ignore[union-attr]
    assert q.call_next("L03").ticket.code == "B001"  # type: ignore[union-attr]
    at(clock, 12)
    q.start("L01")
    q.start("L03")
    at(clock, 20)
    q.finish("L01")  # A002: service 8, in the building 20
    q.transfer("L03", "IZIN")  # B001's copy waits in IZIN from 20
    at(clock, 25)
    assert q.call_next("L01").ticket.code == "A001"  # type: ignore[union-attr]
    at(clock, 26)
    q.skip("L01")
    at(clock, 30)
    a4 = q.issue("IZIN", False, "r-a4", None).ticket
    at(clock, 31)
    q.cancel(a4.id, device_id=None, supervisor=True)
    at(clock, 40)
    assert q.call_next("L01").ticket.code == "A003"  # type: ignore[union-attr]
    at(clock, 41)
    q.start("L01")
    at(clock, 50)
    q.finish("L01")  # A003: service 9, in the building 50
    at(clock, 55)
    assert q.call_next("L01").ticket.code == "B001"  # type: ignore[union-attr]  # waited 35
    at(clock, 58)
    q.issue("IZIN", False, "r-a5", None)  # still waiting at the end
    at(clock, 60)
    q.finish("L01")  # B001: service 5 (called 55, no start), in the building 60
    # Tuesday: one ticket at 08:30, called 08:34, done 08:44.
    at(clock, -30, day=1)
    q.issue("IZIN", False, "r-t1", None)
    at(clock, -26, day=1)
    q.call_next("L01")
    at(clock, -16, day=1)
    q.finish("L01")
    assert a1.code == "A001"
