"""Counted apart in the summary: the tickets a stopped service left never called, and the
calls for help (asked, taken, the median time to take one), against a known scenario on
SQLite and PostgreSQL, in the JSON, CSV, XLSX, PDF and the command line."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from openpyxl import load_workbook

from server.queue.rules import QueueService
from server.queue.site import Site
from server.reports import help as helpdesk
from server.reports.exports import summary_csv, summary_table
from server.reports.summary import summary_report
from shared.config import Config
from tests.server.conftest import MONDAY_9AM, FakeClock, LiveServer
from tests.server.report_scenario import MON, TUE
from tests.server.test_api import officer_token
from tests.server.test_cli import antrian
from tests.server.test_reports_api import pdf_text

PERIOD = {"from": MON.isoformat(), "to": TUE.isoformat()}


def play_apart(q: QueueService, clock: FakeClock) -> None:
    """Monday: KTP stopped at 09:30 with three of its tickets never called; four calls
    for help taken after 2, 7 and 5 minutes, and one never taken. Tuesday: one more
    ticket of KTP, the stop over (a stop is for its day)."""
    clock.now = MONDAY_9AM
    for i in range(4):
        q.issue("KTP", False, f"r-k{i}", None)
    q.issue("IZIN", False, "r-i0", None)  # another service: waits, never counted apart
    q.open_counter("L03", "sari")
    clock.now = MONDAY_9AM + timedelta(minutes=10)
    assert q.call_next("L03").ticket is not None  # one KTP called before the stop
    clock.now = MONDAY_9AM + timedelta(minutes=30)
    q.stop_service("KTP", "Blangko habis", "sari")
    for minutes_to_take in (2, 7, 5, None):
        asked = clock.now
        with q.store.write() as s:
            call = helpdesk.ask(s, None, "", asked, None)
        if minutes_to_take is not None:
            with q.store.write() as s:
                later = asked + timedelta(minutes=minutes_to_take)
                helpdesk.take(s, call.id, "sari", "L03", later, lambda _events: None)
    clock.now = MONDAY_9AM + timedelta(days=1)
    q.issue("KTP", False, "r-t0", None)  # Tuesday's: no stop that day


def test_stopped_and_help_figures_in_every_form(
    live: LiveServer, config: Config, tmp_path: Path, db_url: str
) -> None:
    site = Site(config)
    q = QueueService(live.ctx.store, site, clock=FakeClock())
    play_apart(q, q.clock)  # type: ignore[arg-type]
    with live.ctx.store.read() as s:
        want = summary_report(s, site, MON, TUE, "service")
    assert want.stopped_unserved == 3
    [stop] = want.stopped
    assert (stop.day, stop.service, stop.service_name) == (MON, "KTP", "KTP-el")
    assert (stop.reason, stop.unserved) == ("Blangko habis", 3)
    assert (want.help.asked, want.help.taken, want.help.median_take_minutes) == (4, 3, 5.0)
    with live.ctx.store.read() as s:  # Tuesday alone: nothing stopped, nobody asked
        tuesday = summary_report(s, site, TUE, TUE, "service")
    assert tuesday.stopped == [] and tuesday.stopped_unserved == 0
    assert (tuesday.help.asked, tuesday.help.median_take_minutes) == (0, None)

    with live.client(officer_token(live)) as c:
        got = c.get("/reports/summary", params={**PERIOD, "group": "service"})
        csv = c.get("/reports/summary", params={**PERIOD, "group": "service", "format": "csv"})
        xlsx = c.get("/reports/summary", params={**PERIOD, "group": "service", "format": "xlsx"})
        pdf = c.get("/reports/summary", params={**PERIOD, "group": "service", "format": "pdf"})
    assert got.status_code == 200 and got.json()["stopped_unserved"] == 3
    assert got.json()["help"] == {"asked": 4, "taken": 3, "median_take_minutes": 5.0}
    assert csv.text == summary_csv(want)
    head, *_rows, total = csv.text.splitlines()
    assert head.endswith(",stopped_unserved,help_asked,help_taken,help_median_minutes")
    assert total.startswith("2026-11-30,2026-12-01,service,total,") and total.endswith(",3,4,3,5.0")
    ws = load_workbook(io.BytesIO(xlsx.content))["Ringkasan"]
    cells = {r[0].value: r[1].value for r in ws.iter_rows(min_row=6) if r[0].value}
    assert cells["Antrean tak terlayani karena layanan dihentikan"] == 3
    assert cells["Panggilan Butuh bantuan"] == 4 and cells["Ditangani petugas"] == 3
    assert cells["Median waktu sampai ditangani (menit)"] == 5.0
    assert cells["2026-11-30 KTP-el: Blangko habis"] == 3
    text = " ".join(pdf_text(pdf.content, tmp_path).split())
    assert "Antrean tak terlayani karena layanan dihentikan 3" in text
    assert "Median waktu sampai ditangani (menit) 5,0" in text
    assert "2026-11-30 KTP-el: Blangko habis 3" in text
    table = summary_table(want)
    assert "Panggilan Butuh bantuan: 4" in table and "2026-11-30 KTP-el: Blangko habis (3)" in table
    if db_url.startswith("sqlite"):  # the command line, on the same database file
        args = ["report", "summary", "--from", "2026-11-30", "--to", "2026-12-01"]
        out = antrian(*args, "--db", db_url, "--group", "service", "--format", "csv")
        assert out.returncode == 0, out.stderr
        assert out.stdout == summary_csv(want)
