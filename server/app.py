"""The FastAPI application, built from a ServerContext (no globals, nothing at import)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from server import __version__
from server.api import errors, kiosk, officer, public, stream
from server.context import ServerContext
from shared.models import API_PATH


def create_app(ctx: ServerContext) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        ctx.hub.bind(asyncio.get_running_loop())
        yield

    app = FastAPI(
        title="Antrian MPP",
        version=__version__,
        summary="Queue server of a Mal Pelayanan Publik (API v1)",
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    errors.install(app)
    for module in (public, kiosk, officer, stream):
        app.include_router(module.router, prefix=API_PATH)
    app.add_middleware(errors.BodyLimit)
    app.add_middleware(errors.RequireBearer)
    return app
