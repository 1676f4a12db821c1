"""The FastAPI application, built from a ServerContext (no globals, nothing at import)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from server import __version__, web
from server.api import (
    admin,
    booking,
    errors,
    floor,
    kiosk,
    officer,
    people,
    public,
    reports,
    skm,
    stream,
)
from server.api.fast_issue import FastIssue
from server.booking import retention
from server.context import ServerContext
from server.office import live as office_live
from server.reports.floor import alerts_due, evaluate_alerts
from server.reports.months import seal_due
from shared.models import API_PATH
from shared.timeutil import seconds_to_next_day, utcnow

log = logging.getLogger(__name__)


# The longest nap between two looks at the wall clock (seconds). The wait for midnight
# runs on the event loop's monotonic clock, so a wall clock set later (NTP after the boot
# of a box with no RTC) or a failed round is caught within this.
MAX_NAP = 60.0
# Wake this long after midnight (seconds): a timer may fire a little early.
MIDNIGHT_SLACK = 0.05
# Seals are checked again this often (seconds): a cheap count per month when all hold.
RESEAL_SECONDS = 600.0


async def _close_past_days(ctx: ServerContext) -> None:
    """Close the tickets of earlier days at start, then at each local midnight of the site,
    and seal the months that are over (server/reports/months.py): then, after a change of
    the site (a target), and every RESEAL_SECONDS (a ticket a wrong clock put in the past)."""
    closed_for = None  # the business day whose earlier days are closed
    sealed: tuple[object, float] | None = None  # (the site sealed for, when: monotonic)
    while True:
        today = ctx.queue.today()
        if today != closed_for:
            try:
                closed = await run_in_threadpool(ctx.queue.close_past_days)
                if closed:
                    log.info("closed %d tickets left open from earlier days", closed)
                closed_for = today
                sealed = None  # earlier days closed: the months before today's can be sealed
            except Exception:  # keep serving; the next look tries again
                log.exception("closing the earlier days failed")
        site = ctx.site
        due = sealed is None or sealed[0] is not site or time.monotonic() > sealed[1]
        if closed_for == today and due:
            try:
                await run_in_threadpool(seal_due, ctx.store, site, today)
                sealed = (site, time.monotonic() + RESEAL_SECONDS)
            except Exception:  # reports stay right, only slower; the next look tries again
                log.exception("sealing the report months failed")
        wait = seconds_to_next_day(ctx.site.tz, ctx.queue.clock()) + MIDNIGHT_SLACK
        await asyncio.sleep(min(wait, MAX_NAP))


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
        watcher = asyncio.create_task(office_live.watch(ctx))
        bookings = asyncio.create_task(retention.run_housekeeping(ctx.store, lambda: ctx.site))
        alerts = asyncio.create_task(_alerts(ctx))
        yield
        housekeeping.cancel()
        watcher.cancel()
        bookings.cancel()
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
    for module in (kiosk, officer, public, stream, admin, people, skm, booking, reports, floor):
        app.include_router(module.router, prefix=API_PATH)
    web.install(app)
    app.add_middleware(errors.BodyLimit)
    app.add_middleware(errors.RequireBearer)
    return app
