"""The voice: chime, espeak-ng and clip speech, the WAV cache, the announcement queue."""

from __future__ import annotations

import math
import shutil
import threading
import time
import wave
from array import array
from pathlib import Path

import pytest

from hardware.announcer import AnnouncementQueue
from hardware.audio import (
    ClipSpeech,
    VoiceRenderer,
    chime,
    peak,
    read_wav,
    wav_seconds,
    write_wav,
)
from hardware.errors import VoiceUnavailable
from shared.announce import announcement_text
from shared.devices import VoiceConfig

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng")


def rms(samples: array) -> float:
    return math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))


def test_chime_is_audible_and_short() -> None:
    samples = chime(22050)
    assert 1.0 < len(samples) / 22050 < 2.5
    assert 15000 < peak(samples) < 32767  # loud, never clipped
    assert abs(sum(samples) / len(samples)) < 200  # no DC offset
    assert max(abs(s) for s in samples[-50:]) < 50  # the tail fades out instead of clicking


@needs_espeak
def test_espeak_announcement_wav(tmp_path: Path) -> None:
    renderer = VoiceRenderer(VoiceConfig(engine="espeak"), tmp_path)
    path = renderer.render(announcement_text("A001", "L03"))
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 22050)
    seconds = wav_seconds(path)
    assert 4.0 < seconds < 12.0  # chime ~1.7 s + a sentence of ~12 words
    samples = read_wav(path, 22050)
    speech = samples[int(2.2 * 22050) :]
    assert rms(speech) > 500  # not silence after the chime


@needs_espeak
def test_each_phrase_is_rendered_once(tmp_path: Path) -> None:
    renderer = VoiceRenderer(VoiceConfig(engine="espeak"), tmp_path)
    first = renderer.render("Nomor antrean, A nol nol satu, silakan menuju loket satu.")
    again = renderer.render("Nomor antrean, A nol nol satu, silakan menuju loket satu.")
    other = renderer.render("Nomor antrean, A nol nol dua, silakan menuju loket satu.")
    assert first == again != other
    assert renderer.rendered == 2
    # a fresh renderer (e.g. after a restart) finds it on disk
    assert (
        VoiceRenderer(VoiceConfig(engine="espeak"), tmp_path).render(
            "Nomor antrean, A nol nol satu, silakan menuju loket satu."
        )
        == first
    )


def tone_clip(path: Path, freq: float, seconds: float = 0.3, rate: int = 16000) -> None:
    """A stand-in recording: stereo 16 kHz, to exercise mixing down and resampling."""
    frames = array("h")
    for i in range(int(rate * seconds)):
        v = int(8000 * math.sin(2 * math.pi * freq * i / rate))
        frames.extend((v, v))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames.tobytes())


def test_clips_are_joined_word_by_word(tmp_path: Path) -> None:
    clips = tmp_path / "clips"
    clips.mkdir()
    words = ["nomor", "antrean", "a", "nol", "satu", "silakan", "menuju", "loket", "tiga"]
    for i, word in enumerate(words):
        tone_clip(clips / f"{word}.wav", 300 + 40 * i)
    config = VoiceConfig(engine="clips", clips_dir=str(clips), chime=False)
    path = VoiceRenderer(config, tmp_path / "cache").render(announcement_text("A001", "L03"))
    # 10 words x (0.3 s + 0.04 s) + two commas (0.25 s) + period (0.4 s) + tail 0.3 s
    assert wav_seconds(path) == pytest.approx(10 * 0.34 + 0.5 + 0.4 + 0.3, abs=0.02)
    assert rms(read_wav(path, 22050)) > 1000


def test_missing_clip_is_named(tmp_path: Path) -> None:
    (tmp_path / "clips").mkdir()
    tone_clip(tmp_path / "clips" / "nomor.wav", 440)
    speech = ClipSpeech(tmp_path / "clips")
    assert speech.missing("Nomor antrean, A nol.") == ["a", "antrean", "nol"]
    config = VoiceConfig(engine="clips", clips_dir=str(tmp_path / "clips"))
    with pytest.raises(VoiceUnavailable, match="antrean"):
        VoiceRenderer(config, tmp_path / "cache").render("Nomor antrean, A nol.")


def test_resampling_keeps_duration(tmp_path: Path) -> None:
    src = tmp_path / "x.wav"
    write_wav(src, 8000, array("h", [1000] * 8000))
    assert len(read_wav(src, 22050)) == 22050


def test_queue_plays_in_order_whole_and_repeated(tmp_path: Path) -> None:
    events: list[str] = []
    lock = threading.Lock()

    def render(text: str) -> Path:
        path = tmp_path / f"{text}.wav"
        write_wav(path, 8000, chime(8000)[:800])  # 0.1 s
        return path

    def play(path: Path) -> None:
        with lock:
            events.append(f"play {path.stem}")
        time.sleep(wav_seconds(path))  # a player blocks for the sound's length
        with lock:
            events.append(f"done {path.stem}")

    q = AnnouncementQueue(
        play,
        render,
        repeat=2,
        gap_seconds=0.01,
        on_start=lambda t: events.append(f"start {t}"),
        on_end=lambda t: events.append(f"end {t}"),
    )
    with q:
        for code in ("A001", "B002", "A003"):
            q.announce(code)
        assert q.wait_idle(10)
    expected = []
    for code in ("A001", "B002", "A003"):
        expected += [
            f"start {code}",
            f"play {code}",
            f"done {code}",
            f"play {code}",
            f"done {code}",
            f"end {code}",
        ]
    assert events == expected


def test_stop_never_cuts_the_current_announcement(tmp_path: Path) -> None:
    playing = threading.Event()
    finished: list[str] = []

    def play(path: Path) -> None:
        playing.set()
        time.sleep(0.3)
        finished.append(path.stem)

    def render(text: str) -> Path:
        return tmp_path / f"{text}.wav"

    q = AnnouncementQueue(play, render, repeat=3, gap_seconds=0.5)
    q.start()
    q.announce("A001")
    q.announce("A002")
    assert playing.wait(3)
    q.stop()
    assert finished == ["A001"]  # the sound in progress ended; no repeat, no next call


def test_render_failure_skips_only_that_call(tmp_path: Path) -> None:
    played: list[str] = []

    def render(text: str) -> Path:
        if text == "bad":
            raise VoiceUnavailable("no clip")
        return tmp_path / f"{text}.wav"

    with AnnouncementQueue(lambda p: played.append(p.stem), render) as q:
        for text in ("A001", "bad", "A002"):
            q.announce(text)
        assert q.wait_idle(5)
    assert played == ["A001", "A002"]


@needs_espeak
def test_queue_from_config_renders_real_speech(tmp_path: Path) -> None:
    lengths: list[float] = []
    config = VoiceConfig(engine="espeak", repeat=1, cache_dir=str(tmp_path))
    with AnnouncementQueue.from_config(config, lambda p: lengths.append(wav_seconds(p))) as q:
        q.announce(announcement_text("AB012", "L12", numbers="words"))
        assert q.wait_idle(20)
    assert len(lengths) == 1 and lengths[0] > 3
