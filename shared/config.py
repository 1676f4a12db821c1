"""The configuration file (TOML): the site, its agencies, services, counters and devices.

Read once in each role's `main`, validated here, then passed down explicitly.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass
from datetime import date, time
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from shared.devices import ButtonsConfig, PrinterConfig, SignConfig, VoiceConfig
from shared.errors import ConfigError

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RANGE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
Code = Annotated[str, Field(pattern=_CODE.pattern)]
# A wall-clock time of the site ("08:00"). JSON Schema's "time" format is RFC 3339's,
# with a zone offset, which these are not: documented as the pattern they have.
ClockTime = Annotated[
    time,
    WithJsonSchema({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$"}),
]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TimeRange(_Section):
    """One opening period of a day, e.g. 08:00-11:30."""

    start: ClockTime
    end: ClockTime

    @classmethod
    def parse(cls, text: str) -> TimeRange:
        m = _RANGE.match(text.strip())
        if not m:
            raise ValueError(f"{text!r} is not a time range like 08:00-15:00")
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        end = time(23, 59, 59) if h2 == 24 else time(h2, m2)
        if end <= time(h1, m1):
            raise ValueError(f"{text!r} ends before it starts")
        return cls(start=time(h1, m1), end=end)

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if self.end <= self.start:
            raise ValueError("a period ends after it starts")
        return self


def _time_range(value: object) -> TimeRange:
    """A period as the TOML writes it ("08:00-11:30") or as JSON does ({start, end})."""
    if isinstance(value, str):
        return TimeRange.parse(value)
    return TimeRange.model_validate(value)


class Schedule(_Section):
    """Weekly opening periods (a gap between periods is a break), holidays, cut-off."""

    week: dict[str, list[TimeRange]] = Field(default_factory=dict)
    holidays: list[date] = Field(default_factory=list)
    # One-off changes: a date with other hours, or [] for closed that day.
    dates: dict[date, list[TimeRange]] = Field(default_factory=dict)
    last_issue_minutes: int = Field(default=30, ge=0, le=240)
    always_open: bool = False

    @field_validator("week", mode="before")
    @classmethod
    def _parse_week(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        out: dict[str, list[TimeRange]] = {}
        for day, ranges in value.items():
            if day not in DAYS:
                raise ValueError(f"unknown day {day!r}; use one of {', '.join(DAYS)}")
            if isinstance(ranges, str):
                ranges = [ranges]
            parsed = [_time_range(r) for r in ranges]
            for a, b in itertools.pairwise(parsed):
                if b.start < a.end:
                    raise ValueError(f"{day}: periods overlap or are out of order")
            out[day] = parsed
        return out

    @field_validator("dates", mode="before")
    @classmethod
    def _parse_dates(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        out: dict[object, list[TimeRange]] = {}
        for day, ranges in value.items():
            if isinstance(ranges, str):
                ranges = [ranges]
            parsed = [_time_range(r) for r in ranges]
            for a, b in itertools.pairwise(parsed):
                if b.start < a.end:
                    raise ValueError(f"{day}: periods overlap or are out of order")
            out[day] = parsed
        return out


class BookingSession(_Section):
    """A session of online booking (antrean online), e.g. 08:00-10:00 with 20 places."""

    start: ClockTime
    end: ClockTime
    places: int = Field(ge=1, le=10_000)

    @model_validator(mode="before")
    @classmethod
    def _parse_range(cls, value: object) -> object:
        # "08:00-10:00" as a shorthand for start and end
        if isinstance(value, dict) and "range" in value:
            value = dict(value)
            r = TimeRange.parse(str(value.pop("range")))
            value["start"], value["end"] = r.start, r.end
        return value

    @model_validator(mode="after")
    def _ordered(self) -> BookingSession:
        if self.end <= self.start:
            raise ValueError("a session ends after it starts")
        return self


# A standard's text: letters, digits, punctuation, tabs and line breaks; no other
# control characters (they would hide text on a page, a TV or a TOML file).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
STANDARD_FIELDS = ("requirements", "procedure", "time", "cost", "product", "complaints")


class ServiceStandard(_Section):
    """A service's standar pelayanan (PermenPANRB 15/2014), as the public reads it.

    Plain text each (lines allowed); published on /info/ and, if the site says so, the TVs.
    """

    requirements: str = Field(default="", max_length=2000)  # persyaratan
    procedure: str = Field(default="", max_length=2000)  # sistem, mekanisme dan prosedur
    time: str = Field(default="", max_length=200)  # jangka waktu penyelesaian
    cost: str = Field(default="", max_length=500)  # biaya/tarif, e.g. "Gratis"
    product: str = Field(default="", max_length=500)  # produk pelayanan
    complaints: str = Field(default="", max_length=1000)  # penanganan pengaduan

    @field_validator(*STANDARD_FIELDS)
    @classmethod
    def _plain_text(cls, value: str) -> str:
        # a browser's textarea sends CRLF
        value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        if _CONTROL.search(value):
            raise ValueError("only plain text: no control characters")
        return value

    def empty(self) -> bool:
        return not any(getattr(self, f) for f in STANDARD_FIELDS)


class ServiceConfig(_Section):
    """A service an agency offers, with its own ticket prefix."""

    code: Code
    name: str = Field(min_length=1, max_length=80)
    name_en: str = ""
    prefix: str = Field(pattern=r"^[A-Z]{1,3}$")
    quota: int | None = Field(default=None, ge=1)
    priority: bool = True
    schedule: Schedule | None = None
    # Share of the called tickets within this many minutes of waiting: the service level.
    target_minutes: int = Field(default=30, ge=1, le=480)
    # Online booking: its sessions (their places are the online share of the quota).
    sessions: list[BookingSession] = Field(default_factory=list)
    needs_nik: bool = False
    # Hidden services are not offered at kiosks or for booking (a service with tickets
    # today is hidden, never deleted).
    hidden: bool = False
    # None: no standard published yet
    standard: ServiceStandard | None = None

    @model_validator(mode="after")
    def _sessions_fit(self) -> ServiceConfig:
        for a, b in itertools.pairwise(sorted(self.sessions, key=lambda x: x.start)):
            if b.start < a.end:
                raise ValueError("booking sessions overlap")
        online = sum(x.places for x in self.sessions)
        if self.quota is not None and online > self.quota:
            raise ValueError(
                f"booking sessions offer {online} places, more than the daily quota {self.quota}"
            )
        return self

    @property
    def online_places(self) -> int:
        return sum(x.places for x in self.sessions)


class AgencyConfig(_Section):
    """An agency (instansi) and the services it offers at this site."""

    code: Code
    name: str = Field(min_length=1, max_length=80)
    name_en: str = ""
    color: str = Field(default="#1565C0", pattern=r"^#[0-9A-Fa-f]{6}$")
    logo: str = ""
    services: list[ServiceConfig] = Field(min_length=1)
    schedule: Schedule | None = None


class CounterConfig(_Section):
    """A counter (loket) and the services it serves."""

    code: Code
    name: str = Field(min_length=1, max_length=40)
    agency: str
    services: list[str] = Field(min_length=1)


class SiteConfig(_Section):
    """The building: name, time zone, ticket format."""

    name: str = "MPP"
    timezone: str = "Asia/Jakarta"
    zone_label: str = "WIB"
    ticket_format: str = "{prefix}{number:03d}"
    logo: str = ""
    footer: str = "Terima kasih atas kunjungan Anda"
    # The TVs' running text; "" leaves each TV its own [display] marquee.
    running_text: str = Field(default="", max_length=500)
    # The signature block of reports: place, title and name of the head of office.
    place: str = Field(default="", max_length=80)
    head_title: str = Field(default="", max_length=120)
    head_name: str = Field(default="", max_length=120)
    head_id: str = Field(default="", max_length=40)  # NIP
    # The TVs rotate the SKM result and the service standards between calls.
    tv_publish: bool = False

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Jakarta)") from exc
        return value

    @field_validator("ticket_format")
    @classmethod
    def _format_works(cls, value: str) -> str:
        try:
            value.format(prefix="A", number=1)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(
                f"ticket_format {value!r} must use only {{prefix}} and {{number}}"
            ) from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# Who a priority ticket is for (UU 25/2009 art. 29, UU 8/2016): the kiosk offers these,
# the ticket records the code, reports group by it. Tickets without one count as "umum".
NO_GROUP = "umum"


class PriorityGroup(_Section):
    """One priority group: its code (kept on tickets), its Indonesian and English names."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    name: str = Field(min_length=1, max_length=60)
    name_en: str = Field(default="", max_length=60)

    @field_validator("code")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value == NO_GROUP:
            raise ValueError(f"{NO_GROUP!r} is the reports' name for tickets without a group")
        return value


