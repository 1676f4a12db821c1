"""The evaluation's evidence pack on SQLite and PostgreSQL: its figures are the reports',
the SKM's and the complaints' own for the same period; the API, the command line and the
files (PDF, ZIP with XLSX and pictures) agree; bad periods and officers are refused."""

from __future__ import annotations

import io
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from server.access.auth import Principal
from server.access.context import ServerContext
from server.complaints import figures, register
from server.complaints.register import ComplaintRequest
from server.evidence.exports import evidence_download
from server.evidence.pack import evidence_pack
from server.queue.pages import TicketPages
from server.queue.rules import QueueService
from server.queue.site import Site
from server.reports import help as help_calls
from server.reports.devices import Heartbeat, record_heartbeat
from server.reports.summary import summary_report
from server.skm import followup
from server.skm.report import Filters, skm_report
from server.store.db import Store
from server.store.tables import DeviceRow
from shared.config import Config
from tests import seed
from tests.server.conftest import FakeClock, LiveServer, run_in_thread
from tests.server.skm import test_report
from tests.server.test_cli import antrian

answered = test_report.answered  # four SKM answers on tickets served through the queue
MANAGER = Principal(role="admin", username="manager")
FORMULA = '=HYPERLINK("http://contoh.invalid","klik")'


def heard(store: Store, name: str, role: str, beat: Heartbeat, now: datetime) -> None:
    with store.write() as s:
        seed.add_device(s, name, role, now - timedelta(days=30))
        device = s.scalar(select(DeviceRow.id).where(DeviceRow.name == name))
        assert device is not None
        record_heartbeat(s, device, beat, now, "127.0.0.1")


@pytest.fixture
def day(store: Store, site: Site, clock: FakeClock, answered: date) -> date:
    """The answered day, with a follow-up action, a complaint, a kiosk and a TV heard from
    and a help call: every part of the pack has something to show."""
    now = clock()
    followup.add(
        store, MANAGER, start=answered, end=answered, unit="site", unsur=9, what=FORMULA,
        person="Kepala Seksi Pelayanan", due=answered + timedelta(days=14), now=now,
    )  # fmt: skip
    req = ComplaintRequest(agency="DUKCAPIL", service="KTP", text="Antrean KTP lama.")
    register.file(store, site, TicketPages.load(store), None, req, now)
    heard(store, "kios-lobi", "kiosk", Heartbeat(printer="ok"), now)
    heard(store, "tv-ruang-tunggu", "display", Heartbeat(voice="ok"), now)
    with store.write() as s:
        help_calls.ask(s, None, "", now, None)
    return answered


def test_the_packs_figures_are_the_rooms_own(
    store: Store, site: Site, queue: QueueService, clock: FakeClock, day: date
) -> None:
    clock.advance(minutes=30)
    signed_in = clock().astimezone(site.tz).strftime("%H.%M")
    queue.open_counter("L05", "siti")  # an officer signs in: counter.resumed opens L05
    with store.read() as s:
        pack = evidence_pack(s, site, day, day, None)
        agencies = summary_report(s, site, day, day, "agency")
        priority = summary_report(s, site, day, day, "priority_group")
        skm = skm_report(s, site, Filters(day, day))
        complaints = figures.figures(s, site, day, day, "agency")
        channels = figures.figures(s, site, day, day, "channel")
    assert pack.agencies == agencies and pack.priority == priority
    assert [m.report for m in pack.months] == [agencies]  # one month: the same summary
    assert pack.skm.as_dict() == skm.as_dict() and pack.skm.overall.respondents == 4
    assert pack.complaints == complaints and pack.channels == channels
    assert pack.complaints.total.received == 1
    assert [(u.unit, [a.what for a in u.followup.actions]) for u in pack.followups] == [
        ("site", [FORMULA])
    ]
    f = {x.key: x for x in pack.facilities.items}
    assert all(x.present for x in f.values()), f
    assert "5 nomor antrean diterbitkan" in f["ticket"].evidence
    assert (pack.facilities.help_asked, pack.facilities.help_taken) == (1, 0)
    assert sorted(d.role for d in pack.facilities.devices) == ["display", "kiosk"]
    # service hours: the counters that served that day, each from its first call
    served = {r.key: r for r in pack.hours.counters if r.served_days}
    assert set(served) == {"L01", "L03", "L04", "L05"}
    assert served["L05"].mean_first == served["L05"].mean_last == signed_in  # events only
    assert pack.hours.total.served_days == 4
    assert pack.hours.months[0].scheduled_days == len(site.config.counters)
    assert served["L03"].schedule == "08.00-15.00" and served["L03"].mean_first == "09.10"


def test_a_period_without_data_says_why(store: Store, site: Site, tmp_path: Path) -> None:
    got = evidence_download(store, site, "2026-03-01", "2026-03-31", "pdf", str(tmp_path))
    text = pdf_text(got.data, tmp_path)
    for said in (
        "Tidak ada antrean dalam periode ini",
        "Belum ada responden SKM dalam periode ini",
        "Tidak ada pengaduan yang diterima dalam periode ini",
        "Gambar belum tersedia",
    ):
        assert said in " ".join(text.split()), said


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "pack.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def sheets(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    wb = load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


@pytest.fixture
def with_pictures(store: Store, config: Config, tmp_path: Path) -> Iterator[LiveServer]:
    """A production server whose data directory holds a kiosk's and a TV's screenshots."""
    folder = tmp_path / "data" / "evidence"
    folder.mkdir(parents=True)
    Image.new("RGB", (108, 192), "#1f5f99").save(folder / "kiosk-home.png")
    Image.new("RGB", (192, 108), "#0b5d1e").save(folder / "tv-board.jpg", "JPEG")
    (folder / "notes.txt").write_text("not a picture")
    (folder / "tv-fake.png").write_bytes(b"not a png at all")
    settings = config.server.model_copy(update={"data_dir": str(tmp_path / "data")})
    ctx = ServerContext(store=store, site=Site(config), settings=settings)
    ctx.queue.sync_counters()
    yield from run_in_thread(ctx)


