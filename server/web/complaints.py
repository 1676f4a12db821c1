"""Pengaduan's pages: the public form (`/pengaduan/`, beside booking, also on the public
listener) and its follow-up page (`/pengaduan/{token}`); the console's register
(`/console/complaints`) with its figures and downloads.

No rules here: the same functions as the JSON routes (server/complaints/register.py).
The public form's CSRF token derives from the booking pages' random cookie (another
purpose), so another site's page can neither send it nor compute it.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from server.access.deps import get_ctx
from server.complaints import exports, figures, register, rules, views
from server.complaints.register import ComplaintChange, ComplaintRequest, Filters
from server.problems import Problem, field_errors
from server.skm.report import suggestion_of
from server.web.forms import answer_form, download, uploaded
from server.web.i18n import add_words
from server.web.menu import CONSOLE, menu
from server.web.render import page
from server.web.session import BOOKING_COOKIE, ConsoleDep, csrf_for, language
from shared.timeutil import business_day, format_date, utcnow

router = APIRouter()
CSRF_PURPOSE = "complaint-csrf"
menu(40, "/console/complaints", "complaints", CONSOLE)

add_words(
    {
        "complaints": ("Pengaduan", "Complaints"),
        "cp_title": ("Sampaikan Pengaduan", "Make a complaint"),
        "cp_intro": (
            "Sampaikan keluhan Anda tentang pelayanan di MPP. Setiap pengaduan dicatat,"
            " ditindaklanjuti oleh instansi terkait, dan dijawab.",
            "Tell us what went wrong with a service at the MPP. Every complaint is recorded,"
            " followed up by the agency concerned, and answered.",
        ),
        "cp_agency": ("Instansi", "Agency"),
        "cp_choose_agency": ("Pilih instansi", "Choose an agency"),
        "cp_service": ("Layanan (jika tahu)", "Service (if you know it)"),
        "cp_any_service": ("Tidak tahu / umum", "Not sure / general"),
        "cp_text": ("Isi pengaduan", "Your complaint"),
        "cp_text_help": (
            "Apa yang terjadi, kapan, di loket mana. Paling banyak 2.000 karakter.",
            "What happened, when, at which counter. At most 2,000 characters.",
        ),
        "cp_contact": ("Nomor HP atau e-mail (tidak wajib)", "Phone or e-mail (optional)"),
        "cp_contact_help": (
            "Hanya untuk menghubungi Anda bila perlu; tidak ditampilkan, dihapus setelah"
            " masa simpan.",
            "Only to reach you if needed; never shown, erased after the retention period.",
        ),
        "cp_send": ("Kirim pengaduan", "Send the complaint"),
        "cp_ticket": ("Tentang tiket {code} ({service})", "About ticket {code} ({service})"),
        "cp_sent": ("Pengaduan Anda sudah kami terima.", "We have received your complaint."),
        "cp_keep_link": (
            "Simpan tautan halaman ini: di sini Anda melihat tindak lanjut dan jawabannya.",
            "Keep this page's link: here you see the follow-up and the answer.",
        ),
        "cp_reference": ("Nomor pengaduan", "Complaint number"),
        "cp_due": (
            "Target jawaban: {days} hari kerja, paling lambat {due}.",
            "We aim to answer within {days} working days, by {due}.",
        ),
        "cp_answer": ("Jawaban", "Answer"),
        "cp_no_answer": ("Belum ada jawaban.", "No answer yet."),
        "cp_unknown": ("Pengaduan tidak ditemukan.", "No complaint at this link."),
        "cp_state_received": ("Diterima", "Received"),
        "cp_state_in_process": ("Diproses", "In process"),
        "cp_state_answered": ("Dijawab", "Answered"),
        "cp_state_closed": ("Selesai", "Closed"),
        "cp_new": ("Pengaduan baru", "New complaint"),
        "cp_make": ("Sampaikan pengaduan", "Make a complaint"),
        "cp_busy": (
            "Terlalu banyak permintaan. Silakan coba lagi sebentar lagi.",
            "Too many requests. Please try again in a moment.",
        ),
        "cp_bad_ticket": ("Tiket ini tidak dikenal.", "This ticket is not known."),
        "cp_register": ("Register Pengaduan", "Complaint register"),
        "cp_filter_status": ("Status", "Status"),
        "cp_all": ("Semua", "All"),
        "cp_overdue_only": ("Hanya yang lewat target", "Overdue only"),
        "cp_show": ("Tampilkan", "Show"),
        "cp_overdue": ("Lewat target", "Overdue"),
        "cp_filed": ("Diterima", "Filed"),
        "cp_channel": ("Saluran", "Channel"),
        "cp_contact_masked": ("Kontak", "Contact"),
        "cp_assignee": ("Penanggung jawab", "Handled by"),
        "cp_lapor": ("Nomor LAPOR!", "LAPOR! number"),
        "cp_save": ("Simpan", "Save"),
        "cp_saved": ("Pengaduan {ref} tersimpan.", "Complaint {ref} saved."),
        "cp_recorded": ("Pengaduan {ref} dicatat.", "Complaint {ref} recorded."),
        "cp_record": (
            "Catat pengaduan (surat, telepon, media sosial)",
            "Record a complaint (letter, phone, social media)",
        ),
        "cp_figures": ("Rekapitulasi", "Figures"),
        "cp_received": ("Diterima", "Received"),
        "cp_answered": ("Dijawab", "Answered"),
        "cp_closed": ("Selesai", "Closed"),
        "cp_within": ("Tepat waktu", "Within target"),
        "cp_median": ("Median hari", "Median days"),
        "cp_p90": ("p90 hari", "p90 days"),
        "cp_resolved": ("Terselesaikan (%)", "Resolved (%)"),
        "cp_download_register": ("Unduh register", "Download the register"),
        "cp_download_figures": ("Unduh rekapitulasi", "Download the figures"),
        "cp_none": ("Belum ada pengaduan.", "No complaints."),
        "cp_due_day": ("Batas", "Due"),
        "cp_ch_desk": ("Meja informasi", "Information desk"),
        "cp_ch_ticket_page": ("Halaman tiket", "Ticket page"),
        "cp_ch_web": ("Formulir daring", "Online form"),
        "cp_ch_skm": ("Saran SKM", "Survey suggestion"),
        "cp_ch_letter": ("Surat", "Letter"),
        "cp_ch_phone": ("Telepon", "Phone"),
        "cp_ch_social": ("Media sosial", "Social media"),
        "cp_total": ("Jumlah", "Total"),
        "cp_reveal": ("Lihat lengkap", "Show in full"),
        "cp_promote": ("Jadikan pengaduan", "Make it a complaint"),
        "cp_evidence_file": (
            "Lampiran jawaban: foto (JPEG, PNG) atau PDF, paling besar 5 MB",
            "Attach to the answer: a photo (JPEG, PNG) or a PDF, at most 5 MB",
        ),
        "cp_attached": ("Lampiran", "Attachment"),
        "cp_promoted": ("Sudah menjadi pengaduan", "Made a complaint:"),
        "cp_ticket_of": ("Tiket {code}", "Ticket {code}"),
        "cp_only": ("Hanya {what}", "Only {what}"),
        "cp_show_all": ("Tampilkan semua", "Show all"),
        "tk_title": ("Tiket {code}", "Ticket {code}"),
        "tk_day": ("Hari layanan", "Business day"),
        "tk_service": ("Layanan", "Service"),
        "tk_status": ("Status", "Status"),
        "tk_issued": ("Ambil tiket", "Issued"),
        "tk_called": ("Dipanggil", "Called"),
        "tk_serving": ("Mulai dilayani", "Served from"),
        "tk_finished": ("Selesai", "Finished"),
        "tk_counter": ("Loket", "Counter"),
        "tk_officer": ("Petugas", "Officer"),
        "tk_recalls": ("Dipanggil ulang", "Recalls"),
        "tk_priority": ("Prioritas", "Priority"),
        "tk_unknown": ("Tiket tidak ditemukan", "No such ticket"),
        "tk_transferred": ("Dialihkan dari tiket", "Transferred from ticket"),
        "tk_complaints": ("Pengaduan tentang tiket ini", "Complaints about this ticket"),
        "tk_state_waiting": ("Menunggu", "Waiting"),
        "tk_state_called": ("Dipanggil", "Called"),
        "tk_state_serving": ("Sedang dilayani", "Being served"),
        "tk_state_done": ("Selesai dilayani", "Done"),
        "tk_state_no_show": ("Tidak hadir", "No-show"),
        "tk_state_transferred": ("Dialihkan", "Transferred"),
        "tk_state_cancelled": ("Dibatalkan", "Cancelled"),
        "cp_open_count": ("{n} pengaduan belum selesai dijawab", "{n} complaints not yet answered"),
        "cp_overdue_count": ("{n} lewat target", "{n} overdue"),
        "cp_from": ("Dari", "From"),
        "cp_to": ("Sampai", "To"),
    }
)


# -- the public form and its follow-up ---------------------------------------------------


def _cookie(request: Request) -> str:
    return request.cookies.get(BOOKING_COOKIE) or secrets.token_urlsafe(24)


def _public(request: Request, template: str, *, status: int = 200, **values: object) -> Response:
    cookie = _cookie(request)
    answer = page(
        request, template, None, status=status, csrf=csrf_for(cookie, CSRF_PURPOSE), **values
    )
    if request.cookies.get(BOOKING_COOKIE) != cookie:
        answer.set_cookie(BOOKING_COOKIE, cookie, httponly=True, samesite="strict", max_age=86400)
    answer.headers["Content-Language"] = language(request)
    return answer


def _ticket_of(request: Request, ticket_page: str) -> dict[str, str] | None:
    """The ticket a visitor came from (their page's token), for the form to name it."""
    ctx = request.app.state.ctx
    ticket_id = ctx.pages.ticket_id(ticket_page) if ticket_page else None
    if ticket_id is None:
        return None
    from server.store.tables import TicketRow

    with ctx.store.read() as s:
        row = s.get(TicketRow, ticket_id)
        if row is None:
            return None
    found = ctx.site.services.get(row.service)
    return {"code": row.code, "service": found[1].name if found else row.service}


async def _form_page(
    request: Request,
    *,
    form: dict[str, str] | None = None,
    problem: Problem | None = None,
) -> Response:
    ctx = await get_ctx(request)
    lang = language(request)
    form = form or {"ticket_page": request.query_params.get("t", "")}
    ticket = await run_in_threadpool(_ticket_of, request, form.get("ticket_page", ""))
    errors = field_errors(problem, lang) if problem is not None and problem.status == 422 else {}
    notice = ""
    if problem is not None and not errors:
        notice = {"rate_limited": "cp_busy", "unknown_ticket_page": "cp_bad_ticket"}.get(
            problem.code, ""
        )
        notice = notice or (problem.message if lang == "en" else "cp_busy")
    return _public(
        request,
        "complaints/form.html",
        status=problem.status if problem is not None else 200,
        form=form,
        errors=errors,
        notice=notice,
        ticket=ticket,
        agencies=views.agency_choices(ctx.site, lang),
        services=views.service_choices(ctx.site, lang),
        text_max=rules.TEXT_MAX,
    )


@router.get("/pengaduan")
async def form_root() -> Response:
    return RedirectResponse("/pengaduan/", status_code=308)


@router.get("/pengaduan/", response_class=HTMLResponse)
async def complaint_form(request: Request) -> Response:
    return await _form_page(request)


@router.post("/pengaduan/", response_class=HTMLResponse)
async def send(
    request: Request,
    agency: Annotated[str, Form(max_length=32)] = "",
    service: Annotated[str, Form(max_length=32)] = "",
    text: Annotated[str, Form(max_length=20_000)] = "",
    contact: Annotated[str, Form(max_length=200)] = "",
    ticket_page: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    ctx = await get_ctx(request)
    lang = language(request)
    form = {"agency": agency, "service": service, "text": text, "contact": contact,
            "ticket_page": ticket_page}  # fmt: skip
    address = request.client.host if request.client else "?"

    def act() -> register.ComplaintCreated:
        ctx.complaint_limits.take(address, ctx.settings)
        body = ComplaintRequest(
            agency=agency or None,
            service=service or None,
            text=text,
            contact=contact or None,
            ticket_page=ticket_page or None,
        )
        return register.file(ctx.store, ctx.site, ctx.pages, None, body, utcnow())

    async def again(problem: Problem) -> Response:
        return await _form_page(request, form=form, problem=problem)

    return await answer_form(act, lambda made: f"/pengaduan/{made.token}?lang={lang}&new=1", again)


@router.get("/pengaduan/{token}", response_class=HTMLResponse)
async def follow_up(request: Request, token: str) -> Response:
    ctx = await get_ctx(request)
    try:
        found = await run_in_threadpool(register.lookup, ctx.store, ctx.site, token)
    except Problem:
        return _public(request, "complaints/missing.html", status=404)
    view = views.follow_up_view(ctx.site, found, language(request))
    return _public(
        request,
        "complaints/follow_up.html",
        new=request.query_params.get("new") == "1",
        token=token,
        **view,
    )


# -- the console's register --------------------------------------------------------------


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _row_id(value: str | None) -> int | None:
    """A row's id as the address gives it, or None (a filter that is not one is no filter)."""
    if not value or not value.isdigit() or value.startswith("0") or len(value) > 10:
        return None
    found = int(value)
    return found if found <= 2**31 - 1 else None


@router.get("/console/complaints", response_class=HTMLResponse)
async def console_register(request: Request, visitor: ConsoleDep) -> Response:
    return await _register_page(request, visitor)


async def _register_page(
    request: Request,
    visitor: Any,
    *,
    status: int = 200,
    problem: Problem | None = None,
    form: dict[str, str] | None = None,
    editing: int | None = None,
) -> Response:
    ctx = await get_ctx(request)
    site = ctx.site
    q = request.query_params
    now = utcnow()
    today = business_day(site.tz, now)
    start = _day(q.get("from")) or today.replace(day=1)
    end = _day(q.get("to")) or today
    wanted = q.get("status") if q.get("status") in rules.STATES else None
    filters = Filters(
        status=wanted,
        agency=q.get("agency") or None,
        date_from=_day(q.get("from")),
        date_to=_day(q.get("to")),
        overdue=q.get("overdue") == "1",
        ticket_id=_row_id(q.get("ticket")),
        reference=(q.get("ref") or "")[:32] or None,
    )

    def read() -> tuple[list[register.ComplaintEntry], figures.ComplaintFigures | None, list[str]]:
        entries = register.listing(site_store, site, visitor.who, filters, now, "console")
        with site_store.read() as s:
            try:
                made = figures.figures(s, site, start, end, q.get("group") or "agency")
            except Problem:
                made = None
            from sqlalchemy import select

            from server.store.tables import OfficerRow

            people = list(
                s.scalars(
                    select(OfficerRow.username)
                    .where(OfficerRow.active, OfficerRow.role.in_(("supervisor", "admin")))
                    .order_by(OfficerRow.username)
                )
            )
        return entries, made, people

    site_store = ctx.store
    entries, made, people = await run_in_threadpool(read)
    revealed: dict[int, str] = {}
    reveal = q.get("reveal", "")
    if reveal.isdigit() and 1 <= int(reveal) <= 2**31 - 1:
        try:
            shown = await run_in_threadpool(
                register.contact_of, ctx.store, site, visitor.who, int(reveal), now, "console"
            )
            revealed[int(reveal)] = shown.contact or "-"
        except Problem:
            pass  # not theirs, or gone: the masked form stays
    lang = visitor.lang
    errors = field_errors(problem, lang) if problem is not None else {}
    query = urlencode(
        {k: v for k, v in q.items() if k in ("from", "to", "status", "agency", "ticket", "ref")}
    )
    return page(
        request,
        "complaints/register.html",
        visitor,
        status=status,
        entries=entries,
        report=made,
        start=start.isoformat(),
        end=end.isoformat(),
        filters=filters,
        states=rules.STATES,
        staff_channels=("letter", "phone", "social", "desk", "skm"),
        agencies=views.agency_choices(site, lang),
        services=views.service_choices(site, lang),
        people=people,
        errors=errors,
        problem=problem.message if problem is not None and not errors else "",
        form=form or {},
        editing=editing,
        notice=q.get("saved", ""),
        query=query,
        group=q.get("group") or "agency",
        when=lambda at: views.when(site, at, lang),
        day=lambda d: format_date(d, lang) if d else "",
        revealed=revealed,
    )


@router.post("/console/complaints", response_class=HTMLResponse)
async def console_record(
    request: Request,
    visitor: ConsoleDep,
    agency: Annotated[str, Form(max_length=32)] = "",
    service: Annotated[str, Form(max_length=32)] = "",
    text: Annotated[str, Form(max_length=20_000)] = "",
    contact: Annotated[str, Form(max_length=200)] = "",
    channel: Annotated[str, Form(max_length=16)] = "letter",
) -> Response:
    """A complaint that came by letter, phone or social media, recorded for the citizen."""
    ctx = await get_ctx(request)
    form = {"agency": agency, "service": service, "text": text, "contact": contact,
            "channel": channel}  # fmt: skip

    def act() -> register.ComplaintCreated:
        body = ComplaintRequest(
            agency=agency or None, service=service or None, text=text,
            contact=contact or None, channel=channel,
        )  # fmt: skip
        return register.file(ctx.store, ctx.site, ctx.pages, visitor.who, body, utcnow())

    async def again(problem: Problem) -> Response:
        return await _register_page(
            request, visitor, status=problem.status, problem=problem, form=form
        )

    return await answer_form(act, lambda made: f"/console/complaints?saved={made.reference}", again)


@router.post("/console/complaints/promote", response_class=HTMLResponse)
async def console_promote(
    request: Request, visitor: ConsoleDep, survey: Annotated[int, Form(ge=1, le=2**31 - 1)]
) -> Response:
    """An SKM suggestion becomes a complaint (channel skm, linked to its ticket), once."""
    ctx = await get_ctx(request)

    def act() -> register.ComplaintCreated:
        with ctx.store.read() as s:
            found = suggestion_of(s, survey)
        if found is None:
            raise Problem(404, "unknown_suggestion", "No suggestion in this survey.")
        body = ComplaintRequest(
            agency=found.agency, service=found.service if found.service in ctx.site.services
            else None, ticket=found.ticket_id, text=found.text, channel="skm",
        )  # fmt: skip
        return register.file(
            ctx.store, ctx.site, ctx.pages, visitor.who, body, utcnow(), found.survey_id
        )

    async def again(problem: Problem) -> Response:
        return await _register_page(request, visitor, status=problem.status, problem=problem)

    return await answer_form(act, lambda made: f"/console/complaints?saved={made.reference}", again)


@router.post("/console/complaints/{complaint_id}", response_class=HTMLResponse)
async def console_change(
    request: Request,
    visitor: ConsoleDep,
    complaint_id: int,
    status: Annotated[str, Form(max_length=16)] = "",
    assignee: Annotated[str, Form(max_length=64)] = "",
    answer: Annotated[str, Form(max_length=20_000)] = "",
    lapor_number: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Assign, answer, close, record the LAPOR! number, attach a file to the answer: the
    register's row form. Refused, the row's form is shown again as it was typed."""
    ctx = await get_ctx(request)
    file = await uploaded((await request.form()).get("evidence_file"))
    typed = {"status": status, "assignee": assignee, "answer": answer,
             "lapor_number": lapor_number}  # fmt: skip

    def act() -> register.ComplaintEntry:
        if not 1 <= complaint_id <= 2**31 - 1:
            raise Problem(404, "unknown_complaint", "No such complaint.")
        change = ComplaintChange(
            status=status or None,
            assignee=assignee or None,
            answer=answer.strip() or None,
            lapor_number=lapor_number,
        )
        return register.change(ctx.store, ctx.site, visitor.who, complaint_id, change,
                               utcnow(), "console", file)  # fmt: skip

    async def again(problem: Problem) -> Response:
        return await _register_page(
            request, visitor, status=problem.status, problem=problem, editing=complaint_id,
            form=typed,
        )  # fmt: skip

    return await answer_form(act, lambda e: f"/console/complaints?saved={e.reference}", again)


@router.get("/console/complaints/evidence/{file_id}")
async def console_evidence(request: Request, visitor: ConsoleDep, file_id: int) -> Response:
    """A file attached to a complaint's answer: its handlers only, each look audited."""
    ctx = await get_ctx(request)
    found, data = await run_in_threadpool(
        register.evidence_of, ctx.store, ctx.site, visitor.who, file_id, utcnow(), "console"
    )
    return download(found, data)


@router.get("/console/complaints/download")
async def console_download(request: Request, visitor: ConsoleDep) -> Response:
    """The register (csv|xlsx, for LAPOR!) or the figures (csv|xlsx|pdf) of a period."""
    ctx = await get_ctx(request)
    site = ctx.site
    q = request.query_params
    fmt = q.get("format", "xlsx")
    now = utcnow()
    today = business_day(site.tz, now)
    start = _day(q.get("from")) or today.replace(day=1)
    end = _day(q.get("to")) or today

    def build() -> Any:
        if q.get("what") == "register":
            if fmt not in ("csv", "xlsx"):
                raise Problem(422, "invalid_format", "format: csv or xlsx")
            filters = Filters(date_from=start, date_to=end)
            found = register.listing(ctx.store, site, visitor.who, filters, now, "console")
            return exports.register_download(site, found, fmt, today)
        if fmt not in ("csv", "xlsx", "pdf"):
            raise Problem(422, "invalid_format", "format: csv, xlsx or pdf")
        with ctx.store.read() as s:
            made = figures.figures(s, site, start, end, q.get("group") or "agency")
        return exports.download(made, fmt, site, today)

    try:
        got = await run_in_threadpool(build)
    except Problem as problem:
        return Response(problem.message, status_code=problem.status)
    return Response(got.data, media_type=got.media, headers=got.headers)
