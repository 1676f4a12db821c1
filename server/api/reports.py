"""The reports' JSON routes (thin): the summary of a period, and its downloads."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from server.access.deps import CallerDep, CtxDep, require_role
from server.api.errors import BEARER, answers
from server.documents import MEDIA
from server.reports.exports import summary_download
from server.reports.summary import SummaryReport, check_group, check_period, summary_report

router = APIRouter()


@router.get(
    "/reports/summary",
    response_model=SummaryReport,
    responses={
        **answers(401, 403, 422),
        200: {
            "content": {
                kind: {"schema": {"type": "string", "format": "binary"}} for kind in MEDIA.values()
            }
        },
    },
    openapi_extra={"security": [{BEARER: []}]},
)
async def summary(
    ctx: CtxDep,
    who: CallerDep,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    group: str = "service",
    format: Literal["json", "csv", "xlsx", "pdf"] = "json",
    charts: bool = False,
) -> SummaryReport | Response:
    """The summary of business days from..to by group; format=csv|xlsx|pdf downloads it."""
    require_role(who, "supervisor", "admin")
    d0, d1 = check_period(date_from, date_to)
    check_group(group)
    site = ctx.site
    if format == "json":

        def build() -> SummaryReport:
            with ctx.store.read() as s:
                return summary_report(s, site, d0, d1, group, charts=charts)

        return await run_in_threadpool(build)
    got = await run_in_threadpool(summary_download, ctx.store, site, d0, d1, group, format)
    return Response(got.data, media_type=got.media, headers=got.headers)
