"""Wire models of API v1: what the server sends and the apps read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

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
    # Counters open now for its service, beside the estimate (0: none yet, so the
    # estimate assumes one): a waiting ticket's only, like the estimate.
    counters_open: int | None = None
    counter: str | None = None
    counter_name: str | None = None
    called_at: datetime | None = None
    recalls: int = 0
    transferred_from: int | None = None
    business_day: date


class IssuedTicket(Ticket):
    """The issuing kiosk's answer: the ticket, and its own page's path for the QR code."""

    page: str = ""  # /t/{token}; only in this answer, never in events or GET /tickets/{id}
    # Who the priority is for (lansia, disabilitas...): the kiosk and the officer only,
    # never in events, GET /tickets/{id}, the board or on the TV.
    priority_group: str | None = None


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


class HelpInfo(_Wire):
    """A visitor's call for help: where (the kiosk's name), when, and who took it."""

    id: int
    kiosk: str
    asked_at: datetime
    taken_at: datetime | None = None
    taken_by: str | None = None  # the officer's name
    taken_counter: str | None = None


class HelpEvent(Event):
    """A `help.asked` or `help.taken` event: an Event with the request (no note: the
    stream is read openly; officers read the note in GET /help)."""

    help: HelpInfo


class HelpRequest(_Wire):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=200)
    # "petugas menghampiri": the visitor's ticket, issued at this kiosk and still waiting
    # or called; the alert names its number
    ticket: int | None = Field(default=None, ge=1, le=2**31 - 1)


class HelpCreated(_Wire):
    id: int


class HelpOpen(HelpInfo):
    """An open call for help as officers see it (GET /help): with the visitor's note, and
    the number of the ticket whose holder asked ("petugas menghampiri"), if one did."""

    note: str = ""
    ticket: str | None = None


class HelpList(_Wire):
    open: list[HelpOpen]


class ServiceInfo(_Wire):
    code: str
    name: str
    name_en: str
    prefix: str
    priority_allowed: bool
    open_now: bool
    # "closed", "holiday", "break", "cutoff", "quota", "stopped" (for the day: stop_reason)
    closed_reason: str | None = None
    opens_at: datetime | None = None
    waiting: int
    quota: int | None = None
    quota_left: int | None = None
    estimated_wait_minutes: int | None = None
    counters_open: int | None = None  # counters open now for it (0: none yet)
    stop_reason: str | None = None  # stopped for the rest of the day, and why


class AgencyInfo(_Wire):
    code: str
    name: str
    name_en: str
    color: str
    services: list[ServiceInfo]


class PriorityGroupInfo(_Wire):
    """A priority group the kiosk offers (the site's list): its code and names."""

    code: str
    name: str
    name_en: str


class ServicesAnswer(_Wire):
    site: str
    business_day: date
    agencies: list[AgencyInfo]
    # the site texts visitors who leave a number (server/notify/): the kiosk asks for one
    messages: bool = False
    priority_groups: list[PriorityGroupInfo] = []


class Health(_Wire):
    status: str
    site: str
    version: str
    api_version: str
    time: datetime
    timezone: str
    demo: bool = False
    # Goes up with every change of the site's setup: a kiosk that sees it move reloads.
    site_version: int = 0
    # Where printed QR codes point ("" = the server's address as the kiosk reaches it).
    public_url: str = ""


class IssueRequest(_Wire):
    model_config = ConfigDict(extra="forbid")
    service: str = Field(min_length=1, max_length=32)
    priority: bool = False
    request_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    # "Kirim pesan saat giliran Anda dekat?": an Indonesian mobile number (server/notify/),
    # kept for the ticket's day only; the messages in `lang`
    phone: str | None = Field(default=None, max_length=32)
    lang: Literal["id", "en"] = "id"
    # One of the site's priority groups (GET /services lists them), with priority: true.
    priority_group: str | None = Field(default=None, min_length=1, max_length=32)


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
    # The priority group of the counter's current ticket: in the officer's own answers
    # only (the board and GET /counters/{code} are read openly on the LAN).
    priority_group: str | None = None


class GroupRequest(_Wire):
    """The officer sets (or clears, null) the priority group of their current ticket."""

    model_config = ConfigDict(extra="forbid")
    priority_group: str | None = Field(max_length=32)


class WaitingCount(_Wire):
    service: str
    service_name: str
    agency: str
    waiting: int
    stop_reason: str | None = None  # stopped for the rest of the day, and why (the TV says it)


class Board(_Wire):
    seq: int
    site: str
    time: datetime
    counters: list[CounterState]
    recent: list[Ticket]
    waiting: list[WaitingCount]
    # The site's running text for the TVs; "" leaves each TV its own [display] marquee.
    running_text: str = ""
    # The site's tv_publish: between calls the TVs show GET /info's SKM and standards.
    publish: bool = False


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


# -- antrean online (server/booking/) ------------------------------------------


class BookableService(_Wire):
    code: str
    name: str
    name_en: str
    needs_nik: bool


class BookableAgency(_Wire):
    code: str
    name: str
    name_en: str
    color: str
    services: list[BookableService]


class BookableAnswer(_Wire):
    site: str
    days: list[date]  # the dates open for booking
    agencies: list[BookableAgency]


class Slot(_Wire):
    session: str  # "08:00-10:00", the key a booking names
    start: str  # "08.00" as said in Indonesian
    end: str
    places: int
    left: int


class SlotsAnswer(_Wire):
    service: str
    service_name: str
    date: date
    slots: list[Slot]


class BookingRequest(_Wire):
    model_config = ConfigDict(extra="forbid")
    service: str = Field(min_length=1, max_length=32)
    date: date
    session: str = Field(min_length=11, max_length=11)
    name: str = Field(min_length=1, max_length=80)
    phone: str = Field(min_length=6, max_length=24)
    nik: str | None = Field(default=None, max_length=24)
    # the code sent by SMS to the phone, where the site requires one
    sms_code: str | None = Field(default=None, max_length=12)


class SmsCodeRequest(_Wire):
    """Send a booking's one-time code to this phone (where the site requires one)."""

    model_config = ConfigDict(extra="forbid")
    phone: str = Field(min_length=6, max_length=24)
    lang: Literal["id", "en"] = "id"


class SmsCodeSent(_Wire):
    valid_seconds: int


class Booking(_Wire):
    """A booking as its booker sees it (no name or phone: only an admin sees those)."""

    code: str
    service: str
    service_name: str
    agency: str
    agency_name: str
    date: date
    session: str
    status: str  # booked | cancelled | checked_in | expired
    come_from: datetime  # the check-in window
    come_until: datetime
    nik: str | None = None  # masked, e.g. 3578********0001
    ticket: str | None = None  # the ticket's code once checked in


class BookingCreated(Booking):
    token: str  # the booker's link: shown only in this answer


class BookingFindRequest(_Wire):
    """A booking looked up by its code and the phone given at booking."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=4, max_length=24)
    phone: str = Field(min_length=6, max_length=24)


class CheckInRequest(_Wire):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=4, max_length=24)
    request_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")


class OnlineTicket(IssuedTicket):
    """The ticket a booking's check-in issued (marked online on the print), with its page."""

    online: bool = True
    booking: str


class ComplaintCreated(BaseModel):
    """A complaint filed (POST /complaints): its reference, and the follow-up link's token
    (shown once: /pengaduan/{token})."""

    id: int
    reference: str
    token: str
    # the same request_id again: the complaint filed before (answered 200, not 201)
    repeated: bool = False
