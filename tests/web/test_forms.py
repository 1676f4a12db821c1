"""Every state-changing page route is guarded by default (server/web/forms.py): a post
without this site's origin or the browser's own token changes nothing, whoever wrote the
route and whether or not they thought of it."""

from __future__ import annotations

import importlib
import pkgutil
import re

import httpx
from fastapi import APIRouter
from fastapi.routing import APIRoute

from server import web
from server.web.forms import RULES
from tests.serverproc import ServerProcess

API = "/api/v1"
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _page_routes() -> list[APIRoute]:
    """Every state-changing route of every page module, found, not listed by hand."""
    found: list[APIRoute] = []
    for info in pkgutil.iter_modules(web.__path__):
        module = importlib.import_module(f"server.web.{info.name}")
        for value in vars(module).values():
            if isinstance(value, APIRouter):
                found += [
                    r
                    for r in value.routes
                    if isinstance(r, APIRoute) and r.methods & STATE_CHANGING
                ]
    return found


def test_every_state_changing_page_route_has_a_rule() -> None:
    routes = _page_routes()
    assert len(routes) >= 15  # the console's, booking's, the ticket page's, the tablet's
    for route in routes:
        # a rule names where its token comes from (a path with none is refused outright)
        assert any(route.path.startswith(rule.prefix) for rule in RULES), route.path


def test_a_post_without_the_browsers_token_is_refused_everywhere(
    web_server: ServerProcess,
) -> None:
    routes = _page_routes()
    kiosk = {"Authorization": "Bearer demo-kiosk"}
    with httpx.Client(base_url=web_server.url) as c:
        issued = c.post(
            API + "/tickets", json={"service": "KTP", "request_id": "forms-test-1"}, headers=kiosk
        )
        page_token = issued.json()["page"].removeprefix("/t/")  # a real ticket's page
        for route in routes:
            path = route.path.replace("/t/{token}", f"/t/{page_token}")
            path = re.sub(r"\{[^}]+\}", "X1", path)
            if path in ("/console/login", "/survey/login"):
                continue  # sign-in forms: no session yet, the origin decides (below)
            for method in sorted(route.methods & STATE_CHANGING):
                r = c.request(method, path, data={"csrf": "0" * 32})
                assert r.status_code == 403, (method, path, r.status_code)
                if path.startswith("/survey/"):
                    assert r.json()["code"] == "csrf"
                else:
                    assert "Formulir kedaluwarsa" in r.text, path
        # From another site's page, even a sign-in form is refused.
        for path in ("/console/login", "/survey/login"):
            r = c.post(path, data={"username": "admin"}, headers={"Origin": "http://evil.example"})
            assert r.status_code == 403, path