def default_priority_groups() -> list[PriorityGroup]:
    return [
        PriorityGroup(code="lansia", name="Lansia", name_en="Elderly"),
        PriorityGroup(
            code="disabilitas", name="Penyandang disabilitas", name_en="People with disabilities"
        ),
        PriorityGroup(code="ibu_hamil", name="Ibu hamil", name_en="Pregnant women"),
        PriorityGroup(
            code="balita", name="Ibu dengan balita", name_en="Mothers with small children"
        ),
    ]


class QueueConfig(_Section):
    """The queue rules a site can tune."""

    priority_max_in_row: int = Field(default=2, ge=1, le=20)
    requeue_window_minutes: int = Field(default=30, ge=0, le=600)
    default_service_minutes: float = Field(default=5.0, gt=0, le=240)
    recent_services_for_estimate: int = Field(default=20, ge=1, le=500)
    priority_groups: list[PriorityGroup] = Field(
        default_factory=default_priority_groups, max_length=12
    )

    @field_validator("priority_groups")
    @classmethod
    def _codes_once(cls, value: list[PriorityGroup]) -> list[PriorityGroup]:
        codes = [g.code for g in value]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"priority group {twice[0]!r} is given twice")
        return value

    def group(self, code: str) -> PriorityGroup | None:
        return next((g for g in self.priority_groups if g.code == code), None)


