"""The summary over HTTP and on the command line: the same figures, in every format."""

from __future__ import annotations

import io
import subprocess
from datetime import date
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from PIL import Image

from server.queue.rules import QueueService
from server.queue.site import Site
from server.reports.exports import id_number, id_period, summary_csv
from server.reports.summary import summary_report
from server.store.db import Store
from shared.config import Config
from tests.server.conftest import FakeClock, LiveServer
from tests.server.report_scenario import MON, TUE, play
from tests.server.test_api import officer_token
from tests.server.test_cli import antrian

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
PERIOD = {"from": MON.isoformat(), "to": TUE.isoformat()}


@pytest.fixture
def played(live: LiveServer, config: Config) -> LiveServer:
    # the sample site as production has it (the demo's own booking sessions left out)
    q = QueueService(live.ctx.store, Site(config), clock=FakeClock())
    play(q, q.clock)  # type: ignore[arg-type]
    return live


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return out.stdout


def test_summary_json_is_the_report_and_needs_a_supervisor(played: LiveServer) -> None:
    with played.client("demo-kiosk") as k:
        assert k.get("/reports/summary", params=PERIOD).status_code == 403
    with httpx.Client(base_url=played.url + "/api/v1") as anon:
        assert anon.get("/reports/summary", params=PERIOD).status_code == 401
    with played.client(officer_token(played)) as c:
        got = c.get("/reports/summary", params={**PERIOD, "group": "agency", "charts": "true"})
    assert got.status_code == 200, got.text
    with played.ctx.store.read() as s:
        want = summary_report(s, played.ctx.site, MON, TUE, "agency", charts=True)
    assert got.json() == want.model_dump(mode="json")
    body = got.json()
    assert body["total"]["issued"] == 7 and body["total"]["wait"]["p90"] == 40.0
    assert body["charts"]["wait_buckets"][2] == 2


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"from": "2026-12-02", "to": "2026-12-01"}, "invalid_period"),
        ({"from": "2025-01-01", "to": "2026-12-01"}, "invalid_period"),
        ({"to": "2026-12-01"}, "invalid_period"),
        # read by the reports room (as the page's and the CLI's), no longer by pydantic
        ({"from": "2026-13-01", "to": "2026-12-01"}, "invalid_period"),
        ({**PERIOD, "group": "planet"}, "invalid_group"),
        ({**PERIOD, "format": "docx"}, "invalid_request"),
    ],
)
def test_bad_queries_are_422_with_a_code(
    live: LiveServer, params: dict[str, str], code: str
) -> None:
    with live.client(officer_token(live)) as c:
        r = c.get("/reports/summary", params=params)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == code and r.json()["message"]


@SQLITE
def test_downloads_csv_xlsx_pdf(played: LiveServer, tmp_path: Path) -> None:
    cfg = played.ctx.site.config.site
    cfg.place, cfg.head_title = "Jombang", "Kepala Dinas Penanaman Modal dan PTSP"
    cfg.head_name, cfg.head_id = "Drs. Budi Santoso, M.Si.", "197001011990031001"
    logo = tmp_path / "logo.png"
    Image.new("RGB", (40, 40), "navy").save(logo)
    cfg.logo = str(logo)
    with played.client(officer_token(played)) as c:
        csv = c.get("/reports/summary", params={**PERIOD, "format": "csv"})
        xlsx = c.get("/reports/summary", params={**PERIOD, "format": "xlsx"})
        pdf = c.get("/reports/summary", params={**PERIOD, "format": "pdf"})
    with played.ctx.store.read() as s:
        want = summary_report(s, played.ctx.site, MON, TUE, "service")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text == summary_csv(want)
    assert (
        'filename="laporan-2026-11-30-2026-12-01-service.csv"' in csv.headers["content-disposition"]
    )

    wb = load_workbook(io.BytesIO(xlsx.content))
    ws = wb["Ringkasan"]
    assert "MPP Kabupaten Jombang" in ws["A1"].value
    assert ws["A2"].value == "Periode: 30 November 2026 s.d. 1 Desember 2026 (2 hari)"
    rows = {r[0].value: r for r in ws.iter_rows(min_row=6)}
    izin = rows["Perizinan"]
    assert izin[1].value == 6 and izin[9].value == 22.8  # issued, mean wait: values
    assert izin[9].number_format == "0.0" and izin[1].number_format == "0"
    assert rows["Jumlah"][1].value == 7 and rows["Jumlah"][18].value == 66.7
    assert [c.value for c in wb["Per hari"]["B"]][1:] == [6, 1]

    assert pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content, tmp_path)
    assert "LAPORAN KINERJA PELAYANAN" in text
    assert "30 November 2026 s.d. 1 Desember 2026" in text
    assert "Perizinan" in text and "22,8" in text and "66,7" in text  # comma decimals
    assert "Antrean per hari" in text and "Sebaran waktu tunggu" in text
    assert "Jombang," in text and "Drs. Budi Santoso, M.Si." in text
    assert "NIP. 197001011990031001" in text
    images = subprocess.run(
        ["pdfimages", "-list", str(tmp_path / "report.pdf")], capture_output=True, text=True
    )
    assert len(images.stdout.splitlines()) == 3  # a header of two lines, then the logo

    cfg.logo = str(tmp_path / "gone.png")  # a logo that is not there: no logo, no error
    with played.client(officer_token(played)) as c:
        again = c.get("/reports/summary", params={**PERIOD, "format": "pdf"})
    assert again.status_code == 200 and "LAPORAN" in pdf_text(again.content, tmp_path)


