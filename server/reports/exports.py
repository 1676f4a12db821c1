"""The summary report as a table, CSV, XLSX (openpyxl) and PDF (WeasyPrint).

Every format shows the same figures, taken from one SummaryReport; nothing here
computes a figure, only lays it out (the PDF's charts draw the report's own series).
"""

from __future__ import annotations

import csv
import io
import logging
from datetime import date
from typing import Any

from server import documents
from server.documents import id_day
from server.documents.cells import csv_row, text_cell
from server.documents.numbers import format_number
from server.documents.pdf import html_to_pdf
from server.problems import invalid
from server.queue.site import Site
from server.reports.summary import SummaryReport, SummaryRow, summary_report
from server.store.db import Store
from shared.timeutil import business_day, utcnow

log = logging.getLogger(__name__)

WEEKDAYS_SHORT_ID = ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min")
GROUP_NAMES_ID = {
    "agency": "Instansi",
    "service": "Layanan",
    "counter": "Loket",
    "officer": "Petugas",
    "hour": "Jam",
    "weekday": "Hari",
    "priority_group": "Kelompok prioritas",
}

# (column, header in Indonesian, getter, decimals or None for a whole number)
_Column = tuple[str, str, Any, int | None]


def _fig(name: str, part: str) -> Any:
    return lambda r: getattr(getattr(r, name), part)


COLUMNS: list[_Column] = [
    ("issued", "Diterbitkan", lambda r: r.issued, None),
    ("walk_in", "Datang langsung", lambda r: r.walk_in, None),
    ("online", "Daring", lambda r: r.online, None),
    ("served", "Dilayani", lambda r: r.served, None),
    ("no_show", "Tidak hadir", lambda r: r.no_show, None),
    ("cancelled", "Batal", lambda r: r.cancelled, None),
    ("transferred", "Dialihkan", lambda r: r.transferred, None),
    ("priority_share", "Prioritas (%)", lambda r: r.priority_share, 1),
    ("wait_mean", "Tunggu rata-rata", _fig("wait", "mean"), 1),
    ("wait_median", "Tunggu median", _fig("wait", "median"), 1),
    ("wait_p90", "Tunggu p90", _fig("wait", "p90"), 1),
    ("service_mean", "Layanan rata-rata", _fig("service", "mean"), 1),
    ("service_median", "Layanan median", _fig("service", "median"), 1),
    ("service_p90", "Layanan p90", _fig("service", "p90"), 1),
    ("building_mean", "Di gedung rata-rata", _fig("building", "mean"), 1),
    ("building_median", "Di gedung median", _fig("building", "median"), 1),
    ("building_p90", "Di gedung p90", _fig("building", "p90"), 1),
    ("service_level", "Tingkat layanan (%)", lambda r: r.service_level, 1),
]


def _rows(report: SummaryReport) -> list[SummaryRow]:
    return [*report.rows, report.total]


# -- words and numbers in Indonesian ----------------------------------------------


def id_number(value: float | int | None, decimals: int = 0) -> str:
    """86.4 -> '86,4'; 12345 -> '12.345' (Indonesian: comma decimals, dot thousands)."""
    return format_number(value, decimals, "id")


def id_period(report: SummaryReport) -> str:
    """'1 November 2026 s.d. 30 November 2026' (one date for a one-day period)."""
    if report.date_from == report.date_to:
        return id_day(report.date_from)
    return f"{id_day(report.date_from)} s.d. {id_day(report.date_to)}"


# -- table and CSV ---------------------------------------------------------------


# The period's figures counted apart (server/reports/apart.py): (name, Indonesian, getter,
# decimals). Not per group: the CSV has them on the total row only.
APART: list[_Column] = [
    (
        "stopped_unserved",
        "Antrean tak terlayani karena layanan dihentikan",
        lambda r: r.stopped_unserved,
        None,
    ),
    ("help_asked", "Panggilan Butuh bantuan", lambda r: r.help.asked, None),
    ("help_taken", "Ditangani petugas", lambda r: r.help.taken, None),
    (
        "help_median_minutes",
        "Median waktu sampai ditangani (menit)",
        lambda r: r.help.median_take_minutes,
        1,
    ),
]


