"""SKM's JSON routes: a survey answered (tablet or phone). Thin: server/skm/ decides."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from server.api.deps import MAX_ROW_ID, CtxDep, bearer, caller, in_writer
from server.api.errors import BEARER, answers
from server.auth import DEMO_DEVICE_ID
from server.problems import not_found
from server.skm import rules
from server.skm.results import SCORE_MAX, SCORE_MIN, UNSUR_COUNT
from shared.timeutil import utcnow

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
