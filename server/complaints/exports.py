"""The register (for a LAPOR! administrator) and the figures as CSV, XLSX and PDF.

Nothing here computes a figure (figures.py does); every cell a citizen or an officer
typed is written as text, never as a formula: in CSV a value starting with = + - @
(or a tab or carriage return) gets a leading apostrophe, in XLSX it is a string cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from server import documents
from server.complaints.figures import CHANNEL_NAMES_ID, GROUP_NAMES_ID, ComplaintFigures, FigureRow
from server.complaints.register import ComplaintEntry
from server.documents.numbers import format_number
from server.queue.site import Site

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

STATUS_ID = {
    "received": "Diterima",
    "in_process": "Diproses",
    "answered": "Dijawab",
    "closed": "Selesai",
}


def csv_safe(value: object) -> object:
    """A value for a CSV cell: text that a spreadsheet would run as a formula is quoted."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _local(site: Site, at: datetime | None) -> str:
    return at.astimezone(site.tz).strftime("%Y-%m-%d %H:%M") if at else ""


# (header, getter, typed by a person: written as text)
_RegisterColumn = tuple[str, Callable[[Site, ComplaintEntry], Any], bool]

REGISTER: list[_RegisterColumn] = [
    ("Nomor pengaduan", lambda s, e: e.reference, False),
    ("Tanggal diterima", lambda s, e: _local(s, e.filed_at), False),
    ("Saluran", lambda s, e: CHANNEL_NAMES_ID.get(e.channel, e.channel), False),
    ("Instansi tujuan", lambda s, e: e.agency_name, False),
    ("Layanan", lambda s, e: e.service_name or "", False),
    ("Isi pengaduan", lambda s, e: e.text, True),
    ("Kontak pelapor (disamarkan)", lambda s, e: e.contact or "", True),
    ("Nomor tiket", lambda s, e: e.ticket or "", False),
    ("Status", lambda s, e: STATUS_ID.get(e.status, e.status), False),
    ("Penanggung jawab", lambda s, e: e.assignee or "", True),
    ("Tanggal diproses", lambda s, e: _local(s, e.in_process_at), False),
    ("Tanggal dijawab", lambda s, e: _local(s, e.answered_at), False),
    ("Tanggapan", lambda s, e: e.answer or "", True),
    ("Tanggal selesai", lambda s, e: _local(s, e.closed_at), False),
    ("Batas waktu", lambda s, e: e.due.isoformat(), False),
    ("Hari kerja s.d. jawaban", lambda s, e: e.answer_days, False),
    ("Nomor tracking LAPOR!", lambda s, e: e.lapor_number or "", True),
]


