"""SKM downloads: the XLSX tabulation offices hand in, and the PDF "Laporan Hasil SKM".

Everything a citizen typed is written as text: XLSX cells are strings (a suggestion
starting with "=" stays text, never a formula), and the PDF comes from an autoescaped
Jinja2 template (server/documents/templates/skm_report.html).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from server import documents
from server.documents import id_day
from server.documents.cells import text_cell
from server.problems import invalid
from server.queue.site import Site
from server.skm import results
from server.skm.questions import DEFAULTS
from server.skm.report import Filters, Row, SkmReport, respondents, skm_report
from server.skm.tables import SCORE_COLUMNS, SurveyRow
from server.store.db import Store

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet


def period_text(report: SkmReport) -> str:
    f = report.filters
    if f.start == f.end:
        return id_day(f.start)
    return f"{id_day(f.start)} - {id_day(f.end)}"


_text = text_cell  # every text cell: never a formula (server/documents/cells.py)


def _number(ws: Worksheet, row: int, col: int, value: int | float, fmt: str = "0") -> Cell:
    cell = ws.cell(row=row, column=col, value=value)
    cell.number_format = fmt
    return cell


def xlsx(report: SkmReport, answers: Iterable[SurveyRow]) -> bytes:
    """The tabulation: a row per respondent (U1..U9 and their sum), then per unsur the
    total, the NRR and the NRR x 1/9, and the IKM; a sheet of suggestions."""
    # Here, not at the top: openpyxl took ~0.2 s of every server start (and command line).
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDE6F0")
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Tabulasi"
    _text(ws, 1, 1, "Tabulasi Survei Kepuasan Masyarakat").font = Font(bold=True, size=13)
    _text(ws, 2, 1, report.site)
    _text(ws, 3, 1, f"Periode: {period_text(report)}")
    heads = ["No", "Tanggal", "Layanan", "Loket", *(u.upper() for u in SCORE_COLUMNS), "Jumlah"]
    for col, head in enumerate(heads, 1):
        cell = _text(ws, 5, col, head)
        cell.font, cell.fill = bold, head_fill
    row = 6
    saran: list[SurveyRow] = []
    for n, a in enumerate(answers, 1):
        if a.suggestion:
            saran.append(a)
        scores = [getattr(a, c) for c in SCORE_COLUMNS]
        _number(ws, row, 1, n)
        _text(ws, row, 2, a.business_day.isoformat())
        _text(ws, row, 3, a.service)
        _text(ws, row, 4, a.counter)
        for i, score in enumerate(scores):
            _number(ws, row, 5 + i, score)
        _number(ws, row, 14, sum(scores))
        row += 1
    r = report.overall.result
    row += 1
    lines: list[tuple[str, list[float | int], str]] = [
        ("Jumlah nilai per unsur", list(report.overall.totals), "0"),
    ]
    if r is not None:
        lines.append(("NRR per unsur", [_f(n, 4) for n in r.nrrs], "0.0000"))
        lines.append(("NRR tertimbang (x 1/9)", [_f(w, 4) for w in r.weighted], "0.0000"))
    for label, values, fmt in lines:
        _text(ws, row, 1, label).font = bold
        for i, value in enumerate(values):
            _number(ws, row, 5 + i, value, fmt)
        row += 1
    summary: list[tuple[str, str | int | float]] = [
        ("Responden", report.overall.respondents),
        ("Dilayani (tiket selesai)", report.served),
        ("Sampel minimal (Krejcie-Morgan)", report.sample_needed),
    ]
    if r is not None:
        summary += [
            ("Jumlah NRR tertimbang", _f(sum(r.weighted, Fraction(0)), 4)),
            ("IKM (jumlah NRR tertimbang x 25)", float(r.ikm_shown)),
            ("Mutu pelayanan", r.grade.letter),
            ("Kinerja unit pelayanan", r.grade.name),
        ]
    summary.append(("Bobot tiap unsur", "1/9 (tepat, tidak dibulatkan ke 0,11)"))
    row += 1
    for label, shown in summary:
        _text(ws, row, 1, label).font = bold
        if isinstance(shown, str):
            _text(ws, row, 5, shown)
        else:
            _number(ws, row, 5, shown, "0.00" if isinstance(shown, float) else "0")
        row += 1
    for col, width in enumerate([8, 12, 14, 9, *([6] * 9), 9], 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A6"

    names = wb.create_sheet("Unsur")
    for col, head in enumerate(["Unsur", "Nama unsur", "Jumlah nilai", "NRR", "NRR x 1/9"], 1):
        cell = _text(names, 1, col, head)
        cell.font, cell.fill = bold, head_fill
    for i, u in enumerate(report.unsur(), 2):
        _text(names, i, 1, u["unsur"])
        _text(names, i, 2, u["name"])
        _number(names, i, 3, u["total"])
        if u["nrr"] is not None:
            _number(names, i, 4, u["nrr"], "0.0000")
            _number(names, i, 5, u["weighted"], "0.0000")
    names.column_dimensions["B"].width = 40

    sheet = wb.create_sheet("Saran")
    for col, head in enumerate(["Tanggal", "Layanan", "Loket", "Saran"], 1):
        cell = _text(sheet, 1, col, head)
        cell.font, cell.fill = bold, head_fill
    for i, a in enumerate(reversed(saran), 2):  # every suggestion, newest first
        _text(sheet, i, 1, a.business_day.isoformat())
        _text(sheet, i, 2, a.service)
        _text(sheet, i, 3, a.counter)
        _text(sheet, i, 4, a.suggestion).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["D"].width = 80
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _f(value: Fraction, places: int) -> float:
    return float(results.round_half_up(value, places))


def chart(report: SkmReport) -> dict[str, Any]:
    """An NRR bar per unsur (scale 1 to 4) as SVG coordinates, for the template to draw."""
    width, height, left, bottom, top = 640, 240, 40, 30, 10
    plot = height - bottom - top
    step = (width - left - 10) / 9
    bars = []
    r = report.overall.result
    for i, q in enumerate(DEFAULTS["id"]):
        nrr = float(r.nrrs[i]) if r else 0.0
        h = max(0.0, (nrr - 1) / 3 * plot) if r else 0.0
        x = left + i * step + step * 0.15
        bars.append(
            {
                "x": round(x, 1),
                "y": round(height - bottom - h, 1),
                "w": round(step * 0.7, 1),
                "h": round(h, 1),
                "label": q.code,
                "value": results.id_number(results.round_half_up(r.nrrs[i], 2)) if r else "",
                "lx": round(x + step * 0.35, 1),
                "vy": round(height - bottom - h - 3, 1),  # the value, above the bar
                "ly": height - bottom + 13,  # the unsur's code, below the axis
            }
        )
    ticks = []
    for v in (1, 2, 3, 4):
        y = round(height - bottom - (v - 1) / 3 * plot, 1)
        ticks.append({"y": y, "ty": y + 3, "label": str(v)})
    return {"width": width, "height": height, "left": left, "right": width - 10,
            "label_x": left - 6, "bars": bars, "ticks": ticks}  # fmt: skip


def pdf_values(report: SkmReport, today: date, site: Any) -> dict[str, Any]:
    """What the PDF's template lays out: every figure already in Indonesian form."""
    r = report.overall.result
    return {
        "report": report,
        "period": period_text(report),
        "unsur": [
            {
                **u,
                "nrr_text": results.id_number(r.nrrs[i], 4) if r else "-",
                "weighted_text": results.id_number(r.weighted[i], 4) if r else "-",
                "total_text": results.id_number(u["total"]),
            }
            for i, u in enumerate(report.unsur())
        ],
        "ikm": results.id_number(r.ikm_shown) if r else "-",
        "grade": r.grade if r else None,
        "weighted_sum": results.id_number(sum(r.weighted, Fraction(0)), 4) if r else "-",
        "respondents": results.id_number(report.overall.respondents),
        "served": results.id_number(report.served),
        "sample": results.id_number(report.sample_needed),
        "enough": report.overall.respondents >= report.sample_needed,
        "groups": [
            (title, [_group_line(row) for row in rows])
            for title, rows in (
                ("Per instansi", report.groups.get("agency", [])),
                ("Per layanan", report.groups.get("service", [])),
                ("Per loket", report.groups.get("counter", [])),
                ("Menurut waktu tunggu", report.groups.get("wait", [])),
                ("Per bulan", report.groups.get("month", [])),
            )
            if rows
        ],
        "chart": chart(report),
        "followup": report.followup,
        "followup_share": results.id_number(Fraction(str(report.followup.share_done)), 1)
        if report.followup and report.followup.share_done is not None
        else "-",
        "followup_days": results.id_number(Fraction(str(report.followup.median_days)), 1)
        if report.followup and report.followup.median_days is not None
        else "-",
        "lowest": {
            **lowest,
            "nrr_text": results.id_number(Fraction(str(lowest["nrr"])), 4),
        }
        if (lowest := report.lowest_unsur())
        else None,
    }


