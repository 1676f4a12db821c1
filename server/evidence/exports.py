"""The evidence pack as a PDF (letterhead and signature block: server/documents) and as a
ZIP holding the PDF, the XLSX tabulations (one sheet per part) and the pictures.

Nothing here computes a figure (pack.py gathers them from the rooms); every text cell
of the workbook is a string, never a formula (server/documents/cells.py).
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from server import documents
from server.complaints.figures import ComplaintFigures
from server.documents.cells import text_cell
from server.documents.pdf import html_to_pdf
from server.evidence.pack import EvidencePack, evidence_pack, evidence_query
from server.queue.site import Site
from server.reports.exports import id_number
from server.reports.summary import SummaryRow
from server.skm import results
from server.skm.report import Row
from server.store.db import Store
from shared.timeutil import business_day, utcnow

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

# Where the SKM result is published: the public information page of this server.
PUBLISHED_AT = (
    "Hasil SKM dipublikasikan pada halaman informasi publik /info/ situs ini, yang dapat"
    " dibuka pengunjung dari jaringan MPP dan, bila diaktifkan, dari internet."
)
STATUS_ID = {"planned": "Direncanakan", "in_progress": "Dikerjakan", "done": "Selesai"}


def period_text(pack: EvidencePack) -> str:
    if pack.date_from == pack.date_to:
        return documents.id_day(pack.date_from)
    return f"{documents.id_day(pack.date_from)} s.d. {documents.id_day(pack.date_to)}"


def _ikm(row: Row) -> tuple[str, str]:
    r = row.result
    if r is None:
        return "-", "-"
    return results.id_number(r.ikm_shown), f"{r.grade.letter} ({r.grade.name})"


# -- the tables every format lays out (one list of rows per part) ------------------


def _visits(row: SummaryRow) -> list[Any]:
    return [
        row.issued,
        row.served,
        row.online,
        row.wait.mean,
        row.wait.median,
        row.wait.p90,
        row.service.mean,
        row.service_level,
    ]


VISIT_HEAD = [
    "Diterbitkan",
    "Dilayani",
    "Daring",
    "Tunggu rata-rata (mnt)",
    "Tunggu median (mnt)",
    "Tunggu p90 (mnt)",
    "Layanan rata-rata (mnt)",
    "Tingkat layanan (%)",
]
VISIT_DEC = [None, None, None, 1, 1, 1, 1, 1]
HOURS_HEAD = [
    "Jadwal",
    "Hari-loket terjadwal",
    "Hari-loket melayani",
    "Panggilan pertama (rata-rata)",
    "Selesai terakhir (rata-rata)",
    "Mulai tepat waktu (%)",
    "Melayani sampai tutup (%)",
]
COMPLAINT_HEAD = [
    "Diterima",
    "Dijawab",
    "Selesai",
    "Dijawab tepat waktu",
    "Median hari kerja",
    "p90 hari kerja",
    "Tuntas (%)",
]
COMPLAINT_DEC = [None, None, None, None, 1, 1, 1]
# the figures under those headings, in their order (FigureRow's, HoursRow's)
COMPLAINT_FIELDS = ("received", "answered", "closed", "answered_within_target", "median_days",
                    "p90_days", "resolved_share")  # fmt: skip
HOURS_FIELDS = ("schedule", "scheduled_days", "served_days", "mean_first", "mean_last",
                "on_time_share", "to_close_share")  # fmt: skip
PRIORITY_HEAD = ["Diterbitkan", "Dilayani", "Tunggu rata-rata (mnt)", "Tunggu p90 (mnt)"]
PRIORITY_DEC = [None, None, 1, 1]


def _complaint(row: Any) -> list[Any]:
    return [getattr(row, name) for name in COMPLAINT_FIELDS]


def _priority(row: SummaryRow) -> list[Any]:
    return [row.issued, row.served, row.wait.mean, row.wait.p90]


def _hours(row: Any) -> list[Any]:
    return [getattr(row, name) for name in HOURS_FIELDS]


def _fmt(values: list[Any], decimals: list[int | None] | None = None) -> list[str]:
    out = []
    for i, v in enumerate(values):
        if isinstance(v, str):
            out.append(v)
        else:
            dec = decimals[i] if decimals else (1 if isinstance(v, float) else None)
            out.append(id_number(v, dec or 0))
    return out


def _complaint_rows(f: ComplaintFigures) -> list[dict[str, Any]]:
    return [
        {"label": r.label, "cells": _fmt(_complaint(r), COMPLAINT_DEC), "total": r is f.total}
        for r in [*f.rows, f.total]
    ]


# -- PDF ---------------------------------------------------------------------------


def evidence_html(pack: EvidencePack, site: Site, signed: date) -> str:
    """The pack as the HTML WeasyPrint lays out (a browser can preview it)."""
    skm = pack.skm
    total = pack.agencies.total
    return documents.render(
        "evidence.html",
        documents.Letterhead.of(site.config.site, signed),
        pack=pack,
        period=period_text(pack),
        num=id_number,
        total=total,
        visit_head=VISIT_HEAD,
        months=[
            {"label": m.label, "cells": _fmt(_visits(m.report.total), VISIT_DEC)}
            for m in pack.months
        ],
        months_total=_fmt(_visits(total), VISIT_DEC),
        agencies=[
            {"label": r.label, "cells": _fmt(_visits(r), VISIT_DEC)} for r in pack.agencies.rows
        ],
        hours_head=HOURS_HEAD,
        hours_months=[{"label": r.label, "cells": _fmt(_hours(r))} for r in pack.hours.months],
        hours_counters=[{"label": r.label, "cells": _fmt(_hours(r))} for r in pack.hours.counters],
        hours_total=_fmt(_hours(pack.hours.total)),
        skm_overall=_ikm(skm.overall),
        skm_respondents=id_number(skm.overall.respondents),
        skm_sample=id_number(skm.sample_needed),
        skm_served=id_number(skm.served),
        skm_units=[
            (title, [(r.label, id_number(r.respondents), *_ikm(r)) for r in rows])
            for title, rows in (
                ("Instansi", skm.groups.get("agency", [])),
                ("Layanan", skm.groups.get("service", [])),
                ("Bulan", skm.groups.get("month", [])),
            )
        ],
        followups=pack.followups,
        status_id=STATUS_ID,
        published_at=PUBLISHED_AT,
        complaint_head=COMPLAINT_HEAD,
        complaints=_complaint_rows(pack.complaints),
        channels=_complaint_rows(pack.channels),
        priority_head=PRIORITY_HEAD,
        priority=[
            {"label": r.label, "cells": _fmt(_priority(r), PRIORITY_DEC), "total": False}
            for r in pack.priority.rows
        ]
        + [
            {
                "label": "Jumlah",
                "cells": _fmt(_priority(pack.priority.total), PRIORITY_DEC),
                "total": True,
            }
        ],
        kiosk_pictures=[p for p in pack.pictures if p.kind == "kiosk"],
        tv_pictures=[p for p in pack.pictures if p.kind == "tv"],
        site_pictures=[p for p in pack.pictures if p.kind == "site"],
    )


def evidence_pdf(pack: EvidencePack, site: Site, signed: date) -> bytes:
    return html_to_pdf(evidence_html(pack, site, signed), base_url=str(documents.TEMPLATES))


# -- XLSX --------------------------------------------------------------------------


def _sheet(
    ws: Worksheet, title: str, pack: EvidencePack, head: list[str], rows: list[list[Any]]
) -> None:
    """A titled table: the heading row, then the rows; text stays text (cells.py)."""
    from openpyxl.styles import Font, PatternFill

    text_cell(ws, 1, 1, title).font = Font(bold=True, size=13)
    text_cell(ws, 2, 1, f"{pack.site} - Periode {period_text(pack)}")
    for col, h in enumerate(head, 1):
        c = text_cell(ws, 4, col, h)
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="DDE6F0")
    for i, values in enumerate(rows, 5):
        for col, v in enumerate(values, 1):
            if isinstance(v, str) or v is None:
                text_cell(ws, i, col, v)
            else:
                ws.cell(row=i, column=col, value=v)
    ws.column_dimensions["A"].width = 40
    for letter in "BCDEFGHIJ":
        ws.column_dimensions[letter].width = 16


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M") if at else "-"


def evidence_xlsx(pack: EvidencePack) -> bytes:
    """The tabulations: one sheet per part of the PDF, values only."""
    from openpyxl import Workbook

    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    f = pack.facilities
    _sheet(
        wb.create_sheet("1 Sarana antrean"),
        "Sarana sistem antrean",
        pack,
        ["Sarana", "Ada", "Bukti"],
        [[x.name, "Ya" if x.present else "Tidak", x.evidence] for x in f.items]
        + [[], ["Perangkat", "Jenis", "Kontak terakhir", "Keadaan"]]
        + [[d.name, d.role_name, _when(d.last_seen), d.state_text] for d in f.devices],
    )
    _sheet(
        wb.create_sheet("2 Pengunjung per bulan"),
        "Pengunjung dan waktu tunggu per bulan",
        pack,
        ["Bulan", *VISIT_HEAD],
        [[m.label, *_visits(m.report.total)] for m in pack.months]
        + [["Jumlah", *_visits(pack.agencies.total)], []]
        + [["Instansi", *VISIT_HEAD]]
        + [[r.label, *_visits(r)] for r in pack.agencies.rows],
    )
    h = pack.hours
    _sheet(
        wb.create_sheet("3 Jam layanan"),
        f"Kepatuhan jam layanan (toleransi {h.grace_minutes} menit)",
        pack,
        ["Bulan", *HOURS_HEAD],
        [[r.label, *_hours(r)] for r in h.months]
        + [["Jumlah", *_hours(h.total)], [], ["Loket", *HOURS_HEAD]]
        + [[r.label, *_hours(r)] for r in h.counters],
    )
    skm = pack.skm
    skm_rows: list[list[Any]] = [["Unit pelayanan", skm.overall.respondents, *_ikm(skm.overall)]]
    for title, rows in (("Instansi", "agency"), ("Layanan", "service"), ("Bulan", "month")):
        skm_rows.append([])
        skm_rows.append([title, "Responden", "IKM", "Mutu"])
        skm_rows += [[r.label, r.respondents, *_ikm(r)] for r in skm.groups.get(rows, [])]
    skm_rows += [[], ["Unit", "Unsur", "Tindak lanjut", "Penanggung jawab", "Batas waktu"]]
    skm_rows[-1] += ["Status", "Bukti"]
    for u in pack.followups:
        skm_rows += [
            [
                u.label,
                a.unsur,
                a.what,
                a.who,
                a.due.isoformat(),
                STATUS_ID.get(a.status, a.status),
                a.evidence or "",
            ]
            for a in u.followup.actions
        ]
    skm_rows += [[], [PUBLISHED_AT]]
    _sheet(
        wb.create_sheet("4 SKM"),
        "Survei Kepuasan Masyarakat dan tindak lanjutnya",
        pack,
        ["Unit", "Responden", "IKM", "Mutu"],
        skm_rows,
    )
    _sheet(
        wb.create_sheet("5 Pengaduan"),
        f"Pengaduan (target tanggapan {pack.complaints.target_days} hari kerja)",
        pack,
        ["Instansi", *COMPLAINT_HEAD],
        [[r.label, *_complaint(r)] for r in [*pack.complaints.rows, pack.complaints.total]]
        + [[], ["Saluran", *COMPLAINT_HEAD]]
        + [[r.label, *_complaint(r)] for r in [*pack.channels.rows, pack.channels.total]],
    )
    _sheet(
        wb.create_sheet("6 Kelompok prioritas"),
        "Pelayanan kelompok rentan (antrean prioritas)",
        pack,
        ["Kelompok", *PRIORITY_HEAD],
        [[r.label, *_priority(r)] for r in pack.priority.rows]
        + [["Jumlah", *_priority(pack.priority.total)]],
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# -- the download ------------------------------------------------------------------


def _name(pack: EvidencePack) -> str:
    return f"bukti-evaluasi-{pack.date_from.isoformat()}-{pack.date_to.isoformat()}"


def evidence_zip(pack: EvidencePack, pdf: bytes) -> bytes:
    """The PDF, the workbook and the pictures (under gambar/), with fixed timestamps so
    the same pack is the same bytes."""
    buf = io.BytesIO()
    stamp = (pack.date_to.year, pack.date_to.month, pack.date_to.day, 0, 0, 0)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        members = [
            (f"{_name(pack)}.pdf", pdf),
            (f"{_name(pack)}.xlsx", evidence_xlsx(pack)),
            *((f"gambar/{p.name}", p.data) for p in pack.pictures),
        ]
        for name, data in members:
            z.writestr(zipfile.ZipInfo(name, date_time=stamp), data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def evidence_download(
    store: Store,
    site: Site,
    start: str | None,
    end: str | None,
    fmt: str | None,
    data_dir: str,
) -> documents.Download:
    """The pack of the period as sent (text; checked as the reports check a period), as
    the API, the console's reports page and `antrian report evidence` all give it. The
    pictures are the files of `<data_dir>/evidence/` (no data directory: none)."""
    asked, chosen = evidence_query(start, end, fmt)
    folder = Path(data_dir) / "evidence" if data_dir else None
    with store.read() as s:
        pack = evidence_pack(s, site, asked.date_from, asked.date_to, folder)
    pdf = evidence_pdf(pack, site, business_day(site.tz, utcnow()))
    if chosen == "pdf":
        return documents.Download(pdf, f"{_name(pack)}.pdf")
    return documents.Download(evidence_zip(pack, pdf), f"{_name(pack)}.zip")
