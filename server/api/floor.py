"""The floor's JSON routes (thin): the floor now, and the devices' heartbeat."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from server.access.deps import CallerDep, CtxDep, require_role
from server.api.errors import BEARER, answers
from server.problems import Problem
from server.reports.devices import Heartbeat, record_heartbeat
from server.reports.views import Floor, floor_view
from shared.timeutil import utcnow

log = logging.getLogger(__name__)
router = APIRouter()


@router.get(
    "/floor",
    response_model=Floor,
    responses=answers(401, 403),
    openapi_extra={"security": [{BEARER: []}]},
)
async def floor(ctx: CtxDep, who: CallerDep) -> Floor:
    """Per agency and service, per counter, the devices and the alerts, now."""
    require_role(who, "supervisor", "admin")

    def build() -> Floor:
        with ctx.store.read() as s:
            return floor_view(s, ctx.site, utcnow())

    return await run_in_threadpool(build)


@router.post("/devices/heartbeat", status_code=204, responses=answers(401, 403, 422))
def heartbeat(ctx: CtxDep, who: CallerDep, body: Heartbeat, request: Request) -> None:
    """A kiosk, TV or survey tablet says it is there, with its printer or voice state."""
    require_role(who, "kiosk", "display", "survey")
    if not who.device_id:
        if not ctx.demo:
            raise Problem(403, "forbidden", "Only a registered device sends a heartbeat.")
        return  # the demo devices have no row to keep a state on
    address = request.client.host if request.client else None
    with ctx.store.write() as s:
        changed = record_heartbeat(s, who.device_id, body, utcnow(), address, ctx.hub.publish)
    if changed:
        log.info("device %s state: %s", who.device_id, body.model_dump(exclude_none=True))
