"""The configuration file (TOML): the site, its agencies, services, counters and devices.

Read once in each role's `main`, validated here, then passed down explicitly.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from datetime import date, time
from importlib import resources
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from shared.devices import ButtonsConfig, PrinterConfig, SignConfig, VoiceConfig
from shared.errors import ConfigError

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RANGE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
Code = Annotated[str, Field(pattern=_CODE.pattern)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TimeRange(_Section):
    """One opening period of a day, e.g. 08:00-11:30."""

    start: time
    end: time

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
            parsed = [TimeRange.parse(r) if isinstance(r, str) else r for r in ranges]
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
            parsed = [TimeRange.parse(r) if isinstance(r, str) else r for r in ranges]
            for a, b in itertools.pairwise(parsed):
                if b.start < a.end:
                    raise ValueError(f"{day}: periods overlap or are out of order")
            out[day] = parsed
        return out


class BookingSession(_Section):
    """A session of online booking (antrean online), e.g. 08:00-10:00 with 20 places."""

    start: time
    end: time
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


class QueueConfig(_Section):
    """The queue rules a site can tune."""

    priority_max_in_row: int = Field(default=2, ge=1, le=20)
    requeue_window_minutes: int = Field(default=30, ge=0, le=600)
    default_service_minutes: float = Field(default=5.0, gt=0, le=240)
    recent_services_for_estimate: int = Field(default=20, ge=1, le=500)


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

    counter: str = ""
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
        problems: list[str] = []
        seen_agency: set[str] = set()
        services: dict[str, str] = {}
        prefixes: dict[str, str] = {}
        for agency in self.agencies:
            if agency.code in seen_agency:
                problems.append(f"agency {agency.code!r} is defined twice")
            seen_agency.add(agency.code)
            for svc in agency.services:
                if svc.code in services:
                    problems.append(f"service {svc.code!r} is defined twice")
                services[svc.code] = agency.code
                if svc.prefix in prefixes:
                    problems.append(
                        f"services {prefixes[svc.prefix]!r} and {svc.code!r} "
                        f"both use prefix {svc.prefix!r}"
                    )
                prefixes[svc.prefix] = svc.code
        seen_counter: set[str] = set()
        for counter in self.counters:
            if counter.code in seen_counter:
                problems.append(f"counter {counter.code!r} is defined twice")
            seen_counter.add(counter.code)
            if counter.agency not in seen_agency:
                problems.append(f"counter {counter.code!r}: unknown agency {counter.agency!r}")
            for code in counter.services:
                if code not in services:
                    problems.append(f"counter {counter.code!r}: unknown service {code!r}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

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
