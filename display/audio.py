"""Plays an announcement's WAV files one after another with Kivy's SoundLoader.

Nothing here cuts a sound short: the next file starts when the previous one
stopped (or, if the audio device never says so, a little after its length).
"""

from __future__ import annotations

import logging
import os
import tempfile
import wave
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
        # Of the announcement playing (or last played): files that played, and why the
        # others did not (the TV's voice state is made from these).
        self.ok = 0
        self.problem = ""
        self.device_down = False  # a sound loaded but the device would not play it

    def play(self, files: list[tuple[str, float]], on_done: Callable[[], None]) -> None:
        """`files` is [(path, gap after it)]."""
        self._files = [f for f, _ in files]
        self._gaps = [g for _, g in files]
        self._on_done = on_done
        self.playing = True
        self.ok, self.problem, self.device_down = 0, "", False
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
                if sound.state != "play":  # SDL with no audio device: loads, never plays
                    sound.unload()
                    sound, self.problem = None, "the audio device does not play"
                    self.device_down = True
        except Exception as exc:  # a broken file or audio device must not stall the queue
            log.debug("playing %s failed", path, exc_info=True)
            sound, self.problem = None, f"playing failed: {exc!r}"
        if sound is None:
            # Said once, by the display's voice state, not here for every file.
            self.problem = self.problem or f"cannot load {path}"
            log.debug("cannot play %s (%s); skipping it", path, self.problem)
            Clock.schedule_once(self._next, 0)
            return
        self.ok += 1
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


def audio_problem(quiet: bool = False) -> str:
    """Why this box cannot play sound ("" when it can): a short silent WAV, played at once.

    At start, so a TV with no working audio shows it before the first call is missed;
    `quiet` (a recheck of a known failure) keeps Kivy's own warning out of the log.
    """
    kivy_log = logging.getLogger("kivy")
    hush = _Hush()
    if quiet:
        kivy_log.addFilter(hush)
    try:
        return _audio_problem()
    finally:
        kivy_log.removeFilter(hush)


class _Hush(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


def _audio_problem() -> str:
    fd, path = tempfile.mkstemp(prefix="antrian-audio-check-", suffix=".wav")
    os.close(fd)
    try:
        with wave.open(path, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(22050)
            w.writeframes(b"\0\0" * 441)  # 20 ms of silence: nothing to hear
        sound = SoundLoader.load(path)
        if sound is None:
            return "no audio player (Kivy found no audio provider)"
        try:
            sound.volume = 0
            sound.play()
            state = sound.state
            sound.stop()
        finally:
            sound.unload()
        return "" if state == "play" else "the audio device does not play (no sound card?)"
    except Exception as exc:  # whatever the device does, the board goes on
        return f"audio check failed: {exc!r}"
    finally:
        os.unlink(path)
