"""What the reports room shows live: the floor now, per agency and service, per counter,
the devices and the alerts (server/reports/alerts.py keeps those).

`floor_view` is what GET /api/v1/floor answers and what the floor page shows. It reads
today's tickets with aggregate queries (one row per service, one per counter), never a
ticket at a time.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Date, bindparam, select, text
from sqlalchemy.orm import Session

from server.queue.events import last_seq
from server.queue.site import Site
from server.reports.aggregate import DEFAULT_TARGET_SECONDS, Spelling, case_map, targets_of
from server.reports.help import open_calls
from server.reports.tables import AlertRow
from server.store.tables import CounterRow, DeviceRow, TicketRow, UTCDateTime
from shared.models import CounterStatus, HelpOpen
from shared.timeutil import business_day

log = logging.getLogger(__name__)

# Printer states a kiosk reports that stop it printing tickets.
PRINTER_DOWN = ("paper_out", "offline", "error", "cover_open")
# Devices whose silence is an alert (an officer's terminal signs in and out instead).
WATCHED_ROLES = ("kiosk", "display", "survey")
ALERTS_KEPT = 50


class ServiceFloor(BaseModel):
    code: str
    name: str
    agency: str
    waiting: int = 0
    longest_wait_minutes: float | None = None
    served_today: int = 0
    issued_today: int = 0
    quota_left: int | None = None
    mean_wait_last_hour: float | None = None
    called_last_hour: int = 0
    called_today: int = 0
    within_target_today: int = 0
    service_level_today: float | None = None  # percent
    target_minutes: int


class AgencyFloor(BaseModel):
    code: str
    name: str
    waiting: int = 0
    longest_wait_minutes: float | None = None
    served_today: int = 0
    mean_wait_last_hour: float | None = None
    service_level_today: float | None = None
    services: list[ServiceFloor]


class CounterFloor(BaseModel):
    code: str
    name: str
    agency: str
    status: str  # open, paused, closed
    officer: str | None = None
    ticket: str | None = None  # the code of the ticket at the counter
    ticket_status: str | None = None
    serving_minutes: float | None = None  # since the current ticket was called
    idle_minutes: float | None = None  # open with no ticket: since the last one ended
    paused_minutes: float | None = None
    served_today: int = 0


class DeviceFloor(BaseModel):
    name: str
    role: str
    last_seen_at: datetime | None = None
    silent_minutes: float | None = None
    state: dict[str, Any] = {}


class Alert(BaseModel):
    id: int
    kind: str  # wait, pause, quota, printer, silent, help
    subject: str
    message: str
    started_at: datetime
    ended_at: datetime | None = None


class Floor(BaseModel):
    site: str
    time: datetime
    seq: int  # the event log's last seq when the floor was read (a page follows from it)
    agencies: list[AgencyFloor]
    counters: list[CounterFloor]
    devices: list[DeviceFloor]
    alerts: list[Alert]  # open ones first, then the latest ended
    help: list[HelpOpen] = []  # visitors waiting for an officer to come (kiosk "Butuh bantuan")
    waiting: int
    served_today: int


def _minutes(delta: timedelta | None) -> float | None:
    return None if delta is None else round(delta.total_seconds() / 60.0, 1)


# The floor's figures read the whole day once per round (every few seconds, off every
# kiosk's and counter's path); marked, so tests/server/test_query_plans.py can tell them.
FLOOR_MARK = "/* floor: the day's figures */"


def _service_rows(s: Session, site: Site, now: datetime) -> dict[str, Any]:
    sql = Spelling(s.get_bind().dialect.name, 0)
    wait = sql.seconds("queued_at", "called_at")
    target, params = case_map("service", targets_of(site), "tg", str(DEFAULT_TARGET_SECONDS))
    params |= {"day": business_day(site.tz, now), "hour_ago": now - timedelta(hours=1)}
    stmt = text(
        "SELECT service,"
        " SUM(CASE WHEN status = 'waiting' THEN 1 ELSE 0 END),"
        " MIN(CASE WHEN status = 'waiting' THEN queued_at END),"
        " SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN transferred_from IS NULL THEN 1 ELSE 0 END),"
        f" AVG(CASE WHEN called_at >= :hour_ago THEN {wait} END),"
        " SUM(CASE WHEN called_at >= :hour_ago THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN called_at IS NOT NULL THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN called_at IS NOT NULL AND {wait} <= {target} THEN 1 ELSE 0 END)"
        " FROM tickets WHERE business_day = :day GROUP BY service"
        f" {FLOOR_MARK}"
    ).bindparams(bindparam("day", type_=Date), bindparam("hour_ago", type_=UTCDateTime()))
    return {row[0]: row for row in s.execute(stmt, params)}


def _as_utc(value: Any) -> datetime | None:
    """A timestamp from raw SQL (a naive UTC datetime, or SQLite's text) as aware UTC."""
    if value is None:
        return None
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return at.replace(tzinfo=UTC)


def floor_view(s: Session, site: Site, now: datetime) -> Floor:
    """The floor at `now`: the same figures for the API, the page and the alerts."""
    rows = _service_rows(s, site, now)
    agencies = []
    for agency in site.config.agencies:
        services = []
        for svc in agency.services:
            r = rows.get(svc.code)
            f = ServiceFloor(
                code=svc.code, name=svc.name, agency=agency.code, target_minutes=svc.target_minutes
            )
            if r is not None:
                oldest = _as_utc(r[2])
                f.waiting, f.served_today, f.issued_today = (
                    int(r[1] or 0),
                    int(r[3] or 0),
                    int(r[4] or 0),
                )
                f.longest_wait_minutes = _minutes(now - oldest) if oldest else None
                f.mean_wait_last_hour = None if r[5] is None else round(float(r[5]) / 60.0, 1)
                f.called_last_hour, f.called_today = int(r[6] or 0), int(r[7] or 0)
                f.within_target_today = int(r[8] or 0)
                if f.called_today:
                    f.service_level_today = round(100.0 * f.within_target_today / f.called_today, 1)
            quota = site.quota_for(svc.code)
            if quota is not None:
                f.quota_left = max(0, quota - f.issued_today)
            services.append(f)
        agencies.append(_agency(agency.code, agency.name, services))
    counters = _counters(s, site, now)
    devices = _devices(s, now)
    alerts = list_alerts(s)
    return Floor(
        site=site.name,
        time=now.astimezone(site.tz),
        seq=last_seq(s),
        agencies=agencies,
        counters=counters,
        devices=devices,
        alerts=alerts,
        help=open_calls(s),
        waiting=sum(a.waiting for a in agencies),
        served_today=sum(a.served_today for a in agencies),
    )


def _agency(code: str, name: str, services: list[ServiceFloor]) -> AgencyFloor:
    called_hour = sum(x.called_last_hour for x in services)
    called = sum(x.called_today for x in services)
    longest = [x.longest_wait_minutes for x in services if x.longest_wait_minutes is not None]
    mean = None
    if called_hour:
        weighted = sum((x.mean_wait_last_hour or 0) * x.called_last_hour for x in services)
        mean = round(weighted / called_hour, 1)
    return AgencyFloor(
        code=code,
        name=name,
        waiting=sum(x.waiting for x in services),
        longest_wait_minutes=max(longest) if longest else None,
        served_today=sum(x.served_today for x in services),
        mean_wait_last_hour=mean,
        service_level_today=(
            round(100.0 * sum(x.within_target_today for x in services) / called, 1)
            if called
            else None
        ),
        services=services,
    )


def _counters(s: Session, site: Site, now: datetime) -> list[CounterFloor]:
    day = business_day(site.tz, now)
    per = {
        c: (int(n or 0), last)
        for c, n, last in s.execute(
            select(
                TicketRow.counter,
                text("SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END)"),
                text("MAX(finished_at)"),
            )
            .where(TicketRow.business_day == day, TicketRow.counter.is_not(None))
            .group_by(TicketRow.counter)
        )
    }
    held = {c.code: c for c in s.scalars(select(CounterRow))}
    current_ids = [c.ticket_id for c in held.values() if c.ticket_id is not None]
    current = (
        {t.id: t for t in s.scalars(select(TicketRow).where(TicketRow.id.in_(current_ids)))}
        if current_ids
        else {}
    )
    out = []
    for cfg in site.config.counters:
        row = held.get(cfg.code)
        served, last = per.get(cfg.code, (0, None))
        c = CounterFloor(
            code=cfg.code,
            name=cfg.name,
            agency=cfg.agency,
            status=row.status if row else CounterStatus.CLOSED.value,
            officer=row.officer if row else None,
            served_today=served,
        )
        t = current.get(row.ticket_id) if row and row.ticket_id else None
        if t is not None and t.status in ("called", "serving"):
            c.ticket, c.ticket_status = t.code, t.status
            c.serving_minutes = _minutes(now - t.called_at) if t.called_at else None
        elif row is not None and row.status == CounterStatus.OPEN.value:
            since = [x for x in (_as_utc(last), row.updated_at) if x is not None]
            c.idle_minutes = _minutes(now - max(since)) if since else None
        if row is not None and row.status == CounterStatus.PAUSED.value and row.updated_at:
            c.paused_minutes = _minutes(now - row.updated_at)
        out.append(c)
    return out


def _devices(s: Session, now: datetime) -> list[DeviceFloor]:
    out = []
    for d in s.scalars(
        select(DeviceRow)
        .where(DeviceRow.revoked.is_(False))
        .order_by(DeviceRow.role, DeviceRow.name)
    ):
        state: dict[str, Any] = {}
        if d.state:
            try:
                state = json.loads(d.state)
            except ValueError:
                state = {}
        if not state and d.printer_status:
            state = {"printer": d.printer_status}
        out.append(
            DeviceFloor(
                name=d.name,
                role=d.role,
                last_seen_at=d.last_seen_at,
                silent_minutes=_minutes(now - d.last_seen_at) if d.last_seen_at else None,
                state=state,
            )
        )
    return out


def list_alerts(s: Session, kept: int = ALERTS_KEPT) -> list[Alert]:
    """The open alerts (oldest first), then the latest `kept` that ended."""
    open_ = s.scalars(
        select(AlertRow)
        .where(AlertRow.ended_at.is_(None))
        .order_by(AlertRow.started_at, AlertRow.id)
    ).all()
    ended = s.scalars(
        select(AlertRow)
        .where(AlertRow.ended_at.is_not(None))
        .order_by(AlertRow.ended_at.desc(), AlertRow.id.desc())
        .limit(kept)
    ).all()
    return [
        Alert(
            id=a.id,
            kind=a.kind,
            subject=a.subject,
            message=a.message,
            started_at=a.started_at,
            ended_at=a.ended_at,
        )
        for a in [*open_, *ended]
    ]
