"""The survey tablet's sign-in says what is wrong (the token, or the counter) and keeps the
README's ?counter= filled in (a live demo server)."""

from __future__ import annotations

import httpx

from tests.server.conftest import LiveServer

BAD_TOKEN = "Token tidak dikenal"


def test_a_missing_counter_is_not_called_a_bad_token(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url, timeout=10) as c:
        r = c.get("/survey/", params={"token": "demo-survey"})
        assert r.status_code == 401
        assert "loket belum diisi" in r.text and BAD_TOKEN not in r.text
        r = c.get("/survey/", params={"token": "demo-survey", "counter": "L99"})
        assert r.status_code == 401
        assert "loket itu tidak dikenal" in r.text and BAD_TOKEN not in r.text
        r = c.get("/survey/", params={"token": "demo-kiosk", "counter": "L01"})
        assert r.status_code == 401 and BAD_TOKEN in r.text
        assert (
            c.get("/survey/", params={"token": "demo-survey", "counter": "L01"}).status_code == 303
        )


def test_the_readmes_counter_stays_filled_in(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url, timeout=10) as c:
        r = c.get("/survey/", params={"counter": "L03"})
        assert r.status_code == 200
        assert 'name="counter" value="L03"' in r.text
        assert 'placeholder="L01"' not in r.text  # a grey L01 looked filled in
