"""A change of the site's setup reaches a logged-in counter (its name, its services and
their names) through the site.changed event, with no restart."""

from __future__ import annotations

import httpx

from counter.controller import CounterController
from server.store.db import Store
from shared.client import ServerLocator, Worker
from shared.config import load_config
from tests.admin import admin_token
from tests.counter.conftest import ServerProcess, UiThread


def test_the_counter_follows_a_site_change(own_server: ServerProcess, ui: UiThread) -> None:
    assert own_server.db is not None
    store = Store(own_server.db)
    token = admin_token(store)
    store.dispose()
    worker = Worker("counter-test")
    c = CounterController(
        ServerLocator(own_server.url, None), worker, ui.post, tz=load_config(None).site.tz
    )
    try:
        assert c.login("demo", "123456", "L04")  # serves KTP and KK
        ui.pump(lambda: c.logged_in and c.connection == "connected")
        assert c.view().title.startswith("Loket 4")
        with httpx.Client(
            base_url=own_server.url + "/api/v1",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        ) as admin:
            r = admin.patch(
                "/admin/counters/L04", json={"name": "Loket KTP", "services": ["KTP", "AKTA"]}
            )
            assert r.status_code == 200, r.text
            r = admin.patch("/admin/services/AKTA", json={"name": "Akta Catatan Sipil"})
            assert r.status_code == 200, r.text
        ui.pump(lambda: c.view().title.startswith("Loket KTP"), timeout=5)
        ui.pump(
            lambda: [w.name for w in c.view().waiting] == ["KTP-el", "Akta Catatan Sipil"],
            timeout=5,
        )
    finally:
        c.close()
        worker.stop()
        if c.client is not None:
            c.client.close()
