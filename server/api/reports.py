"""The reports' JSON routes (thin): the summary of a period, and its downloads."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from server.access.deps import CallerDep, CtxDep, require_role
from server.api.errors import BEARER, answers, day
from server.documents import MEDIA
from server.documents.download import ARCHIVE
from server.evidence.exports import evidence_download
from server.evidence.pack import FORMATS
from server.reports.exports import summary_download
from server.reports.summary import (
    GROUPS,
    PERIODS,
    SummaryReport,
    summary_query,
    summary_report,
)

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
    date_from: Annotated[str | None, day("from")] = None,
    date_to: Annotated[str | None, day("to")] = None,
    period: Annotated[
        str | None,
        Query(
            max_length=1000,
            json_schema_extra={"enum": list(PERIODS)},
            description="day, week or month around `from`; custom (the default): from..to",
        ),
    ] = None,
    group: Annotated[
        str, Query(max_length=1000, json_schema_extra={"enum": list(GROUPS)})
    ] = "service",
    format: Literal["json", "csv", "xlsx", "pdf"] = "json",
    charts: bool = False,
) -> SummaryReport | Response:
    """The summary of business days from..to by group; format=csv|xlsx|pdf downloads it.
    A bad period is a 422 `invalid_period`, a bad group `invalid_group`, each naming the
    field in `errors` with its message in Indonesian and English."""
    require_role(who, "supervisor", "admin")
    # As sent: the reports room reads and checks them, as for the page and the command line.
    asked = summary_query(start=date_from, end=date_to, group=group, period=period)
    d0, d1, group = asked.date_from, asked.date_to, asked.group
    site = ctx.site
    if format == "json":

        def build() -> SummaryReport:
            with ctx.store.read() as s:
                return summary_report(s, site, d0, d1, group, charts=charts)

        return await run_in_threadpool(build)
    got = await run_in_threadpool(summary_download, ctx.store, site, d0, d1, group, format)
    return Response(got.data, media_type=got.media, headers=got.headers)


@router.get(
    "/reports/evidence",
    response_class=Response,
    responses={
        **answers(401, 403, 422),
        200: {
            "content": {
                kind: {"schema": {"type": "string", "format": "binary"}}
                for kind in (MEDIA["pdf"], ARCHIVE["zip"])
            }
        },
    },
    openapi_extra={"security": [{BEARER: []}]},
)
async def evidence(
    ctx: CtxDep,
    who: CallerDep,
    date_from: Annotated[str | None, day("from")] = None,
    date_to: Annotated[str | None, day("to")] = None,
    format: Annotated[
        str | None, Query(max_length=1000, json_schema_extra={"enum": list(FORMATS)})
    ] = None,
) -> Response:
    """The evaluation's evidence pack of business days from..to: a PDF (the default) or a
    ZIP with the PDF, the XLSX tabulations and the screens' pictures. The period is read
    as the summary's (422 `invalid_period` naming the field); an unknown format is a 422."""
    require_role(who, "supervisor", "admin")
    got = await run_in_threadpool(
        evidence_download,
        ctx.store,
        ctx.site,
        date_from,
        date_to,
        format,
        ctx.settings.data_dir,
    )
    return Response(got.data, media_type=got.media, headers=got.headers)
