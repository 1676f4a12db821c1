"""The public information page's one view: what /info/, GET /api/v1/info and the TVs read.

Per agency and service: the service standard, today live (open or closed, waiting,
served, the wait a new ticket would have now: the queue core's own estimate), the
latest SKM (this year's, else last year's) with its follow-up, the year's complaint
figures; the channels, the hours and the coming holidays. Nothing personal: no names
of officers, no ticket codes, no contacts, no complaint or suggestion text, no
follow-up's "who" or evidence.

`Published` keeps each rendering at most TTL seconds, so a crowd of phones costs the
server one computation every TTL seconds, not one per phone.
"""

from __future__ import annotations

import threading
import time as clock
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel
from sqlalchemy.orm import Session

from server.complaints import figures as complaint_figures
from server.office.views import range_text
from server.queue.site import Site
from server.queue.views import served_by_service, services_view
from server.skm import followup
from server.skm.questions import DEFAULTS
from server.skm.report import Filters, Row, skm_report
from shared.config import DAYS, ServiceStandard
from shared.timeutil import business_day

TTL = 10.0  # seconds: "information updated" within this, never older
HOLIDAYS_SHOWN = 5
# What a citizen can use to complain (the complaints room's channels open to the public).
PUBLIC_CHANNELS = ("web", "desk", "ticket_page", "skm")

if TYPE_CHECKING:
    from server.access.context import ServerContext

T = TypeVar("T")


class PublicAction(BaseModel):
    """An SKM follow-up action as published: what, for which unsur, by when, how far."""

    unsur: int
    unsur_name: str
    unsur_name_en: str
    what: str
    due: date
    status: str  # planned | in_progress | done


class PublicSkm(BaseModel):
    period_from: date
    period_to: date
    respondents: int
    ikm: float | None
    grade: str | None  # mutu pelayanan A-D
    grade_name: str | None
    grade_name_en: str | None
    actions: list[PublicAction]


class PublicComplaints(BaseModel):
    received: int
    answered: int
    resolved_share: float | None  # %, one decimal (PEKPPP)
    median_days: float | None


class PublicService(BaseModel):
    code: str
    name: str
    name_en: str
    open_now: bool
    closed_reason: str | None
    opens_at: datetime | None
    waiting: int
    served: int
    wait_minutes: int | None  # what a ticket taken now would wait; None: no counter open
    counters_open: int
    standard: ServiceStandard | None


class PublicAgency(BaseModel):
    code: str
    name: str
    name_en: str
    color: str
    services: list[PublicService]
    skm: PublicSkm | None
    complaints: PublicComplaints


class DayHours(BaseModel):
    day: str  # monday..sunday
    hours: list[str]  # "08:00-12:00"; empty: closed


class PublicInfo(BaseModel):
    site: str
    business_day: date
    updated_at: datetime
    open_now: bool
    opens_at: datetime | None
    zone: str
    week: list[DayHours]
    holidays: list[date]
    skm: PublicSkm | None
    complaints: PublicComplaints
    complaint_target_days: int
    complaint_channels: list[str]
    agencies: list[PublicAgency]


def _skm(row: Row, start: date, end: date, actions: list[PublicAction]) -> PublicSkm | None:
    r = row.result
    if r is None:
        return None
    return PublicSkm(
        period_from=start,
        period_to=end,
        respondents=row.respondents,
        ikm=float(r.ikm_shown),
        grade=r.grade.letter,
        grade_name=r.grade.name,
        grade_name_en=r.grade.name_en,
        actions=actions,
    )


def _actions(s: Session, start: date, end: date, unit: str) -> list[PublicAction]:
    ids, ens = DEFAULTS["id"], DEFAULTS["en"]
    return [
        PublicAction(
            unsur=a.unsur,
            unsur_name=ids[a.unsur - 1].name,
            unsur_name_en=ens[a.unsur - 1].name,
            what=a.what,
            due=a.due,
            status=a.status,
        )
        for a in followup.of_report(s, start, end, unit).actions
    ]


def _complaints(row: complaint_figures.FigureRow | None) -> PublicComplaints:
    if row is None:
        return PublicComplaints(received=0, answered=0, resolved_share=None, median_days=None)
    return PublicComplaints(
        received=row.received,
        answered=row.answered,
        resolved_share=row.resolved_share,
        median_days=row.median_days,
    )


