"""A change of the site's setup reaches a real kiosk controller and a real TV (its Kivy
window, offscreen) against a real server process, with no restart of anything."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from display.settings import from_config
from display.ui import DisplayApp
from kiosk.controller import KioskController, Timing
from server.store.db import Store
from shared.config import load_config
from tests.admin import admin_token
from tests.display.conftest import Voice, pump_until, running
from tests.kiosk.conftest import UiLoop, make_kiosk  # noqa: F401 (a fixture)
from tests.serverproc import ServerProcess

pytestmark = pytest.mark.gui

# The kiosk's periodic refresh far away: only the site_version check can bring the change.
SLOW_REFRESH = Timing(retry_seconds=0.2, refresh_seconds=600.0, site_check_seconds=0.5)


def service_name(kiosk: KioskController, code: str) -> str:
    assert kiosk.services is not None
    return next(s.name for a in kiosk.services.agencies for s in a.services if s.code == code)


@pytest.mark.slow
def test_rename_and_running_text_reach_the_kiosk_and_the_tv(
    no_thread_left: None,  # first: it checks once the kiosk's worker has stopped
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    new_kiosk: Callable[..., tuple[KioskController, UiLoop]] = request.getfixturevalue("make_kiosk")
    db = f"sqlite:///{tmp_path}/site.sqlite"
    server = ServerProcess(tmp_path, db=db)
    server.start()
    try:
        store = Store(db)
        token = admin_token(store)
        store.dispose()
        kiosk, loop = new_kiosk(server.url, timing=SLOW_REFRESH)
        kiosk.connect()
        loop.run_until(lambda: kiosk.screen == "home", kiosk)
        assert service_name(kiosk, "IZIN") == "Perizinan"
        app = DisplayApp(from_config(load_config(None)), server.url, renderer=Voice(tmp_path))
        with running(app):
            assert pump_until(lambda: app.controller.connected, 15)
            screen = app.screen
            assert screen is not None
            own = screen.marquee_text
            assert own == app.site.display.marquee  # the TV's own until the site has one
            with httpx.Client(
                base_url=server.url + "/api/v1",
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            ) as admin:
                r = admin.patch("/admin/services/IZIN", json={"name": "Perizinan Berusaha"})
                assert r.status_code == 200, r.text
                r = admin.patch("/admin/counters/L01", json={"name": "Loket Satu"})
                assert r.status_code == 200, r.text
                agency = r.json()["agency"]
                r = admin.patch(f"/admin/agencies/{agency}", json={"name": "Mal Perizinan"})
                assert r.status_code == 200, r.text
                r = admin.patch("/admin/site", json={"site": {"running_text": "Besok libur Natal"}})
                assert r.status_code == 200, r.text
            changed = time.monotonic()
            assert pump_until(lambda: screen.marquee_text == "Besok libur Natal", 5)
            assert pump_until(lambda: screen._tiles["L01"].name == "Loket Satu", 5)
            # the by-agency view: the agency's name as the console has it, not the TOML's
            assert pump_until(
                lambda: any(g.name == "Mal Perizinan" for g in app.controller.groups()), 5
            )
            assert any(w.name == "Mal Perizinan" for w in app.controller.waiting())
            tv_seconds = time.monotonic() - changed
            loop.run_until(lambda: service_name(kiosk, "IZIN") == "Perizinan Berusaha", kiosk, 5)
            kiosk_seconds = time.monotonic() - changed
            assert tv_seconds < 5 and kiosk_seconds < 5
            # the running text emptied: each TV its own marquee again
            with httpx.Client(
                base_url=server.url + "/api/v1",
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            ) as admin:
                admin.patch("/admin/site", json={"site": {"running_text": ""}})
            assert pump_until(lambda: screen.marquee_text == own, 5)
    finally:
        server.stop()
