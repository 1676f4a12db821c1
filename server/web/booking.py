"""Antrean online's pages at /booking/: agency and service, date, session, name and
phone, then the booking code and its QR code; look-up and cancel by the link given;
/booking/cari finds a booking by its code and phone (a new link to its page).

No rules here: the same functions as the JSON routes (server/booking/bookings.py).
Forms carry a CSRF token derived from a random cookie of this browser (HttpOnly,
SameSite=Strict): another site's page can neither send the cookie nor read it.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from server.access.deps import get_ctx, in_writer
from server.booking import bookings, phone_codes, rules, views
from server.notify.rules import code_sender
from server.problems import Problem
from server.web.i18n import add_words
from server.web.render import page
from server.web.session import BOOKING_COOKIE, csrf_for, language
from shared.models import BookingFindRequest, BookingRequest
from shared.timeutil import utcnow

router = APIRouter()

add_words(
    {
        "booking_title": ("Daftar Antrean Online", "Book online"),
        "choose_service_online": ("Pilih layanan", "Choose a service"),
        "choose_date": ("Pilih tanggal", "Choose a date"),
        "choose_session": ("Pilih sesi", "Choose a session"),
        "places_left": ("Sisa kuota: {n}", "Places left: {n}"),
        "full": ("Penuh", "Full"),
        "your_name": ("Nama lengkap", "Full name"),
        "your_phone": ("Nomor HP", "Phone number"),
        "your_nik": ("NIK (16 angka, sesuai KTP)", "NIK (16 digits, as on the ID card)"),
        "nik_again": (
            "Demi keamanan, NIK tidak pernah ditampilkan kembali: ketik lagi.",
            "For your safety a NIK is never shown back: please type it again.",
        ),
        "book_now": ("Daftar", "Book"),
        "booking_code": ("Kode booking", "Booking code"),
        "booked_ok": ("Pendaftaran berhasil.", "You are booked."),
        "keep_link": (
            "Simpan tautan halaman ini: dengan tautan ini Anda dapat melihat atau membatalkan"
            " booking. Tautan hilang? Cari booking dengan kodenya dan nomor HP Anda.",
            "Keep this page's link: with it you can look the booking up or cancel it. Lost"
            " the link? Find the booking by its code and your phone number.",
        ),
        "when_come": (
            "Datang {day}, pukul {start} sampai {end}",
            "Come on {day}, from {start} until {end}",
        ),
        "what_bring": ("Yang perlu dibawa", "What to bring"),
        "bring_code": (
            "Kode booking ini atau kode QR-nya (di HP atau dicetak)",
            "This booking code or its QR code (on your phone or printed)",
        ),
        "bring_ktp": ("KTP-el asli", "Your original ID card (KTP-el)"),
        "at_kiosk": (
            "Di anjungan, sentuh \u201cSudah daftar online?\u201d lalu pindai kode QR atau"
            " ketik kodenya. Tiket Anda dicetak dan Anda masuk antrean saat itu.",
            "At the kiosk, touch \u201cBooked online?\u201d, then scan the QR code or type the"
            " code. Your ticket is printed and you join the line then.",
        ),
        "session_label": ("Sesi", "Session"),
        "early_note": (
            "Check-in di anjungan bisa mulai {n} menit sebelum sesi Anda.",
            "You can check in at the kiosk from {n} minutes before your session.",
        ),
        "cancel_booking": ("Batalkan booking", "Cancel the booking"),
        "cancel_confirm": ("Batalkan booking ini?", "Cancel this booking?"),
        "status_booked": ("Terdaftar", "Booked"),
        "status_cancelled": ("Booking dibatalkan", "Booking cancelled"),
        "status_checked_in": ("Sudah check-in: tiket {code}", "Checked in: ticket {code}"),
        "status_expired": ("Sesi Anda sudah berakhir", "Your session has ended"),
        "no_dates": ("Tidak ada tanggal yang bisa dipesan.", "No dates open for booking."),
        "no_sessions": ("Tidak ada sesi lagi hari ini.", "No sessions left that day."),
        "not_found_booking": ("Booking tidak ditemukan.", "No booking at this link."),
        "back_services": ("Layanan lain", "Other services"),
        "other_date": ("Tanggal lain", "Another date"),
        "new_booking": ("Daftar lagi", "Book again"),
        "nik_kept": ("NIK: {nik}", "NIK: {nik}"),
        "sms_code": ("Kode dari SMS", "Code from the SMS"),
        "sms_send": ("Kirim kode SMS", "Send the SMS code"),
        "sms_why": (
            "Untuk memastikan nomor HP ini milik Anda, kami mengirim kode 6 angka lewat SMS.",
            "To make sure this phone is yours, we send a 6-digit code by SMS.",
        ),
        "sms_sent": (
            "Kode dikirim lewat SMS ke nomor HP Anda. Berlaku 5 menit.",
            "The code was sent by SMS to your phone. It is valid for 5 minutes.",
        ),
        "find_title": ("Cari booking Anda", "Find your booking"),
        "find_intro": (
            "Ketik kode booking dan nomor HP yang Anda berikan saat mendaftar.",
            "Type the booking code and the phone number you gave when booking.",
        ),
        "find_button": ("Cari", "Find"),
        "find_link": ("Sudah daftar? Cari booking Anda", "Booked already? Find your booking"),
        "find_no_pair": (
            "Tidak ada booking dengan kode dan nomor HP ini. Periksa keduanya lalu coba lagi.",
            "No booking has this code with this phone number. Check both and try again.",
        ),
        "form_incomplete": (
            "Lengkapi formulir: pilih sesi, isi nama dan nomor HP.",
            "Please complete the form: choose a session, give your name and phone number.",
        ),
    }
)


def _csrf(cookie: str) -> str:
    return csrf_for(cookie, "booking-csrf")


def _cookie(request: Request) -> str:
    return request.cookies.get(BOOKING_COOKIE) or secrets.token_urlsafe(24)


def _answer(
    request: Request, cookie: str, template: str, status: int = 200, **values: object
) -> Response:
    lang = language(request)
    answer = page(request, template, None, status=status, csrf=_csrf(cookie), **values)
    if request.cookies.get(BOOKING_COOKIE) != cookie:
        answer.set_cookie(BOOKING_COOKIE, cookie, httponly=True, samesite="strict", max_age=86400)
    answer.headers["Content-Language"] = lang
    return answer


@router.get("/booking")
async def booking_root() -> Response:
    return RedirectResponse("/booking/", status_code=308)


@router.get("/booking/", response_class=HTMLResponse)
async def choose_service(request: Request) -> Response:
    ctx = await get_ctx(request)
    offered = bookings.bookable_view(ctx.site, utcnow())
    return _answer(request, _cookie(request), "booking/services.html", offered=offered)


@router.get("/booking/cari", response_class=HTMLResponse)
async def find_form(request: Request) -> Response:
    return _answer(request, _cookie(request), "booking/find.html", form={}, error="")


@router.post("/booking/cari", response_class=HTMLResponse)
async def find(
    request: Request,
    code: Annotated[str, Form(max_length=40)] = "",
    phone: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    ctx = await get_ctx(request)
    lang = language(request)
    address = request.client.host if request.client else "?"
    door = bookings.Door(ctx.lookup_limits, address, ctx.settings)
    try:
        body = BookingFindRequest.model_validate({"code": code, "phone": phone})
        found = await in_writer(ctx, bookings.find, ctx.store, ctx.site, body, utcnow(), door)
    except ValidationError:  # an empty or overlong field, as the API's own 422
        return _find_again(request, code, phone, "find_no_pair", 422)
    except Problem as problem:
        said = "find_no_pair" if problem.status != 429 else _said(problem, lang)
        return _find_again(request, code, phone, said, problem.status)
    return RedirectResponse(f"/booking/b/{found.token}?lang={lang}", status_code=303)


def _find_again(request: Request, code: str, phone: str, error: str, status: int) -> Response:
    form = {"code": code[:24], "phone": phone[:24]}
    return _answer(request, _cookie(request), "booking/find.html", status, form=form, error=error)


@router.get("/booking/{service}", response_class=HTMLResponse)
async def choose_slot(request: Request, service: str, day: str = "") -> Response:
    ctx = await get_ctx(request)
    return _slot_page(request, ctx, service, day, {}, "")


def _slot_page(
    request: Request,
    ctx: object,
    service: str,
    day: str,
    form: dict[str, str],
    error: str,
    status: int = 200,
    notice: str = "",
) -> Response:
    from server.access.context import ServerContext

    assert isinstance(ctx, ServerContext)
    lang = language(request)
    now = utcnow()
    cookie = _cookie(request)
    try:
        offered = rules.bookable(ctx.site, service)
    except Problem:
        return _answer(request, cookie, "booking/missing.html", status=404)
    days = rules.offered_days(ctx.site, offered.service, now)
    chosen: date | None = None
    slots = None
    if day:
        try:
            chosen = date.fromisoformat(day)
            with ctx.store.read() as s:
                slots = bookings.slots_view(s, ctx.site, service, chosen, now)
        except (ValueError, Problem):
            chosen, slots = None, None
    svc = offered.service
    return _answer(
        request, cookie, "booking/slot.html", status=status,
        agency=offered.agency, service=svc,
        service_name=svc.name_en if lang == "en" and svc.name_en else svc.name,
        days=[(d.isoformat(), views.day_text(d, lang)) for d in days],
        chosen=chosen.isoformat() if chosen else "",
        chosen_text=views.day_text(chosen, lang) if chosen else "",
        slots=slots, form=form, error=error, notice=notice,
        sms_required=phone_codes.required(ctx.site),
    )  # fmt: skip


@router.post("/booking/{service}", response_class=HTMLResponse)
async def book(
    request: Request,
    service: str,
    day: Annotated[str, Form(alias="date", max_length=10)] = "",
    session: Annotated[str, Form(max_length=11)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    phone: Annotated[str, Form(max_length=40)] = "",
    nik: Annotated[str, Form(max_length=40)] = "",
    sms_code: Annotated[str, Form(max_length=12)] = "",
    action: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    ctx = await get_ctx(request)
    form = {"session": session, "name": name, "phone": phone}  # never the NIK, even back
    lang = language(request)
    if action == "code":  # the phone first: its code by SMS, the form kept as it was
        return await _send_code(request, ctx, service, day, form, lang)
    try:
        ctx.booking_limits.take(request.client.host if request.client else "?",
                                ctx.settings, f"{service}|{day}|{session}")  # fmt: skip
        body = BookingRequest.model_validate(
            {"service": service, "date": day, "session": session, "name": name,
             "phone": phone, "nik": nik or None, "sms_code": sms_code or None}
        )  # fmt: skip
        made = await in_writer(ctx, bookings.book, ctx.store, ctx.site, body, utcnow())
    except ValidationError as exc:
        where = str(exc.errors()[0]["loc"][0]) if exc.errors() else ""
        fields = _FIELDS_EN if lang == "en" else _FIELDS
        return _slot_page(
            request, ctx, service, day, form, fields.get(where, "form_incomplete"), 422
        )
    except Problem as problem:
        return _slot_page(request, ctx, service, day, form, _said(problem, lang), problem.status)
    return RedirectResponse(f"/booking/b/{made.token}?lang={lang}&new=1", status_code=303)


async def _send_code(
    request: Request, ctx: object, service: str, day: str, form: dict[str, str], lang: str
) -> Response:
    """The SMS code for the form's phone (the API's POST /bookings/sms-code)."""
    from server.access.context import ServerContext

    assert isinstance(ctx, ServerContext)
    try:
        ctx.booking_limits.take(request.client.host if request.client else "?", ctx.settings)
        deliver = code_sender(ctx.site, ctx.held_texts)
        await in_writer(
            ctx, phone_codes.ask, ctx.store, ctx.site, form["phone"], lang, utcnow(), deliver
        )
    except Problem as problem:
        return _slot_page(request, ctx, service, day, form, _said(problem, lang), problem.status)
    return _slot_page(request, ctx, service, day, form, "", notice="sms_sent")


# The rules' messages are English (the API's); the citizen's page says them in Indonesian.
_INDONESIAN = {
    "full": "Sesi ini sudah penuh. Silakan pilih sesi lain.",
    "already_booked": "Nomor HP ini sudah punya booking untuk layanan ini pada tanggal itu.",
    "closed": "Tanggal ini tidak dapat dipesan.",
    "session_over": "Sesi ini sudah berakhir. Silakan pilih sesi lain.",
    "unknown_session": "Silakan pilih sesi.",
    "date_in_past": "Tanggal ini sudah lewat.",
    "rate_limited": "Terlalu banyak permintaan. Silakan coba lagi sebentar lagi.",
}


_FIELDS = {
    "name": "Isi nama lengkap (2 sampai 80 huruf, tanpa tanda seperti < > atau &).",
    "phone": "Isi nomor HP Indonesia, mis. 0812 3456 7890.",
    "nik": "Isi NIK 16 angka sesuai KTP.",
}


_FIELDS_EN = {
    "name": "Give your full name (2 to 80 letters, no signs such as < > or &).",
    "phone": "Give an Indonesian phone number, e.g. 0812 3456 7890.",
    "nik": "Give the 16-digit NIK as on your ID card.",
}


def _said(problem: Problem, lang: str) -> str:
    """A refusal in the page's language (the API's own messages are English)."""
    listed = problem.extra.get("errors")
    if isinstance(listed, list) and listed and "message" in listed[0]:  # problems.refused
        return str(listed[0]["message_en" if lang == "en" else "message"])
    if lang == "en":
        return problem.message
    if problem.code == "invalid_request":
        errors = problem.extra.get("errors")
        where = errors[0]["where"] if isinstance(errors, list) and errors else ""
        return _FIELDS.get(str(where).removeprefix("body."), problem.message)
    return _INDONESIAN.get(problem.code, problem.message)


@router.get("/booking/b/{token}", response_class=HTMLResponse)
async def look_up(request: Request, token: str) -> Response:
    ctx = await get_ctx(request)
    cookie = _cookie(request)
    try:
        found = bookings.lookup(ctx.store, ctx.site, token, utcnow())
    except Problem:
        return _answer(request, cookie, "booking/missing.html", status=404)
    view = views.booking_view(ctx.site, found, language(request))
    new = request.query_params.get("new") == "1"
    return _answer(request, cookie, "booking/booking.html", token=token, new=new, **view)


@router.post("/booking/b/{token}/cancel", response_class=HTMLResponse)
async def cancel(request: Request, token: str) -> Response:
    ctx = await get_ctx(request)
    lang = language(request)
    try:
        ctx.booking_limits.take(request.client.host if request.client else "?",
                                ctx.settings)  # fmt: skip
        await in_writer(
            ctx,
            bookings.cancel,
            ctx.store,
            ctx.site,
            token,
            utcnow(),
            timedelta(minutes=ctx.settings.booking_release_minutes),
        )
    except Problem:
        pass  # the page shows the booking as it now is
    return RedirectResponse(f"/booking/b/{token}?lang={lang}", status_code=303)
