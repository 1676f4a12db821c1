"""Pengaduan's JSON routes (thin: the rules are server/complaints/'s)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from server.access.auth import Principal
from server.access.deps import (
    MAX_ROW_ID,
    CallerDep,
    CtxDep,
    IsoDate,
    bearer,
    in_writer,
    principal_for,
    require_role,
)
from server.api.errors import BEARER, answers
from server.complaints import exports, figures, register
from server.complaints.figures import ComplaintFigures
from server.complaints.register import (
    ComplaintChange,
    ComplaintCreated,
    ComplaintEntry,
    ComplaintRequest,
    ComplaintStatus,
    ContactShown,
    Filters,
)
from server.documents import MEDIA
from server.problems import Problem
from server.reports.summary import check_period
from shared.timeutil import business_day, utcnow

router = APIRouter()
Token = Annotated[str, Path(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]
ComplaintId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
_SECURED: dict[str, Any] = {"security": [{BEARER: []}]}
_DOWNLOADS: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            kind: {"schema": {"type": "string", "format": "binary"}} for kind in MEDIA.values()
        }
    }
}


async def _maybe_caller(ctx: CtxDep, request: Request) -> Principal | None:
    """Anyone may file; a token, when sent, must be a valid one (an officer links a ticket)."""
    token = bearer(request)
    if token is None:
        return None
    address = request.client.host if request.client else None
    who = await run_in_threadpool(principal_for, ctx, token, address)
    if who is None:
        raise Problem(401, "unauthorized", "The token is unknown, revoked or expired.")
    return who


@router.post(
    "/complaints",
    response_model=ComplaintCreated,
    status_code=201,
    responses={
        200: {"model": ComplaintCreated, "description": "Staff's same request_id again"},
        **answers(401, 403, 404, 422, 429),
    },
    openapi_extra={"security": [{BEARER: []}, {}]},  # staff's token, or none (the public)
)
async def file(
    ctx: CtxDep, body: ComplaintRequest, request: Request
) -> ComplaintCreated | Response:
    """File a complaint: its reference and the follow-up link's token (shown once)."""
    who = await _maybe_caller(ctx, request)
    if who is None or who.role not in ("officer", "supervisor", "admin"):
        ctx.complaint_limits.take(request.client.host if request.client else "?", ctx.settings)
        who = None  # a device's token files as the public does
    created = await in_writer(
        ctx, register.file, ctx.store, ctx.site, ctx.pages, who, body, utcnow()
    )
    if not created.repeated:
        return created
    return Response(created.model_dump_json(), status_code=200, media_type="application/json")


@router.get("/complaints/{token}", response_model=ComplaintStatus, responses=answers(404, 422))
def follow_up(ctx: CtxDep, token: Token) -> ComplaintStatus:
    """The complainant's follow-up: status, answer, dates (never the contact)."""
    return register.lookup(ctx.store, ctx.site, token)


@router.get(
    "/admin/complaints",
    response_model=list[ComplaintEntry],
    responses={**answers(401, 403, 422), **_DOWNLOADS},
    openapi_extra=_SECURED,
)
async def listing(
    ctx: CtxDep,
    who: CallerDep,
    status: Annotated[str | None, Query(max_length=16)] = None,
    agency: Annotated[str | None, Query(max_length=32)] = None,
    date_from: Annotated[IsoDate | None, Query(alias="from")] = None,
    date_to: Annotated[IsoDate | None, Query(alias="to")] = None,
    overdue: bool = False,
    format: Literal["json", "csv", "xlsx"] = "json",
) -> list[ComplaintEntry] | Response:
    """The register (admin: all; a supervisor: their agencies'); csv|xlsx for LAPOR!."""
    require_role(who, "supervisor", "admin")
    filters = Filters(status, agency, date_from, date_to, overdue)
    now = utcnow()
    found = await run_in_threadpool(register.listing, ctx.store, ctx.site, who, filters, now)
    if format == "json":
        return found
    got = exports.register_download(ctx.site, found, format, business_day(ctx.site.tz, now))
    return Response(got.data, media_type=got.media, headers=got.headers)


@router.get(
    "/admin/complaints/{complaint_id}",
    response_model=ComplaintEntry,
    responses=answers(401, 403, 404, 422),
    openapi_extra=_SECURED,
)
async def one(ctx: CtxDep, who: CallerDep, complaint_id: ComplaintId) -> ComplaintEntry:
    require_role(who, "supervisor", "admin")
    return await run_in_threadpool(register.one, ctx.store, ctx.site, who, complaint_id, utcnow())


@router.get(
    "/admin/complaints/{complaint_id}/contact",
    response_model=ContactShown,
    responses=answers(401, 403, 404, 422),
    openapi_extra=_SECURED,
)
async def contact(ctx: CtxDep, who: CallerDep, complaint_id: ComplaintId) -> ContactShown:
    """The whole contact, to reach the complainant (each look in the audit log)."""
    require_role(who, "supervisor", "admin")
    return await run_in_threadpool(
        register.contact_of, ctx.store, ctx.site, who, complaint_id, utcnow()
    )


@router.patch(
    "/admin/complaints/{complaint_id}",
    response_model=ComplaintEntry,
    responses=answers(401, 403, 404, 409, 422),
)
async def change(
    ctx: CtxDep, who: CallerDep, complaint_id: ComplaintId, body: ComplaintChange
) -> ComplaintEntry:
    """Assign, answer, close, record the LAPOR! number (`answered` needs an answer)."""
    require_role(who, "supervisor", "admin")
    return await in_writer(
        ctx, register.change, ctx.store, ctx.site, who, complaint_id, body, utcnow()
    )


@router.get(
    "/reports/complaints",
    response_model=ComplaintFigures,
    responses={**answers(401, 403, 422), **_DOWNLOADS},
    openapi_extra=_SECURED,
)
async def report(
    ctx: CtxDep,
    who: CallerDep,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    group: str = "agency",
    format: Literal["json", "csv", "xlsx", "pdf"] = "json",
) -> ComplaintFigures | Response:
    """The complaint figures of the complaints filed from..to, by group."""
    require_role(who, "supervisor", "admin")
    d0, d1 = check_period(date_from, date_to)
    site = ctx.site

    def build() -> ComplaintFigures:
        with ctx.store.read() as s:
            return figures.figures(s, site, d0, d1, group)

    made = await run_in_threadpool(build)
    if format == "json":
        return made
    today = business_day(site.tz, utcnow())
    got = await run_in_threadpool(exports.download, made, format, site, today)
    return Response(got.data, media_type=got.media, headers=got.headers)
