"""GET /info: the public information page's JSON twin (the same view, the same cache)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from server.info.views import PublicInfo, Published, current_json

router = APIRouter()


@router.get("/info", responses={200: {"model": PublicInfo}})
async def info(request: Request) -> Response:
    """What the MPP publishes (as /info/ shows it): per agency and service the service
    standard and today's queue, the latest SKM with its follow-up, the year's complaint
    figures, the hours and the coming holidays. Nothing personal; at most 10 s old."""
    published: Published = request.app.state.published
    body = published.fresh("json")
    if body is None:
        body = await run_in_threadpool(current_json, published, request.app.state.ctx)
    return Response(body, media_type="application/json")
