"""A job that runs every so often: when its time has come, and never twice at once.

No timers or threads of its own: the owner ticks it with its own clock's `now` (Kivy's
clock in the apps, plain numbers in tests), so the logic that owns a retry, a poll or
a heartbeat stays free of Kivy and is tested without waiting. The kiosk and the counter
both use it.
"""

from __future__ import annotations

from collections.abc import Callable

ASAP = float("-inf")  # due at the very next tick, whatever the clock says


class Every:
    """Runs `job` every `seconds`, counted from the end of its last run.

    `job` returns True if it started a run that goes on elsewhere (work sent to a worker
    thread): it is *busy* until its owner calls `finished(now)` when the answer is back.
    False: it started nothing (nothing to do yet) and is tried again at the next tick.
    None: a synchronous job whose run is over when it returns. A job that raises is
    not busy, and is not tried again before its interval: never a burst of failures.
    """

    def __init__(
        self, seconds: float, job: Callable[[], bool | None], *, first: float = ASAP
    ) -> None:
        if seconds <= 0:
            raise ValueError(f"Every needs a positive interval, not {seconds!r}")
        self.seconds = seconds  # may be changed between runs: read when a run ends
        self.job = job
        self.next_at = first
        self.busy = False

    def due(self, now: float) -> bool:
        return not self.busy and now >= self.next_at

    def tick(self, now: float) -> bool:
        """Start the job if it is due; True if it started (or ran)."""
        return self.due(now) and self.start(now)

    def start(self, now: float | None = None) -> bool:
        """Start the job now, due or not; True if it started (or ran). `now` times the
        next run of a synchronous or failing job (without it, it stays as it was)."""
        self.busy = True  # before the job: a synchronous one may finish inside
        try:
            started = self.job()
        except BaseException:
            self.busy = False
            if now is not None:
                self.after(now)
            raise
        if started is None:  # a synchronous run, over
            self.busy = False
            if now is not None:
                self.after(now)
            return True
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
