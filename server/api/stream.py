"""WS /events?after=N: the events after N from the log, then live ones, no gap or repeat."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from server.access.context import ServerContext
from server.access.deps import bearer, principal_for
from server.queue.events import Subscriber, events_after, last_seq
from server.store.storage import storage_problem

log = logging.getLogger(__name__)
router = APIRouter()

REPLAY_PAGE = 500
# Close codes: the client resumes with after=<last seq it got>.
CLOSE_TOO_SLOW = 4008
# after=N is beyond this server's log: its database was replaced or restored from
# an older backup. The client starts again from GET /board (or after=0).
CLOSE_LOG_RESET = 4009
CLOSE_UNAUTHORIZED = 4401
# The log could not be read (storage_damaged, storage_unavailable...): 1011 with the
# storage code as the reason; the failure is logged once by the store's guard.
CLOSE_STORAGE = 1011


@router.websocket("/events")
async def events(websocket: WebSocket, after: int = Query(default=0, ge=0, le=2**62)) -> None:
    ctx: ServerContext = websocket.app.state.ctx
    if ctx.settings.require_token_for_reads:
        token = bearer(websocket) or websocket.query_params.get("token")
        address = websocket.client.host if websocket.client else None
        if await run_in_threadpool(principal_for, ctx, token, address) is None:
            await websocket.close(CLOSE_UNAUTHORIZED)
            return
    await websocket.accept()
    if after > 0:
        try:
            newest = await run_in_threadpool(_newest_seq, ctx)
        except Exception as exc:
            problem = storage_problem(exc)
            if problem is None:
                raise
            ctx.store.guard.note(problem)
            await websocket.close(CLOSE_STORAGE, reason=problem.code)
            return
        if after > newest:
            log.warning(
                "a client resumed at seq %d, past this log's %d: told to resync", after, newest
            )
            reason = f"after={after} is past this server's log (last seq {newest})"
            await websocket.close(CLOSE_LOG_RESET, reason=reason)
            return
    async with ctx.hub.subscribe() as sub:
        sender = asyncio.create_task(_send(websocket, ctx, sub, after))
        receiver = asyncio.create_task(_receive(websocket))
        done, pending = await asyncio.wait({sender, receiver}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
                await task
        for task in done:
            ended = task.exception()
            if ended is not None and not isinstance(ended, (WebSocketDisconnect, RuntimeError)):
                log.warning("event stream ended with %r", ended)


def _newest_seq(ctx: ServerContext) -> int:
    with ctx.store.read() as s:
        return last_seq(s)


async def _receive(websocket: WebSocket) -> None:
    """Read until the client goes; clients send nothing we need."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return


async def _catch_up(websocket: WebSocket, ctx: ServerContext, last: int, upto: int | None) -> int:
    """Send logged events after `last` (up to `upto`, when given); return the new last."""
    while upto is None or last < upto:

        def page(after: int = last) -> list[tuple[int, str]]:
            with ctx.store.read() as s:
                return events_after(s, after, REPLAY_PAGE)

        rows = await run_in_threadpool(page)
        if not rows:
            break
        for seq, body in rows:
            if upto is not None and seq > upto:
                return last
            await websocket.send_text(body)
            last = seq
    return last


async def _send(websocket: WebSocket, ctx: ServerContext, sub: Subscriber, after: int) -> None:
    try:
        await _stream(websocket, ctx, sub, after)
    except Exception as exc:
        problem = storage_problem(exc)
        if problem is None:
            raise
        ctx.store.guard.note(problem)
        await websocket.close(CLOSE_STORAGE, reason=problem.code)


async def _stream(websocket: WebSocket, ctx: ServerContext, sub: Subscriber, after: int) -> None:
    last = await _catch_up(websocket, ctx, after, None)
    while True:
        item = await sub.queue.get()
        if item is None:
            log.info("subscriber fell behind at seq %d; disconnecting it", last)
            await websocket.close(CLOSE_TOO_SLOW, reason="too slow; reconnect with after=seq")
            return
        seq, body = item
        if seq <= last:
            continue  # already sent from the log during catch-up
        if seq > last + 1:
            # Should not happen (publish is in seq order); fill from the log, never skip.
            last = await _catch_up(websocket, ctx, last, seq - 1)
        await websocket.send_text(body)
        last = seq
