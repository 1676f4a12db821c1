"""Display tests: a real server process, and a real Kivy window (offscreen) pumped by hand."""

from __future__ import annotations

import sys
import threading
import time
import uuid
import wave
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from display.controller import Call
from shared.client import ApiClient
from tests.serverproc import ServerProcess

if TYPE_CHECKING:
    from display.ui import DisplayApp

ANTRIAN = str(Path(sys.executable).with_name("antrian"))
SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "sample" / "jombang.toml"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    srv = ServerProcess(tmp_path)
    srv.start()
    yield srv
    srv.stop()


def zeroconf_config(tmp_path: Path) -> tuple[Path, str]:
    """The sample site under a unique name, advertised on loopback only."""
    site = f"MPP Uji {uuid.uuid4().hex[:8]}"
    text = SAMPLE.read_text(encoding="utf-8").replace("MPP Kabupaten Jombang", site)
    assert text.count(site) >= 2, "the sample must name its site in [site] and [client]"
    text += '\n[server]\nzeroconf_interfaces = ["127.0.0.1"]\n'
    text += '\n[display]\nzeroconf_interfaces = ["127.0.0.1"]\n'
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path, site


class Officer:
    """The demo officer at one counter, through the real API."""

    def __init__(self, url: str, counter: str) -> None:
        self.counter = counter
        self.api = ApiClient(url)
        self.api.login("demo", "123456", counter)

    def call(self) -> str:
        answer = self.api.call(self.counter)
        assert answer.ticket is not None, "nobody waiting"
        return answer.ticket.code

    def close(self) -> None:
        self.api.close()


def call_once(url: str, counter: str) -> str:
    """The demo officer logs in at `counter`, calls the next ticket and leaves: its code."""
    officer = Officer(url, counter)
    try:
        return officer.call()
    finally:
        officer.close()


def issue(url: str, service: str, n: int = 1) -> list[str]:
    with ApiClient(url, "demo-kiosk") as kiosk:
        return [kiosk.issue(service, False, f"t-{uuid.uuid4().hex}").code for _ in range(n)]


def tone_wav(path: Path, seconds: float = 0.2) -> Path:
    """A short real WAV file (silence) for the sound pipeline to play."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(22050)
        w.writeframes(b"\0\0" * int(22050 * seconds))
    return path


def pump_until(pred: Callable[[], bool], timeout: float) -> bool:
    from kivy.base import EventLoop

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        EventLoop.idle()
        if pred():
            return True
        time.sleep(0.05)  # software GL: few frames, or reading pixels waits for all of them
    return pred()


@pytest.fixture
def no_thread_left() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5.0
    while True:
        left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        left = [t for t in left if not t.daemon]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not left, f"threads left running: {[t.name for t in left]}"


class Voice:
    """Stands in for hardware/'s renderer: real WAV files, and a record of what was asked."""

    def __init__(self, folder: Path, speech_seconds: float = 0.2) -> None:
        self.chime = str(tone_wav(folder / "chime.wav", 0.1))
        self.speech = str(tone_wav(folder / "speech.wav", speech_seconds))
        self.said: list[str] = []

    def __call__(self, call: Call) -> list[tuple[str, float]]:
        self.said.append(call.code)
        return [(self.chime, 0.0), (self.speech, 0.0)]


@contextmanager
def running(app: DisplayApp) -> Iterator[DisplayApp]:
    """The app with its window, pumped by the test instead of App.run()."""
    from kivy.app import App
    from kivy.core.window import Window

    app._run_prepare()
    try:
        yield app
    finally:
        app.shutdown()
        for child in list(Window.children):
            Window.remove_widget(child)
        App._running_app = None
