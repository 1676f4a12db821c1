"""The FastAPI application, built from a ServerContext (no globals, nothing at import)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from server import __version__, web
from server.api import errors, floor, kiosk, officer, people, public, reports, stream
from server.api.fast_issue import FastIssue
from server.context import ServerContext
from server.reports.floor import alerts_due, evaluate_alerts
from shared.models import API_PATH
from shared.timeutil import utcnow

log = logging.getLogger(__name__)


# How often the server looks for tickets left open from an earlier day (seconds).
HOUSEKEEPING_INTERVAL = 600.0


async def _close_past_days(ctx: ServerContext) -> None:
    while True:
        try:
            closed = await run_in_threadpool(ctx.queue.close_past_days)
            if closed:
                log.info("closed %d tickets left open from earlier days", closed)
        except Exception:  # keep serving; the next round tries again
            log.exception("housekeeping failed")
        await asyncio.sleep(HOUSEKEEPING_INTERVAL)


# The floor's alerts are evaluated this often (seconds), and soon after any event.
ALERTS_INTERVAL = 5.0
ALERTS_DEBOUNCE = 0.3


def _check_alerts(ctx: ServerContext) -> None:
    site, now = ctx.site, utcnow()
    with ctx.store.read() as s:
        due = alerts_due(s, site, now)
    if due:
        with ctx.store.write() as s:
            evaluate_alerts(s, site, now)


async def _alerts(ctx: ServerContext) -> None:
    async with ctx.hub.subscribe() as events:
        while True:
            try:
                await run_in_threadpool(_check_alerts, ctx)
            except Exception:  # keep serving; the next round tries again
                log.exception("alerts evaluation failed")
            try:
                await asyncio.wait_for(events.queue.get(), ALERTS_INTERVAL)
                await asyncio.sleep(ALERTS_DEBOUNCE)  # one evaluation for a burst of events
                while not events.queue.empty():
                    events.queue.get_nowait()
                events.overflowed = False
            except TimeoutError:
                pass


def create_app(ctx: ServerContext) -> FastIssue:
    """The ASGI app to serve: FastIssue in front of the FastAPI app (its `.app`).

    In front, not among the middleware: a plain issue then skips every per-request
    layer of FastAPI and Starlette (~0.1 ms of the event loop's ~0.5 ms per issue).
    """
    return FastIssue(create_api(ctx), ctx)


def create_api(ctx: ServerContext) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        ctx.hub.bind(asyncio.get_running_loop())
        housekeeping = asyncio.create_task(_close_past_days(ctx))
        alerts = asyncio.create_task(_alerts(ctx))
        yield
        housekeeping.cancel()
        alerts.cancel()
        # Writes already accepted are committed and answered before the server goes.
        await run_in_threadpool(ctx.store.stop_writer)

    app = FastAPI(
        title="Antrian MPP",
        version=__version__,
        summary="Queue server of a Mal Pelayanan Publik (API v1)",
        lifespan=lifespan,
        # An offline LAN has no collector to send spans or metrics to; off, each request
        # skips FastAPI's check for one.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.ctx = ctx
    errors.install(app)
    # the busiest writes match first
    for module in (kiosk, officer, public, stream, people, reports, floor):
        app.include_router(module.router, prefix=API_PATH)
    web.install(app)
    app.add_middleware(errors.BodyLimit)
    app.add_middleware(errors.RequireBearer)
    return app
