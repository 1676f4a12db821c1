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
        seen: set[str] = set()
        while links:  # the top row's sections, then each section's own pages
            href = links.pop(0)
            if href in seen:
                continue
            seen.add(href)
            name = href.strip("/").replace("/", "-") or "home"
            check_page(page, web_server.url + href, shot, name)
            links += menu_links(page)
        assert {"/console/agencies", "/console/audit"} <= seen
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


@pytest.mark.parametrize("size", ["desktop", "tablet", "phone"])
def test_the_menu_is_one_row_and_the_home_page_does_not_repeat_it(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot, size: str
) -> None:
    """Fourteen links wrapped to two or three rows, and the home page listed them again."""
    page = new_page(size)
    sign_in(page, web_server.url)
    top = page.locator("nav.console").first
    link_height = page.locator("nav.console a").first.bounding_box()
    box = top.bounding_box()
    assert box and link_height and box["height"] < link_height["height"] * 1.5, box
    assert page.locator("nav.console").count() == 1  # no section open on the home page
    in_main = page.eval_on_selector_all("main a", "els => els.map(e => e.getAttribute('href'))")
    repeated = set(in_main) & set(menu_links(page))
    assert not repeated, repeated
    assert page.locator("#today").is_visible()
    shot(page, "home")
    page.goto(web_server.url + "/console/agencies")
    sub = page.locator("nav.console.sub")
    assert sub.locator("a.here").inner_text() == "Instansi"
    assert page.locator("nav.console").first.locator("a.here").inner_text() == "Pengaturan Situs"
    shot(page, "agencies-section")
    page.goto(web_server.url + "/console/floor")  # figures with their units
    heads = page.locator("table.floor-services thead").inner_text()
    assert "Tunggu terlama (menit)" in heads and "1 jam terakhir (menit)" in heads, heads


@pytest.mark.parametrize("size", ["desktop", "tablet", "phone"])
def test_the_reports_table_scrolls_in_its_box_with_its_first_column_kept(
    web_server: ServerProcess, new_page: Callable[..., Page], shot: Shot, size: str
) -> None:
    """The table (1,425 px) was cut off at 1366x768 and half hidden at 800: it scrolls in
    its own box, the page never sideways, and the row's name stays in view."""
    page = new_page(size)
    sign_in(page, web_server.url)
    page.goto(web_server.url + "/console/reports?period=month")
    wrap = page.locator(".table-wrap").first
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert wrap.evaluate("e => e.scrollWidth > e.clientWidth")
    name = page.locator("#report-table tbody tr").first.locator("td").first
    head = page.locator("#report-table thead tr").first.locator("th").first
    before = name.bounding_box()
    wrap.evaluate("e => { e.scrollLeft = e.scrollWidth }")
    page.wait_for_timeout(100)
    after, head_after, box = name.bounding_box(), head.bounding_box(), wrap.bounding_box()
    assert before and after and head_after and box
    assert abs(after["x"] - before["x"]) < 2 and abs(head_after["x"] - before["x"]) < 2
    # and the last column is reachable in the box
    last = page.locator("#report-table tbody tr").first.locator("td").last.bounding_box()
    assert last and last["x"] + last["width"] <= box["x"] + box["width"] + 1
    shot(page, "reports-scrolled")
