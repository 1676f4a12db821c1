"""The site's setup for the manager (role admin): thin routes over server/office.

Each write is one `live.change` with the edit of server/office/edits.py: the one
validator decides (422 invalid_site, each field with an Indonesian message), the
day's safety refuses what would break today (409 with the reason), and the change
is applied to the running server before the answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field, create_model

from server.access.auth import Principal
from server.access.context import ServerContext
from server.access.deps import CallerDep, CtxDep, require_role
from server.api.errors import BEARER, answers
from server.office import audit, edits, live
from server.office import views as office_views
from server.office.audit import Actor
from server.office.definition import Stored
from server.problems import not_found
from shared.config import (
    AlertConfig,
    BookingConfig,
    CounterConfig,
    NotifyConfig,
    QueueConfig,
    ServiceConfig,
    ServiceStandard,
    SiteConfig,
)

router = APIRouter(prefix="/admin", tags=["admin"])

Code = Annotated[str, Path(min_length=1, max_length=32)]
SECURED: dict[str, Any] = {"security": [{BEARER: []}]}  # reads that need an admin's token


def admin(who: Principal) -> Actor:
    require_role(who, "admin")
    return Actor(who.username or who.role, who.role, "api")


class _Body(BaseModel):
    # Types only: the values' rules are the one validator's (server/office/rules.py).
    model_config = ConfigDict(extra="forbid")


def _loose(model: type[BaseModel], name: str) -> type[BaseModel]:
    """Every field of a config section, optional, without its rules (PATCH bodies)."""
    fields: dict[str, Any] = {
        f: (info.annotation | None, None)  # type: ignore[operator]
        for f, info in model.model_fields.items()
    }
    return create_model(name, __base__=_Body, **fields)


SiteFields = _loose(SiteConfig, "SiteFields")
QueueFields = _loose(QueueConfig, "QueueFields")
AlertFields = _loose(AlertConfig, "AlertFields")
BookingFields = _loose(BookingConfig, "BookingFields")
NotifyFields = _loose(NotifyConfig, "NotifyFields")
StandardFields = _loose(ServiceStandard, "StandardFields")


class SettingsPatch(_Body):
    site: SiteFields | None = None  # type: ignore[valid-type]
    queue: QueueFields | None = None  # type: ignore[valid-type]
    alerts: AlertFields | None = None  # type: ignore[valid-type]
    booking: BookingFields | None = None  # type: ignore[valid-type]
    notify: NotifyFields | None = None  # type: ignore[valid-type]


class Settings(BaseModel):
    site: SiteConfig
    queue: QueueConfig
    alerts: AlertConfig
    booking: BookingConfig
    notify: NotifyConfig


class SessionBody(_Body):
    start: str = Field(description="HH:MM")
    end: str = Field(description="HH:MM")
    places: int


class ServiceFields(_Body):
    name: str | None = None
    name_en: str | None = None
    prefix: str | None = Field(default=None, description="from the next day when it has tickets")
    quota: int | None = Field(default=None, description="null: no daily quota")
    priority: bool | None = None
    target_minutes: int | None = None
    sessions: list[SessionBody] | None = None
    needs_nik: bool | None = None
    hidden: bool | None = None
    agency: str | None = None
    position: int | None = None
    standard: StandardFields | None = Field(  # type: ignore[valid-type]
        default=None,
        description="standar pelayanan: the parts given are set (plain text); null removes it",
    )


class NewService(_Body):
    code: str
    name: str
    name_en: str | None = None
    prefix: str
    quota: int | None = None
    priority: bool | None = None
    target_minutes: int | None = None
    sessions: list[SessionBody] | None = None
    needs_nik: bool | None = None
    hidden: bool | None = None


class NewAgencyService(NewService):
    agency: str


class Service(ServiceConfig):
    model_config = ConfigDict(extra="ignore")
    agency: str
    own_hours: bool
    prefix_today: str
    prefix_from: str | None = Field(description="the day `prefix` applies from, if not today")


class AgencyFields(_Body):
    name: str | None = None
    name_en: str | None = None
    color: str | None = None
    logo: str | None = None
    position: int | None = None


class NewAgency(_Body):
    code: str
    name: str
    name_en: str | None = None
    color: str | None = None
    logo: str | None = None
    services: list[NewService] = Field(description="at least one")


class Agency(BaseModel):
    code: str
    name: str
    name_en: str
    color: str
    logo: str
    services: list[str]
    own_hours: bool


class CounterFields(_Body):
    name: str | None = None
    agency: str | None = None
    services: list[str] | None = None
    position: int | None = None


class NewCounter(_Body):
    code: str
    name: str
    agency: str
    services: list[str]


class Hours(BaseModel):
    week: dict[str, list[str]]
    holidays: list[str]
    dates: dict[str, list[str]]
    last_issue_minutes: int
    always_open: bool


class Schedules(BaseModel):
    site: Hours
    agencies: dict[str, Hours | None]
    services: dict[str, Hours | None]


class HoursBody(_Body):
    scope: Literal["site", "agency", "service"] = "site"
    key: str = Field(default="", description="the agency's or service's code")
    week: dict[str, list[str]] | None = Field(
        default=None, description='{"monday": ["08:00-15:00"]}'
    )
    holidays: list[str] | None = None
    dates: dict[str, list[str]] | None = Field(default=None, description="[] = closed that day")
    last_issue_minutes: int | None = None
    always_open: bool | None = None

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude={"scope", "key"})


class AuditEntry(BaseModel):
    id: int
    at: datetime
    actor: str
    actor_role: str
    source: str
    action: str
    entity: str
    key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(BaseModel):
    entries: list[AuditEntry]
    total: int
    page: int
    size: int


# -- helpers ----------------------------------------------------------------------------


def _read(ctx: ServerContext) -> Stored:
    with ctx.store.read() as s:
        return office_views.stored(s)


def _after(out: live.Outcome) -> Stored:
    return Stored(out.definition, out.pending)


def _one(items: list[dict[str, Any]], code: str, what: str) -> dict[str, Any]:
    found = next((i for i in items if i["code"] == code), None)
    if found is None:
        raise not_found(what, code)
    return found


# -- settings --------------------------------------------------------------------------


@router.get("/site", response_model=Settings, responses=answers(401, 403), openapi_extra=SECURED)
def get_site(ctx: CtxDep, who: CallerDep) -> dict[str, Any]:
    """The site's settings: name, running text, the reports' signature block, queue rules,
    alerts, online booking, messages to visitors."""
    admin(who)
    return office_views.settings_view(_read(ctx))


@router.patch("/site", response_model=Settings, responses=answers(409, 422))
def patch_site(ctx: CtxDep, who: CallerDep, body: SettingsPatch) -> dict[str, Any]:
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    out = live.change(ctx, admin(who), edits.patch_settings(changes))
    return office_views.settings_view(_after(out))


# -- agencies ----------------------------------------------------------------------------


@router.get(
    "/agencies", response_model=list[Agency], responses=answers(401, 403), openapi_extra=SECURED
)
def list_agencies(ctx: CtxDep, who: CallerDep) -> list[dict[str, Any]]:
    admin(who)
    return office_views.agencies_view(_read(ctx))


@router.post("/agencies", response_model=Agency, status_code=201, responses=answers(409, 422))
def add_agency(ctx: CtxDep, who: CallerDep, body: NewAgency) -> dict[str, Any]:
    """A new agency with its first service(s)."""
    agency = body.model_dump(exclude_unset=True)
    out = live.change(ctx, admin(who), edits.add_agency(agency))
    return _one(office_views.agencies_view(_after(out)), body.code, "agency")


@router.patch("/agencies/{code}", response_model=Agency, responses=answers(404, 409, 422))
def patch_agency(ctx: CtxDep, who: CallerDep, code: Code, body: AgencyFields) -> dict[str, Any]:
    """Name, colour, logo, place in the list (the code never changes)."""
    out = live.change(
        ctx, admin(who), edits.patch_agency(code, body.model_dump(exclude_unset=True))
    )
    return _one(office_views.agencies_view(_after(out)), code, "agency")


@router.delete("/agencies/{code}", status_code=204, responses=answers(404, 409, 422))
def delete_agency(ctx: CtxDep, who: CallerDep, code: Code) -> Response:
    """The agency and its services; 409 while one of them has tickets today (hide it)."""
    live.change(ctx, admin(who), edits.delete_agency(code))
    return Response(status_code=204)


# -- services ------------------------------------------------------------------------------


@router.get(
    "/services", response_model=list[Service], responses=answers(401, 403), openapi_extra=SECURED
)
def list_services(ctx: CtxDep, who: CallerDep) -> list[dict[str, Any]]:
    admin(who)
    return office_views.services_view(_read(ctx))


@router.post("/services", response_model=Service, status_code=201, responses=answers(404, 409, 422))
def add_service(ctx: CtxDep, who: CallerDep, body: NewAgencyService) -> dict[str, Any]:
    service = body.model_dump(exclude_unset=True, exclude={"agency"})
    out = live.change(ctx, admin(who), edits.add_service(body.agency, service))
    return _one(office_views.services_view(_after(out)), body.code, "service")


@router.patch("/services/{code}", response_model=Service, responses=answers(404, 409, 422))
def patch_service(ctx: CtxDep, who: CallerDep, code: Code, body: ServiceFields) -> dict[str, Any]:
    """Name, quota, prefix (from the next day when it has tickets today), priority, target,
    booking sessions, hidden, the service standard; `agency` moves it (the code never
    changes)."""
    fields = body.model_dump(exclude_unset=True)
    out = live.change(ctx, admin(who), edits.patch_service(code, fields))
    return _one(office_views.services_view(_after(out)), code, "service")


@router.delete("/services/{code}", status_code=204, responses=answers(404, 409, 422))
def delete_service(ctx: CtxDep, who: CallerDep, code: Code) -> Response:
    """409 while it has tickets today: hide it (hidden) or close it for the day instead."""
    live.change(ctx, admin(who), edits.delete_service(code))
    return Response(status_code=204)


# -- counters --------------------------------------------------------------------------------


@router.get(
    "/counters",
    response_model=list[CounterConfig],
    responses=answers(401, 403),
    openapi_extra=SECURED,
)
def list_counters(ctx: CtxDep, who: CallerDep) -> list[dict[str, Any]]:
    admin(who)
    return office_views.counters_view(_read(ctx))


@router.post(
    "/counters", response_model=CounterConfig, status_code=201, responses=answers(409, 422)
)
def add_counter(ctx: CtxDep, who: CallerDep, body: NewCounter) -> dict[str, Any]:
    out = live.change(ctx, admin(who), edits.add_counter(body.model_dump()))
    return _one(office_views.counters_view(_after(out)), body.code, "counter")


@router.patch("/counters/{code}", response_model=CounterConfig, responses=answers(404, 409, 422))
def patch_counter(ctx: CtxDep, who: CallerDep, code: Code, body: CounterFields) -> dict[str, Any]:
    fields = body.model_dump(exclude_unset=True)
    out = live.change(ctx, admin(who), edits.patch_counter(code, fields))
    return _one(office_views.counters_view(_after(out)), code, "counter")


@router.delete("/counters/{code}", status_code=204, responses=answers(404, 409, 422))
def delete_counter(ctx: CtxDep, who: CallerDep, code: Code) -> Response:
    """409 while it holds a ticket or has served today."""
    live.change(ctx, admin(who), edits.delete_counter(code))
    return Response(status_code=204)


# -- hours -------------------------------------------------------------------------------------


@router.get(
    "/schedule", response_model=Schedules, responses=answers(401, 403), openapi_extra=SECURED
)
def get_schedule(ctx: CtxDep, who: CallerDep) -> dict[str, Any]:
    """The site's hours, and those of each agency and service that has its own (else null)."""
    admin(who)
    return office_views.schedules_view(_read(ctx))


