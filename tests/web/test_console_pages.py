"""Every console page in the menu, at 1366x768 and 800x1280: it opens, fits the width,
has no script errors, switches to English; a supervisor sees only what is theirs."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import Page

from tests.serverproc import ServerProcess
from tests.web.conftest import Shot, sign_in


def menu_links(page: Page) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "nav.console a", "els => els.map(e => e.getAttribute('href'))"
    )
    return [str(h) for h in hrefs]


def check_page(page: Page, url: str, shot: Shot, name: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    answer = page.goto(url)
    assert answer is not None and answer.status == 200, (url, answer and answer.status)
    page.wait_for_load_state("networkidle")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{url} is {overflow} px wider than the screen"
    assert not errors, (url, errors)
    shot(page, name)


@pytest.mark.slow
def test_every_console_page_at_both_sizes(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot
) -> None:
    for size in ("desktop", "tablet"):
        page = new_page(size)
        sign_in(page, web_server.url)
        links = menu_links(page)
        assert "/console/people" in links and "/console/devices" in links
        for href in links:
            name = href.strip("/").replace("/", "-") or "home"
            check_page(page, web_server.url + href, shot, name)
        page.goto(web_server.url + "/console/?lang=en")
        assert page.locator("nav.console a.here").inner_text() == "Home"
        page.goto(web_server.url + "/console/people")  # remembered
        assert page.locator("h1").inner_text() == "Officers and console users"
        shot(page, "people-en")


def test_a_supervisor_sees_the_floor_side_only(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot
) -> None:
    with httpx.Client(base_url=web_server.url + "/api/v1", timeout=10) as c:
        admin = c.post("/sessions", json={"username": "admin", "password": "demo-admin-2026"})
        h = {"Authorization": f"Bearer {admin.json()['token']}"}
        made = c.post(
            "/admin/officers",
            headers=h,
            json={"username": "kasi", "name": "Kasi Pelayanan", "role": "supervisor",
                  "password": "kasi-password-2026"},
        )  # fmt: skip
        assert made.status_code == 201, made.text
    page = new_page("desktop")
    sign_in(page, web_server.url, ("kasi", "kasi-password-2026"))
    links = menu_links(page)
    assert "/console/people" not in links and "/console/devices" not in links
    answer = page.goto(web_server.url + "/console/devices")
    assert answer is not None and answer.status == 403
    shot(page, "supervisor-forbidden")
