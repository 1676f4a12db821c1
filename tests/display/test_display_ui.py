"""The TV with a real window (offscreen) against a real server process."""

from __future__ import annotations

from pathlib import Path

import pytest

from display.settings import from_config
from display.ui import DisplayApp
from shared.config import Config, load_config
from tests.display.conftest import (
    Officer,
    ServerProcess,
    Voice,
    call_once,
    issue,
    pump_until,
    running,
    zeroconf_config,
)

pytestmark = pytest.mark.gui


def tile_code(app: DisplayApp, counter: str) -> str:
    assert app.screen is not None
    return str(app.screen._tiles[counter].code)


def test_a_call_appears_and_is_read_out_once(
    server: ServerProcess, tmp_path: Path, no_thread_left: None
) -> None:
    voice = Voice(tmp_path)
    app = DisplayApp(from_config(load_config(None)), server.url, renderer=voice)
    with running(app):
        assert pump_until(lambda: app.controller.connected, 15)
        assert app.screen is not None and not app.screen.connecting
        issue(server.url, "IZIN", 2)
        officer = Officer(server.url, "L01")
        try:
            code = officer.call()
            assert pump_until(lambda: tile_code(app, "L01") == code, 10)
            assert app.screen.spot_code == code
            assert app.screen.spot_counter == "Loket 1"
            assert pump_until(lambda: voice.speech in app.sounds.played, 10)
            assert voice.said == [code]
            # the chime, then the voice: in that order, each once
            assert app.sounds.played[-2:] == [voice.chime, voice.speech]
            officer.api.recall("L01")  # a recall is read out again
            assert pump_until(lambda: voice.said == [code, code], 10)
            second = officer.call()
            assert pump_until(lambda: tile_code(app, "L01") == second, 10)
            assert pump_until(lambda: voice.said == [code, code, second], 10)
        finally:
            officer.close()
        recent = [c.code for c in app.controller.recent()]
        assert recent[:2] == [second, code]


@pytest.mark.slow
def test_server_restart_display_recovers_and_catches_up(
    server: ServerProcess, tmp_path: Path, no_thread_left: None
) -> None:
    voice = Voice(tmp_path)
    app = DisplayApp(from_config(load_config(None)), server.url, renderer=voice)
    with running(app):
        assert pump_until(lambda: app.controller.connected, 15)
        issue(server.url, "KTP", 3)
        first = call_once(server.url, "L03")
        assert pump_until(lambda: voice.said == [first], 10)

        server.stop()
        assert pump_until(lambda: app.screen is not None and app.screen.connecting, 10)
        assert tile_code(app, "L03") == first  # the last board stays on screen

        server.start()  # same port, same data: the queue goes on
        officer = Officer(server.url, "L03")
        try:
            second = officer.call()  # probably before the display is back
            assert pump_until(lambda: tile_code(app, "L03") == second, 15)
            assert pump_until(lambda: app.controller.connected, 10)
            assert pump_until(lambda: voice.said == [first, second], 10)
            third = officer.call()
            assert pump_until(lambda: voice.said == [first, second, third], 10)
        finally:
            officer.close()
        assert tile_code(app, "L03") == third
        assert app.screen is not None and not app.screen.connecting


@pytest.mark.slow
def test_finds_the_server_by_zeroconf(tmp_path: Path, no_thread_left: None) -> None:
    config_path, site = zeroconf_config(tmp_path)
    srv = ServerProcess(tmp_path, config=config_path, zeroconf=True)
    srv.start()
    try:
        config: Config = load_config(config_path)
        assert config.client.site == site and not config.client.server
        app = DisplayApp(from_config(config), None, renderer=Voice(tmp_path))
        with running(app):
            assert pump_until(lambda: app.controller.connected, 20)
            assert app.locator.locate() == srv.url
            assert app.screen is not None and app.screen.site_name == site
            issue(srv.url, "IZIN")
            code = call_once(srv.url, "L02")
            assert pump_until(lambda: tile_code(app, "L02") == code, 10)
    finally:
        srv.stop()


def test_running_text_starts_with_the_first_board(
    server: ServerProcess, tmp_path: Path, no_thread_left: None
) -> None:
    """A TV up before its server keeps the marquee still (each frame costs software GL
    ~75 ms of the interpreter); once the board is there, the text runs."""
    server.stop()
    voice = Voice(tmp_path)
    app = DisplayApp(from_config(load_config(None)), server.url, renderer=voice)
    with running(app):
        assert app.screen is not None
        marquee = app.screen.ids.marquee
        start = marquee.offset
        assert not pump_until(lambda: marquee.offset != start, 1.5)  # still connecting
        server.start()
        assert pump_until(lambda: app.controller.has_board, 20)
        moved = marquee.offset
        assert pump_until(lambda: marquee.offset != moved, 5)


def test_a_service_stopped_for_the_day_shows_on_the_board_with_its_reason(
    server: ServerProcess, tmp_path: Path, no_thread_left: None
) -> None:
    """(`antrian display --screenshots` saves the same at 1920x1080: the window of a test
    process keeps the size it was made with.)"""
    app = DisplayApp(from_config(load_config(None)), server.url, renderer=Voice(tmp_path))
    with running(app):
        assert pump_until(lambda: app.controller.connected, 15)
        assert app.screen is not None and app.screen.stopped_rows == 0
        assert app.screen.ids.stopped_box.height == 0  # nothing stopped: no room taken
        issue(server.url, "KTP", 2)
        officer = Officer(server.url, "L03")  # the demo officer may stop a service
        try:
            officer.api.stop_service("KTP", "Blangko habis")
        finally:
            officer.close()
        # the stop's site.changed makes the TV read the board again, at once
        assert pump_until(lambda: app.screen is not None and app.screen.stopped_rows == 1, 10)
        row = app.screen.ids.stopped_box.children[0]
        assert row.text == "Layanan KTP-el dihentikan hari ini: Blangko habis"
        box = app.screen.ids.stopped_box
        assert pump_until(lambda: box.height > 0, 2)
        assert [s.service for s in app.controller.stopped()] == ["KTP"]
