"""Messages' pages: the ticket page's "Kirim pesan" form, and the console's message log.

No rules here: server/notify/ decides (rules, views).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from server.access.deps import get_ctx, in_writer
from server.notify import rules
from server.notify.views import STATES, MessageLog, concerns, live_key, message_log
from server.problems import Problem, field_errors
from server.web.i18n import add_words
from server.web.menu import CONSOLE, menu
from server.web.render import page
from server.web.session import ConsoleDep, language
from server.web.skm import ticket_page_response

router = APIRouter()
menu(40, "/console/messages", "messages", CONSOLE)
add_words(
    {
        "messages": ("Pesan", "Messages"),
        "msg_title": ("Pesan ke pengunjung hari ini", "Messages to visitors today"),
        "msg_channel": ("Saluran: {c}", "Channel: {c}"),
        "msg_none": ("Belum ada pesan hari ini.", "No messages today yet."),
        "msg_unknown_help": (
            "Tidak pasti: server berhenti saat mengirim lewat modem; tidak dikirim ulang "
            "agar tidak ganda.",
            "Unknown: the server stopped while the modem was sending; not sent again, so "
            "never twice.",
        ),
        "st_due": ("Menunggu", "Due"),
        "st_retry": ("Dicoba lagi", "Retrying"),
        "st_sending": ("Dikirim", "Sending"),
        "st_sent": ("Terkirim", "Sent"),
        "st_failed": ("Gagal", "Failed"),
        "st_unknown": ("Tidak pasti", "Unknown"),
        "st_expired": ("Kedaluwarsa", "Expired"),
        "k_near": ("Sebentar lagi", "Near"),
        "k_called": ("Dipanggil", "Called"),
        "k_transferred": ("Dialihkan", "Transferred"),
        "k_stopped": ("Layanan berhenti", "Service stopped"),
        "k_code": ("Kode booking (SMS)", "Booking code (SMS)"),
        "msg_time": ("Jam", "Time"),
        "msg_ticket": ("Tiket", "Ticket"),
        "msg_kind": ("Jenis", "Kind"),
        "msg_phone": ("Nomor HP", "Phone"),
        "msg_state": ("Status", "State"),
        "msg_attempts": ("Percobaan", "Attempts"),
        "msg_error": ("Keterangan", "Detail"),
        "msg_total": ("Jumlah", "Total"),
        "np_ask": ("Kirim pesan saat giliran Anda dekat?", "Text me when my turn is near?"),
        "np_phone": ("Nomor HP (tidak wajib)", "Mobile number (optional)"),
        "np_send": ("Simpan nomor", "Save number"),
        "np_saved_to": ("Pesan akan dikirim ke {p}", "Messages go to {p}"),
        "np_saved": ("Nomor disimpan.", "Number saved."),
        "np_failed": (
            "Pesan tidak dapat dikirim. Pantau halaman ini atau layar antrean.",
            "A message could not be sent. Keep an eye on this page or the screens.",
        ),
        "np_kept": (
            "Nomor hanya disimpan hari ini, lalu dihapus.",
            "The number is kept for today only, then erased.",
        ),
    }
)


@router.post("/t/{token}/phone", response_class=HTMLResponse)
async def leave_phone(
    request: Request, token: str, phone: Annotated[str, Form(max_length=40)] = ""
) -> Response:
    """The visitor leaves (or changes) a number on their own ticket's page."""
    ctx = await get_ctx(request)
    lang = language(request)
    ticket_id = ctx.pages.ticket_id(token)
    if ticket_id is None:
        return await ticket_page_response(request, token)
    try:
        await in_writer(ctx, rules.attach_from_page, ctx.queue, ticket_id, phone, lang)
    except Problem as problem:
        if problem.status == 409:  # no longer waiting: the page says where it stands
            return RedirectResponse(f"/t/{token}", status_code=303)
        text = field_errors(problem, lang).get("phone", problem.message)
        return await ticket_page_response(request, token, status=422, phone_problem=text)
    return RedirectResponse(f"/t/{token}?phone=1", status_code=303)


# a comment line this often keeps proxies and phones from closing a quiet stream (seconds)
LIVE_PING = 15.0


@router.get("/t/{token}/live")
async def ticket_live(request: Request, token: str) -> Response:
    """The ticket page's server push (Server-Sent Events, allowed on the public listener):
    `change` when an event touches this ticket or its line; the page then reloads."""
    ctx = await get_ctx(request)
    ticket_id = ctx.pages.ticket_id(token)

    def read() -> tuple[str, str] | None:
        if ticket_id is None:
            return None
        with ctx.store.read() as s:
            return live_key(s, ticket_id)

    key = await run_in_threadpool(read)
    if key is None:
        return Response(status_code=404)

    async def stream() -> AsyncIterator[str]:
        yield "retry: 2000\n\n"
        async with ctx.hub.subscribe() as sub:
            while not await request.is_disconnected():
                try:
                    item = await asyncio.wait_for(sub.queue.get(), LIVE_PING)
                except TimeoutError:
                    yield ": ping\n\n"
                    continue
                if item is None or concerns(item[1], key):  # (None: fell behind)
                    yield "event: change\ndata: {}\n\n"
                    return

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


@router.get("/console/messages", response_class=HTMLResponse)
async def messages_page(request: Request, visitor: ConsoleDep) -> HTMLResponse:
    ctx = await get_ctx(request)

    def read() -> MessageLog:
        with ctx.store.read() as s:
            return message_log(s, ctx.site, ctx.queue.today())

    log = await run_in_threadpool(read)
    return page(request, "console/messages.html", visitor, log=log, states=STATES)