def supervisor(live: LiveServer, role: str = "supervisor") -> httpx.Client:
    name = f"kepala-{role}"
    with live.ctx.store.write() as s:
        seed.add_officer(s, name, "Kepala", "135790", ["L01"], role, password="kepala-sandi-2026")
    with live.client() as c:
        if role == "officer":
            r = c.post("/sessions", json={"username": name, "pin": "135790", "counter": "L01"})
        else:
            r = c.post("/sessions", json={"username": name, "password": "kepala-sandi-2026"})
    assert r.status_code == 201, r.text
    return live.client(str(r.json()["token"]))


def test_the_api_gives_the_pdf_and_the_zip(
    with_pictures: LiveServer, day: date, tmp_path: Path, db_url: str
) -> None:
    period = {"from": day.isoformat(), "to": day.isoformat()}
    with supervisor(with_pictures) as c:
        pdf = c.get("/reports/evidence", params=period)
        pack = c.get("/reports/evidence", params={**period, "format": "zip"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    name = f"bukti-evaluasi-{day}-{day}"
    assert f'filename="{name}.pdf"' in pdf.headers["content-disposition"]
    assert pack.status_code == 200 and pack.headers["content-type"] == "application/zip"
    z = zipfile.ZipFile(io.BytesIO(pack.content))
    assert sorted(z.namelist()) == sorted(
        [f"{name}.pdf", f"{name}.xlsx", "gambar/kiosk-home.png", "gambar/tv-board.jpg"]
    )
    text = " ".join(pdf_text(pdf.content, tmp_path).split())
    assert "BERKAS BUKTI EVALUASI PELAYANAN PUBLIK" in text
    assert "Kios: kiosk-home.png" in text and "TV ruang tunggu: tv-board.jpg" in text
    assert "Gambar belum tersedia" not in text
    assert "/info/" in text  # where the SKM is published
    with with_pictures.ctx.store.read() as s:
        site = with_pictures.ctx.site
        agencies = summary_report(s, site, day, day, "agency")
        skm = skm_report(s, site, Filters(day, day))
    book = sheets(z.read(f"{name}.xlsx"))
    assert list(book) == [
        "1 Sarana antrean",
        "2 Pengunjung per bulan",
        "3 Jam layanan",
        "4 SKM",
        "5 Pengaduan",
        "6 Kelompok prioritas",
    ]
    visits = book["2 Pengunjung per bulan"]
    month = next(r for r in visits if r[0] == "November 2026")
    t = agencies.total
    assert month[1:4] == (t.issued, t.served, t.online) and month[4] == t.wait.mean
    skm_sheet = book["4 SKM"]
    assert skm_sheet[4][1] == 4 and skm.overall.result is not None
    assert skm_sheet[4][2] == str(skm.overall.result.ikm_shown).replace(".", ",")
    # a follow-up typed as a formula stays text in the workbook
    ws = load_workbook(io.BytesIO(z.read(f"{name}.xlsx")))["4 SKM"]
    cells = [c for row in ws.iter_rows() for c in row if c.value == FORMULA]
    assert cells and all(c.data_type == "s" for c in cells)
    if db_url.startswith("sqlite"):  # the command line, on the same database file
        out = tmp_path / "pack.zip"
        data_dir = with_pictures.ctx.settings.data_dir
        run = antrian(
            "report", "evidence", "--from", str(day), "--to", str(day), "--format", "zip",
            "-o", str(out), "--db", db_url, "--data-dir", data_dir,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        cli = zipfile.ZipFile(out)
        assert sorted(cli.namelist()) == sorted(z.namelist())
        assert sheets(cli.read(f"{name}.xlsx")) == book
        assert cli.read("gambar/kiosk-home.png") == z.read("gambar/kiosk-home.png")
        cli_text = " ".join(pdf_text(cli.read(f"{name}.pdf"), tmp_path).split())
        assert cli_text == text


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"to": "2026-11-30"}, "from"),
        ({"from": "2026-12-02", "to": "2026-12-01"}, "from"),
        ({"from": "2025-01-01", "to": "2026-12-31"}, "to"),
        ({"from": "2026-13-01", "to": "2026-12-01"}, "from"),
        ({"from": "2026-11-01", "to": "2026-11-30", "format": "docx"}, "format"),
    ],
)
def test_bad_queries_are_422_naming_the_field(
    live: LiveServer, query: dict[str, str], field: str
) -> None:
    with supervisor(live, "admin") as c:
        r = c.get("/reports/evidence", params=query)
    assert r.status_code == 422, r.text
    assert field in {e["field"] for e in r.json()["errors"]}


def test_only_a_supervisor_or_an_admin(live: LiveServer, db_url: str) -> None:
    period = {"from": "2026-11-01", "to": "2026-11-30"}
    with supervisor(live, "officer") as c:
        assert c.get("/reports/evidence", params=period).status_code == 403
    with live.client("demo-kiosk") as k:
        assert k.get("/reports/evidence", params=period).status_code == 403
    with httpx.Client(base_url=live.url + "/api/v1") as anon:
        assert anon.get("/reports/evidence", params=period).status_code == 401
    if db_url.startswith("sqlite"):
        bad = antrian("report", "evidence", "--from", "2026-12-02", "--to", "2026-12-01",
                      "--db", db_url)  # fmt: skip
        assert bad.returncode == 2 and "from must not be after to" in bad.stderr
        assert "[invalid_period]" in bad.stderr and "Traceback" not in bad.stderr
