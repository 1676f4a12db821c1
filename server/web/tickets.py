"""The console's view of one ticket (`/console/tickets/{id}`): its number, service, day and
steps, and the complaints about it, linked both ways with the register.

No rules here: the queue's ticket view (server/queue/views.py) and the register's listing
(server/complaints/register.py), which audits the look as every look at the register.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from server.access.deps import TicketId, get_ctx
from server.complaints import register, views
from server.complaints.register import Filters
from server.problems import Problem
from server.queue.views import TicketView, ticket_view
from server.web.render import page
from server.web.session import ConsoleDep
from shared.timeutil import format_date, format_time, utcnow

router = APIRouter()


@router.get("/console/tickets/{ticket_id}", response_class=HTMLResponse)
async def console_ticket(
    request: Request, visitor: ConsoleDep, ticket_id: TicketId
) -> HTMLResponse:
    ctx = await get_ctx(request)
    site, now = ctx.site, utcnow()

    def read() -> tuple[TicketView, list[register.ComplaintEntry]]:
        with ctx.store.read() as s:
            shown = ticket_view(s, site, ticket_id)
        about = register.listing(
            ctx.store, site, visitor.who, Filters(ticket_id=ticket_id), now, "console"
        )
        return shown, about

    try:
        shown, about = await run_in_threadpool(read)
    except Problem as problem:
        if problem.status != 404:
            raise
        return page(request, "console/ticket.html", visitor, status=404, view=None)
    lang = visitor.lang
    return page(
        request,
        "console/ticket.html",
        visitor,
        view=shown,
        t=shown.ticket,
        complaints=about,
        day=format_date(shown.ticket.business_day, lang),
        when=lambda at: views.when(site, at, lang),
        # a ticket's steps happen on its own day: the time says enough
        at=lambda when: format_time(when.astimezone(site.tz), lang),
    )