def summary_csv(report: SummaryReport) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    names = [*(c[0] for c in COLUMNS), *(c[0] for c in APART)]
    w.writerow(["from", "to", "group", "key", "label", *names])
    head = [report.date_from.isoformat(), report.date_to.isoformat(), report.group]
    for r in _rows(report):
        apart = [""] * len(APART)
        if r is report.total:
            apart = ["" if (v := get(report)) is None else v for _n, _h, get, _d in APART]
        w.writerow(  # names stay text, never a formula (server/documents/cells.py)
            csv_row(
                [*head, r.key if r is not report.total else "total", r.label]
                + ["" if (v := get(r)) is None else v for _n, _h, get, _d in COLUMNS]
                + apart
            )
        )
    return buf.getvalue()


def summary_table(report: SummaryReport) -> str:
    """A plain-text table for the terminal (minutes; '-' where nothing was measured)."""
    cols = [
        ("issued", 6),
        ("served", 6),
        ("no_show", 7),
        ("cancelled", 6),
        ("transferred", 6),
        ("priority_share", 6),
        ("wait_mean", 6),
        ("wait_median", 6),
        ("wait_p90", 6),
        ("service_mean", 6),
        ("service_p90", 6),
        ("building_mean", 6),
        ("service_level", 6),
    ]
    short = {
        "issued": "issued",
        "served": "served",
        "no_show": "no-show",
        "cancelled": "cancel",
        "transferred": "transf",
        "priority_share": "prio%",
        "wait_mean": "wait",
        "wait_median": "w.med",
        "wait_p90": "w.p90",
        "service_mean": "serve",
        "service_p90": "s.p90",
        "building_mean": "stay",
        "service_level": "SL%",
    }
    getters = {name: (get, dec) for name, _h, get, dec in COLUMNS}
    width = max([len(r.label) for r in _rows(report)] + [12])
    width = min(width, 36)
    head = f"{report.group:<{width}} " + " ".join(f"{short[n]:>{w}}" for n, w in cols)
    lines = [
        f"{report.site}: {report.date_from.isoformat()} .. {report.date_to.isoformat()}"
        f" ({report.days} days, minutes)",
        head,
        "-" * len(head),
    ]
    for r in _rows(report):
        if r is report.total:
            lines.append("-" * len(head))
        cells = []
        for n, w in cols:
            get, dec = getters[n]
            v = get(r)
            cells.append(f"{'-' if v is None else (f'{v:.{dec}f}' if dec else str(v)):>{w}}")
        lines.append(f"{r.label[:width]:<{width}} " + " ".join(cells))
    lines.append("")
    for _n, title, get, dec in APART:
        v = get(report)
        lines.append(f"{title}: {'-' if v is None else (f'{v:.{dec}f}' if dec else v)}")
    for d in report.stopped:
        lines.append(f"  {d.day.isoformat()} {d.service_name}: {d.reason} ({d.unserved})")
    return "\n".join(lines)


# -- XLSX ------------------------------------------------------------------------


