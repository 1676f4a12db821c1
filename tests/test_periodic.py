"""shared.periodic.Every (the kiosk's and the counter's): when a periodic job runs, with
plain numbers for the clock."""

from __future__ import annotations

import pytest

from shared.periodic import Every


class Job:
    """A job that records its runs and says whether it started (as a worker job would)."""

    def __init__(self, starts: bool = True) -> None:
        self.runs = 0
        self.starts = starts

    def __call__(self) -> bool:
        self.runs += 1
        return self.starts


def test_due_at_the_first_tick_then_an_interval_after_each_run_ended() -> None:
    job = Job()
    every = Every(10.0, job)
    assert every.tick(100.0) and job.runs == 1
    assert not every.tick(200.0) and job.runs == 1  # still running: never twice at once
    every.finished(205.0)  # the answer came back late: counted from here, not from 100
    assert not every.tick(214.9)
    assert every.tick(215.0) and job.runs == 2


def test_a_job_that_started_nothing_is_tried_again_at_the_next_tick() -> None:
    job = Job(starts=False)
    every = Every(10.0, job)
    assert not every.tick(1.0) and not every.busy
    assert not every.tick(1.5)
    assert job.runs == 2
    job.starts = True
    assert every.tick(2.0) and every.busy


def test_a_synchronous_job_may_finish_inside_its_own_run() -> None:
    runs: list[float] = []

    def job() -> bool:
        runs.append(now)
        every.finished(now)
        return True

    every = Every(5.0, job)
    now = 0.0
    assert every.tick(now) and not every.busy
    now = 4.0
    assert not every.tick(now)
    now = 5.0
    assert every.tick(now) and runs == [0.0, 5.0]


def test_a_job_that_raises_is_not_left_busy() -> None:
    def job() -> bool:
        raise RuntimeError("boom")

    every = Every(1.0, job)
    with pytest.raises(RuntimeError):
        every.tick(0.0)
    # not busy, and not tried again at every tick: at its interval
    assert not every.busy and not every.due(0.5) and every.due(1.0)


def test_soon_after_and_a_longer_wait_after_a_failure() -> None:
    job = Job()
    every = Every(60.0, job, first=100.0)
    assert not every.due(99.0) and every.due(100.0)
    every.after(100.0)
    assert not every.due(159.0)
    every.soon()  # something changed: at the next tick, not in a minute
    assert every.tick(101.0)
    every.finished(102.0, seconds=5.0)  # e.g. a problem: look again sooner than usual
    assert not every.due(106.9) and every.due(107.0)


def test_soon_while_running_is_overridden_when_the_run_finishes() -> None:
    """What the kiosk did before Every: the end of a run sets the next time."""
    every = Every(10.0, Job())
    every.tick(0.0)
    every.soon()
    every.finished(1.0)
    assert not every.due(10.9) and every.due(11.0)


def test_start_runs_a_job_that_is_not_due_yet() -> None:
    job = Job()
    every = Every(10.0, job, first=50.0)
    assert every.start() and every.busy and job.runs == 1
    assert not every.due(60.0)  # busy until finished
    every.finished(60.0)
    assert every.due(70.0)


def test_the_interval_may_change_between_runs() -> None:
    every = Every(10.0, Job())
    every.tick(0.0)
    every.seconds = 3600.0  # e.g. a screenshot run that keeps one answer on screen
    every.finished(1.0)
    assert not every.due(11.0) and every.due(3601.0)


# -- synchronous jobs (the counter's retries): they return None --------------------------


def runs_at(seconds: float, ticks: list[float]) -> list[float]:
    """The tick times at which an Every(seconds) ran."""
    ran: list[float] = []
    clock = [0.0]  # now, as the task sees it
    every = Every(seconds, lambda: ran.append(clock[0]))
    for now in ticks:
        clock[0] = now
        every.tick(now)
    return ran


def test_a_synchronous_job_runs_at_the_first_tick_then_every_interval() -> None:
    assert runs_at(3.0, [10.0, 11.0, 12.9, 13.0, 14.0, 16.0]) == [10.0, 13.0, 16.0]


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
