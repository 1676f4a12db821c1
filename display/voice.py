"""From a call to the WAV files to play: hardware/'s voice renders them, off the UI thread."""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable

from display.controller import Call
from shared.config import Config

log = logging.getLogger(__name__)

# A call -> [(WAV path, seconds of silence after it)], in playing order.
Renderer = Callable[[Call], list[tuple[str, float]]]


def make_renderer(config: Config) -> Renderer | None:
    """The site's voice, or None when calls are not read out (disabled or no voice module)."""
    if not config.voice.enabled:
        return None
    if importlib.util.find_spec("hardware.voice") is None:
        log.warning("no voice module in hardware/ yet: calls are shown but not read out")
        return None
    log.warning("hardware.voice found but not wired yet: calls are shown but not read out")
    return None