def summary_xlsx(report: SummaryReport) -> bytes:
    """A workbook: a title row, the period, one row per group and the total; values only."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Ringkasan"
    ncols = 1 + len(COLUMNS)
    text_cell(ws, 1, 1, f"Laporan Kinerja Pelayanan - {report.site}").font = Font(
        bold=True, size=14
    )
    text_cell(ws, 2, 1, f"Periode: {id_period(report)} ({report.days} hari)")
    ws.cell(row=3, column=1, value="Waktu dalam menit; persentase dalam persen.")
    thin = Side(style="thin", color="999999")
    header = [GROUP_NAMES_ID[report.group], *(h for _n, h, _g, _d in COLUMNS)]
    for col, title in enumerate(header, start=1):
        c = text_cell(ws, 5, col, title)
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="DDE6F0")
        c.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        c.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    for i, r in enumerate(_rows(report)):
        row = 6 + i
        text_cell(ws, row, 1, r.label)  # a name is never a formula
        for col, (_n, _h, get, dec) in enumerate(COLUMNS, start=2):
            c = ws.cell(row=row, column=col, value=get(r))
            c.number_format = "0" if dec is None else "0.0"
        if r is report.total:
            for col in range(1, ncols + 1):
                ws.cell(row=row, column=col).font = Font(bold=True)
    below = 6 + len(_rows(report)) + 1
    text_cell(ws, below, 1, "Dihitung tersendiri").font = Font(bold=True)
    for i, (_n, title, get, dec) in enumerate(APART, start=1):
        text_cell(ws, below + i, 1, title)
        c = ws.cell(row=below + i, column=2, value=get(report))
        c.number_format = "0" if dec is None else "0.0"
    for i, stop in enumerate(report.stopped, start=below + len(APART) + 1):
        text_cell(ws, i, 1, f"{stop.day.isoformat()} {stop.service_name}: {stop.reason}")
        ws.cell(row=i, column=2, value=stop.unserved)
    ws.column_dimensions["A"].width = 34
    for col in range(2, ncols + 1):
        ws.column_dimensions[get_column_letter(col)].width = 11
    ws.row_dimensions[5].height = 45
    ws.freeze_panes = "B6"
    if report.charts is not None:
        days = wb.create_sheet("Per hari")
        days.append(["Tanggal", "Diterbitkan", "Dilayani"])
        for d in report.charts.per_day:
            days.append([d.day, d.issued, d.served])
            days.cell(row=days.max_row, column=1).number_format = "yyyy-mm-dd"
        days.column_dimensions["A"].width = 12
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# -- PDF -------------------------------------------------------------------------


# Presentation attributes, not CSS classes: WeasyPrint does not style inline SVG by class.
_AXIS = 'font-size="10" fill="#333333" font-family="DejaVu Sans"'
_GRID = 'stroke="#cccccc" stroke-width="0.6"'
_CELL = 'font-size="9" font-family="DejaVu Sans"'


def _svg_bars(values: list[int], labels: list[str], width: int = 1000, height: int = 140) -> str:
    """A bar chart as inline SVG (labels under some bars so they never overlap)."""
    n = max(len(values), 1)
    top = max([*values, 1])
    left, top_pad, plot_h = 40, 12, height - 40
    bar_w = (width - left - 4) / n
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">']
    for frac in (0, 0.5, 1):
        y = top_pad + plot_h * (1 - frac)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width}" y2="{y:.1f}" {_GRID}/>')
        parts.append(
            f'<text x="{left - 4}" y="{y + 3:.1f}" {_AXIS} text-anchor="end">'
            f"{id_number(top * frac)}</text>"
        )
    every = max(1, round(n / 12))
    for i, v in enumerate(values):
        h = plot_h * v / top
        x = left + i * bar_w
        parts.append(
            f'<rect x="{x + bar_w * 0.12:.1f}" y="{top_pad + plot_h - h:.1f}" '
            f'width="{bar_w * 0.76:.1f}" height="{h:.1f}" fill="#1f5f99"/>'
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - 6}" {_AXIS} '
                f'text-anchor="middle">{labels[i]}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _svg_heatmap(arrivals: list[list[int]], width: int = 1000) -> str:
    """Arrivals by weekday (rows) and hour (columns), shaded by count."""
    hours = [h for h in range(24) if any(arrivals[d][h] for d in range(7))] or list(range(8, 16))
    lo, hi = min(hours), max(hours)
    hours = list(range(lo, hi + 1))
    top = max(max(row) for row in arrivals) or 1
    left, cell_h = 60, 16
    cell_w = (width - left) / len(hours)
    height = 7 * cell_h + 22
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">']
    for d in range(7):
        y = d * cell_h
        parts.append(
            f'<text x="{left - 6}" y="{y + 12}" {_AXIS} text-anchor="end">'
            f"{WEEKDAYS_SHORT_ID[d]}</text>"
        )
        for j, h in enumerate(hours):
            n = arrivals[d][h]
            shade = 0.08 + 0.92 * n / top if n else 0.0
            parts.append(
                f'<rect x="{left + j * cell_w:.1f}" y="{y}" width="{cell_w - 1:.1f}" '
                f'height="{cell_h - 1}" fill="#1f5f99" fill-opacity="{shade:.2f}" '
                f'stroke="#ccc" stroke-width="0.3"/>'
            )
            if n:
                color = "#fff" if shade > 0.55 else "#222"
                parts.append(
                    f'<text x="{left + j * cell_w + cell_w / 2:.1f}" y="{y + 12}" '
                    f'{_CELL} fill="{color}" text-anchor="middle">{id_number(n)}</text>'
                )
    for j, h in enumerate(hours):
        parts.append(
            f'<text x="{left + j * cell_w + cell_w / 2:.1f}" y="{height - 6}" '
            f'{_AXIS} text-anchor="middle">{h:02d}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _fmt(value: Any, dec: int | None) -> str:
    return id_number(value, dec or 0)


def summary_html(report: SummaryReport, site: Site, signed: date) -> str:
    """The report as the HTML WeasyPrint lays out (also a preview in a browser)."""
    cfg = site.config.site
    charts = report.charts
    per_day_svg = heat_svg = wait_svg = None
    if charts is not None:
        per_day_svg = _svg_bars(
            [d.issued for d in charts.per_day],
            [f"{d.day.day}/{d.day.month}" for d in charts.per_day],
        )
        heat_svg = _svg_heatmap(charts.arrivals)
        labels = [f"{5 * i}" for i in range(len(charts.wait_buckets) - 1)] + ["60+"]
        wait_svg = _svg_bars(charts.wait_buckets, labels)
    main_cols = [c for c in COLUMNS if c[0] in _PDF_MAIN]
    time_cols = [c for c in COLUMNS if c[0] in _PDF_TIMES]

    def cells(cols: list[_Column]) -> list[dict[str, Any]]:
        return [
            {
                "label": r.label,
                "total": r is report.total,
                "values": [_fmt(get(r), dec) for _n, _h, get, dec in cols],
            }
            for r in _rows(report)
        ]

    return documents.render(
        "summary.html",
        documents.Letterhead.of(cfg, signed),
        num=id_number,
        period=id_period(report),
        report=report,
        group_name=GROUP_NAMES_ID[report.group],
        main_head=[h for _n, h, _g, _d in main_cols],
        main_rows=cells(main_cols),
        time_head=[h for _n, h, _g, _d in time_cols],
        time_rows=cells(time_cols),
        per_day_svg=per_day_svg,
        heat_svg=heat_svg,
        wait_svg=wait_svg,
        total=report.total,
        apart=[(title, _fmt(get(report), dec)) for _n, title, get, dec in APART],
        stopped=report.stopped,
    )


_PDF_MAIN = (
    "issued",
    "served",
    "no_show",
    "cancelled",
    "transferred",
    "online",
    "priority_share",
    "service_level",
)
_PDF_TIMES = (
    "wait_mean",
    "wait_median",
    "wait_p90",
    "service_mean",
    "service_median",
    "service_p90",
    "building_mean",
    "building_median",
    "building_p90",
)


def summary_pdf(report: SummaryReport, site: Site, signed: date) -> bytes:
    """The Indonesian government report (Laporan Kinerja Pelayanan) as PDF bytes."""
    return html_to_pdf(summary_html(report, site, signed), base_url=str(documents.TEMPLATES))


def render_summary(
    store: Store, site: Site, date_from: date, date_to: date, group: str, fmt: str
) -> bytes:
    """The summary in one format, as the API's download and the CLI both give it."""
    with store.read() as s:
        report = summary_report(s, site, date_from, date_to, group, charts=fmt in ("pdf", "xlsx"))
    if fmt == "csv":
        return summary_csv(report).encode()
    if fmt == "xlsx":
        return summary_xlsx(report)
    if fmt == "pdf":
        return summary_pdf(report, site, business_day(site.tz, utcnow()))
    return (summary_table(report) + "\n").encode()


def summary_download(
    store: Store, site: Site, date_from: date, date_to: date, group: str, fmt: str
) -> documents.Download:
    """The summary as a file, as the API's download and the reports page both give it."""
    if fmt not in documents.MEDIA:
        formats = ", ".join(documents.MEDIA)
        raise invalid(
            ("format", f"Format: {formats}.", f"format is one of {formats}."),
            code="invalid_request",
        )
    data = render_summary(store, site, date_from, date_to, group, fmt)
    name = f"laporan-{date_from.isoformat()}-{date_to.isoformat()}-{group}.{fmt}"
    return documents.Download(data, name)
