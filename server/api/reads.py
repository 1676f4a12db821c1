"""Open reads: health, services, a ticket, the board, and the supervisor's report."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from server import __version__
from server.access.deps import CallerDep, CtxDep, ReaderDep, TicketId, require_role
from server.api.errors import BEARER, answers
from server.problems import Problem, not_found
from server.queue.views import board_view, services_view
from server.queue.wire import ticket_wire
from server.reports import daily_report, report_csv
from server.store.tables import TicketRow
from shared.models import API_VERSION, Board, DailyReport, Health, ServicesAnswer, Ticket

router = APIRouter()


@router.get("/health", response_model=Health)
def health(ctx: CtxDep) -> Health:
    return Health(
        status="ok",
        site=ctx.site.name,
        version=__version__,
        api_version=API_VERSION,
        time=ctx.queue.clock().astimezone(ctx.site.tz),
        timezone=ctx.site.config.site.timezone,
        demo=ctx.demo,
        site_version=ctx.site.version,
        public_url=ctx.settings.public_url.rstrip("/"),
    )


# 401: only where the site requires a token to read.
@router.get(
    "/services", response_model=ServicesAnswer, dependencies=[ReaderDep], responses=answers(401)
)
def services(ctx: CtxDep) -> ServicesAnswer:
    with ctx.store.read() as s:
        return services_view(s, ctx.site, ctx.queue.clock())  # the rules' clock


@router.get(
    "/tickets/{ticket_id}",
    response_model=Ticket,
    dependencies=[ReaderDep],
    responses=answers(401, 404),
)
def get_ticket(ctx: CtxDep, ticket_id: TicketId) -> Ticket:
    """A ticket's status and position (JSON; the visitor's page is /t/{token})."""
    with ctx.store.read() as s:
        row = s.get(TicketRow, ticket_id)
        if row is None:
            raise not_found("ticket", ticket_id)
        return ticket_wire(s, ctx.site, row)


@router.get("/board", response_model=Board, dependencies=[ReaderDep], responses=answers(401))
def board(ctx: CtxDep, recent: Annotated[int, Query(ge=0, le=50)] = 10) -> Board:
    with ctx.store.read() as s:
        return board_view(s, ctx.site, ctx.queue.clock(), recent)


@router.get(
    "/reports/daily",
    response_model=DailyReport,
    responses={
        **answers(401, 403),
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
    },
    openapi_extra={"security": [{BEARER: []}]},  # a read that needs a supervisor's token
)
async def report(
    ctx: CtxDep,
    who: CallerDep,
    day: Annotated[date | None, Query(alias="date")] = None,
    format: Literal["json", "csv"] = "json",
) -> DailyReport | PlainTextResponse:
    require_role(who, "supervisor")
    when = day or ctx.queue.today()
    if when.year < 2000 or when.year > 2999:
        raise Problem(422, "invalid_request", "date out of range")

    def build() -> DailyReport:
        with ctx.store.read() as s:
            return daily_report(s, ctx.site, when)

    result = await run_in_threadpool(build)
    if format == "csv":
        return PlainTextResponse(report_csv(result), media_type="text/csv")
    return result
