"""Read-side answers: services, a ticket, the board. No writes here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.problems import not_found
from server.queue import quotas
from server.queue.events import last_seq
from server.queue.rules import QueueService
from server.queue.site import Site
from server.queue.wire import counter_state, estimate, ticket_wire
from server.store.tables import CounterRow, DailyNumber, ServiceStopRow, TicketRow
from shared.models import (
    AgencyInfo,
    Board,
    PriorityGroupInfo,
    ServiceInfo,
    ServicesAnswer,
    Ticket,
    TicketStatus,
    WaitingCount,
)
from shared.schedule import open_state
from shared.timeutil import business_day


def _counted_by(s: Session, day: date, status: TicketStatus, key: Any) -> dict[str, int]:
    """Today's tickets in `status`, counted per value of `key` (one grouped query)."""
    rows = s.execute(
        select(key, func.count())
        # key IS NOT NULL: the partial index on counter answers it (server/store/tables.py)
        .where(TicketRow.business_day == day, TicketRow.status == status, key.is_not(None))
        .group_by(key)
    ).all()
    return {str(k): int(n) for k, n in rows if k is not None}


def waiting_by_service(s: Session, day: date) -> dict[str, int]:
    return _counted_by(s, day, TicketStatus.WAITING, TicketRow.service)


def served_by_counter(s: Session, day: date) -> dict[str, int]:
    return _counted_by(s, day, TicketStatus.DONE, TicketRow.counter)


def stopped_today(s: Session, day: date) -> dict[str, str]:
    """The services stopped for the day, and why."""
    rows = s.execute(
        select(ServiceStopRow.service, ServiceStopRow.reason).where(
            ServiceStopRow.business_day == day
        )
    )
    return {service: reason for service, reason in rows}


def served_by_service(s: Session, day: date) -> dict[str, int]:
    return _counted_by(s, day, TicketStatus.DONE, TicketRow.service)


def services_view(s: Session, site: Site, now: datetime) -> ServicesAnswer:
    day = business_day(site.tz, now)
    waiting = waiting_by_service(s, day)
    issued = {
        r.service: r.last_number
        for r in s.scalars(select(DailyNumber).where(DailyNumber.business_day == day))
    }
    online = quotas.checked_in_by_service(s, day)  # their numbers are not walk-ins'
    stopped = stopped_today(s, day)
    agencies = []
    for agency in site.config.agencies:
        services = []
        for svc in agency.services:
            quota = site.quota_for(svc.code)
            walk_ins = issued.get(svc.code, 0) - online.get(svc.code, 0)
            left = None if quota is None else max(0, quotas.walk_in_quota(svc, quota) - walk_ins)
            state = open_state(site.schedule_for(svc.code), site.tz, now)
            is_open, reason = state.open, state.reason
            if is_open and left == 0:
                is_open, reason = False, "quota"
            if svc.code in stopped:
                is_open, reason = False, "stopped"
            n = waiting.get(svc.code, 0)
            minutes, counters = estimate(s, site, svc.code, n)
            services.append(
                ServiceInfo(
                    code=svc.code,
                    name=svc.name,
                    name_en=svc.name_en or svc.name,
                    prefix=svc.prefix,
                    priority_allowed=svc.priority,
                    open_now=is_open,
                    closed_reason=reason,
                    opens_at=state.opens_at,
                    waiting=n,
                    quota=quota,
                    quota_left=left,
                    estimated_wait_minutes=minutes,
                    counters_open=counters,
                    stop_reason=stopped.get(svc.code),
                )
            )
        agencies.append(
            AgencyInfo(
                code=agency.code,
                name=agency.name,
                name_en=agency.name_en or agency.name,
                color=agency.color,
                services=services,
            )
        )
    groups = [
        PriorityGroupInfo(code=g.code, name=g.name, name_en=g.name_en or g.name)
        for g in site.config.queue.priority_groups
    ]
    return ServicesAnswer(
        site=site.name,
        business_day=day,
        agencies=agencies,
        messages=site.config.notify.channel != "none",
        priority_groups=groups,
    )


def board_view(s: Session, site: Site, now: datetime, recent: int = 10) -> Board:
    day = business_day(site.tz, now)
    seq = last_seq(s)
    served = served_by_counter(s, day)  # one query, not one per counter
    counters = [
        counter_state(s, site, row, served.get(row.code, 0))
        for row in s.scalars(select(CounterRow))
        if row.code in site.counters
    ]
    order = {c.code: i for i, c in enumerate(site.config.counters)}
    counters.sort(key=lambda c: order[c.code])
    called = s.scalars(
        select(TicketRow)
        .where(TicketRow.business_day == day, TicketRow.called_at.is_not(None))
        .order_by(TicketRow.called_at.desc(), TicketRow.id.desc())
        .limit(recent)
    )
    waiting = waiting_by_service(s, day)
    stopped = stopped_today(s, day)
    counts = [
        WaitingCount(
            service=svc.code,
            service_name=svc.name,
            agency=a.code,
            waiting=waiting.get(svc.code, 0),
            stop_reason=stopped.get(svc.code),
        )
        for a in site.config.agencies
        for svc in a.services
    ]
    return Board(
        seq=seq,
        site=site.name,
        time=now.astimezone(site.tz),
        counters=counters,
        recent=[ticket_wire(s, site, t, position=False) for t in called],
        waiting=counts,
        running_text=site.config.site.running_text,
        publish=site.config.site.tv_publish,
    )


def service_view(s: Session, site: Site, now: datetime, code: str) -> ServiceInfo:
    """One service as GET /services shows it (the answer of POST /services/{code}/stop)."""
    for agency in services_view(s, site, now).agencies:
        for svc in agency.services:
            if svc.code == code:
                return svc
    raise LookupError(code)


def stop_service(queue: QueueService, code: str, reason: str, by: str) -> ServiceInfo:
    """POST /services/{code}/stop: the service stopped for today, as GET /services shows it."""
    queue.stop_service(code, reason, by)
    with queue.store.read() as s:
        return service_view(s, queue.site, queue.clock(), code)


@dataclass(frozen=True)
class TicketView:
    """One ticket as the console shows it: its wire form and when each step happened."""

    ticket: Ticket
    serving_at: datetime | None
    finished_at: datetime | None
    officer: str | None  # who called it (a username)


def ticket_view(s: Session, site: Site, ticket_id: int) -> TicketView:
    """A ticket of any day by its id (404 when there is none)."""
    row = s.get(TicketRow, ticket_id)
    if row is None or row.service not in site.services:
        raise not_found("ticket", ticket_id)
    return TicketView(
        ticket_wire(s, site, row), row.serving_at, row.finished_at, row.officer or None
    )
