"""The reports' JSON routes (thin): the summary of a period, and its downloads."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from server.api.deps import CallerDep, CtxDep, require_role
from server.api.errors import BEARER, answers
from server.reports.export import render_summary
from server.reports.summary import SummaryReport, check_group, check_period, summary_report

router = APIRouter()

DOWNLOADS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pdf": ("application/pdf", "pdf"),
}


@router.get(
    "/reports/summary",
    response_model=SummaryReport,
    responses={
        **answers(401, 403, 422),
        200: {
            "content": {
                kind: {"schema": {"type": "string", "format": "binary"}}
                for kind, _ext in DOWNLOADS.values()
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
    data = await run_in_threadpool(render_summary, ctx.store, site, d0, d1, group, format)
    media, ext = DOWNLOADS[format]
    name = f"laporan-{d0.isoformat()}-{d1.isoformat()}-{group}.{ext}"
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
