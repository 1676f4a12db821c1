"""Antrean online's JSON routes (thin: the rules are server/booking/'s)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.convertors import Convertor, register_url_convertor

from server.access.context import ServerContext
from server.access.deps import CallerDep, CtxDep, IsoDate, in_writer, require_role
from server.api.errors import BEARER, answers
from server.booking import bookings, phone_codes, views
from server.notify.rules import code_sender
from server.problems import Problem
from shared.models import (
    BookableAnswer,
    Booking,
    BookingCreated,
    BookingFindRequest,
    BookingRequest,
    CheckInRequest,
    OnlineTicket,
    SlotsAnswer,
    SmsCodeRequest,
    SmsCodeSent,
)
from shared.timeutil import utcnow

router = APIRouter()


class _TokenConvertor(Convertor[str]):
    """A link's token in a path: only what a token can be, so `/bookings/check-in` is
    never taken for one (a GET there is a 405, not a lookup of a token "check-in")."""

    regex = r"[A-Za-z0-9_-]{20,100}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("booking_token", _TokenConvertor())
Token = Annotated[str, Path(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]
ServiceCode = Annotated[str, Query(min_length=1, max_length=32)]
_LIMITED = answers(429)


def _address(request: Request) -> str:
    """The client's address (behind the proxy: the address it forwards)."""
    return request.client.host if request.client else "?"


def _limit(ctx: ServerContext, request: Request) -> None:
    """The booking rate per client address."""
    ctx.booking_limits.take(_address(request), ctx.settings)


@router.get("/bookings/services", response_model=BookableAnswer)
def bookable(ctx: CtxDep) -> BookableAnswer:
    """The agencies and services that take bookings, and the dates open for booking."""
    return bookings.bookable_view(ctx.site, utcnow())


@router.get("/bookings/slots", response_model=SlotsAnswer, responses=answers(404, 409, 422))
def slots(
    ctx: CtxDep, service: ServiceCode, day: Annotated[IsoDate, Query(alias="date")]
) -> SlotsAnswer:
    """The sessions of that day still to come, with their places left."""
    with ctx.store.read() as s:
        return bookings.slots_view(s, ctx.site, service, day, utcnow())


@router.post(
    "/bookings",
    response_model=BookingCreated,
    status_code=201,
    responses={**answers(404, 409, 422), **_LIMITED},
)
async def book(ctx: CtxDep, body: BookingRequest, request: Request) -> BookingCreated:
    """Book a session: the code to show at the kiosk, and the link's token (shown once)."""
    session = f"{body.service}|{body.date}|{body.session}"
    ctx.booking_limits.take(_address(request), ctx.settings, session)
    return await in_writer(ctx, bookings.book, ctx.store, ctx.site, body, utcnow())


@router.post(
    "/bookings/check-in",
    response_model=OnlineTicket,
    status_code=201,
    responses={
        200: {"model": OnlineTicket, "description": "The same request_id again: its ticket"},
        **answers(404, 409),
        **_LIMITED,
    },
)
async def check_in(ctx: CtxDep, who: CallerDep, body: CheckInRequest) -> OnlineTicket | Response:
    """A kiosk checks a booking in: its ticket, which joins the line now."""
    require_role(who, "kiosk")
    device = who.device_id if who.device_id is not None else -1
    ctx.check_in_limits.take(device, ctx.settings)  # counted before the code is looked at
    try:
        done = await in_writer(
            ctx, bookings.check_in, ctx.store, ctx.queue, body.code, body.request_id, who.device_id
        )
    except Problem as problem:
        if problem.code == "unknown_booking":
            ctx.check_in_limits.refused(device)  # a guess: the floor hears of many
        raise
    # As an issue's answer: the ticket's own page for the QR code, to this kiosk only.
    ticket = done.ticket.model_copy(update={"page": ctx.pages.path(done.ticket.id)})
    if done.created:
        return ticket
    return Response(ticket.model_dump_json(), status_code=200, media_type="application/json")


@router.post(
    "/bookings/sms-code",
    response_model=SmsCodeSent,
    status_code=202,
    responses={**answers(409, 422), **_LIMITED},
)
async def sms_code(ctx: CtxDep, body: SmsCodeRequest, request: Request) -> SmsCodeSent:
    """Where the site requires it ([booking] require_sms_code): a one-time code by SMS to
    the phone, to give as `sms_code` with the booking. 409 sms_code_off elsewhere."""
    _limit(ctx, request)
    deliver = code_sender(ctx.site, ctx.held_texts)
    valid = await in_writer(
        ctx, phone_codes.ask, ctx.store, ctx.site, body.phone, body.lang, utcnow(), deliver
    )
    return SmsCodeSent(valid_seconds=valid)


@router.post(
    "/bookings/find",
    response_model=BookingCreated,
    responses={**answers(404, 422), **_LIMITED},
)
async def find(ctx: CtxDep, body: BookingFindRequest, request: Request) -> BookingCreated:
    """A booking by its code and the phone given at booking: a new link's token to its
    page. A wrong pair is one 404, whichever part was wrong; refused pairs are counted
    per address (429 beyond [server] booking_lookup_misses_per_hour)."""
    door = bookings.Door(ctx.lookup_limits, _address(request), ctx.settings)
    return await in_writer(ctx, bookings.find, ctx.store, ctx.site, body, utcnow(), door)


@router.get("/bookings/{token:booking_token}", response_model=Booking, responses=answers(404, 422))
def lookup(ctx: CtxDep, token: Token) -> Booking:
    """A booking by its link (the booker's only)."""
    return bookings.lookup(ctx.store, ctx.site, token, utcnow())


@router.post(
    "/bookings/{token:booking_token}/cancel",
    response_model=Booking,
    responses={**answers(404, 409, 422), **_LIMITED},
)
async def cancel(ctx: CtxDep, token: Token, request: Request) -> Booking:
    """The booker cancels: the place goes back to the session."""
    _limit(ctx, request)
    return await in_writer(
        ctx,
        bookings.cancel,
        ctx.store,
        ctx.site,
        token,
        utcnow(),
        timedelta(minutes=ctx.settings.booking_release_minutes),
    )


@router.get(
    "/admin/bookings",
    response_model=list[views.BookingPerson],
    responses=answers(401, 403, 422),
    openapi_extra={"security": [{BEARER: []}]},  # a read that needs an admin's token
)
async def people(
    ctx: CtxDep,
    who: CallerDep,
    day: Annotated[IsoDate, Query(alias="date")],
    service: Annotated[str | None, Query(max_length=32)] = None,
) -> list[views.BookingPerson]:
    """Names and phones of a day's bookings: admins only, each look in the audit log."""
    require_role(who, "admin")
    return await run_in_threadpool(views.people, ctx.store, ctx.site, who, day, service, utcnow())
