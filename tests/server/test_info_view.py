"""The information page's view (GET /api/v1/info) and its one cache."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from server.info.views import Published
from tests.server.conftest import LiveServer
from tests.server.test_office_api import admin, office  # noqa: F401  (fixtures)

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def test_a_rendering_is_kept_at_most_its_ttl_and_made_once_at_a_time(db_url: str) -> None:
    made: list[int] = []

    def make() -> int:
        time.sleep(0.2)  # phones asking meanwhile wait for this one
        made.append(len(made))
        return len(made)

    cache = Published(ttl=0.5)
    answers: list[int] = []
    phones = [
        threading.Thread(target=lambda: answers.append(cache.get("k", make))) for _ in range(8)
    ]
    for p in phones:
        p.start()
    for p in phones:
        p.join()
    assert answers == [1] * 8 and made == [0]
    assert cache.fresh("k") == 1
    time.sleep(0.6)
    assert cache.fresh("k") is None
    assert cache.get("k", make) == 2


def test_the_json_twin_shows_the_standard_and_nothing_hidden_or_personal(
    office: LiveServer,  # noqa: F811
    admin: httpx.Client,  # noqa: F811
) -> None:
    r = admin.patch("/admin/services/KTP", json={"standard": {"cost": "Gratis", "time": "1 hari"}})
    assert r.status_code == 200, r.text
    assert admin.patch("/admin/services/KK", json={"hidden": True}).status_code == 200
    with office.client("demo-kiosk") as kiosk:
        ticket = kiosk.post("/tickets", json={"service": "KTP", "request_id": "info-0001"}).json()
    with office.client() as anyone:  # no token: the public reads it
        r = anyone.get("/info")
    assert r.status_code == 200
    info = r.json()
    services = {s["code"]: s for a in info["agencies"] for s in a["services"]}
    assert "KK" not in services  # hidden services are not offered, so not published
    ktp = services["KTP"]
    assert ktp["standard"]["cost"] == "Gratis" and ktp["standard"]["requirements"] == ""
    assert ktp["waiting"] == 1 and ktp["served"] == 0, (ticket, ktp)
    assert services["IZIN"]["standard"] is None
    assert ticket["code"] not in r.text and "demo" not in r.text
    assert info["week"][0]["day"] == "monday"
