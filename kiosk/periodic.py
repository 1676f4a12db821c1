"""A job that runs every so often: when its time has come, and never twice at once.

Plain Python with no imports of ours (it will move to shared/): the owner ticks it
with its own clock's `now`, so a test drives it with plain numbers.
"""

from __future__ import annotations

from collections.abc import Callable

ASAP = float("-inf")  # due at the very next tick, whatever the clock says


class Every:
    """Runs `job` every `seconds`, counted from the end of its last run.

    `job` returns whether it started a run. A run that started is *busy* until its
    owner calls `finished` (for work sent to a worker thread: when the answer is
    back; a synchronous job may call it itself before returning). A job that
    started nothing (nothing to do yet) is tried again at the next tick.
    """

    def __init__(self, seconds: float, job: Callable[[], bool], *, first: float = ASAP) -> None:
        self.seconds = seconds  # may be changed between runs: read when a run ends
        self.job = job
        self.next_at = first
        self.busy = False

    def due(self, now: float) -> bool:
        return not self.busy and now >= self.next_at

    def tick(self, now: float) -> bool:
        """Start the job if it is due; True if it started."""
        return self.due(now) and self.start()

    def start(self) -> bool:
        """Start the job now, due or not; True if it started."""
        self.busy = True  # before the job: a synchronous one may finish inside
        try:
            started = self.job()
        except BaseException:
            self.busy = False
            raise
        if not started:
            self.busy = False
        return started

    def finished(self, now: float, seconds: float | None = None) -> None:
        """The run ended at `now`: the next one `seconds` later (default: the interval)."""
        self.busy = False
        self.after(now, seconds)

    def after(self, now: float, seconds: float | None = None) -> None:
        """The next run `seconds` after `now` (default: the interval); a run in progress
        goes on, and its `finished` sets the time again."""
        self.next_at = now + (self.seconds if seconds is None else seconds)

    def soon(self) -> None:
        """Due at the next tick (unless a run in progress finishes first: that sets the time)."""
        self.next_at = ASAP
