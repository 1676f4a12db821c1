"""From a call to the WAV files to play: words from shared/announce.py, audio from hardware/.

Runs on the voice worker, never on the UI thread (espeak-ng takes a moment the
first time a phrase is said; after that the WAV comes from hardware/'s cache).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from display.controller import Call
from display.settings import Settings, Voice
from shared.announce import announcement_text

if TYPE_CHECKING:
    from hardware import VoiceRenderer

log = logging.getLogger(__name__)

# A call -> [(WAV path, seconds of silence after it)], in playing order.
Renderer = Callable[[Call], list[tuple[str, float]]]


def call_text(call: Call, voice: Voice) -> str:
    """What is said for a call, e.g. 'Nomor antrean, A nol nol satu, silakan menuju loket satu.'"""
    return announcement_text(
        call.code,
        call.counter,
        counter_name=call.counter_name,
        agency=call.agency_name,
        service=call.service_name,
        template=voice.template,
        numbers=voice.numbers,
    )


class SiteVoice:
    """The site's voice: chime + speech in one WAV (hardware/), said `repeat` times."""

    def __init__(self, voice: Voice) -> None:
        self.voice = voice
        self._renderer: VoiceRenderer | None = None

    @property
    def renderer(self) -> VoiceRenderer:
        # imported on first use, on the voice worker: hardware/ pulls in escpos and
        # friends, which would otherwise add to the TV's start-up
        if self._renderer is None:
            from hardware import VoiceRenderer

            self._renderer = VoiceRenderer(self.voice)
        return self._renderer

    def warm(self) -> None:
        """Import hardware/ now (on the voice worker, at start-up): done on the first call
        instead, it held the interpreter for seconds and the board stood still meanwhile.

        Also finds the speech engine: raises VoiceUnavailable (e.g. no espeak-ng) at start,
        not at the first call.
        """
        _ = self.renderer.speech

    def __call__(self, call: Call) -> list[tuple[str, float]]:
        path = str(self.renderer.render(call_text(call, self.voice)))
        gap = self.voice.gap_seconds
        return [(path, gap if i + 1 < self.voice.repeat else 0.0) for i in range(self.voice.repeat)]


def make_renderer(config: Settings) -> Renderer | None:
    """The site's voice, or None when calls are not read out."""
    if not config.voice.enabled:
        return None
    return SiteVoice(config.voice)
