"""The kiosk's voice guidance out loud: the TV's offline voice (espeak-ng `id`, or the
site's clips), without the chime, rendered and played on its own thread so the screen
never waits. A new text replaces one not yet begun: a visitor touching tile after tile
hears the last one, not a queue of old ones."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from hardware.audio import VoiceRenderer, VoiceSettings, play_wav
from hardware.errors import AudioUnavailable, VoiceUnavailable

log = logging.getLogger(__name__)


class GuideVoice:
    def __init__(
        self,
        config: VoiceSettings,
        cache_dir: Path | None = None,
        play: Callable[[Path], None] = play_wav,
    ) -> None:
        self.renderer = VoiceRenderer(config, cache_dir)
        self.play = play
        self._next: str | None = None
        self._wake = threading.Condition()
        self._stopped = False
        self.played: list[Path] = []  # the WAVs played, newest last (a few kept)
        self._thread = threading.Thread(target=self._run, name="guide-voice", daemon=True)
        self._thread.start()

    def say(self, text: str) -> None:
        """Speak `text` soon; returns at once (called on the UI thread)."""
        with self._wake:
            self._next = text
            self._wake.notify()

    def stop(self, timeout: float = 5.0) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._next is None and not self._stopped:
                    self._wake.wait()
                if self._stopped or self._next is None:
                    return
                text, self._next = self._next, None
            try:
                path = self.renderer.render(text)
                self.play(path)
                self.played = [*self.played[-9:], path]
            except (VoiceUnavailable, AudioUnavailable) as exc:
                log.warning("voice guidance silent: %s", exc)
