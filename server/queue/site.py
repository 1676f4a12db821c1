"""The site as the server sees it: the validated config plus demo overrides.

Immutable once built: a change builds a new Site and swaps it whole (server/office/live.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from zoneinfo import ZoneInfo

from server.queue.estimates import EstimateCache
from shared.config import (
    AgencyConfig,
    BookingSession,
    Config,
    CounterConfig,
    Schedule,
    ServiceConfig,
)

# --demo: every service takes bookings all day long, so check-in can be tried at any hour.
DEMO_SESSIONS = [
    BookingSession(start=time(h, 0), end=time(h + 6, 0) if h < 18 else time(23, 59, 59), places=500)
    for h in (0, 6, 12, 18)
]


def _demo_sessions(config: Config) -> Config:
    agencies = [
        a.model_copy(
            update={
                "services": [s.model_copy(update={"sessions": DEMO_SESSIONS}) for s in a.services]
            }
        )
        for a in config.agencies
    ]
    return config.model_copy(update={"agencies": agencies})


@dataclass
class Site:
    config: Config
    demo: bool = False
    # The database's site_version this was built from (server/office/live.py swaps in a
    # newer one), and the day a waiting prefix change applies from (then it is rebuilt).
    version: int = 0
    next_change: date | None = None
    services: dict[str, tuple[AgencyConfig, ServiceConfig]] = field(init=False)
    counters: dict[str, CounterConfig] = field(init=False)
    agencies: dict[str, AgencyConfig] = field(init=False)
    estimates: EstimateCache = field(default_factory=EstimateCache)

    def __post_init__(self) -> None:
        if self.demo:
            self.config = _demo_sessions(self.config)
        self.agencies = {a.code: a for a in self.config.agencies}
        self.services = {s.code: (a, s) for a in self.config.agencies for s in a.services}
        self.counters = {c.code: c for c in self.config.counters}

    @property
    def name(self) -> str:
        return self.config.site.name

    @property
    def tz(self) -> ZoneInfo:
        return self.config.site.tz

    def schedule_for(self, service: str) -> Schedule:
        if self.demo:
            return Schedule(always_open=True)
        return self.config.schedule_for(service)

    def quota_for(self, service: str) -> int | None:
        return None if self.demo else self.services[service][1].quota

    def ticket_code(self, prefix: str, number: int) -> str:
        return self.config.site.ticket_format.format(prefix=prefix, number=number)

    def counters_for(self, service: str) -> list[CounterConfig]:
        return [c for c in self.config.counters if service in c.services]