def test_indonesian_numbers_and_periods() -> None:
    assert id_number(86.4, 1) == "86,4"
    assert id_number(12345) == "12.345"
    assert id_number(1234567.25, 1) == "1.234.567,2"
    assert id_number(None) == "-"

    class P:
        date_from, date_to = date(2026, 11, 1), date(2026, 11, 30)

    assert id_period(P()) == "1 November 2026 s.d. 30 November 2026"  # type: ignore[arg-type]


@SQLITE  # the same function as the API's; its SQL is checked on both databases
def test_cli_summary_gives_the_same_figures(
    queue: QueueService, clock: FakeClock, store: Store, site: Site, db_url: str, tmp_path: Path
) -> None:
    play(queue, clock)
    with store.read() as s:
        want = summary_report(s, site, MON, TUE, "counter")
    args = ["report", "summary", "--from", "2026-11-30", "--to", "2026-12-01", "--db", db_url]
    csv = antrian(*args, "--group", "counter", "--format", "csv")
    assert csv.returncode == 0, csv.stderr
    assert csv.stdout == summary_csv(want)
    out = tmp_path / "r.xlsx"
    xlsx = antrian(*args, "--format", "xlsx", "--out", str(out))
    assert xlsx.returncode == 0, xlsx.stderr
    assert load_workbook(out)["Ringkasan"]["A1"].value.startswith("Laporan Kinerja")
    bad = antrian("report", "summary", "--from", "2026-12-02", "--to", "2026-12-01", "--db", db_url)
    assert bad.returncode == 2 and "from must not be after to" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_by_priority_group_in_every_form(played: LiveServer, tmp_path: Path, db_url: str) -> None:
    """group=priority_group: the JSON, CSV, XLSX and PDF of the API and the command line."""
    query = {**PERIOD, "group": "priority_group"}
    with played.client(officer_token(played)) as c:
        got = c.get("/reports/summary", params=query)
        csv = c.get("/reports/summary", params={**query, "format": "csv"})
        xlsx = c.get("/reports/summary", params={**query, "format": "xlsx"})
        pdf = c.get("/reports/summary", params={**query, "format": "pdf"})
    with played.ctx.store.read() as s:
        want = summary_report(s, played.ctx.site, MON, TUE, "priority_group")
    assert got.status_code == 200 and got.json() == want.model_dump(mode="json")
    lansia = next(r for r in want.rows if r.key == "lansia")
    assert (lansia.issued, lansia.served, lansia.wait.mean) == (1, 1, 10.0)
    assert csv.text == summary_csv(want)
    assert "priority_group,lansia,Lansia,1" in csv.text
    ws = load_workbook(io.BytesIO(xlsx.content))["Ringkasan"]
    assert ws["A5"].value == "Kelompok prioritas"
    rows = {r[0].value: r for r in ws.iter_rows(min_row=6)}
    assert rows["Lansia"][1].value == 1 and rows["Penyandang disabilitas"][1].value == 0
    assert rows["Umum (bukan prioritas kelompok)"][1].value == 6
    text = pdf_text(pdf.content, tmp_path)
    assert "Kelompok prioritas" in text and "Lansia" in text and "Ibu hamil" in text
    if db_url.startswith("sqlite"):  # the command line, on the same database file
        args = ["report", "summary", "--from", "2026-11-30", "--to", "2026-12-01"]
        out = antrian(*args, "--db", db_url, "--group", "priority_group", "--format", "csv")
        assert out.returncode == 0, out.stderr
        assert out.stdout == summary_csv(want)