class AlertConfig(_Section):
    """When the floor view raises an alert (a service's wait uses its target_minutes)."""

    pause_minutes: int = Field(default=15, ge=1, le=600)
    quota_left: int = Field(default=10, ge=0, le=10_000)
    device_silent_minutes: int = Field(default=5, ge=1, le=1440)


class BookingConfig(_Section):
    """Online booking: how far ahead, and how long personal data is kept."""

    days_ahead: int = Field(default=7, ge=1, le=60)
    retention_days: int = Field(default=30, ge=1, le=3650)
    # a booked visitor may check in this many minutes before the session starts
    early_minutes: int = Field(default=30, ge=0, le=240)
    # Proof that the phone is the booker's: a one-time code sent by SMS to the phone
    # before a booking is made (the [notify] channel sends it; only with one).
    require_sms_code: bool = False


class ComplaintsConfig(_Section):
    """Pengaduan: the answer's target in working days, and how long a contact is kept."""

    target_days: int = Field(default=5, ge=1, le=60)
    retention_days: int = Field(default=365, ge=1, le=3650)


class NotifyConfig(_Section):
    """Messages to waiting visitors who left a phone number (server/notify/)."""

    channel: Literal["none", "sms", "http"] = "none"
    # sms: the GSM modem on the server box, any pyserial URL (/dev/ttyUSB0, rfc2217://...)
    device: str = Field(default="", max_length=200, validate_default=True)
    # http: the gateway's URL, its headers, and the body with {phone} and {text}
    url: str = Field(default="", max_length=500, validate_default=True)
    headers: dict[str, str] = Field(default_factory=dict)
    body: str = Field(default='{"to": "{phone}", "text": "{text}"}', max_length=2000)
    # "near": this many ahead, or (0 = off) an estimate under this many minutes
    near_ahead: int = Field(default=3, ge=0, le=100)
    near_minutes: int = Field(default=0, ge=0, le=240)
    # caps of the site: messages a minute and a day (a gateway bills each)
    per_minute: int = Field(default=30, ge=1, le=10_000)
    per_day: int = Field(default=2000, ge=1, le=1_000_000)

    # Field validators, so that an error names its field (notify.device): each runs after
    # `channel`, which is declared first.
    @field_validator("device")
    @classmethod
    def _device_for_sms(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("channel") == "sms" and not value.strip():
            raise ValueError("channel sms needs a device")
        return value

    @field_validator("url")
    @classmethod
    def _url_for_http(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("channel") == "http" and not re.match(r"^https?://\S+$", value):
            raise ValueError("channel http needs a url starting with http:// or https://")
        return value

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name, text in value.items():
            if not re.fullmatch(r"[A-Za-z0-9-]{1,64}", name) or "\n" in text or "\r" in text:
                raise ValueError(f"header {name!r} is not a valid HTTP header")
        return value

    @field_validator("body")
    @classmethod
    def _body(cls, value: str) -> str:
        if "{text}" not in value:
            raise ValueError("body must hold {text}")
        return value


class ServerConfig(_Section):
    """How the local server listens and stores."""

    host: str = "0.0.0.0"
    port: int = Field(default=8765, ge=1, le=65535)
    db: str = ""
    data_dir: str = ""
    zeroconf: bool = True
    zeroconf_interfaces: list[str] = Field(default_factory=list)
    require_token_for_reads: bool = False
    pin_max_failures: int = Field(default=5, ge=1, le=100)
    pin_lock_minutes: int = Field(default=5, ge=1, le=1440)
    session_hours: int = Field(default=16, ge=1, le=24 * 7)
    console_session_hours: int = Field(default=8, ge=1, le=24 * 7)
    # Sign-in attempts (PINs and passwords) per client address per minute, and overall
    # per second: guessing is slowed, and the hashing never crowds the kiosks out.
    sign_in_per_minute: int = Field(default=20, ge=1, le=10_000)
    sign_in_per_second: float = Field(default=3.0, gt=0, le=1000)
    # Booking and cancelling (antrean online) per client address: a burst, then this many
    # a minute. Left out of the sample on purpose (a load test sets it high).
    booking_per_minute: int = Field(default=6, ge=1, le=1_000_000)
    booking_burst: int = Field(default=5, ge=1, le=1_000_000)
    # Bookings for the whole site, and for one session, whatever the addresses: a dozen
    # addresses (or a botnet) cannot empty a session in a fraction of a second.
    booking_overall_per_minute: int = Field(default=120, ge=1, le=1_000_000)
    booking_overall_burst: int = Field(default=30, ge=1, le=1_000_000)
    booking_session_per_minute: int = Field(default=12, ge=1, le=1_000_000)
    booking_session_burst: int = Field(default=4, ge=1, le=1_000_000)
    # A cancelled booking's place returns this many minutes after the cancel, at the next
    # housekeeping round (every minute), never at the instant a tout cancels (0: at once).
    booking_release_minutes: int = Field(default=5, ge=0, le=240)
    # Looking a booking up by its code and phone: refused pairs per client address in an
    # hour (a guesser's), beyond which the address waits; each look-up also spends one of
    # the address's booking_per_minute.
    booking_lookup_misses_per_hour: int = Field(default=10, ge=1, le=1_000_000)
    # Check-ins (a booking's code typed at a kiosk) per kiosk and for the whole site: a code
    # cannot be guessed by a kiosk token at thousands a minute.
    check_in_per_minute: int = Field(default=30, ge=1, le=1_000_000)
    check_in_burst: int = Field(default=20, ge=1, le=1_000_000)
    check_in_overall_per_minute: int = Field(default=600, ge=1, le=1_000_000)
    check_in_overall_burst: int = Field(default=100, ge=1, le=1_000_000)
    # `antrian backup`: "" = <data dir>/backups; files older than backup_keep_days go (0 = keep all)
    backup_dir: str = ""
    backup_keep_days: int = Field(default=14, ge=0, le=3650)
    # A second listener for the reverse proxy to the internet: booking and ticket pages
    # only (0 = none). public_url is what printed QR codes point to ("" = this server).
    public_port: int = Field(default=0, ge=0, le=65535)
    public_url: str = ""


class ClientConfig(_Section):
    """How an app reaches the server: a URL wins, else zeroconf (by site name)."""

    server: str = ""
    site: str = ""
    token: str = ""


class KioskConfig(_Section):
    """The touchscreen kiosk."""

    language: str = Field(default="id", pattern=r"^(id|en)$")
    idle_seconds: int = Field(default=45, ge=5, le=600)
    done_seconds: int = Field(default=8, ge=2, le=120)
    fullscreen: bool = True


class CounterAppConfig(_Section):
    """The officer's counter terminal."""

    counter: str = ""  # preselected at login; an officer allowed elsewhere may choose another
    locked: bool = False  # true: no choice (a terminal wired to its counter's sign or keypad)
    username: str = ""
    fullscreen: bool = False


class DisplayConfig(_Section):
    """The waiting-room TV board."""

    marquee: str = "Selamat datang. Silakan ambil nomor antrean di anjungan."
    group_by: str = Field(default="counter", pattern=r"^(counter|agency)$")
    playlist_dir: str = ""
    recent_calls: int = Field(default=6, ge=0, le=20)
    hold_seconds: float = Field(default=6.0, ge=0, le=60)
    fullscreen: bool = True
    # show only these counters (a TV per floor or zone); empty = all
    counters: list[str] = Field(default_factory=list)
    playlist_seconds: float = Field(default=10.0, ge=2, le=600)
    # playlist videos (needs the `video` extra): their volume, and while a call is read
    # out (0 = muted then)
    video_volume: float = Field(default=0.6, ge=0, le=1)
    duck_volume: float = Field(default=0.1, ge=0, le=1)
    # where to browse for the server (e.g. ["192.168.1.20"]); empty = every interface
    zeroconf_interfaces: list[str] = Field(default_factory=list)


class Config(_Section):
    """The whole configuration of one box (any role)."""

    site: SiteConfig = Field(default_factory=SiteConfig)
    schedule: Schedule = Field(default_factory=Schedule)
    queue: QueueConfig = Field(default_factory=QueueConfig)
    alerts: AlertConfig = Field(default_factory=AlertConfig)
    booking: BookingConfig = Field(default_factory=BookingConfig)
    complaints: ComplaintsConfig = Field(default_factory=ComplaintsConfig)
    notify: NotifyConfig = Field(default_factory=NotifyConfig)
    agencies: list[AgencyConfig] = Field(default_factory=list)
    counters: list[CounterConfig] = Field(default_factory=list)
    server: ServerConfig = Field(default_factory=ServerConfig)
    client: ClientConfig = Field(default_factory=ClientConfig)
    kiosk: KioskConfig = Field(default_factory=KioskConfig)
    counter: CounterAppConfig = Field(default_factory=CounterAppConfig)
    display: DisplayConfig = Field(default_factory=DisplayConfig)
    printer: PrinterConfig = Field(default_factory=PrinterConfig)
    sign: SignConfig = Field(default_factory=SignConfig)
    buttons: ButtonsConfig = Field(default_factory=ButtonsConfig)
    voice: VoiceConfig = Field(default_factory=VoiceConfig)

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        problems = site_problems(self.agencies, self.counters, self.booking, self.notify)
        if problems:
            raise ValueError("; ".join(p.message for p in problems))
        return self

    def definition(self) -> SiteDefinition:
        """The site part of this config (what the server keeps in its database)."""
        return SiteDefinition(**{name: getattr(self, name) for name in SITE_SECTIONS})

    def service(self, code: str) -> tuple[AgencyConfig, ServiceConfig] | None:
        for agency in self.agencies:
            for svc in agency.services:
                if svc.code == code:
                    return agency, svc
        return None

    def counter_config(self, code: str) -> CounterConfig | None:
        return next((c for c in self.counters if c.code == code), None)

    def schedule_for(self, service_code: str) -> Schedule:
        found = self.service(service_code)
        if found is None:
            return self.schedule
        agency, svc = found
        return svc.schedule or agency.schedule or self.schedule


# The sections that describe the site (kept in the server's database); the others are
# each box's own (server, client, kiosk, counter, display, printer, sign, buttons, voice).
SITE_SECTIONS = (
    "site",
    "schedule",
    "queue",
    "alerts",
    "booking",
    "complaints",
    "notify",
    "agencies",
    "counters",
)


@dataclass(frozen=True)
class SiteProblem:
    """One broken rule of the whole site: where (e.g. services.IZIN.prefix), which, in words."""

    field: str
    kind: str  # agency_twice, service_twice, prefix_shared, counter_twice, unknown_agency...
    message: str
    values: dict[str, str]


def site_problems(
    agencies: list[AgencyConfig],
    counters: list[CounterConfig],
    booking: BookingConfig | None = None,
    notify: NotifyConfig | None = None,
) -> list[SiteProblem]:
    """The rules across sections: codes unique, prefixes unique, counters' references known;
    a booking's SMS code only where the site has a message channel."""
    problems: list[SiteProblem] = []
    if (
        booking is not None
        and booking.require_sms_code
        and (notify or NotifyConfig()).channel == "none"
    ):
        problems.append(
            SiteProblem(
                "booking.require_sms_code",
                "sms_code_needs_channel",
                "booking.require_sms_code needs a message channel: set notify.channel to sms"
                " or http",
                {},
            )
        )

    def add(field: str, kind: str, message: str, **values: str) -> None:
        problems.append(SiteProblem(field, kind, message, values))

    seen_agency: set[str] = set()
    services: dict[str, str] = {}
    prefixes: dict[str, str] = {}
    for agency in agencies:
        if agency.code in seen_agency:
            add(
                f"agencies.{agency.code}.code",
                "agency_twice",
                f"agency {agency.code!r} is defined twice",
                agency=agency.code,
            )
        seen_agency.add(agency.code)
        for svc in agency.services:
            if svc.code in services:
                add(
                    f"services.{svc.code}.code",
                    "service_twice",
                    f"service {svc.code!r} is defined twice",
                    service=svc.code,
                )
            services[svc.code] = agency.code
            if svc.prefix in prefixes:
                add(
                    f"services.{svc.code}.prefix",
                    "prefix_shared",
                    f"services {prefixes[svc.prefix]!r} and {svc.code!r} "
                    f"both use prefix {svc.prefix!r}",
                    other=prefixes[svc.prefix],
                    service=svc.code,
                    prefix=svc.prefix,
                )
            prefixes[svc.prefix] = svc.code
    seen_counter: set[str] = set()
    for counter in counters:
        if counter.code in seen_counter:
            add(
                f"counters.{counter.code}.code",
                "counter_twice",
                f"counter {counter.code!r} is defined twice",
                counter=counter.code,
            )
        seen_counter.add(counter.code)
        if counter.agency not in seen_agency:
            add(
                f"counters.{counter.code}.agency",
                "unknown_agency",
                f"counter {counter.code!r}: unknown agency {counter.agency!r}",
                counter=counter.code,
                agency=counter.agency,
            )
        for code in counter.services:
            if code not in services:
                add(
                    f"counters.{counter.code}.services",
                    "unknown_service",
                    f"counter {counter.code!r}: unknown service {code!r}",
                    counter=counter.code,
                    service=code,
                )
    return problems


class SiteDefinition(_Section):
    """The site part of a Config: what the console edits and the server keeps in rows.

    Each section is checked by its own model; the rules across sections are
    `site_problems`, the same as Config's (server/office/rules.py reports both by field).
    """

    site: SiteConfig = Field(default_factory=SiteConfig)
    schedule: Schedule = Field(default_factory=Schedule)
    queue: QueueConfig = Field(default_factory=QueueConfig)
    alerts: AlertConfig = Field(default_factory=AlertConfig)
    booking: BookingConfig = Field(default_factory=BookingConfig)
    complaints: ComplaintsConfig = Field(default_factory=ComplaintsConfig)
    notify: NotifyConfig = Field(default_factory=NotifyConfig)
    agencies: list[AgencyConfig] = Field(default_factory=list)
    counters: list[CounterConfig] = Field(default_factory=list)

    def config(self, box: Config) -> Config:
        """A box's config with this site in place of its own site sections."""
        return box.model_copy(update={name: getattr(self, name) for name in SITE_SECTIONS})


def sample_path() -> Path:
    """The bundled sample site, MPP Kabupaten Jombang."""
    return Path(str(resources.files("shared").joinpath("sample/jombang.toml")))


def parse_config(text: str, source: str = "<config>") -> Config:
    """Parse and validate TOML text; errors name the file and the field."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(top level)"
            msg = str(err["msg"]).removeprefix("Value error, ")
            lines.append(f"  {where}: {msg}")
        raise ConfigError(f"{source}: invalid configuration:\n" + "\n".join(lines)) from exc


def load_config(path: str | Path | None) -> Config:
    """Load a config file; None loads the bundled sample site."""
    p = Path(path) if path else sample_path()
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config file {p}: {exc.strerror or exc}") from exc
    return parse_config(text, str(p))
