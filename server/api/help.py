"""Help comes to the visitor (thin): a kiosk asks, officers see the open calls and take one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.concurrency import run_in_threadpool

from server.access.deps import CallerDep, CtxDep, in_writer, require_role
from server.api.errors import answers
from server.reports.help import ask_help, open_help, take_help
from shared.models import HelpCreated, HelpInfo, HelpList, HelpRequest

router = APIRouter()
HelpId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post("/help", response_model=HelpCreated, status_code=201, responses=answers(403, 422))
async def ask(ctx: CtxDep, who: CallerDep, body: HelpRequest) -> HelpCreated:
    """A visitor at a kiosk asks for help ("Butuh bantuan"; with `ticket`, "petugas
    menghampiri": the alert names the number): a floor alert naming the kiosk and a
    notice on the counter apps until an officer takes it."""
    require_role(who, "kiosk")
    args = (ctx.store, who.device_id, body.note, ctx.hub.publish, body.ticket)
    return HelpCreated(id=await in_writer(ctx, ask_help, *args))


@router.get("/help", response_model=HelpList, responses=answers(401, 403))
async def calls(ctx: CtxDep, who: CallerDep) -> HelpList:
    """The calls for help nobody has taken yet, with the visitor's note."""
    require_role(who, "officer", "supervisor", "admin")
    return await run_in_threadpool(open_help, ctx.store)


@router.post("/help/{help_id}/take", response_model=HelpInfo, responses=answers(404, 409))
async def take(ctx: CtxDep, who: CallerDep, help_id: HelpId) -> HelpInfo:
    """An officer goes to the visitor: the call and its alert end (409 if already taken)."""
    require_role(who, "officer", "supervisor", "admin")
    officer = who.username or who.role
    args = (ctx.store, help_id, officer, who.counter, ctx.hub.publish)
    return await in_writer(ctx, take_help, *args)