@router.patch("/schedule", response_model=Schedules, responses=answers(404, 409, 422))
def patch_schedule(ctx: CtxDep, who: CallerDep, body: HoursBody) -> dict[str, Any]:
    """Change some of a scope's hours (week, holidays, one-off dates, last-issue cut-off)."""
    edit = edits.set_schedule(body.scope, body.key, body.changes(), replace=False)
    return office_views.schedules_view(_after(live.change(ctx, admin(who), edit)))


@router.post("/schedule", response_model=Schedules, responses=answers(404, 409, 422))
def put_schedule(ctx: CtxDep, who: CallerDep, body: HoursBody) -> dict[str, Any]:
    """Give a scope these hours, in place of what it had."""
    edit = edits.set_schedule(body.scope, body.key, body.changes(), replace=True)
    return office_views.schedules_view(_after(live.change(ctx, admin(who), edit)))


@router.delete("/schedule", status_code=204, responses=answers(404, 409, 422))
def delete_schedule(
    ctx: CtxDep,
    who: CallerDep,
    scope: Literal["agency", "service"],
    key: Annotated[str, Query(min_length=1, max_length=32)],
) -> Response:
    """An agency or service follows the hours above it again."""
    live.change(ctx, admin(who), edits.clear_schedule(scope, key))
    return Response(status_code=204)


# -- audit --------------------------------------------------------------------------------------


@router.get("/audit", response_model=AuditPage, responses=answers(401, 403), openapi_extra=SECURED)
def get_audit(
    ctx: CtxDep,
    who: CallerDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AuditPage:
    """Every change of the setup, newest first."""
    admin(who)
    with ctx.store.read() as s:
        found = audit.page(s, page, size)
    return AuditPage(
        entries=[AuditEntry.model_validate(audit.entry_view(r)) for r in found.entries],
        total=found.total,
        page=found.page,
        size=found.size,
    )
