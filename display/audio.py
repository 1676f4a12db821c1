"""Plays an announcement's WAV files one after another with Kivy's SoundLoader.

Nothing here cuts a sound short: the next file starts when the previous one
stopped (or, if the audio device never says so, a little after its length).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.core.audio import Sound, SoundLoader

log = logging.getLogger(__name__)

WATCHDOG_SLACK = 1.5  # seconds past a sound's length before we stop waiting for on_stop


class SoundSequence:
    """Play files in order, with `gap` seconds between them, then call `on_done` once."""

    def __init__(self) -> None:
        self.playing = False
        self.played: list[str] = []  # every file started, for tests and diagnostics
        self._files: list[str] = []
        self._gaps: list[float] = []
        self._sound: Sound | None = None
        self._on_done: Callable[[], None] | None = None
        self._turn = 0  # guards against on_stop and the watchdog both advancing

    def play(self, files: list[tuple[str, float]], on_done: Callable[[], None]) -> None:
        """`files` is [(path, gap after it)]."""
        self._files = [f for f, _ in files]
        self._gaps = [g for _, g in files]
        self._on_done = on_done
        self.playing = True
        self._next()

    def _next(self, *_: Any) -> None:
        self._turn += 1
        if self._sound is not None:
            self._sound.unload()
            self._sound = None
        if not self._files:
            self.playing = False
            done, self._on_done = self._on_done, None
            if done is not None:
                done()
            return
        path = self._files.pop(0)
        gap = self._gaps.pop(0)
        turn = self._turn
        try:
            sound = SoundLoader.load(path)
            if sound is not None:
                sound.bind(on_stop=lambda *_: self._stopped(turn, gap))
                sound.play()
        except Exception:  # a broken file or audio device must not stall the queue
            log.exception("playing %s failed", path)
            sound = None
        if sound is None:
            log.warning("cannot play %s; skipping it", path)
            Clock.schedule_once(self._next, 0)
            return
        self._sound = sound
        self.played.append(path)
        del self.played[:-50]
        length = sound.length if sound.length and sound.length > 0 else 10.0
        Clock.schedule_once(lambda *_: self._stopped(turn, gap), length + WATCHDOG_SLACK)

    def _stopped(self, turn: int, gap: float) -> None:
        if turn != self._turn:
            return
        self._turn += 1  # a second signal for this sound is ignored
        Clock.schedule_once(self._next, gap)

    def stop(self) -> None:
        self._files = []
        self._on_done = None
        if self._sound is not None:
            self._sound.stop()