def _group_line(row: Row) -> tuple[str, str, str, str]:
    r = row.result
    ikm = results.id_number(r.ikm_shown) if r else "-"
    return row.label, results.id_number(row.respondents), ikm, r.grade.letter if r else "-"


def pdf(report: SkmReport, today: date, site: Any) -> bytes:
    """The PDF, by WeasyPrint from the template (server/documents/pdf.py: in a child process)."""
    letterhead = documents.Letterhead.of(site.config.site, today)
    return documents.to_pdf("skm_report.html", letterhead, **pdf_values(report, today, site))


FORMATS = ("xlsx", "pdf")


def skm_download(
    store: Store, site: Site, filters: Filters, fmt: str, today: date, *, officers: bool
) -> documents.Download:
    """The tabulation (xlsx) or the report (pdf) of the filters (filters_for's), as the API,
    the console page and `antrian report skm` all give it; per officer for an admin only."""
    if fmt not in FORMATS:
        raise invalid(
            ("format", "Format: xlsx atau pdf", "format is one of xlsx, pdf"),
            code="invalid_request",
        )
    with store.read() as s:
        report = skm_report(s, site, filters, officers=officers)
        data = xlsx(report, respondents(s, filters)) if fmt == "xlsx" else b""
    if fmt == "pdf":
        data = pdf(report, today, site)
    name = f"skm-{filters.start.isoformat()}-{filters.end.isoformat()}.{fmt}"
    return documents.Download(data, name)
