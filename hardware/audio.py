"""Announcement audio: a synthesised chime, offline speech (espeak-ng or recorded clips), WAVs.

Pure standard library (math, array, wave): no numpy, no third-party audio file.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import re
import shutil
import subprocess
import tempfile
import threading
import wave
from array import array
from pathlib import Path
from typing import ClassVar, Protocol

from hardware.errors import AudioUnavailable, VoiceUnavailable

log = logging.getLogger(__name__)

Samples = array  # array("h"): 16-bit signed mono
PLAYERS = (["aplay", "-q"], ["paplay"], ["play", "-q"])
CACHE_VERSION = 2  # bump when the chime or the joining changes, so old WAVs are not reused


# -- samples and files ------------------------------------------------------------


def silence(rate: int, seconds: float) -> Samples:
    return array("h", bytes(2 * int(rate * seconds)))


def read_wav(path: Path, rate: int) -> Samples:
    """A WAV as 16-bit mono at `rate` (channels averaged, linear resampling)."""
    try:
        with wave.open(str(path), "rb") as w:
            channels, width, src_rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
            frames = w.readframes(w.getnframes())
    except (OSError, wave.Error, EOFError) as exc:
        raise VoiceUnavailable(f"cannot read {path}: {exc}") from exc
    if width == 1:
        mono_src = array("h", ((b - 128) << 8 for b in frames))
    elif width == 2:
        mono_src = array("h", frames)
    else:
        raise VoiceUnavailable(f"{path}: {8 * width}-bit WAV; use 16-bit PCM")
    if channels > 1:
        mono_src = array(
            "h",
            (
                sum(mono_src[i : i + channels]) // channels
                for i in range(0, len(mono_src), channels)
            ),
        )
    if src_rate == rate:
        return mono_src
    n = int(len(mono_src) * rate / src_rate)
    out = array("h", bytes(2 * n))
    step = src_rate / rate
    last = len(mono_src) - 1
    for i in range(n):
        pos = i * step
        j = int(pos)
        frac = pos - j
        a = mono_src[min(j, last)]
        b = mono_src[min(j + 1, last)]
        out[i] = int(a + (b - a) * frac)
    return out


def write_wav(path: Path, rate: int, samples: Samples) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    tmp.replace(path)  # atomic: a player never sees half a file
    return path


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def peak(samples: Samples) -> int:
    return max((abs(s) for s in samples), default=0)


@functools.lru_cache(maxsize=4)
def chime(rate: int) -> Samples:
    """Three bell notes going up (C5 E5 G5), as public-service announcements start.

    Cached: it is the same every call, and pure-Python synthesis holds the GIL
    for a noticeable moment on a slow box (the display's UI thread shares it).
    Callers must not modify the array they get.
    """
    notes = (523.25, 659.25, 783.99)
    spacing, ring, release = 0.32, 1.1, 0.25
    total = int(rate * (spacing * (len(notes) - 1) + ring))
    mix = [0.0] * total
    for k, freq in enumerate(notes):
        start = int(rate * spacing * k)
        for i in range(int(rate * ring)):
            t = i / rate
            # a bell: fundamental plus a little octave and twelfth, fast attack, slow decay
            env = min(1.0, t / 0.008) * math.exp(-t / 0.35)
            if t > ring - release:  # fade the tail to zero: a cut-off tail clicks
                env *= 0.5 * (1 + math.cos(math.pi * (t - ring + release) / release))
            wave_ = (
                math.sin(2 * math.pi * freq * t)
                + 0.3 * math.sin(4 * math.pi * freq * t)
                + 0.1 * math.sin(6 * math.pi * freq * t)
            )
            mix[start + i] += env * wave_
    top = max(abs(v) for v in mix) or 1.0
    return array("h", (int(v / top * 0.6 * 32767) for v in mix))


# -- speech -------------------------------------------------------------------------


class Speech(Protocol):
    """Turns a sentence into samples at a given rate."""

    name: str

    def identity(self) -> str: ...

    def say(self, text: str, rate: int) -> Samples: ...


class EspeakSpeech:
    """espeak-ng, offline, voice `id`: robotic but always there."""

    name = "espeak"

    def __init__(self, voice: str = "id", speed: int = 135, binary: str = "") -> None:
        found = binary or shutil.which("espeak-ng") or shutil.which("espeak")
        if not found:
            raise VoiceUnavailable("espeak-ng is not installed (apt-get install espeak-ng)")
        self.binary = found
        self.voice = voice
        self.speed = speed

    def identity(self) -> str:
        return f"{self.binary}|{self.voice}|{self.speed}"

    def say(self, text: str, rate: int) -> Samples:
        with tempfile.TemporaryDirectory(prefix="antrian-tts-") as tmp:
            out = Path(tmp) / "speech.wav"
            cmd = [self.binary, "-v", self.voice, "-s", str(self.speed), "-w", str(out), text]
            try:
                subprocess.run(cmd, check=True, capture_output=True, timeout=30)
            except (OSError, subprocess.SubprocessError) as exc:
                raise VoiceUnavailable(f"espeak-ng failed: {exc}") from exc
            return read_wav(out, rate)


class ClipSpeech:
    """Joins the site's recordings, one WAV per word (nomor.wav, antrean.wav, a.wav, nol.wav...)."""

    name = "clips"
    WORD_GAP = 0.04
    PAUSES: ClassVar[dict[str, float]] = {",": 0.25, ".": 0.4}

    def __init__(self, folder: Path) -> None:
        if not folder.is_dir():
            raise VoiceUnavailable(f"clip folder {folder} does not exist")
        self.folder = folder

    def identity(self) -> str:
        # a re-recorded clip must not be served from the cache
        stamps = sorted((p.name, p.stat().st_mtime_ns) for p in self.folder.glob("*.wav"))
        return f"{self.folder}|{hashlib.sha256(repr(stamps).encode()).hexdigest()[:16]}"

    @staticmethod
    def tokens(text: str) -> list[str]:
        return [t.lower() for t in re.findall(r"[\w-]+|[,.]", text)]

    def missing(self, text: str) -> list[str]:
        words = [t for t in self.tokens(text) if t not in self.PAUSES]
        return sorted({w for w in words if not (self.folder / f"{w}.wav").is_file()})

    def say(self, text: str, rate: int) -> Samples:
        missing = self.missing(text)
        if missing:
            raise VoiceUnavailable(f"no recording for: {', '.join(missing)} (in {self.folder})")
        out = array("h")
        for token in self.tokens(text):
            if token in self.PAUSES:
                out += silence(rate, self.PAUSES[token])
            else:
                out += read_wav(self.folder / f"{token}.wav", rate)
                out += silence(rate, self.WORD_GAP)
        return out


class VoiceSettings(Protocol):
    """What the renderer reads of [voice]: shared/devices.py VoiceConfig, or the TV's own
    copy of it (display/settings.py), which spares the TV pydantic."""

    @property
    def engine(self) -> str: ...
    @property
    def clips_dir(self) -> str: ...
    @property
    def espeak_voice(self) -> str: ...
    @property
    def espeak_speed(self) -> int: ...
    @property
    def chime(self) -> bool: ...
    @property
    def cache_dir(self) -> str: ...
    @property
    def sample_rate(self) -> int: ...


def make_speech(config: VoiceSettings) -> Speech:
    """The configured engine; "auto" prefers the site's recordings, then espeak-ng."""
    if config.engine == "clips" or (config.engine == "auto" and config.clips_dir):
        if not config.clips_dir:
            raise VoiceUnavailable("voice engine 'clips' needs [voice] clips_dir")
        return ClipSpeech(Path(config.clips_dir))
    return EspeakSpeech(config.espeak_voice, config.espeak_speed)


# -- the renderer -------------------------------------------------------------------


class VoiceRenderer:
    """Chime + speech into a WAV; each distinct phrase is rendered once and kept on disk."""

    def __init__(
        self, config: VoiceSettings, cache_dir: Path | None = None, speech: Speech | None = None
    ) -> None:
        self.config = config
        default = Path(tempfile.gettempdir()) / "antrian-voice"
        self.cache_dir = cache_dir or Path(config.cache_dir or default)
        self._speech = speech
        self._lock = threading.Lock()
        self.rendered = 0  # how many phrases were synthesised (not served from cache)

    @property
    def speech(self) -> Speech:
        if self._speech is None:
            self._speech = make_speech(self.config)
        return self._speech

    def _fallback(self, text: str) -> Speech | None:
        """With engine "auto", a missing clip falls back to espeak-ng rather than silence."""
        speech = self.speech
        if self.config.engine == "auto" and isinstance(speech, ClipSpeech) and speech.missing(text):
            log.warning("recorded clips missing for %s; using espeak-ng", speech.missing(text))
            return EspeakSpeech(self.config.espeak_voice, self.config.espeak_speed)
        return None

    def render(self, text: str) -> Path:
        """The WAV for one announcement (chime then speech); raises VoiceUnavailable."""
        speech = self._fallback(text) or self.speech
        rate = self.config.sample_rate
        key = json.dumps(
            [CACHE_VERSION, speech.name, speech.identity(), rate, self.config.chime, text]
        )
        path = self.cache_dir / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.wav"
        with self._lock:
            if path.is_file():
                return path
            samples = array("h")
            if self.config.chime:
                samples += chime(rate)
                samples += silence(rate, 0.2)
            samples += speech.say(text, rate)
            samples += silence(rate, 0.3)  # so a player's fade-out never clips the last word
            try:
                write_wav(path, rate, samples)
            except OSError as exc:
                raise VoiceUnavailable(f"cannot write {path}: {exc}") from exc
            self.rendered += 1
        log.info("rendered announcement %r -> %s (%.1f s)", text, path, len(samples) / rate)
        return path


def render_announcement(
    text: str, config: VoiceSettings | None = None, cache_dir: Path | None = None
) -> Path:
    """One-shot: the WAV (chime + speech) for `text`; prefer a long-lived VoiceRenderer."""
    if config is None:
        from shared.devices import VoiceConfig

        config = VoiceConfig()
    return VoiceRenderer(config, cache_dir).render(text)


# -- playing, for the CLI (the display plays through its own player) ------------------


def find_player() -> list[str] | None:
    for cmd in PLAYERS:
        if shutil.which(cmd[0]):
            return cmd
    return None


def play_wav(path: Path) -> None:
    """Play a WAV to the end with aplay, paplay or sox's play; raises AudioUnavailable."""
    cmd = find_player()
    if cmd is None:
        raise AudioUnavailable("no audio player found (aplay, paplay or sox's play)")
    try:
        subprocess.run([*cmd, str(path)], check=True, capture_output=True, timeout=120)
    except subprocess.CalledProcessError as exc:
        detail = exc.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
        raise AudioUnavailable(f"{cmd[0]} could not play: {detail[0]}") from exc
    except (OSError, subprocess.SubprocessError) as exc:
        raise AudioUnavailable(f"{cmd[0]} failed: {exc}") from exc