def register_csv(site: Site, entries: list[ComplaintEntry]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([h for h, _g, _t in REGISTER])
    for e in entries:
        w.writerow(["" if (v := get(site, e)) is None else csv_safe(v) for _h, get, _t in REGISTER])
    return buf.getvalue().encode("utf-8-sig")  # the BOM: Excel reads it as UTF-8


def register_xlsx(site: Site, entries: list[ComplaintEntry]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Register Pengaduan"
    for col, (head, _g, _t) in enumerate(REGISTER, start=1):
        ws.cell(row=1, column=col, value=head).font = Font(bold=True)
    for i, e in enumerate(entries, start=2):
        for col, (_h, get, _t) in enumerate(REGISTER, start=1):
            value = get(site, e)
            cell = ws.cell(row=i, column=col)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # text, whatever it starts with: never a formula
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip(
        "ABCDEFGHIJKLMNOPQ",
        (16, 16, 14, 24, 22, 50, 18, 10, 10, 16, 16, 16, 50, 16, 11, 10, 18),
        strict=True,
    ):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "B2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# -- the figures -------------------------------------------------------------------------

# (column, header in Indonesian, decimals or None for a whole number)
FIGURES: list[tuple[str, str, int | None]] = [
    ("received", "Diterima", None),
    ("answered", "Dijawab", None),
    ("closed", "Selesai", None),
    ("answered_within_target", "Dijawab tepat waktu", None),
    ("within_target_share", "Tepat waktu (%)", 1),
    ("median_days", "Median hari kerja", 1),
    ("p90_days", "p90 hari kerja", 1),
    ("resolved_share", "Terselesaikan (%)", 1),
]


def _lines(report: ComplaintFigures) -> list[FigureRow]:
    return [*report.rows, report.total]


def figures_csv(report: ComplaintFigures) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["from", "to", "group", "key", "label", *(c for c, _h, _d in FIGURES)])
    for r in _lines(report):
        w.writerow(
            [report.date_from.isoformat(), report.date_to.isoformat(), report.group,
             csv_safe(r.key), csv_safe(r.label)]
            + ["" if (v := getattr(r, c)) is None else v for c, _h, _d in FIGURES]
        )  # fmt: skip
    return buf.getvalue().encode("utf-8")


def period_text(report: ComplaintFigures) -> str:
    if report.date_from == report.date_to:
        return documents.id_day(report.date_from)
    return f"{documents.id_day(report.date_from)} s.d. {documents.id_day(report.date_to)}"


def figures_xlsx(report: ComplaintFigures) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Pengaduan"
    ws.cell(row=1, column=1, value=f"Rekapitulasi Pengaduan - {report.site}").font = Font(
        bold=True, size=14
    )
    ws.cell(row=2, column=1, value=f"Periode: {period_text(report)} (menurut tanggal diterima)")
    ws.cell(row=3, column=1, value=f"Target jawaban: {report.target_days} hari kerja")
    header = [GROUP_NAMES_ID[report.group], *(h for _c, h, _d in FIGURES)]
    for col, title in enumerate(header, start=1):
        ws.cell(row=5, column=col, value=title).font = Font(bold=True)
    for i, r in enumerate(_lines(report), start=6):
        label = ws.cell(row=i, column=1)
        label.value = r.label
        label.data_type = "s"
        for col, (c, _h, d) in enumerate(FIGURES, start=2):
            cell = ws.cell(row=i, column=col, value=getattr(r, c))
            cell.number_format = "0" if d is None else "0.0"
        if r is report.total:
            for col in range(1, len(header) + 1):
                ws.cell(row=i, column=col).font = Font(bold=True)
    ws.column_dimensions["A"].width = 34
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def id_number(value: float | int | None, decimals: int | None) -> str:
    return format_number(value, decimals or 0, "id")


def figures_pdf(report: ComplaintFigures, site: Site, signed: date) -> bytes:
    letterhead = documents.Letterhead.of(site.config.site, signed)
    lines = [
        (r.label, [id_number(getattr(r, c), d) for c, _h, d in FIGURES], r is report.total)
        for r in _lines(report)
    ]
    return documents.to_pdf(
        "complaints_report.html",
        letterhead,
        report=report,
        period=period_text(report),
        group_name=GROUP_NAMES_ID[report.group],
        headers=[h for _c, h, _d in FIGURES],
        lines=lines,
        total=report.total,
        resolved=id_number(report.total.resolved_share, 1),
    )


def download(report: ComplaintFigures, fmt: str, site: Site, signed: date) -> documents.Download:
    name = f"pengaduan-{report.date_from}-{report.date_to}-{report.group}.{fmt}"
    if fmt == "csv":
        return documents.Download(figures_csv(report), name)
    if fmt == "xlsx":
        return documents.Download(figures_xlsx(report), name)
    return documents.Download(figures_pdf(report, site, signed), name)


def register_download(
    site: Site, entries: list[ComplaintEntry], fmt: str, day: date
) -> documents.Download:
    name = f"register-pengaduan-{day.isoformat()}.{fmt}"
    data = register_csv(site, entries) if fmt == "csv" else register_xlsx(site, entries)
    return documents.Download(data, name)
