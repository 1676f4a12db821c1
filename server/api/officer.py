"""What an officer does: log in at a counter, then act on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from server.access.deps import (
    CallerDep,
    CtxDep,
    bearer,
    in_writer,
    require_counter,
    require_role,
)
from server.access.signin import console_sign_in, counter_sign_in, end_session, sign_in_allowed
from server.api.errors import answers
from server.problems import not_found
from server.queue import views as queue_views
from server.queue.rules import served_today
from server.queue.wire import counter_state
from server.store.tables import CounterRow
from shared.models import (
    ConsoleSessionAnswer,
    CounterAnswer,
    CounterState,
    GroupRequest,
    Officer,
    PasswordSessionRequest,
    RequeueRequest,
    ServiceInfo,
    SessionAnswer,
    SessionRequest,
    TransferRequest,
)

router = APIRouter()
CounterCode = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
ServiceCode = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]


@router.post(
    "/sessions",
    response_model=SessionAnswer | ConsoleSessionAnswer,
    status_code=201,
    responses=answers(401, 403, 404, 423, 429),
)
def open_session(
    ctx: CtxDep, body: SessionRequest | PasswordSessionRequest, request: Request
) -> SessionAnswer | ConsoleSessionAnswer:
    """Sign in: an officer with a PIN at a counter, or a console user with a password."""
    if isinstance(body, SessionRequest) and body.counter not in ctx.site.counters:
        raise not_found("counter", body.counter)
    sign_in_allowed(ctx, request.client.host if request.client else None)
    if isinstance(body, PasswordSessionRequest):
        token, row, person = console_sign_in(ctx, body.username, body.password)
        return ConsoleSessionAnswer(
            token=token,
            officer=Officer(username=person.username, name=person.name, role=row.role),
            expires_at=row.expires_at,
        )
    token, row, person = counter_sign_in(ctx, body.username, body.pin, body.counter)
    return SessionAnswer(
        token=token,
        officer=Officer(username=body.username, name=person.name, role=row.role),
        counter=counter_get(ctx, body.counter),
        expires_at=row.expires_at,
    )


@router.delete("/sessions/current", status_code=204)
def close_session(ctx: CtxDep, who: CallerDep, request: Request) -> None:
    # Sign out: the session ends at once, an officer's counter closes (access/signin.py).
    require_role(who, "officer", "supervisor", "admin")
    end_session(ctx, bearer(request) or "", who.counter)


def counter_get(ctx: CtxDep, code: str) -> CounterState:
    with ctx.store.read() as s:
        row = s.get(CounterRow, code) if code in ctx.site.counters else None
        if row is None:
            raise not_found("counter", code)
        return counter_state(s, ctx.site, row, served_today(s, code, ctx.queue.today()))


@router.get("/counters/{code}", response_model=CounterState, responses=answers(404))
def get_counter(ctx: CtxDep, code: CounterCode) -> CounterState:
    return counter_get(ctx, code)


def _action(name: str, doc: str, act: Callable[[CtxDep, str], CounterAnswer]) -> None:
    async def endpoint(ctx: CtxDep, who: CallerDep, code: CounterCode) -> CounterAnswer:
        require_counter(who, code)
        if code not in ctx.site.counters:
            raise not_found("counter", code)
        return await in_writer(ctx, act, ctx, code)

    endpoint.__name__ = f"counter_{name}"
    endpoint.__doc__ = doc
    router.post(
        f"/counters/{{code}}/{name}", response_model=CounterAnswer, responses=answers(404, 409)
    )(endpoint)


_action(
    "call",
    "Call the next ticket; `ticket` is null when none wait.",
    lambda c, k: c.queue.call_next(k),
)
_action("recall", "Call the current ticket again.", lambda c, k: c.queue.recall(k))
_action("start", "The visitor arrived: start serving.", lambda c, k: c.queue.start(k))
_action("finish", "Done with the current ticket.", lambda c, k: c.queue.finish(k))
_action("skip", "The called visitor did not come (no-show).", lambda c, k: c.queue.skip(k))
_action("pause", "Pause the counter (break).", lambda c, k: c.queue.pause(k))
_action("resume", "Resume after a pause.", lambda c, k: c.queue.resume(k))


@router.post("/counters/{code}/transfer", response_model=CounterAnswer, responses=answers(404, 409))
async def transfer(
    ctx: CtxDep, who: CallerDep, code: CounterCode, body: TransferRequest
) -> CounterAnswer:
    """Send the current ticket to another service, keeping its code."""
    require_counter(who, code)
    return await in_writer(ctx, ctx.queue.transfer, code, body.service)


@router.post("/counters/{code}/requeue", response_model=CounterAnswer, responses=answers(404, 409))
async def requeue(
    ctx: CtxDep, who: CallerDep, code: CounterCode, body: RequeueRequest
) -> CounterAnswer:
    """A late visitor came back: their no-show ticket waits again in its old place."""
    require_counter(who, code)
    return await in_writer(ctx, ctx.queue.requeue, code, body.code)


class StopRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=400, description="why, e.g. blangko habis (blanks ran out)")


@router.post("/services/{code}/stop", response_model=ServiceInfo, responses=answers(404, 422))
async def stop_service(
    ctx: CtxDep, who: CallerDep, code: ServiceCode, body: StopRequest
) -> ServiceInfo:
    """Stop a service for the rest of today: kiosks get 409 service_stopped with the
    reason; the waiting visitors who left a number are told (supervisor, admin)."""
    require_role(who, "supervisor")
    return await run_in_threadpool(
        queue_views.stop_service, ctx.queue, code, body.reason, who.username or who.role
    )


@router.post(
    "/counters/{code}/group", response_model=CounterAnswer, responses=answers(404, 409, 422)
)
async def set_group(
    ctx: CtxDep, who: CallerDep, code: CounterCode, body: GroupRequest
) -> CounterAnswer:
    """Say which priority group the current ticket's visitor belongs to (null clears it):
    for the reports; the answer is the officer's own, the group goes nowhere open."""
    require_counter(who, code)
    return await in_writer(ctx, ctx.queue.set_group, code, body.priority_group)