def public_info(s: Session, site: Site, now: datetime) -> PublicInfo:
    """The page's whole content at `now` (no personal data; see the module's note)."""
    today = business_day(site.tz, now)
    # The latest SKM: this year's so far, else last year's (a January with no answers yet).
    report = None
    for year in (today.year, today.year - 1):
        start, end = date(year, 1, 1), date(year, 12, 31)
        report = skm_report(s, site, Filters(start, end))
        if report.overall.respondents:
            break
    assert report is not None
    per_agency = {row.key: row for row in report.groups["agency"]}
    year_from, year_to = date(today.year, 1, 1), date(today.year, 12, 31)
    filed = complaint_figures.figures(s, site, year_from, year_to, "agency")
    filed_by = {row.key: row for row in filed.rows}
    served = served_by_service(s, today)
    live = {svc.code: svc for a in services_view(s, site, now).agencies for svc in a.services}
    agencies = []
    for a in site.config.agencies:
        services = []
        for svc in a.services:
            if svc.hidden:
                continue
            info = live[svc.code]
            counters = info.counters_open or 0
            services.append(
                PublicService(
                    code=svc.code,
                    name=svc.name,
                    name_en=svc.name_en or svc.name,
                    open_now=info.open_now,
                    closed_reason=info.closed_reason,
                    opens_at=info.opens_at,
                    waiting=info.waiting,
                    served=served.get(svc.code, 0),
                    wait_minutes=info.estimated_wait_minutes if counters else None,
                    counters_open=counters,
                    standard=svc.standard if svc.standard and not svc.standard.empty() else None,
                )
            )
        if not services:
            continue
        row = per_agency.get(a.code)
        unit = followup.unit_of(a.code, None)
        agencies.append(
            PublicAgency(
                code=a.code,
                name=a.name,
                name_en=a.name_en or a.name,
                color=a.color,
                services=services,
                skm=None if row is None else _skm(row, start, end, _actions(s, start, end, unit)),
                complaints=_complaints(filed_by.get(a.code)),
            )
        )
    schedule = site.config.schedule
    # The building is open while any of its services is (the demo opens them all day).
    shown = [svc for a in agencies for svc in a.services]
    open_now = any(svc.open_now for svc in shown)
    later = [svc.opens_at for svc in shown if svc.opens_at is not None]
    closed_days = [d for d, ranges in schedule.dates.items() if not ranges]
    return PublicInfo(
        site=site.name,
        business_day=today,
        updated_at=now.astimezone(site.tz),
        open_now=open_now,
        opens_at=None if open_now else min(later, default=None),
        zone=site.config.site.zone_label,
        week=[
            DayHours(day=d, hours=[range_text(r) for r in schedule.week.get(d, [])]) for d in DAYS
        ],
        holidays=sorted(d for d in {*schedule.holidays, *closed_days} if d >= today)[
            :HOLIDAYS_SHOWN
        ],
        skm=_skm(report.overall, start, end, _actions(s, start, end, followup.unit_of(None, None))),
        complaints=_complaints(filed.total),
        complaint_target_days=site.config.complaints.target_days,
        complaint_channels=list(PUBLIC_CHANNELS),
        agencies=agencies,
    )


class Published:
    """Each rendering (the view, a page per language) kept at most `ttl` seconds.

    One computation at a time per key: the phones that ask while it runs wait for it
    and share its answer instead of each computing their own.
    """

    def __init__(self, ttl: float = TTL) -> None:
        self.ttl = ttl
        self._values: dict[str, tuple[float, Any]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def fresh(self, key: str) -> Any | None:
        """The rendering if it is younger than ttl (cheap: callable on the event loop)."""
        hit = self._values.get(key)
        if hit is not None and clock.monotonic() - hit[0] < self.ttl:
            return hit[1]
        return None

    def get(self, key: str, make: Callable[[], T]) -> T:
        """The fresh rendering, else `make()` once (blocking: call it from a thread)."""
        hit = self.fresh(key)
        if hit is not None:
            return hit
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            hit = self.fresh(key)
            if hit is not None:
                return hit
            started = clock.monotonic()
            value = make()
            self._values[key] = (started, value)
            return value

    def clear(self) -> None:
        self._values.clear()


def current(published: Published, ctx: ServerContext) -> PublicInfo:
    """The view at most TTL seconds old (blocking: call it from a thread)."""

    def make() -> PublicInfo:
        with ctx.store.read() as s:
            return public_info(s, ctx.site, ctx.queue.clock())

    return published.get("view", make)


def current_json(published: Published, ctx: ServerContext) -> bytes:
    """GET /api/v1/info's body: the same view, serialised once per TTL."""
    return published.get("json", lambda: current(published, ctx).model_dump_json().encode())
