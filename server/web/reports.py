"""Console pages of the reports room: the floor, live, and the reports with their charts.

No rules here: the floor page and GET /api/v1/floor call floor_view; the reports page,
its downloads, GET /api/v1/reports/summary and `antrian report summary` call
summary_report and render_summary.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from server.access.deps import get_ctx
from server.documents import MEDIA
from server.evidence.exports import evidence_download
from server.problems import Problem, field_errors
from server.reports.exports import (
    GROUP_NAMES_ID,
    WEEKDAYS_SHORT_ID,
    id_period,
    summary_download,
)
from server.reports.summary import (
    GROUPS,
    PERIODS,
    SummaryQuery,
    SummaryReport,
    summary_query,
    summary_report,
)
from server.reports.views import Floor, floor_view
from server.web.i18n import add_words
from server.web.menu import CONSOLE, menu
from server.web.render import page, render
from server.web.session import ConsoleDep, Visitor
from shared.timeutil import business_day, utcnow

router = APIRouter()
menu(20, "/console/floor", "floor", CONSOLE)
menu(30, "/console/reports", "reports", CONSOLE)

add_words(
    {
        "floor_title": ("Pantauan langsung", "Live floor view"),
        "waiting_now": ("Menunggu", "Waiting"),
        "longest_wait": ("Tunggu terlama (menit)", "Longest wait (min)"),
        "served_today": ("Dilayani hari ini", "Served today"),
        "mean_wait_hour": (
            "Rata-rata tunggu, 1 jam terakhir (menit)",
            "Mean wait, last hour (min)",
        ),
        "service_level": ("Tingkat layanan", "Service level"),
        "quota_left_now": ("Sisa kuota", "Quota left"),
        "agency": ("Instansi", "Agency"),
        "service": ("Layanan", "Service"),
        "counter": ("Loket", "Counter"),
        "officer": ("Petugas", "Officer"),
        "ticket": ("Nomor", "Ticket"),
        "minutes_column": ("Menit", "Minutes"),
        "st_open": ("Buka", "Open"),
        "st_paused": ("Jeda", "Paused"),
        "st_closed": ("Tutup", "Closed"),
        "serving_for": ("melayani {n} mnt", "serving {n} min"),
        "idle_for": ("kosong {n} mnt", "idle {n} min"),
        "paused_for": ("jeda {n} mnt", "paused {n} min"),
        "alerts": ("Peringatan", "Alerts"),
        "alert_wait": ("Tunggu lama", "Long wait"),
        "alert_pause": ("Jeda lama", "Long pause"),
        "alert_quota": ("Kuota", "Quota"),
        "alert_printer": ("Printer", "Printer"),
        "alert_silent": ("Tak terdengar", "Silent"),
        "alert_help": ("Butuh bantuan", "Help needed"),
        "no_alerts": ("Tidak ada peringatan", "No alerts"),
        "alert_since": ("sejak {t}", "since {t}"),
        "alert_ended": ("{a} s.d. {b}", "{a} to {b}"),
        "devices_state": ("Perangkat", "Devices"),
        "updated_at": ("Diperbarui {t}", "Updated {t}"),
        "reports_title": ("Laporan kinerja pelayanan", "Service performance report"),
        "period": ("Periode", "Period"),
        "p_day": ("Hari", "Day"),
        "p_week": ("Minggu", "Week"),
        "p_month": ("Bulan", "Month"),
        "p_custom": ("Dari-sampai", "From-to"),
        "date_from": ("Tanggal", "Date"),
        "date_to": ("Sampai", "To"),
        "group_by": ("Dikelompokkan per", "Grouped by"),
        "show": ("Tampilkan", "Show"),
        "download": ("Unduh", "Download"),
        "issued": ("Diterbitkan", "Issued"),
        "served": ("Dilayani", "Served"),
        "no_show": ("Tidak hadir", "No-show"),
        "cancelled": ("Batal", "Cancelled"),
        "transferred": ("Dialihkan", "Transferred"),
        "online": ("Daring", "Online"),
        "priority_share": ("Prioritas %", "Priority %"),
        "wait": ("Tunggu (mnt)", "Wait (min)"),
        "service_time": ("Layanan (mnt)", "Service (min)"),
        "building": ("Di gedung (mnt)", "In the building (min)"),
        "mean_median_p90": ("rata-rata / median / p90", "mean / median / p90"),
        "sl_pct": ("Tingkat layanan %", "Service level %"),
        "total": ("Jumlah", "Total"),
        "apart": ("Dihitung tersendiri", "Counted apart"),
        "stopped_unserved": (
            "Antrean tak terlayani karena layanan dihentikan",
            "Tickets never served because their service was stopped",
        ),
        "stopped_none": ("Tidak ada layanan yang dihentikan.", "No service was stopped."),
        "stopped_line": (
            "{day}: {name}, {reason}: {n} antrean",
            "{day}: {name}, {reason}: {n} tickets",
        ),
        "help_asked": ("Panggilan \u201cButuh bantuan\u201d", "\u201cNeed help\u201d calls"),
        "help_taken": ("Ditangani petugas", "Taken by an officer"),
        "help_median": ("Median waktu sampai ditangani (mnt)", "Median time to take (min)"),
        "chart_per_day": ("Antrean per hari", "Tickets per day"),
        "chart_arrivals": ("Kedatangan per jam menurut hari", "Arrivals by hour and weekday"),
        "chart_wait": ("Sebaran waktu tunggu (menit)", "Waiting-time distribution (minutes)"),
        "g_agency": ("Instansi", "Agency"),
        "g_service": ("Layanan", "Service"),
        "g_counter": ("Loket", "Counter"),
        "g_officer": ("Petugas", "Officer"),
        "g_hour": ("Jam", "Hour"),
        "g_weekday": ("Hari", "Weekday"),
        "g_priority_group": ("Kelompok prioritas", "Priority group"),
        "evidence_title": ("Berkas bukti evaluasi (PEKPPP)", "Evaluation evidence pack"),
        "evidence_note": (
            "Sarana antrean, pengunjung, jam layanan, SKM, pengaduan dan kelompok"
            " prioritas untuk periode di atas, dengan kop dan tanda tangan.",
            "Queue facilities, visitors, service hours, SKM, complaints and priority"
            " groups for the period above, with letterhead and signature.",
        ),
        "evidence_zip": ("ZIP (PDF, Excel, gambar)", "ZIP (PDF, Excel, pictures)"),
    }
)


def _floor(request: Request) -> Floor:
    ctx = request.app.state.ctx
    with ctx.store.read() as s:
        return floor_view(s, ctx.site, utcnow())


@router.get("/console/floor", response_class=HTMLResponse)
async def floor_page(request: Request, visitor: ConsoleDep) -> HTMLResponse:
    floor = await run_in_threadpool(_floor, request)
    return page(request, "console/floor.html", visitor, floor=floor)


@router.get("/console/floor/live", response_class=HTMLResponse)
async def floor_fragment(request: Request, visitor: ConsoleDep) -> HTMLResponse:
    """The floor's body alone: what the page swaps in after each event."""
    floor = await run_in_threadpool(_floor, request)
    text = render("console/floor_live.html", visitor.lang, floor=floor)
    return HTMLResponse(text, headers={"Cache-Control": "no-store"})


