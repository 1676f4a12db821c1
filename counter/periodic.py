"""One periodic task, driven by whoever owns the clock: `Every(3.0, retry).tick(now)`.

No timers or threads of its own: the app's clock (Kivy's in the app, a number in
tests) calls `tick` as often as it likes, and `fn` runs when it is due. So the
logic that owns a retry or a poll stays free of Kivy and is tested without waiting.
"""

from __future__ import annotations

from collections.abc import Callable


class Every:
    """Run `fn` at the first tick, then once every `seconds` of ticks' time."""

    def __init__(self, seconds: float, fn: Callable[[], None]) -> None:
        if seconds <= 0:
            raise ValueError(f"Every needs a positive interval, not {seconds!r}")
        self.seconds = seconds
        self.fn = fn
        self._due: float | None = None  # None: at the next tick

    def tick(self, now: float) -> None:
        """Run `fn` if it is due at `now` (a monotonic time in seconds)."""
        if self._due is not None and now < self._due:
            return
        # Keep the cadence when ticks come late (a 1 s clock, a 3 s task), but after a
        # long gap (a suspended machine) run once and start again: never a burst of runs.
        if self._due is None or now >= self._due + self.seconds:
            self._due = now + self.seconds
        else:
            self._due += self.seconds
        # Rescheduled before the call: an `fn` that raises is not run again at every tick.
        self.fn()
