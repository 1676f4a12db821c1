"""The reports page's evidence pack buttons in a real browser, against a real server
process on a generated month of history: the PDF and the ZIP it downloads are the API's."""

from __future__ import annotations

import io
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import Page, expect

from bench.history import generate
from tests.serverproc import ServerProcess
from tests.web.conftest import ADMIN, SIZES, Shot, sign_in

PERIOD = {"from": "2026-11-01", "to": "2026-11-30"}
NAME = "bukti-evaluasi-2026-11-01-2026-11-30"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A demo server on a month of history, a kiosk screenshot in its data directory."""
    url = f"sqlite:///{tmp_path}/history.sqlite"
    generate(url, 1500, date(2026, 11, 2), 28)
    (tmp_path / "evidence").mkdir()
    Image.new("RGB", (108, 192), "#1f5f99").save(tmp_path / "evidence" / "kiosk-home.png")
    proc = ServerProcess(tmp_path, demo=True, db=url)
    proc.start()
    yield proc
    proc.stop()


def text_of(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "got.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(out.split())


def values(xlsx: bytes) -> list[list[tuple[object, ...]]]:
    wb = load_workbook(io.BytesIO(xlsx))
    return [list(ws.iter_rows(values_only=True)) for ws in wb.worksheets]


@pytest.mark.slow
def test_the_evidence_buttons_download_the_apis_pack(
    server: ServerProcess, new_page: Callable[..., Page], shot: Shot, tmp_path: Path
) -> None:
    with httpx.Client(base_url=server.url + "/api/v1", timeout=120) as c:
        r = c.post("/sessions", json={"username": ADMIN[0], "password": ADMIN[1]})
        c.headers["Authorization"] = f"Bearer {r.json()['token']}"
        api_pdf = c.get("/reports/evidence", params=PERIOD).content
        api_zip = zipfile.ZipFile(io.BytesIO(c.get("/reports/evidence", params={**PERIOD,
                                                "format": "zip"}).content))  # fmt: skip
    for size in SIZES:
        page = new_page(size)
        sign_in(page, server.url)
        page.goto(f"{server.url}/console/reports?period=month&from=2026-11-10")
        section = page.locator("#evidence")
        expect(section.locator("h2")).to_have_text("Berkas bukti evaluasi (PEKPPP)")
        expect(page.locator("#ev-pdf")).to_be_visible()
        expect(page.locator("#ev-zip")).to_be_visible()
        section.scroll_into_view_if_needed()
        shot(page, "evidence")
    with page.expect_download(timeout=120_000) as pdf:  # WeasyPrint on a busy box
        page.click("#ev-pdf", timeout=120_000)
    assert pdf.value.suggested_filename == f"{NAME}.pdf"
    got = text_of(Path(pdf.value.path()).read_bytes(), tmp_path)
    assert got == text_of(api_pdf, tmp_path)
    assert "Kios: kiosk-home.png" in got and "1.500" in got  # the month's tickets
    with page.expect_download(timeout=120_000) as pack:
        page.click("#ev-zip", timeout=120_000)
    z = zipfile.ZipFile(pack.value.path())
    assert sorted(z.namelist()) == sorted(api_zip.namelist())
    assert "gambar/kiosk-home.png" in z.namelist()
    assert values(z.read(f"{NAME}.xlsx")) == values(api_zip.read(f"{NAME}.xlsx"))
    page.goto(f"{server.url}/console/reports?lang=en&period=month&from=2026-11-10")
    expect(page.locator("#evidence h2")).to_have_text("Evaluation evidence pack")
