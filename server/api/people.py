"""/admin/officers and /admin/devices: people and devices as the console edits them."""

from __future__ import annotations

from dataclasses import asdict
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from server.access.deps import MAX_ROW_ID, CallerDep, CtxDep, require_role
from server.api.errors import BEARER, answers
from server.office import devices as office_devices
from server.office import people as office_people
from server.office.audit import actor
from server.office.devices import register_device, revoke_device
from server.office.people import save_person
from server.office.views import DeviceAnswer, DeviceRegistered, PersonAnswer

router = APIRouter()
Username = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9._-]+$")]


class PersonCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=80)
    role: Literal["officer", "supervisor", "admin"] = "officer"
    counters: list[Annotated[str, Field(max_length=32)]] = Field(
        default_factory=list, max_length=200
    )
    pin: str | None = Field(default=None, max_length=12)
    password: str | None = Field(default=None, max_length=200)


class PersonPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=80)
    role: Literal["officer", "supervisor", "admin"] | None = None
    counters: list[Annotated[str, Field(max_length=32)]] | None = Field(
        default=None, max_length=200
    )
    pin: str | None = Field(default=None, max_length=12)
    password: str | None = Field(default=None, max_length=200)
    active: bool | None = None


class DeviceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    role: Literal["kiosk", "display", "survey"]
    counter: str | None = Field(default=None, max_length=32)


class DevicePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    revoked: Literal[True]


@router.get(
    "/admin/officers",
    response_model=list[PersonAnswer],
    responses=answers(401, 403),
    openapi_extra={"security": [{BEARER: []}]},  # a read that needs an admin's token
)
async def list_officers(ctx: CtxDep, who: CallerDep) -> list[PersonAnswer]:
    require_role(who, "admin")

    def read() -> list[PersonAnswer]:
        with ctx.store.read() as s:
            return [PersonAnswer(**asdict(p)) for p in office_people.people(s)]

    return await run_in_threadpool(read)


@router.post(
    "/admin/officers",
    response_model=PersonAnswer,
    status_code=201,
    responses=answers(401, 403, 422),
)
async def add_officer(ctx: CtxDep, who: CallerDep, body: PersonCreate) -> PersonAnswer:
    require_role(who, "admin")
    change = office_people.PersonChange(**body.model_dump())
    return await run_in_threadpool(
        partial(save_person, ctx, change, create=True, by=actor(who, "api"))
    )


@router.patch(
    "/admin/officers/{username}",
    response_model=PersonAnswer,
    responses=answers(401, 403, 404, 422),
)
async def change_officer(
    ctx: CtxDep, who: CallerDep, username: Username, body: PersonPatch
) -> PersonAnswer:
    """Any change ends the person's sessions at once (they sign in again)."""
    require_role(who, "admin")
    change = office_people.PersonChange(username=username, **body.model_dump())
    return await run_in_threadpool(
        partial(save_person, ctx, change, create=False, by=actor(who, "api"))
    )


@router.get(
    "/admin/devices",
    response_model=list[DeviceAnswer],
    responses=answers(401, 403),
    openapi_extra={"security": [{BEARER: []}]},
)
async def list_devices(ctx: CtxDep, who: CallerDep) -> list[DeviceAnswer]:
    require_role(who, "admin")

    def read() -> list[DeviceAnswer]:
        with ctx.store.read() as s:
            return [DeviceAnswer(**asdict(d)) for d in office_devices.devices(s)]

    return await run_in_threadpool(read)


@router.post(
    "/admin/devices",
    response_model=DeviceRegistered,
    status_code=201,
    responses=answers(401, 403, 422),
)
async def add_device(ctx: CtxDep, who: CallerDep, body: DeviceCreate) -> DeviceRegistered:
    """Register a kiosk, display or survey tablet; its token is in this answer only."""
    require_role(who, "admin")
    by = actor(who, "api")
    return await run_in_threadpool(register_device, ctx, body.name, body.role, body.counter, by)


@router.patch(
    "/admin/devices/{device_id}",
    response_model=DeviceAnswer,
    responses=answers(401, 403, 404, 422),
)
async def change_device(
    ctx: CtxDep,
    who: CallerDep,
    device_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)],
    body: DevicePatch,
) -> DeviceAnswer:
    """Revoke a device: its token stops working at once."""
    require_role(who, "admin")
    return await run_in_threadpool(revoke_device, ctx, device_id, actor(who, "api"))
