"""The FastAPI application, built from a ServerContext (no globals, nothing at import)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from server import __version__, web
from server.access.context import ServerContext
from server.api import (
    admin,
    booking,
    complaints,
    errors,
    floor,
    help,
    info,
    kiosk,
    officer,
    people,
    reads,
    reports,
    skm,
    stream,
)
from server.api.fast_issue import FastIssue
from server.info.views import Published
from server.notify.rules import Notifier
from server.notify.sender import Doorbell
from server.runtime import loops
from server.web import forms
from server.web.headers import StandardHeaders
from shared.models import API_PATH

log = logging.getLogger(__name__)


def create_app(ctx: ServerContext) -> FastIssue:
    """The ASGI app to serve: FastIssue in front of the FastAPI app (its `.app`).

    In front, not among the middleware: a plain issue then skips every per-request
    layer of FastAPI and Starlette (~0.1 ms of the event loop's ~0.5 ms per issue).
    """
    return FastIssue(create_api(ctx), ctx)


def create_api(ctx: ServerContext) -> FastAPI:
    # Messages to visitors are decided in the transaction of each queue event (the queue
    # core knows nothing of them: it calls the hook); the worker's loop is woken after.
    doorbell = Doorbell()
    notifier = Notifier(lambda: ctx.site, doorbell.ring)
    ctx.queue.on_event, ctx.queue.on_stop = notifier.on_event, notifier.on_stop
    ctx.queue.on_phone = notifier.on_phone

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        ctx.hub.bind(asyncio.get_running_loop())
        running = loops.start(ctx, doorbell)
        yield
        for task in running:
            task.cancel()
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
    app.state.published = Published()  # /info/ and GET /info: one cache, at most 10 s old
    errors.install(app)
    # the busiest writes match first
    for module in (
        kiosk,
        officer,
        reads,
        stream,
        admin,
        people,
        skm,
        booking,
        complaints,
        reports,
        floor,
        help,
        info,
    ):
        app.include_router(module.router, prefix=API_PATH)
    web.install(app)
    app.add_middleware(errors.BodyLimit, larger=forms.upload_limit)  # evidence files: larger
    app.add_middleware(errors.RequireBearer)
    app.add_middleware(StandardHeaders)  # outermost: every answer, errors included
    return app
