"""Wire models of API v1: what the server sends and the apps read."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

# the names live in shared/api.py (no pydantic there); imported from here as before
from shared.api import API_PATH as API_PATH
from shared.api import API_VERSION as API_VERSION
from shared.api import DEFAULT_PORT as DEFAULT_PORT
from shared.api import SERVICE_TYPE as SERVICE_TYPE
from shared.api import CounterStatus as CounterStatus
from shared.api import EventType as EventType
from shared.api import TicketStatus as TicketStatus


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Ticket(_Wire):
    id: int
    code: str
    number: int
    service: str
    service_name: str
    agency: str
    agency_name: str
    priority: bool
    status: TicketStatus
    issued_at: datetime
    ahead: int = 0
    estimated_wait_minutes: int | None = None
    counter: str | None = None
    counter_name: str | None = None
    called_at: datetime | None = None
    recalls: int = 0
    transferred_from: int | None = None
    business_day: date


class CounterInfo(_Wire):
    code: str
    name: str
    agency: str
    agency_name: str
    services: list[str]
    status: CounterStatus


class CounterState(CounterInfo):
    ticket: Ticket | None = None
    served_today: int = 0


class DeviceInfo(_Wire):
    """A device as a `device.state` event names it: its heartbeat's state."""

    name: str
    role: str
    state: dict[str, str | int | None] = {}


class Event(_Wire):
    seq: int
    type: EventType
    at: datetime
    ticket: Ticket | None = None
    counter: CounterInfo | None = None


class DeviceEvent(Event):
    """A `device.state` event: an Event with the device (other events keep their bytes)."""

    device: DeviceInfo


class ServiceInfo(_Wire):
    code: str
    name: str
    name_en: str
    prefix: str
    priority_allowed: bool
    open_now: bool
    closed_reason: str | None = None  # "closed", "holiday", "break", "cutoff", "quota"
    opens_at: datetime | None = None
    waiting: int
    quota: int | None = None
    quota_left: int | None = None
    estimated_wait_minutes: int | None = None


class AgencyInfo(_Wire):
    code: str
    name: str
    name_en: str
    color: str
    services: list[ServiceInfo]


class ServicesAnswer(_Wire):
    site: str
    business_day: date
    agencies: list[AgencyInfo]


class Health(_Wire):
    status: str
    site: str
    version: str
    api_version: str
    time: datetime
    timezone: str
    demo: bool = False


class IssueRequest(_Wire):
    model_config = ConfigDict(extra="forbid")
    service: str = Field(min_length=1, max_length=32)
    priority: bool = False
    request_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")


class SessionRequest(_Wire):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    pin: str = Field(min_length=4, max_length=12, pattern=r"^[0-9]+$")
    counter: str = Field(min_length=1, max_length=32)


class PasswordSessionRequest(_Wire):
    """The console's sign-in (admin, supervisor): a password instead of a PIN and counter."""

    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class Officer(_Wire):
    username: str
    name: str
    role: str


class SessionAnswer(_Wire):
    token: str
    officer: Officer
    counter: CounterState
    expires_at: datetime


class ConsoleSessionAnswer(_Wire):
    token: str
    officer: Officer
    expires_at: datetime


class TransferRequest(_Wire):
    model_config = ConfigDict(extra="forbid")
    service: str = Field(min_length=1, max_length=32)


class RequeueRequest(_Wire):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=16)


class CounterAnswer(_Wire):
    counter: CounterState
    ticket: Ticket | None = None


class WaitingCount(_Wire):
    service: str
    service_name: str
    agency: str
    waiting: int


class Board(_Wire):
    seq: int
    site: str
    time: datetime
    counters: list[CounterState]
    recent: list[Ticket]
    waiting: list[WaitingCount]


class ServiceReport(_Wire):
    service: str
    service_name: str
    agency: str
    issued: int
    served: int
    no_show: int
    cancelled: int
    waiting: int
    mean_wait_minutes: float | None
    p90_wait_minutes: float | None
    mean_service_minutes: float | None
    p90_service_minutes: float | None


class DailyReport(_Wire):
    site: str
    date: date
    services: list[ServiceReport]


class ErrorAnswer(_Wire):
    code: str
    message: str
