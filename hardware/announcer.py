"""One announcement queue per display: calls are said in order, whole, N times each.

Kivy-free: the display injects `play(path)`, which must block until the sound ends
(e.g. SoundLoader's on_stop setting an Event), and hooks to duck its video and music.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from pathlib import Path

from shared.devices import VoiceConfig
from shared.errors import HardwareError

log = logging.getLogger(__name__)

Hook = Callable[[str], None]


class AnnouncementQueue:
    """Plays announcements one after another on a worker thread; never cuts one off."""

    def __init__(
        self,
        play: Callable[[Path], None],
        render: Callable[[str], Path],
        *,
        repeat: int = 1,
        gap_seconds: float = 1.0,
        on_start: Hook | None = None,
        on_end: Hook | None = None,
    ) -> None:
        self.play = play
        self.render = render
        self.repeat = max(1, repeat)
        self.gap_seconds = gap_seconds
        self.on_start = on_start
        self.on_end = on_end
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._idle = threading.Condition()
        self._pending = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_config(
        cls,
        config: VoiceConfig,
        play: Callable[[Path], None],
        *,
        cache_dir: Path | None = None,
        on_start: Hook | None = None,
        on_end: Hook | None = None,
    ) -> AnnouncementQueue:
        from hardware.audio import VoiceRenderer

        renderer = VoiceRenderer(config, cache_dir)
        return cls(
            play,
            renderer.render,
            repeat=config.repeat,
            gap_seconds=config.gap_seconds,
            on_start=on_start,
            on_end=on_end,
        )

    def __enter__(self) -> AnnouncementQueue:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="announcer", daemon=True)
            self._thread.start()

    def announce(self, text: str) -> None:
        """Queue a sentence; returns at once."""
        with self._idle:
            self._pending += 1
        self._queue.put(text)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until everything queued has been said."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the announcement being played (never cut off), drop the rest, end the thread."""
        self._stop.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while True:
            text = self._queue.get()
            if text is None or self._stop.is_set():
                break
            try:
                self._say(text)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()
        with self._idle:
            self._pending = 0
            self._idle.notify_all()

    def _say(self, text: str) -> None:
        try:
            path = self.render(text)
        except HardwareError as exc:
            log.error("cannot render announcement %r: %s", text, exc)
            return
        self._hook(self.on_start, text)
        try:
            for i in range(self.repeat):
                if i and self._stop.wait(self.gap_seconds):
                    break  # stopping: skip the remaining repeats, not the current sound
                try:
                    self.play(path)
                except Exception:  # a player failure must not end the queue
                    log.exception("playing %s failed", path)
        finally:
            self._hook(self.on_end, text)

    @staticmethod
    def _hook(hook: Hook | None, text: str) -> None:
        if hook is None:
            return
        try:
            hook(text)
        except Exception:
            log.exception("announcement hook failed")
