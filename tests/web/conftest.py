"""Pages in a real browser: Playwright driving Debian's chromium (docs/TESTING.md), against a
real `antrian server` process on 127.0.0.1. Each test saves the screenshots it checked.

Screenshots go to $ANTRIAN_SCREENSHOTS/web when set (to look at them), else to the
test's own temporary folder.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.serverproc import ServerProcess

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As the machine's probe starts it: no background traffic to a network this box lacks.
ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SIZES = {"phone": (390, 844), "tablet": (800, 1280), "desktop": (1366, 768)}
ADMIN = ("admin", "demo-admin-2026")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Per module, not per session: while Playwright's sync API is open, its event loop
    runs on this thread and asyncio.run() in any later test of this process fails."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("ANTRIAN_REQUIRE_BROWSER"):
            pytest.fail(f"chromium is required here but missing at {CHROMIUM}")
        pytest.skip("no chromium (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def web_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A demo server (admin / demo-admin-2026, every service open) on a fresh database."""
    proc = ServerProcess(tmp_path, demo=True)
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture
def shots_dir(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    base = os.environ.get("ANTRIAN_SCREENSHOTS")
    folder = Path(base) / "web" if base else tmp_path / "shots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


Shot = Callable[[Page, str], Path]


@pytest.fixture
def shot(shots_dir: Path, request: pytest.FixtureRequest) -> Shot:
    """shot(page, "name"): a full-page PNG named after the test and the viewport."""
    test = re.sub(r"[^A-Za-z0-9_-]+", "_", request.node.name)

    def take(page: Page, name: str) -> Path:
        size = page.viewport_size or {"width": 0, "height": 0}
        path = shots_dir / f"{test}-{name}-{size['width']}x{size['height']}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """new_page("tablet") -> a page of that size in a context of its own (own cookies)."""
    contexts = []

    def make(size: str = "desktop", **options: Any) -> Page:
        width, height = SIZES[size]
        ctx = browser.new_context(viewport={"width": width, "height": height}, **options)
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for ctx in contexts:
        ctx.close()


def sign_in(page: Page, base: str, user: tuple[str, str] = ADMIN) -> None:
    """Through the real sign-in form, as a manager does."""
    page.goto(f"{base}/console/login")
    page.fill("#f-username", user[0])
    page.fill("#f-password", user[1])
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/console/")
