"""SKM results of a period, aggregated in SQL, against the same answers counted by hand."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from server.problems import Problem
from server.queue.rules import QueueService
from server.queue.site import Site
from server.skm import exports, results, rules
from server.skm.report import Filters, respondents, skm_report
from server.store.db import Store
from shared.config import Config
from tests.server.conftest import FakeClock
from tests.server.skm.helpers import serve, sign_in
from tests.serverproc import antrian

# (service, counter, wait minutes, answers, suggestion)
ANSWERS = [
    ("KTP", "L03", 10, [4, 4, 3, 4, 3, 4, 4, 3, 3], "Petugas ramah"),
    ("KTP", "L03", 50, [2, 3, 2, 4, 3, 3, 3, 2, 2], '=HYPERLINK("http://x","klik")'),
    ("KK", "L04", 5, [3, 3, 3, 4, 3, 3, 3, 3, 3], None),
    ("IZIN", "L01", 20, [4, 4, 4, 4, 4, 4, 4, 4, 4], 'nilai 3 < 4 & "ok"'),
]


@pytest.fixture
def answered(store: Store, site: Site, queue: QueueService, clock: FakeClock) -> date:
    sign_in(store, clock, "siti", "L03")
    for service, counter, wait, scores, suggestion in ANSWERS:
        ticket = serve(queue, clock, service, counter, wait_minutes=wait)
        entry = rules.make_entry(
            ticket, scores, channel="tablet", counter=counter, suggestion=suggestion
        )
        rules.record(store, site, entry, clock())
        clock.advance(minutes=1)
    serve(queue, clock, "KTP", "L03")  # served, not answered: counts for the sample only
    return queue.today()


def by_hand(rows: list[list[int]]) -> results.Result:
    r = results.result(len(rows), [sum(c) for c in zip(*rows, strict=True)])
    assert r is not None
    return r


def test_the_period_overall_and_per_group(store: Store, site: Site, answered: date) -> None:
    with store.read() as s:
        report = skm_report(s, site, Filters(answered, answered), officers=True)
    everyone = by_hand([a[3] for a in ANSWERS])
    assert report.overall.respondents == 4
    assert report.overall.result == everyone
    assert report.as_dict()["ikm"] == float(everyone.ikm_shown)
    assert report.served == 5 and report.sample_needed == 5
    services = {row.key: row for row in report.groups["service"]}
    assert services["KTP"].result == by_hand([ANSWERS[0][3], ANSWERS[1][3]])
    assert services["KTP"].label == site.services["KTP"][1].name
    agencies = {row.key: row.respondents for row in report.groups["agency"]}
    assert agencies == {"DUKCAPIL": 3, "DPMPTSP": 1}
    counters = {row.key: row.respondents for row in report.groups["counter"]}
    assert counters == {"L01": 1, "L03": 2, "L04": 1}
    wait = {row.key: row.result for row in report.groups["wait"]}
    assert wait["over"] == by_hand([ANSWERS[1][3]])  # 50 minutes against a 30-minute target
    assert wait["within"] == by_hand([a[3] for a in ANSWERS if a[2] <= 30])
    officers = {row.key: row.respondents for row in report.groups["officer"]}
    assert officers == {"": 2, "siti": 2}  # L01 and L04 had nobody signed in
    months = report.groups["month"]
    assert [m.respondents for m in months] == [4] and months[0].label == "November 2026"
    texts = [x.text for x in report.suggestions]
    assert texts == [a[4] for a in reversed(ANSWERS) if a[4]]  # newest first
    unsur = report.unsur()
    assert unsur[0]["total"] == 13 and unsur[0]["nrr"] == 3.25


def test_filters_narrow_answers_and_people_served(store: Store, site: Site, answered: date) -> None:
    with store.read() as s:
        agency = skm_report(s, site, Filters(answered, answered, agency="DUKCAPIL"))
        counter = skm_report(s, site, Filters(answered, answered, counter="L03"))
        officer = skm_report(s, site, Filters(answered, answered, officer="siti"))
        before = skm_report(s, site, Filters(answered - timedelta(days=9), answered - timedelta(1)))
    assert (agency.overall.respondents, agency.served) == (3, 4)
    assert agency.overall.result == by_hand([a[3] for a in ANSWERS[:3]])
    assert (counter.overall.respondents, counter.served) == (2, 3)
    assert officer.overall.respondents == 2
    assert "officer" not in agency.groups  # only for an admin
    assert before.overall.respondents == 0 and before.overall.result is None
    assert before.as_dict()["ikm"] is None and before.served == 0


def test_a_period_or_filter_that_cannot_be_is_refused(store: Store, site: Site) -> None:
    day = date(2026, 11, 30)
    for f in (
        Filters(day, day - timedelta(days=1)),
        Filters(day, day + timedelta(days=4000)),
        Filters(day, day, agency="NOPE"),
        Filters(day, day, service="NOPE"),
        Filters(day, day, counter="L99"),
    ):
        with pytest.raises(Problem) as refused, store.read() as s:
            skm_report(s, site, f)
        assert refused.value.status in (404, 422)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_xlsx_tabulation(store: Store, site: Site, answered: date) -> None:
    f = Filters(answered, answered)
    with store.read() as s:
        report = skm_report(s, site, f)
        data = exports.xlsx(report, respondents(s, f))
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Tabulasi"]
    heads = [c.value for c in ws[5]]
    assert heads[:5] == ["No", "Tanggal", "Layanan", "Loket", "U1"] and heads[-1] == "Jumlah"
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=6, max_row=9)]
    assert [r[4:13] for r in rows] == [a[3] for a in ANSWERS]
    assert [r[13] for r in rows] == [sum(a[3]) for a in ANSWERS]
    labels = {r[0].value: r for r in ws.iter_rows(min_row=10) if r[0].value}
    r = report.overall.result
    assert r is not None
    assert [c.value for c in labels["Jumlah nilai per unsur"][4:13]] == list(r.totals)
    assert labels["NRR per unsur"][4].value == float(results.round_half_up(r.nrrs[0], 4))
    assert labels["IKM (jumlah NRR tertimbang x 25)"][4].value == float(r.ikm_shown)
    assert labels["Mutu pelayanan"][4].value == r.grade.letter
    assert "1/9" in labels["Bobot tiap unsur"][4].value
    saran = wb["Saran"]
    cells = [row[3] for row in saran.iter_rows(min_row=2)]
    assert [c.value for c in cells] == [a[4] for a in reversed(ANSWERS) if a[4]]
    formula = next(c for c in cells if str(c.value).startswith("="))
    assert formula.data_type == "s"  # text, never a formula
    assert "<f>" not in _sheet_xml(data, "xl/worksheets/sheet3.xml")


def _sheet_xml(data: bytes, name: str) -> str:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(name).decode()


PDFTOTEXT = shutil.which("pdftotext")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.skipif(PDFTOTEXT is None, reason="poppler-utils (pdftotext) is not installed")
def test_the_pdf_report(
    store: Store, config: Config, answered: date, tmp_path: Path, shots: Path
) -> None:
    signed = config.model_copy(
        update={
            "site": config.site.model_copy(
                update={
                    "place": "Jombang",
                    "head_title": "Kepala DPMPTSP Kabupaten Jombang",
                    "head_name": "Dr. Budi Santoso, M.Si.",
                    "head_id": "197001011995031001",
                }
            )
        }
    )
    site = Site(signed)
    with store.read() as s:
        report = skm_report(s, site, Filters(answered, answered))
    data = exports.pdf(report, date(2026, 12, 1), site)
    path = tmp_path / "skm.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        [str(PDFTOTEXT), "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    r = report.overall.result
    assert r is not None
    assert "Laporan Hasil Survei Kepuasan Masyarakat" in text
    assert results.id_number(r.ikm_shown) in text and "," in results.id_number(r.ikm_shown)
    assert r.grade.name in text and "tepat 1/9" in text
    assert "Periode: 30 November 2026" in text
    assert "Jombang, 1 Desember 2026" in text
    assert "Dr. Budi Santoso, M.Si." in text and "NIP. 197001011995031001" in text
    assert '=HYPERLINK("http://x","klik")' in text and 'nilai 3 < 4 & "ok"' in text
    assert "Persyaratan" in text and "U9" in text
    assert Decimal(results.id_number(r.ikm_shown).replace(",", ".")) == r.ikm_shown
    pages = shots / "skm-report"
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(pages)], check=True)
    assert list(shots.glob("skm-report*.png"))


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    import os

    base = os.environ.get("ANTRIAN_SCREENSHOTS")
    folder = Path(base) / "skm" if base else tmp_path / "shots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_antrian_report_skm(store: Store, answered: date, tmp_path: Path) -> None:
    def report(*args: str) -> subprocess.CompletedProcess[str]:
        return antrian("report", "skm", "--db", store.url, *args)

    day = answered.isoformat()
    shown = report("--from", day, "--to", day)
    assert shown.returncode == 0, shown.stderr
    assert "IKM 83,33  mutu B (Baik)" in shown.stdout and "exactly 1/9" in shown.stdout
    assert "respondents 4; served 5; Krejcie-Morgan sample 5" in shown.stdout
    assert "Perizinan" in shown.stdout and "100,00" in shown.stdout  # per service
    out = tmp_path / "skm.xlsx"
    made = report("--from", day, "--to", day, "--format", "xlsx", "--out", str(out))
    assert made.returncode == 0 and load_workbook(out)["Tabulasi"]["E6"].value == 4
    wrong = report("--from", day, "--to", day, "--agency", "NOPE")
    assert wrong.returncode == 2 and "NOPE" in wrong.stderr
