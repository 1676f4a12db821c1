"""/admin/officers and /admin/devices: people and devices as the console edits them."""

from __future__ import annotations

from dataclasses import asdict
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from server.access.deps import CallerDep, CtxDep, RowId, require_role
from server.api.errors import BEARER, answers
from server.office import devices as office_devices
from server.office import people as office_people
from server.office.audit import actor
from server.office.devices import register_device, revoke_device
from server.office.people import save_person
from server.office.views import DeviceAnswer, DeviceRegistered, PersonAnswer

router = APIRouter()
Username = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9._-]+$")]


# Types only: the office's rules (server/office/people.py, devices.py) check every value
# and answer a 422 naming the field in Indonesian and English, as for the console's forms
# and the command line. The bounds only cap the memory a request can take, above any
# rule's (a counter's code is at most 32 characters); a list at its bound of its longest
# codes stays under the body's 64 KB (a longer one is a 422, not a 413).
TEXT = 1000
COUNTERS = 200
Code = Annotated[str, Field(max_length=64)]


def _text(what: str, *, default: object = ...) -> Any:
    return Field(default=default, max_length=TEXT, description=what)


class PersonCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = _text("2-32 lowercase letters, digits, dots, underscores or hyphens")
    name: str = _text("1-80 characters")
    role: str = Field(
        default="officer", max_length=TEXT, json_schema_extra={"enum": list(office_people.ROLES)}
    )
    counters: list[Code] = Field(default_factory=list, max_length=COUNTERS)
    pin: str | None = _text("4 to 12 digits", default=None)
    password: str | None = _text(
        f"{office_people.MIN_PASSWORD} to {office_people.MAX_PASSWORD} characters", default=None
    )


class PersonPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = _text("1-80 characters", default=None)
    role: str | None = Field(
        default=None, max_length=TEXT, json_schema_extra={"enum": list(office_people.ROLES)}
    )
    counters: list[Code] | None = Field(default=None, max_length=COUNTERS)
    pin: str | None = _text("4 to 12 digits", default=None)
    password: str | None = _text(
        f"{office_people.MIN_PASSWORD} to {office_people.MAX_PASSWORD} characters", default=None
    )
    active: bool | None = None


class DeviceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = _text("1-64 letters, digits, dots, underscores or hyphens")
    role: str = Field(max_length=TEXT, json_schema_extra={"enum": list(office_devices.ROLES)})
    counter: str | None = _text("a survey tablet's counter", default=None)


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
    device_id: RowId,
    body: DevicePatch,
) -> DeviceAnswer:
    """Revoke a device: its token stops working at once."""
    require_role(who, "admin")
    return await run_in_threadpool(revoke_device, ctx, device_id, actor(who, "api"))
