"""SKM's JSON routes: a survey answered (tablet or phone). Thin: server/skm/ decides."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from server.access.auth import DEMO_DEVICE_ID
from server.access.deps import (
    MAX_ROW_ID,
    CallerDep,
    CtxDep,
    bearer,
    caller,
    in_writer,
    require_role,
)
from server.api.errors import BEARER, answers, day
from server.documents import MEDIA
from server.problems import not_found
from server.skm import rules
from server.skm.exports import skm_download
from server.skm.report import filters_for, skm_report
from server.skm.results import SCORE_MAX, SCORE_MIN, UNSUR_COUNT
from shared.timeutil import business_day, utcnow

log = logging.getLogger(__name__)
router = APIRouter()

CounterQuery = Annotated[
    str | None, Query(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
]


class SurveyProfile(BaseModel):
    """Optional and anonymous: four choices, never a name or a NIK."""

    model_config = ConfigDict(extra="forbid")
    age_group: rules.AgeGroup | None = None
    sex: rules.Sex | None = None
    education: rules.Education | None = None
    occupation: rules.Occupation | None = None


class SurveyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # A survey tablet sends the ticket's id; the visitor's phone the token of its page.
    ticket: (
        Annotated[int, Field(strict=True, ge=1, le=MAX_ROW_ID)]
        | Annotated[str, Field(min_length=1, max_length=64)]
    )
    # Checked by server/skm/rules.clean_answers (the pages' forms use it too).
    answers: Annotated[
        list[object],
        Field(
            json_schema_extra={
                "items": {"type": "integer", "minimum": SCORE_MIN, "maximum": SCORE_MAX},
                "minItems": UNSUR_COUNT,
                "maxItems": UNSUR_COUNT,
                "description": "U1..U9, each 1 (worst) to 4 (best)",
            }
        ),
    ]
    profile: SurveyProfile | None = None
    suggestion: str | None = Field(
        default=None, description=f"plain text, at most {rules.SUGGESTION_MAX} characters"
    )


class SurveyAnswer(BaseModel):
    ticket: int
    code: str
    channel: Literal["tablet", "phone"]
    answered_at: datetime


@router.post(
    "/surveys",
    response_model=SurveyAnswer,
    status_code=201,
    responses=answers(401, 403, 404, 409),
    openapi_extra={"security": [{BEARER: []}, {}]},  # a tablet's token, or none (the visitor)
)
async def submit_survey(
    request: Request, ctx: CtxDep, body: SurveyRequest, counter: CounterQuery = None
) -> SurveyAnswer:
    """A survey tablet (`Authorization: Bearer` its token) answers for a ticket finished at
    its counter; the visitor (no token) for the ticket whose page token it sends."""
    station: str | None = None
    if bearer(request) is not None:
        who = await caller(request)
        station = rules.survey_counter(
            who.role,
            who.counter,
            counter,
            demo_any=ctx.demo and who.device_id == DEMO_DEVICE_ID,
            known=ctx.site.counters,
        )
        if not isinstance(body.ticket, int):
            raise not_found("ticket", body.ticket)
        ticket_id = body.ticket
    else:
        found = ctx.pages.ticket_id(body.ticket) if isinstance(body.ticket, str) else None
        if found is None:
            raise not_found("ticket", "(page token)")
        ticket_id = found
    profile = body.profile.model_dump() if body.profile else None
    entry = rules.make_entry(
        ticket_id,
        body.answers,
        channel="tablet" if station else "phone",
        counter=station,
        profile=profile,
        suggestion=body.suggestion,
    )
    done = await in_writer(ctx, rules.record, ctx.store, ctx.site, entry, utcnow())
    return SurveyAnswer(
        ticket=done.ticket_id, code=done.code, channel=done.channel, answered_at=done.answered_at
    )


# As sent: the skm room reads and checks them (server/skm/report.py filters_for), the same
# way for the console's page and `antrian report skm`; the bound only caps the memory.
Code = Annotated[str | None, Query(max_length=1000, description="a code of the site's")]


@router.get(
    "/reports/skm",
    responses={
        **answers(401, 403, 404, 422),
        200: {
            "description": "The results (JSON), the tabulation (XLSX) or the report (PDF)",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                MEDIA["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            },
        },
    },
    openapi_extra={"security": [{BEARER: []}]},  # a read that needs a supervisor's token
)
async def skm_results(
    ctx: CtxDep,
    who: CallerDep,
    start: Annotated[str | None, day("from")] = None,
    end: Annotated[str | None, day("to")] = None,
    agency: Code = None,
    service: Code = None,
    counter: Code = None,
    officer: Annotated[str | None, Query(max_length=1000)] = None,
    format: Literal["json", "xlsx", "pdf"] = "json",
) -> Response:
    """SKM results of a period (default: this month so far): per unsur, IKM, grade, groups,
    the sample against the people served, the suggestions. Officers: an admin's only.
    A bad period is a 422 (`invalid_period`) and an unknown code a 404, each naming the
    field in `errors` with its message in Indonesian and English."""
    require_role(who, "supervisor", "admin")
    today = business_day(ctx.site.tz, utcnow())
    site = ctx.site
    filters = filters_for(
        site,
        today,
        start=start,
        end=end,
        agency=agency,
        service=service,
        counter=counter,
        officer=officer,
        role=who.role,
    )
    admin = who.role == "admin"
    if format != "json":
        got = await run_in_threadpool(
            partial(skm_download, ctx.store, site, filters, format, today, officers=admin)
        )
        return Response(got.data, media_type=got.media, headers=got.headers)

    def build() -> bytes:
        with ctx.store.read() as s:
            result = skm_report(s, site, filters, officers=admin)
        return json.dumps(result.as_dict(), ensure_ascii=False).encode()

    return Response(await run_in_threadpool(build), media_type="application/json")
