"""Typed dependencies: the context, the caller, and role checks."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Request
from pydantic import BeforeValidator
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from server.access.auth import Principal, resolve
from server.access.context import ServerContext
from server.problems import Problem
from shared.timeutil import utcnow

T = TypeVar("T")


async def get_ctx(request: Request) -> ServerContext:
    # async: a plain def dependency would cost a thread-pool hop on every request.
    ctx: ServerContext = request.app.state.ctx
    return ctx


CtxDep = Annotated[ServerContext, Depends(get_ctx)]

# Row ids are INTEGER columns, 32 bits on PostgreSQL: a larger id is refused with a 422
# here rather than failing in the database with a 500.
MAX_ROW_ID = 2**31 - 1


def _canonical_id(value: object) -> object:
    # pydantic would also take "+1", "1.0" and " 1" (%201) for 1: one id, one spelling
    if isinstance(value, str) and not re.fullmatch(r"[1-9][0-9]{0,9}", value):
        raise ValueError("an id is digits only, without a sign, a point, spaces or a leading 0")
    return value


# A row id in a path: digits only, as the server writes it.
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID), BeforeValidator(_canonical_id)]
TicketId = RowId


def _iso_date(value: object) -> object:
    # pydantic would also take 0 or 1700000000 (seconds since 1970) for a date
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("a date like 2026-12-01")
    return value


# A date in a query: YYYY-MM-DD only.
IsoDate = Annotated[date, BeforeValidator(_iso_date)]


async def in_writer(ctx: ServerContext, fn: Callable[..., T], *args: Any) -> T:
    """Run a queue write on the store's writer thread (group commit), off the event loop."""
    return await ctx.store.submit_async(asyncio.get_running_loop(), fn, *args)


def bearer(conn: HTTPConnection) -> str | None:
    """The token of `Authorization: Bearer TOKEN` (a request or a WebSocket), or None."""
    return bearer_from_headers(conn.headers.get("authorization", ""))


def bearer_from_headers(header: str) -> str | None:
    """The token of an Authorization header's value `Bearer TOKEN`, or None."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def principal_for(ctx: ServerContext, token: str | None, address: str | None) -> Principal | None:
    if token is None or len(token) > 200:
        return None
    with ctx.store.read() as s:
        who = resolve(s, token, utcnow(), demo=ctx.demo)
    if who is not None and who.device_id is not None:
        # Devices only: a kiosk's next issue skips this read. A person's session is read
        # every time, so a change to them (from the console or the command line of
        # another process) ends it at once.
        ctx.remember_principal(token, who)
        if who.device_id:  # not the demo devices (id 0)
            ctx.device_seen(who.device_id, address, None)
    return who


async def caller(request: Request) -> Principal:
    """The authenticated caller of a write; 401 without a valid token."""
    ctx = await get_ctx(request)  # not a sub-dependency: each costs ~50 µs per request
    token = bearer(request)
    if token is None:
        raise Problem(401, "unauthorized", "This needs Authorization: Bearer TOKEN.")
    who = ctx.cached_principal(token)
    if who is not None:
        return who
    address = request.client.host if request.client else None
    who = await run_in_threadpool(principal_for, ctx, token, address)
    if who is None:
        raise Problem(401, "unauthorized", "The token is unknown, revoked or expired.")
    return who


CallerDep = Annotated[Principal, Depends(caller)]


async def reader(request: Request, ctx: CtxDep) -> None:
    """Reads are open on the LAN unless the site requires a token for them."""
    if not ctx.settings.require_token_for_reads:
        return
    token = bearer(request) or request.query_params.get("token")
    address = request.client.host if request.client else None
    who = await run_in_threadpool(principal_for, ctx, token, address)
    if who is None:
        raise Problem(401, "unauthorized", "This site requires a token to read.")


ReaderDep = Depends(reader)


def require_role(who: Principal, *roles: str) -> None:
    if who.role in roles:
        return
    if who.role == "admin" and "supervisor" in roles:
        return  # the manager may do all a supervisor may
    raise Problem(403, "forbidden", f"A {who.role} may not do this.")


def require_counter(who: Principal, code: str) -> None:
    """Officers act only at the counter their session is for (supervisors anywhere)."""
    require_role(who, "officer", "supervisor")
    if who.is_supervisor:
        return
    if who.counter != code:
        raise Problem(403, "counter_not_allowed", f"This session is for {who.counter}, not {code}.")