def _query(request: Request) -> SummaryQuery:
    """The reports page's form as sent, read and checked by the reports room (the same
    function as the API's and the command line's); the form opens on today's month."""
    q = request.query_params
    ctx = request.app.state.ctx
    return summary_query(
        start=q.get("from"),
        end=q.get("to"),
        group=q.get("group"),
        period=q.get("period", "month"),
        today=business_day(ctx.site.tz),
    )


async def _reports_page(
    request: Request, visitor: Visitor, problem: Problem | None = None
) -> HTMLResponse:
    """The report of the form's period, or the form as sent with its problem in the page's
    language (the API's answer to the same query: the same code and fields)."""
    ctx = await get_ctx(request)
    report: SummaryReport | None = None
    asked: SummaryQuery | None = None
    if problem is None:
        try:
            asked = _query(request)
        except Problem as refused:
            problem = refused
    q = request.query_params
    form = {  # the form as sent, or as the room read it
        "kind": q.get("period", "month"),
        "date_from": q.get("from", ""),
        "date_to": q.get("to", ""),
        "group": q.get("group", "service"),
    }
    if asked is not None:
        query = asked

        def build() -> SummaryReport:
            with ctx.store.read() as s:
                return summary_report(
                    s, ctx.site, query.date_from, query.date_to, query.group, charts=True
                )

        report = await run_in_threadpool(build)
        form.update(
            kind=asked.kind,
            date_from=asked.date_from.isoformat(),
            date_to=asked.date_to.isoformat(),
            group=asked.group,
        )
    charts = "{}"
    if report is not None and report.charts is not None:
        c = report.charts
        charts = json.dumps(
            {
                "days": [d.day.isoformat() for d in c.per_day],
                "issued": [d.issued for d in c.per_day],
                "served": [d.served for d in c.per_day],
                "arrivals": c.arrivals,
                "weekdays": list(WEEKDAYS_SHORT_ID),
                "wait": c.wait_buckets,
            }
        ).replace("<", "\\u003c")  # inside <script>: never a closing tag
    return page(
        request,
        "console/reports.html",
        visitor,
        status=problem.status if problem else 200,
        report=report,
        problem=problem,
        errors=field_errors(problem, visitor.lang) if problem else {},
        **form,
        groups=GROUPS,
        periods=PERIODS,
        group_names=GROUP_NAMES_ID,
        period_text=id_period(report) if report else "",
        charts_json=charts,
        formats=list(MEDIA),
    )


@router.get("/console/reports", response_class=HTMLResponse)
async def reports_page(request: Request, visitor: ConsoleDep) -> HTMLResponse:
    return await _reports_page(request, visitor)


@router.get("/console/reports/download")
async def reports_download(request: Request, visitor: ConsoleDep) -> Response:
    """The page's download buttons: the same files as GET /api/v1/reports/summary; a query
    that cannot be answers the page with its problem."""
    ctx = await get_ctx(request)
    fmt = request.query_params.get("format", "csv")
    try:
        q = _query(request)
        got = await run_in_threadpool(
            summary_download, ctx.store, ctx.site, q.date_from, q.date_to, q.group, fmt
        )
    except Problem as problem:
        return await _reports_page(request, visitor, problem)
    return Response(got.data, media_type=got.media, headers=got.headers)


@router.get("/console/reports/evidence")
async def evidence_download_page(request: Request, visitor: ConsoleDep) -> Response:
    """The page's evidence pack buttons: the same file as GET /api/v1/reports/evidence; a
    period that cannot be answers the reports page with its problem."""
    ctx = await get_ctx(request)
    q = request.query_params
    try:
        got = await run_in_threadpool(
            evidence_download,
            ctx.store,
            ctx.site,
            q.get("from"),
            q.get("to"),
            q.get("format"),
            ctx.settings.data_dir,
        )
    except Problem as problem:
        return await _reports_page(request, visitor, problem)
    return Response(got.data, media_type=got.media, headers=got.headers)
