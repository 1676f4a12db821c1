"""The public listener answers booking and ticket pages only: every other path of the
whole OpenAPI document is a 404 there, while the booking paths work."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from server.runtime.public import allowed
from tests.serverproc import ServerProcess

PUBLIC = {
    ("get", "/api/v1/bookings/services"),
    ("get", "/api/v1/bookings/slots"),
    ("post", "/api/v1/bookings"),
    ("post", "/api/v1/bookings/find"),
    ("post", "/api/v1/bookings/sms-code"),
    ("get", "/api/v1/bookings/{token}"),
    ("post", "/api/v1/bookings/{token}/cancel"),
    ("post", "/api/v1/complaints"),
    ("get", "/api/v1/complaints/{token}"),
    ("get", "/api/v1/info"),
}


class Both:
    def __init__(self, proc: ServerProcess) -> None:
        self.lan = proc.url
        self.public = Path(str(proc.ready_file) + ".public").read_text().strip()


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Both]:
    proc = ServerProcess(tmp_path_factory.mktemp("public"), extra=("--public-port", "0"))
    proc.start()
    yield Both(proc)
    proc.stop()


def filled(path: str) -> str:
    """A path of the document with plausible values in its {parameters}."""
    path = path.replace("{token}", "A" * 43)
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_other_path_of_the_api_is_404_on_the_public_port(both: Both) -> None:
    # the document is made at its first request: over 5 s on a loaded two-core box
    doc = httpx.get(both.lan + "/openapi.json", timeout=30).json()
    seen = set()
    with httpx.Client(base_url=both.public) as c:
        for path, operations in doc["paths"].items():
            for method in operations:
                seen.add((method, path))
                r = c.request(method.upper(), filled(path), json={})
                if (method, path) in PUBLIC:
                    assert r.status_code != 404 or "unknown_" in r.text, (method, path)
                else:
                    assert r.status_code == 404, (method, path, r.status_code)
                    assert r.json()["code"] == "not_found"
        assert seen >= PUBLIC
        assert len(seen) > 20  # the whole document: kiosk, officer, console, reports...
        for path in ("/console/", "/console/login", "/docs", "/redoc", "/openapi.json", "/", "/x"):
            assert c.get(path).status_code == 404, path
            assert httpx.get(both.lan + path).status_code != 404 or path in ("/", "/x"), path
    with pytest.raises(InvalidStatus) as refused:
        connect(both.public.replace("http", "ws") + "/api/v1/events", open_timeout=5)
    assert refused.value.response.status_code == 404
    with connect(both.lan.replace("http", "ws") + "/api/v1/events", open_timeout=5):
        pass  # the LAN's stream is there


def test_booking_works_on_the_public_port(both: Both) -> None:
    today = str(datetime.now(ZoneInfo("Asia/Jakarta")).date())
    with httpx.Client(base_url=both.public) as pages:
        assert "Daftar Antrean Online" in pages.get("/booking/").text  # the pages too
        assert pages.get("/static/booking.css").status_code == 200
    with httpx.Client(base_url=both.public + "/api/v1") as c:
        assert c.get("/bookings/services").status_code == 200
        slots = c.get("/bookings/slots", params={"service": "JKN", "date": today}).json()["slots"]
        made = c.post(
            "/bookings",
            json={
                "service": "JKN",
                "date": today,
                "session": slots[0]["session"],
                "name": "Dewi Lestari",
                "phone": "085700001111",
            },
        )
        assert made.status_code == 201, made.text
        token = made.json()["token"]
        assert c.get(f"/bookings/{token}").json()["status"] == "booked"
        assert c.post(f"/bookings/{token}/cancel").json()["status"] == "cancelled"
        # The look-up by code and phone is the booker's too (a lost link).
        pair = {"code": made.json()["code"], "phone": "085700001111"}
        assert c.post("/bookings/find", json=pair).json()["code"] == pair["code"]
        # The kiosk's check-in is not public.
        check_in = c.post("/bookings/check-in", json={"code": "AAAAAAAA", "request_id": "x" * 8})
        assert check_in.status_code == 404


def test_the_allow_list() -> None:
    assert allowed("GET", "/booking/") and allowed("POST", "/booking/KTP")
    assert allowed("GET", "/t/abc") and allowed("GET", "/static/app.css")
    assert not allowed("GET", "/bookingx") and not allowed("GET", "/api/v1/bookings/check-in")
    assert allowed("POST", "/api/v1/bookings/find") and not allowed("GET", "/api/v1/bookings/find")
    assert allowed("GET", "/booking/cari") and allowed("POST", "/booking/cari")
    assert not allowed("DELETE", "/api/v1/bookings") and not allowed("GET", "/api/v1/tickets/1")


def test_the_complaint_pages_and_api_are_public_the_register_is_not() -> None:
    token = "A" * 43
    assert allowed("GET", "/pengaduan/") and allowed("POST", "/pengaduan/")
    assert allowed("GET", f"/pengaduan/{token}")
    assert allowed("POST", "/api/v1/complaints") and not allowed("GET", "/api/v1/complaints")
    assert allowed("GET", f"/api/v1/complaints/{token}")
    assert not allowed("POST", f"/api/v1/complaints/{token}")
    assert not allowed("GET", "/api/v1/admin/complaints")
    assert not allowed("PATCH", "/api/v1/admin/complaints/1")
    assert not allowed("GET", "/api/v1/reports/complaints")
    assert not allowed("GET", "/console/complaints")
