"""A TV whose voice cannot play: one clear log line, a sign on the board, a state to report.

The failures are real: an SDL audio driver that does not exist (a box with no sound
card) in a child `antrian display`, and a speech engine that is not there.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from display.controller import DisplayController
from display.settings import Voice, from_config
from display.ui import DisplayApp
from display.voice import SiteVoice
from shared.config import load_config
from shared.devices import VoiceConfig
from tests.display.conftest import Officer, ServerProcess, issue, pump_until, running

FAILED = "the voice does not work"


def test_the_voice_state_is_plain_and_said_once(caplog: pytest.LogCaptureFixture) -> None:
    config = load_config(None)
    ctl = DisplayController(from_config(config))
    assert ctl.voice_state == "ok"
    with caplog.at_level(logging.INFO, logger="display.controller"):
        assert ctl.voice_failed("no sound card")
        for _ in range(5):  # every later call that cannot be read out
            assert not ctl.voice_failed("no sound card")
        assert ctl.voice_state == "failed" and ctl.voice_problem == "no sound card"
        assert ctl.voice_worked() and ctl.voice_state == "ok"
        assert not ctl.voice_worked()
    assert [r.getMessage().startswith(FAILED) for r in caplog.records].count(True) == 1
    off = config.model_copy(update={"voice": config.voice.model_copy(update={"enabled": False})})
    quiet = DisplayController(from_config(off))
    assert quiet.voice_state == "off" and not quiet.voice_failed("x")
    assert quiet.voice_state == "off"


@pytest.mark.gui
def test_a_voice_with_no_speech_engine_shows_its_sign(
    server: ServerProcess, tmp_path: Path, no_thread_left: None
) -> None:
    """Recorded clips configured in a folder that is not there: the real renderer fails."""
    voice = Voice(**VoiceConfig(engine="clips", clips_dir=str(tmp_path / "none")).model_dump())
    app = DisplayApp(from_config(load_config(None)), server.url, renderer=SiteVoice(voice))
    with running(app):
        assert pump_until(lambda: app.controller.connected, 15)
        assert pump_until(lambda: app.controller.voice_state == "failed", 10)
        assert "does not exist" in app.controller.voice_problem
        screen = app.screen
        assert screen is not None
        assert pump_until(lambda: screen.ids.voice_badge.width > 0, 5)
        assert screen.voice_failed and screen.voice_text == "Suara tidak aktif"
        assert screen.ids.voice_badge.opacity == 1


@pytest.mark.gui
def test_a_tv_with_no_sound_card_says_it_once_and_keeps_showing_calls(
    server: ServerProcess, tmp_path: Path
) -> None:
    trace = tmp_path / "trace.txt"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(
        SDL_VIDEODRIVER="offscreen",
        SDL_AUDIODRIVER="no-such-driver",  # what a box with no sound card amounts to
        KIVY_HOME=str(tmp_path / "kivy"),
        PYTHONUNBUFFERED="1",
    )
    log_path = tmp_path / "display.log"
    with log_path.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "shared.cli", "display", "--server", server.url,
             "--windowed", "--size", "1280x720", "--trace", str(trace)],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while " BOARD " not in (trace.read_text() if trace.exists() else ""):
            assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)
        issue(server.url, "IZIN", 3)
        officer = Officer(server.url, "L01")
        try:
            codes = []
            for _ in range(3):
                codes.append(officer.call())
                time.sleep(0.5)
        finally:
            officer.close()
        while not all(f" {c} " in trace.read_text() for c in codes):
            assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)
        time.sleep(1.0)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    text = log_path.read_text()
    ours = [ln for ln in text.splitlines() if FAILED in ln]
    assert len(ours) == 1 and "ERROR display.controller" in ours[0], text[-3000:]
    assert "audio device does not play" in ours[0]
    # Not a line per call: neither ours nor Kivy's ("Unable to load" once, for the check).
    assert text.count("Unable to load") <= 1 and "cannot read out" not in text, text[-3000:]
