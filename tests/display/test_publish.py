"""The TV publishes between calls (the site's tv_publish): the SKM and the service
standards from GET /info rotate in the spotlight panel, and a call always comes first."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import httpx
import pytest

from display.controller import DisplayController
from display.publish import Rotation, Slide, slides
from display.settings import from_config
from display.ui import DisplayApp
from display.wire import WireError
from server.store.db import Store
from shared.config import load_config
from tests.admin import admin_token
from tests.display.conftest import Officer, Voice, issue, pump_until, running
from tests.serverproc import ServerProcess

STANDARD = {
    "requirements": "1. Fotokopi KK\n2. Surat pengantar RT/RW",
    "time": "1 hari kerja",
    "cost": "Gratis",
    "product": "KTP-el",
}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_slides_wait_for_a_call_and_come_back_after_it() -> None:
    clock = Clock()
    rotation = Rotation(clock, idle_seconds=30, slide_seconds=10)
    a, b = Slide("h", "A", "", ""), Slide("h", "B", "", "")
    rotation.load([a, b])
    assert rotation.current(None) is a  # no call yet: the slides at once
    clock.now += 10
    assert rotation.current(None) is b
    shown_at = clock.now  # a call takes the panel
    assert rotation.current(shown_at) is None
    clock.now += 29.9
    assert rotation.current(shown_at) is None
    clock.now += 0.2
    assert rotation.current(shown_at) is a


def test_the_skm_slide_comes_first() -> None:
    info = {
        "skm": {"ikm": 91.67, "grade": "A", "grade_name": "Sangat Baik", "respondents": 12,
                "period_from": "2026-01-01"},
        "agencies": [{"name": "Samsat", "services": [{"name": "Pajak", "standard": None}]}],
    }  # fmt: skip
    shown = slides(json.dumps(info))
    assert [(s.heading, s.big, s.middle, s.small) for s in shown] == [
        ("Survei Kepuasan Masyarakat 2026", "IKM 91,67", "Mutu pelayanan A (Sangat Baik)",
         "12 responden"),
    ]  # fmt: skip
    with pytest.raises(WireError):
        slides(b"<html>")


def test_off_by_default_nothing_is_published() -> None:
    controller = DisplayController(from_config(load_config(None)))
    controller.rotation.load([Slide("h", "A", "", "")])
    assert not controller.model.publish and controller.slide() is None
    assert not controller.info_wanted(60)


@pytest.mark.gui
@pytest.mark.slow
def test_a_call_during_the_rotation_shows_at_once(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path)
    server.start()
    try:
        store = Store(f"sqlite:///{tmp_path / 'demo.sqlite'}")
        token = admin_token(store)
        store.dispose()
        with httpx.Client(
            base_url=server.url + "/api/v1", headers={"Authorization": f"Bearer {token}"}
        ) as admin:
            r = admin.patch("/admin/services/KTP", json={"standard": STANDARD})
            assert r.status_code == 200, r.text
            r = admin.patch("/admin/site", json={"site": {"tv_publish": True}})
            assert r.status_code == 200 and r.json()["site"]["tv_publish"] is True
        # what the TV reads is what /info publishes
        shown = slides(httpx.get(server.url + "/api/v1/info").content)
        assert [s.big for s in shown] == ["KTP-el"]
        assert shown[0].middle == "Biaya: Gratis · Waktu: 1 hari kerja"
        app = DisplayApp(from_config(load_config(None)), server.url, renderer=Voice(tmp_path))
        with running(app):
            from kivy.core.window import Window

            Window.size = (1920, 1080)
            screen = app.screen
            assert screen is not None
            app.controller.rotation.idle_seconds = 5.0  # the call stays 5 s, then the slides
            assert pump_until(lambda: app.controller.connected, 15)
            assert pump_until(lambda: screen.spot_code == "KTP-el", 15), screen.spot_code
            assert screen.spot_label == "Standar Pelayanan · Dispendukcapil"
            assert screen.spot_counter == "Biaya: Gratis · Waktu: 1 hari kerja"
            assert screen.spot_agency.startswith("Persyaratan: 1. Fotokopi KK; 2. Surat")
            folder = Path(os.environ.get("ANTRIAN_SCREENSHOTS", tmp_path)) / "display"
            folder.mkdir(parents=True, exist_ok=True)

            def save(name: str) -> None:
                # the board drawn into a texture of its own size: a window made smaller
                # by an earlier test in this process does not cut it
                pump_until(lambda: False, 0.5)
                screen.export_to_png(str(folder / f"{name}.png"))

            save("tv-publish-standard-1920x1080")
            issue(server.url, "KTP")
            officer = Officer(server.url, "L03")
            try:
                called = time.monotonic()
                code = officer.call()
                assert pump_until(lambda: screen.spot_code == code, 5), screen.spot_code
                took = time.monotonic() - called
                assert screen.spot_label == screen.call_label
                assert app.controller.slide() is None
                save("tv-publish-call-1920x1080")
            finally:
                officer.close()
            assert took < 3.0, f"the call took {took:.1f} s to show"
            # after the call's time, the slides again
            assert pump_until(lambda: screen.spot_code == "KTP-el", 15)
            assert app.controller.spotlight.current is not None
    finally:
        server.stop()
