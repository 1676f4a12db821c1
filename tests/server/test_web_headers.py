"""Every answer's standard headers; redirects never take their host from the request;
cookies are Secure when the configured TLS proxy forwarded HTTPS (a live server)."""

from __future__ import annotations

import httpx
import pytest

from tests.server.conftest import LiveServer

PAGES = ["/console/login", "/booking/", "/survey/login", "/t/nothing", "/api/v1/health", "/x"]


@pytest.mark.parametrize("path", PAGES)
def test_standard_headers_on_every_answer(live: LiveServer, path: str) -> None:
    r = httpx.get(live.url + path, timeout=10)
    assert r.headers["x-frame-options"] == "DENY", (r.status_code, dict(r.headers))
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize(
    "path", ["/console/reports/", "/api/v1/health/", "/booking/b/", "/console", "//evil.example/"]
)
def test_redirects_never_take_their_host_from_the_request(live: LiveServer, path: str) -> None:
    with httpx.Client(timeout=10) as c:
        r = c.get(live.url + path, headers={"Host": "evil.example"})
    if r.is_redirect:
        location = r.headers["location"]
        assert location.startswith("/") and not location.startswith("//"), location


def test_cookies_are_secure_behind_the_tls_proxy(live: LiveServer) -> None:
    plain = httpx.get(live.url + "/booking/?lang=en", timeout=10)
    cookies = plain.headers.get_list("set-cookie")
    assert cookies and not [c for c in cookies if "secure" in c.lower()], cookies
    proxied = httpx.get(
        live.url + "/booking/?lang=en", headers={"X-Forwarded-Proto": "https"}, timeout=10
    )
    cookies = proxied.headers.get_list("set-cookie")
    assert cookies and all("; Secure" in c for c in cookies), cookies


def test_the_proxy_examples_send_hsts() -> None:
    from tests.serverproc import ROOT

    text = (ROOT / "docs" / "INSTALL.md").read_text()
    blocks = {b.split("\n", 1)[0]: b for b in text.split("```")[1::2]}
    assert 'Strict-Transport-Security "max-age=31536000"' in blocks["caddyfile"]
    assert 'add_header Strict-Transport-Security "max-age=31536000" always;' in blocks["nginx"]
