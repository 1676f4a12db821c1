"""What a kiosk writes: issue a ticket, cancel it when printing failed, report its printer."""

from __future__ import annotations

import logging
from functools import partial

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from server.access.auth import Principal
from server.access.context import ServerContext
from server.access.deps import CallerDep, CtxDep, TicketId, get_ctx, in_writer, require_role
from server.api.errors import answers
from server.notify import rules as notify_rules
from server.problems import Problem
from server.reports.devices import Heartbeat, record_heartbeat
from shared.models import IssuedTicket, IssueRequest, Ticket
from shared.timeutil import utcnow

log = logging.getLogger(__name__)
router = APIRouter()


@router.post(
    "/tickets",
    response_model=IssuedTicket,
    status_code=201,
    responses={
        200: {"model": IssuedTicket, "description": "The same request_id again: its ticket"},
        **answers(404, 409),
    },
)
async def issue(request: Request, who: CallerDep, body: IssueRequest) -> Response:
    require_role(who, "kiosk")
    ctx = await get_ctx(request)  # not a dependency: the hot path, each costs ~50 µs
    status, answer = await issue_ticket(ctx, who, body)
    return Response(answer, status_code=status, media_type="application/json")


async def issue_ticket(ctx: ServerContext, who: Principal, body: IssueRequest) -> tuple[int, bytes]:
    """Issue (or find again, by request_id) a kiosk's ticket: the status and the JSON answer.

    Also the work of server/api/fast_issue.py, which answers most issues beneath the route.
    """
    args = (body.service, body.priority, body.request_id, who.device_id)
    if body.phone:  # the visitor asked for a message: the ticket and its phone in one write
        issued = await in_writer(
            ctx,
            notify_rules.issue_with_phone,
            ctx.queue,
            *args,
            body.phone,
            body.lang,
            body.priority_group,
        )
    else:
        issued = await in_writer(ctx, ctx.queue.issue, *args, body.priority_group)
    # Serialized once, by the model, in the writer: FastAPI would validate it again first.
    # The ticket page's address and the priority group go only to the issuing kiosk (never
    # into the event or GET /tickets/{id}): spliced in, as the model would write them
    # (IssuedTicket's last two fields; a group's code is [a-z0-9_], nothing to escape).
    page = ctx.pages.path(issued.ticket.id).encode()
    group = b"null" if issued.group is None else b'"' + issued.group.encode() + b'"'
    tail = b',"page":"' + page + b'","priority_group":' + group + b"}"
    return (201 if issued.created else 200), issued.body[:-1] + tail


@router.post("/tickets/{ticket_id}/cancel", response_model=Ticket, responses=answers(404, 409))
async def cancel(ctx: CtxDep, who: CallerDep, ticket_id: TicketId) -> Ticket:
    require_role(who, "kiosk", "supervisor")
    ticket = await in_writer(
        ctx,
        partial(ctx.queue.cancel, device_id=who.device_id, supervisor=who.is_supervisor),
        ticket_id,
    )
    log.info("ticket %s cancelled by %s", ticket.code, who.role)
    return ticket


class DeviceStatus(BaseModel):
    model_config = ConfigDict(extra="forbid")
    printer: str = Field(pattern=r"^[a-z_]{1,32}$")
    detail: str = Field(default="", max_length=200)


@router.post("/devices/status", status_code=204)
def device_status(ctx: CtxDep, who: CallerDep, body: DeviceStatus, request: Request) -> None:
    """A kiosk reports its printer (ok, paper_near_end, paper_out, offline...)."""
    require_role(who, "kiosk", "display")
    if not who.device_id:
        if not ctx.demo:
            raise Problem(403, "forbidden", "Only a registered device reports status.")
        log.info("demo kiosk printer: %s %s", body.printer, body.detail)
        return
    address = request.client.host if request.client else None
    log.info("device %s printer: %s %s", who.device_id, body.printer, body.detail)
    # The same record as a heartbeat's (older kiosks): the floor and status read one state.
    beat = Heartbeat(printer=body.printer, detail=body.detail or None)
    with ctx.store.write() as s:
        record_heartbeat(s, who.device_id, beat, utcnow(), address, ctx.hub.publish)
