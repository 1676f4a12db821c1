"""counter.periodic.Every: one periodic task, ticked by a clock that is just a number here."""

from __future__ import annotations

import pytest

from counter.periodic import Every


def runs_at(seconds: float, ticks: list[float]) -> list[float]:
    """The tick times at which an Every(seconds) ran."""
    ran: list[float] = []
    clock = [0.0]  # now, as the task sees it
    every = Every(seconds, lambda: ran.append(clock[0]))
    for now in ticks:
        clock[0] = now
        every.tick(now)
    return ran


def test_runs_at_the_first_tick_then_every_interval() -> None:
    assert runs_at(3.0, [10.0, 11.0, 12.9, 13.0, 14.0, 16.0]) == [10.0, 13.0, 16.0]


def test_late_ticks_keep_the_cadence() -> None:
    # A 2 s clock and a 3 s task: it runs about every 3 s, not at every second tick (4 s).
    assert runs_at(3.0, [0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0]) == [0.0, 4.0, 6.0, 10.0, 12.0]


def test_a_long_gap_runs_it_once_not_a_burst() -> None:
    # e.g. the machine slept: one run when it wakes, then the interval from there.
    assert runs_at(3.0, [0.0, 100.0, 100.5, 101.0, 102.9, 103.0]) == [0.0, 100.0, 103.0]


def test_a_failing_task_is_not_retried_before_it_is_due() -> None:
    calls = []

    def boom() -> None:
        calls.append(1)
        raise RuntimeError("no server")

    every = Every(5.0, boom)
    with pytest.raises(RuntimeError):
        every.tick(0.0)
    every.tick(1.0)
    every.tick(4.9)
    assert len(calls) == 1
    with pytest.raises(RuntimeError):
        every.tick(5.0)
    assert len(calls) == 2


@pytest.mark.parametrize("seconds", [0.0, -1.0])
def test_the_interval_must_be_positive(seconds: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        Every(seconds, lambda: None)
