"""The public information page (`/info/`, also on the public listener): what the MPP
publishes, laid out for a phone. The view is server/info/views.py's, the same as GET
/api/v1/info; each language's page is rendered at most once per Published.ttl seconds."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from server.info.views import PublicInfo, Published, current
from server.skm.results import id_number
from server.web.i18n import add_words
from server.web.render import layout_text, text_answer
from server.web.session import language
from shared.timeutil import format_date, format_time

router = APIRouter()

add_words(
    {
        "info_title": ("Informasi Pelayanan", "Service information"),
        "info_updated": ("Diperbarui {time} {zone}", "Updated {time} {zone}"),
        "info_open_now": ("Buka sekarang", "Open now"),
        "info_closed_now": ("Tutup sekarang", "Closed now"),
        "info_opens_at": ("buka lagi {when}", "opens {when}"),
        "info_jump": ("Pilih instansi", "Go to an agency"),
        "info_hours": ("Jam layanan", "Opening hours"),
        "info_closed": ("Tutup", "Closed"),
        "info_open": ("Buka", "Open"),
        "info_skm_short": ("SKM", "SKM"),
        "info_agency_skm": ("IKM {ikm} ({n} responden)", "IKM {ikm} ({n} respondents)"),
        "info_agency_complaints": (
            "Pengaduan {year}: {received} diterima, {answered} dijawab",
            "Complaints {year}: {received} received, {answered} answered",
        ),
        "info_holidays": ("Hari libur berikutnya", "Coming holidays"),
        "info_no_holidays": ("Tidak ada yang dijadwalkan.", "None scheduled."),
        "info_skm": ("Survei Kepuasan Masyarakat (SKM)", "Public satisfaction survey (SKM)"),
        "info_ikm": ("Indeks (IKM)", "Index (IKM)"),
        "info_grade": ("Mutu pelayanan", "Service quality"),
        "info_respondents": ("{n} responden, tahun {year}", "{n} respondents, {year}"),
        "info_no_skm": ("Belum ada hasil survei.", "No survey results yet."),
        "info_actions": ("Tindak lanjut hasil SKM", "What is done about it"),
        "info_action_planned": ("Direncanakan", "Planned"),
        "info_action_in_progress": ("Sedang dikerjakan", "In progress"),
        "info_action_done": ("Selesai", "Done"),
        "info_due": ("target {day}", "due {day}"),
        "info_complaints": ("Pengaduan tahun {year}", "Complaints in {year}"),
        "info_received": ("Diterima", "Received"),
        "info_answered": ("Dijawab", "Answered"),
        "info_resolved": ("Tuntas", "Resolved"),
        "info_median": ("Median hari kerja sampai dijawab", "Median working days to answer"),
        "info_target": (
            "Setiap pengaduan dijawab paling lambat {days} hari kerja.",
            "Every complaint is answered within {days} working days.",
        ),
        "info_channels": ("Cara menyampaikan pengaduan", "How to complain"),
        "info_channel_web": ("Formulir daring", "Online form"),
        "info_channel_desk": ("Meja informasi di gedung", "The information desk in the building"),
        "info_channel_ticket_page": (
            "Halaman tiket (kode QR pada tiket)",
            "Your ticket's page (the QR code on the ticket)",
        ),
        "info_channel_skm": ("Kotak saran pada survei SKM", "The suggestion box of the survey"),
        "info_waiting": ("Menunggu", "Waiting"),
        "info_served": ("Dilayani hari ini", "Served today"),
        "info_wait": ("Perkiraan tunggu", "Expected wait"),
        "info_wait_minutes": ("± {n} menit", "about {n} min"),
        "info_no_wait": ("tanpa antre", "no wait"),
        "info_no_counter": ("belum ada loket buka", "no counter open yet"),
        "info_standard": ("Standar pelayanan", "Service standard"),
        "info_no_standard": (
            "Standar pelayanan belum diterbitkan.",
            "The service standard is not published yet.",
        ),
        "std_requirements": ("Persyaratan", "Requirements"),
        "std_procedure": ("Sistem, mekanisme dan prosedur", "Procedure"),
        "std_time": ("Jangka waktu penyelesaian", "Time to complete"),
        "std_cost": ("Biaya/tarif", "Cost"),
        "std_product": ("Produk pelayanan", "Product"),
        "std_complaints": ("Penanganan pengaduan, saran dan masukan", "Complaints and suggestions"),
        "info_json": ("Data ini dalam JSON", "This data as JSON"),
    }
)


class Shown:
    """Formatting for the page's language (no arithmetic: figures come from the view)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def number(self, value: float | int | None, places: int = 2) -> str:
        if value is None:
            return "—"
        if self.lang == "en":
            return f"{value:,.{places}f}"
        return id_number(Decimal(str(value)), places)

    def day(self, value: date) -> str:
        return format_date(value, self.lang)

    def time(self, value: datetime) -> str:
        return format_time(value, self.lang)


def _page(request: Request, view: PublicInfo, lang: str) -> str:
    return layout_text(
        request,
        "info/page.html",
        None,
        lang,
        info=view,
        shown=Shown(lang),
        year=view.business_day.year,
    )


async def _view(published: Published, request: Request) -> PublicInfo:
    hit = published.fresh("view")
    if hit is not None:
        return hit
    return await run_in_threadpool(current, published, request.app.state.ctx)


@router.get("/info", include_in_schema=False)
async def info_bare() -> Response:
    return RedirectResponse("/info/", status_code=308)


@router.get("/info/", response_class=HTMLResponse)
async def info_page(request: Request) -> Response:
    lang = language(request)
    published: Published = request.app.state.published
    text: str | None = published.fresh(f"page:{lang}")
    if text is None:
        view = await _view(published, request)
        text = await run_in_threadpool(
            published.get, f"page:{lang}", lambda: _page(request, view, lang)
        )
    return text_answer(request, text, lang)
