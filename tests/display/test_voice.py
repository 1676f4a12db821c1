"""The display's voice: the words for a call and a real WAV from hardware/ (espeak-ng)."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import pytest

from display.controller import Call
from display.settings import Voice, from_config
from display.voice import SiteVoice, call_text, make_renderer
from shared.config import load_config
from shared.devices import VoiceConfig

CALL = Call(
    seq=7,
    ticket_id=1,
    code="B017",
    counter="L05",
    counter_name="Loket 5",
    agency="DUKCAPIL",
    agency_name="Dispendukcapil",
    service_name="KTP-el",
)


def voice(**changes: object) -> Voice:
    """The display's copy of [voice], from the validated model (its defaults, its rules)."""
    return Voice(**VoiceConfig.model_validate(changes).model_dump())


def test_the_words_for_a_call() -> None:
    assert (
        call_text(CALL, voice()) == "Nomor antrean, be nol satu tujuh, silakan menuju loket lima."
    )
    words = voice(numbers="words", template="{code}, {counter}, {service}")
    assert call_text(CALL, words) == "be tujuh belas, loket lima, ka te pe el"


def test_no_renderer_when_the_voice_is_off() -> None:
    config = load_config(None)
    off = config.model_copy(update={"voice": config.voice.model_copy(update={"enabled": False})})
    assert make_renderer(from_config(off)) is None
    assert make_renderer(from_config(config)) is not None


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_a_call_becomes_a_wav_said_twice(tmp_path: Path) -> None:
    files = SiteVoice(voice(repeat=2, gap_seconds=0.5, cache_dir=str(tmp_path)))(CALL)
    assert [gap for _, gap in files] == [0.5, 0.0]
    assert files[0][0] == files[1][0]  # one rendering, played twice
    with wave.open(files[0][0]) as w:
        seconds = w.getnframes() / w.getframerate()
    assert seconds > 1.0  # chime and a sentence, not an empty file
