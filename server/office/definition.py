"""The site's rows read into a SiteDefinition (shared/config.py), and a definition written
back as the difference from what the rows hold."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.office.tables import (
    SITE,
    AgencyRow,
    BookingSessionRow,
    CounterServiceRow,
    CounterSetupRow,
    ScheduleDayRow,
    SchedulePeriodRow,
    ScheduleRow,
    ServiceRow,
    ServiceStandardRow,
    SiteSettingsRow,
)
from server.store.tables import CounterRow, Meta
from shared.api import CounterStatus
from shared.config import (
    STANDARD_FIELDS,
    AgencyConfig,
    AlertConfig,
    BookingConfig,
    BookingSession,
    ComplaintsConfig,
    CounterConfig,
    NotifyConfig,
    QueueConfig,
    Schedule,
    ServiceConfig,
    ServiceStandard,
    SiteConfig,
    SiteDefinition,
    TimeRange,
)
from shared.timeutil import utcnow

# The settings' sections and the prefix of their columns in site_settings.
SETTINGS: dict[str, tuple[type[Any], str]] = {
    "site": (SiteConfig, ""),
    "queue": (QueueConfig, "queue_"),
    "alerts": (AlertConfig, "alerts_"),
    "booking": (BookingConfig, "booking_"),
    "complaints": (ComplaintsConfig, "complaints_"),
    "notify": (NotifyConfig, "notify_"),
}
VERSION_KEY = "site_version"


@dataclass
class Pending:
    """A prefix change waiting for its day (the service had tickets when it was made)."""

    prefix: str
    start: date


@dataclass
class Stored:
    """The site as its rows hold it: the definition (prefixes as they were last applied)
    and the prefix changes still waiting."""

    definition: SiteDefinition
    pending: dict[str, Pending] = field(default_factory=dict)
    since: object = None

    def on(self, day: date) -> tuple[SiteDefinition, dict[str, Pending]]:
        """The definition in force on `day`, and the changes still waiting after it."""
        due = {code: p for code, p in self.pending.items() if p.start <= day}
        waiting = {code: p for code, p in self.pending.items() if p.start > day}
        return with_prefixes(self.definition, {c: p.prefix for c, p in due.items()}), waiting

    def target(self) -> SiteDefinition:
        """What the manager set: every waiting prefix applied."""
        return with_prefixes(self.definition, {c: p.prefix for c, p in self.pending.items()})


def with_prefixes(definition: SiteDefinition, prefixes: dict[str, str]) -> SiteDefinition:
    if not prefixes:
        return definition
    agencies = [
        a.model_copy(
            update={
                "services": [
                    s.model_copy(update={"prefix": prefixes[s.code]}) if s.code in prefixes else s
                    for s in a.services
                ]
            }
        )
        for a in definition.agencies
    ]
    return definition.model_copy(update={"agencies": agencies})


# -- reading -------------------------------------------------------------------------


def site_version(s: Session) -> int:
    return int(s.scalar(select(Meta.value).where(Meta.key == VERSION_KEY)) or 0)


def bump_version(s: Session) -> int:
    row = s.get(Meta, VERSION_KEY)
    if row is None:
        row = Meta(key=VERSION_KEY, value=0)
        s.add(row)
    row.value += 1
    s.flush()
    return row.value


def load(s: Session, site_id: int = SITE) -> Stored | None:
    """The site's rows as a definition; None when the database holds no site yet.

    Built with model_construct from rows the validator accepted when they were written.
    """
    settings = s.get(SiteSettingsRow, site_id)
    if settings is None:
        return None
    sections = {
        name: model.model_construct(
            **{f: getattr(settings, prefix + f) for f in model.model_fields}
        )
        for name, (model, prefix) in SETTINGS.items()
    }
    schedules = _schedules(s, site_id)
    sessions: dict[str, list[BookingSession]] = {}
    for b in s.scalars(
        select(BookingSessionRow)
        .where(BookingSessionRow.site_id == site_id)
        .order_by(BookingSessionRow.position, BookingSessionRow.id)
    ):
        sessions.setdefault(b.service, []).append(
            BookingSession.model_construct(start=b.start, end=b.end, places=b.places)
        )
    standards = {
        r.service: ServiceStandard.model_construct(**{f: getattr(r, f) for f in STANDARD_FIELDS})
        for r in s.scalars(select(ServiceStandardRow).where(ServiceStandardRow.site_id == site_id))
    }
    services: dict[str, list[ServiceConfig]] = {}
    pending: dict[str, Pending] = {}
    for r in s.scalars(
        select(ServiceRow)
        .where(ServiceRow.site_id == site_id)
        .order_by(ServiceRow.position, ServiceRow.id)
    ):
        services.setdefault(r.agency, []).append(
            ServiceConfig.model_construct(
                code=r.code,
                name=r.name,
                name_en=r.name_en,
                prefix=r.prefix,
                quota=r.quota,
                priority=r.priority,
                schedule=schedules.get(("service", r.code)),
                target_minutes=r.target_minutes,
                sessions=sessions.get(r.code, []),
                needs_nik=r.needs_nik,
                hidden=r.hidden,
                standard=standards.get(r.code),
            )
        )
        if r.next_prefix and r.next_prefix_from:
            pending[r.code] = Pending(r.next_prefix, r.next_prefix_from)
    agencies = [
        AgencyConfig.model_construct(
            code=a.code,
            name=a.name,
            name_en=a.name_en,
            color=a.color,
            logo=a.logo,
            services=services.get(a.code, []),
            schedule=schedules.get(("agency", a.code)),
        )
        for a in s.scalars(
            select(AgencyRow)
            .where(AgencyRow.site_id == site_id)
            .order_by(AgencyRow.position, AgencyRow.id)
        )
    ]
    serves: dict[str, list[str]] = {}
    for cs in s.scalars(
        select(CounterServiceRow)
        .where(CounterServiceRow.site_id == site_id)
        .order_by(CounterServiceRow.position, CounterServiceRow.id)
    ):
        serves.setdefault(cs.counter, []).append(cs.service)
    counters = [
        CounterConfig.model_construct(
            code=c.code, name=c.name, agency=c.agency, services=serves.get(c.code, [])
        )
        for c in s.scalars(
            select(CounterSetupRow)
            .where(CounterSetupRow.site_id == site_id)
            .order_by(CounterSetupRow.position, CounterSetupRow.id)
        )
    ]
    definition = SiteDefinition.model_construct(
        **sections,
        schedule=schedules.get(("site", "")) or Schedule(),
        agencies=agencies,
        counters=counters,
    )
    return Stored(definition, pending, settings.since)


def _schedules(s: Session, site_id: int) -> dict[tuple[str, str], Schedule]:
    periods: dict[int, list[TimeRange]] = {}
    for p in s.scalars(
        select(SchedulePeriodRow)
        .where(SchedulePeriodRow.site_id == site_id)
        .order_by(SchedulePeriodRow.position, SchedulePeriodRow.id)
    ):
        periods.setdefault(p.day_id, []).append(TimeRange.model_construct(start=p.start, end=p.end))
    days: dict[int, list[ScheduleDayRow]] = {}
    for d in s.scalars(
        select(ScheduleDayRow)
        .where(ScheduleDayRow.site_id == site_id)
        .order_by(ScheduleDayRow.position, ScheduleDayRow.id)
    ):
        days.setdefault(d.schedule_id, []).append(d)
    out: dict[tuple[str, str], Schedule] = {}
    for row in s.scalars(select(ScheduleRow).where(ScheduleRow.site_id == site_id)):
        week: dict[str, list[TimeRange]] = {}
        holidays: list[date] = []
        dates: dict[date, list[TimeRange]] = {}
        for d in days.get(row.id, []):
            if d.weekday is not None:
                week[d.weekday] = periods.get(d.id, [])
            elif d.date is not None and d.holiday:
                holidays.append(d.date)
            elif d.date is not None:
                dates[d.date] = periods.get(d.id, [])
        out[(row.scope, row.owner)] = Schedule.model_construct(
            week=week,
            holidays=holidays,
            dates=dates,
            last_issue_minutes=row.last_issue_minutes,
            always_open=row.always_open,
        )
    return out


# -- writing ---------------------------------------------------------------------------


def write(
    s: Session,
    old: Stored | None,
    new: SiteDefinition,
    pending: dict[str, Pending],
    site_id: int = SITE,
) -> None:
    """Make the rows hold `new` (prefixes in force now) and `pending`: only what differs."""
    before = old.definition if old is not None else None
    _write_settings(s, before, new, site_id)
    _write_schedules(s, before, new, site_id)
    rows = {r.code: r for r in s.scalars(select(AgencyRow).where(AgencyRow.site_id == site_id))}
    for i, a in enumerate(new.agencies):
        values = {
            "name": a.name,
            "name_en": a.name_en,
            "color": a.color,
            "logo": a.logo,
            "position": i,
        }
        _upsert(s, rows.get(a.code), AgencyRow, site_id, a.code, values)
    for code in set(rows) - {a.code for a in new.agencies}:
        s.delete(rows[code])
    _write_services(s, before, new, pending, site_id)
    _write_counters(s, new, site_id)


def _upsert(
    s: Session, row: Any, kind: type[Any], site_id: int, code: str, values: dict[str, Any]
) -> Any:
    if row is None:
        row = kind(site_id=site_id, code=code, **values)
        s.add(row)
        return row
    for k, v in values.items():
        if getattr(row, k) != v:
            setattr(row, k, v)
    return row


def _write_settings(
    s: Session, before: SiteDefinition | None, new: SiteDefinition, site_id: int
) -> None:
    row = s.get(SiteSettingsRow, site_id)
    values: dict[str, Any] = {}
    for name, (model, prefix) in SETTINGS.items():
        section = getattr(new, name)
        for f in model.model_fields:
            values[prefix + f] = getattr(section, f)
    if row is None:
        s.add(SiteSettingsRow(site_id=site_id, since=utcnow(), **values))
        return
    for k, v in values.items():
        if getattr(row, k) != v:
            setattr(row, k, v)


def _write_services(
    s: Session,
    before: SiteDefinition | None,
    new: SiteDefinition,
    pending: dict[str, Pending],
    site_id: int,
) -> None:
    old_services = {sv.code: sv for a in before.agencies for sv in a.services} if before else {}
    rows = {r.code: r for r in s.scalars(select(ServiceRow).where(ServiceRow.site_id == site_id))}
    wanted: set[str] = set()
    position = 0
    for a in new.agencies:
        for svc in a.services:
            wanted.add(svc.code)
            later = pending.get(svc.code)
            values = {
                "agency": a.code,
                "name": svc.name,
                "name_en": svc.name_en,
                "prefix": svc.prefix,
                "quota": svc.quota,
                "priority": svc.priority,
                "target_minutes": svc.target_minutes,
                "needs_nik": svc.needs_nik,
                "hidden": svc.hidden,
                "position": position,
                "next_prefix": later.prefix if later else None,
                "next_prefix_from": later.start if later else None,
            }
            position += 1
            _upsert(s, rows.get(svc.code), ServiceRow, site_id, svc.code, values)
            old = old_services.get(svc.code)
            if old is None or old.sessions != svc.sessions:
                s.execute(
                    delete(BookingSessionRow).where(
                        BookingSessionRow.site_id == site_id, BookingSessionRow.service == svc.code
                    )
                )
                for i, b in enumerate(svc.sessions):
                    s.add(
                        BookingSessionRow(
                            site_id=site_id,
                            service=svc.code,
                            start=b.start,
                            end=b.end,
                            places=b.places,
                            position=i,
                        )
                    )
    for code in set(rows) - wanted:
        s.delete(rows[code])
        s.execute(
            delete(BookingSessionRow).where(
                BookingSessionRow.site_id == site_id, BookingSessionRow.service == code
            )
        )
    _write_standards(s, new, site_id)


def _write_standards(s: Session, new: SiteDefinition, site_id: int) -> None:
    """One row per service with a standard; none for a service without (or removed)."""
    rows = {
        r.service: r
        for r in s.scalars(select(ServiceStandardRow).where(ServiceStandardRow.site_id == site_id))
    }
    wanted = {svc.code: svc.standard for a in new.agencies for svc in a.services if svc.standard}
    for code, standard in wanted.items():
        values = {f: getattr(standard, f) for f in STANDARD_FIELDS}
        row = rows.get(code)
        if row is None:
            s.add(ServiceStandardRow(site_id=site_id, service=code, **values))
        else:
            for k, v in values.items():
                if getattr(row, k) != v:
                    setattr(row, k, v)
    for code in set(rows) - set(wanted):
        s.delete(rows[code])


def _write_counters(s: Session, new: SiteDefinition, site_id: int) -> None:
    rows = {
        r.code: r
        for r in s.scalars(select(CounterSetupRow).where(CounterSetupRow.site_id == site_id))
    }
    serves: dict[str, list[str]] = {}
    for cs in s.scalars(
        select(CounterServiceRow)
        .where(CounterServiceRow.site_id == site_id)
        .order_by(CounterServiceRow.position, CounterServiceRow.id)
    ):
        serves.setdefault(cs.counter, []).append(cs.service)
    runtime = set(s.scalars(select(CounterRow.code)))
    for i, c in enumerate(new.counters):
        values = {"name": c.name, "agency": c.agency, "position": i}
        _upsert(s, rows.get(c.code), CounterSetupRow, site_id, c.code, values)
        if serves.get(c.code) != list(c.services):
            s.execute(
                delete(CounterServiceRow).where(
                    CounterServiceRow.site_id == site_id, CounterServiceRow.counter == c.code
                )
            )
            for j, code in enumerate(c.services):
                s.add(CounterServiceRow(site_id=site_id, counter=c.code, service=code, position=j))
        if c.code not in runtime:  # its runtime row comes with it
            s.add(CounterRow(code=c.code, status=CounterStatus.CLOSED, priority_streak=0))
    gone = set(rows) - {c.code for c in new.counters}
    for code in gone:
        s.delete(rows[code])
        s.execute(
            delete(CounterServiceRow).where(
                CounterServiceRow.site_id == site_id, CounterServiceRow.counter == code
            )
        )
        # rules.py refused the change if it held a ticket
        s.execute(delete(CounterRow).where(CounterRow.code == code))


def schedules_of(definition: SiteDefinition) -> dict[tuple[str, str], Schedule]:
    """Every scope's own schedule: the site's, and the agencies' and services' that have one."""
    out: dict[tuple[str, str], Schedule] = {("site", ""): definition.schedule}
    for a in definition.agencies:
        if a.schedule is not None:
            out[("agency", a.code)] = a.schedule
        for svc in a.services:
            if svc.schedule is not None:
                out[("service", svc.code)] = svc.schedule
    return out


def _write_schedules(
    s: Session, before: SiteDefinition | None, new: SiteDefinition, site_id: int
) -> None:
    old = schedules_of(before) if before is not None else {}
    wanted = schedules_of(new)
    rows = {
        (r.scope, r.owner): r
        for r in s.scalars(select(ScheduleRow).where(ScheduleRow.site_id == site_id))
    }
    for key, row in rows.items():
        if key not in wanted or old.get(key) != wanted[key]:
            _drop_schedule(s, row)
    for key, schedule in wanted.items():
        if key in rows and old.get(key) == schedule:
            continue
        row = ScheduleRow(
            site_id=site_id,
            scope=key[0],
            owner=key[1],
            last_issue_minutes=schedule.last_issue_minutes,
            always_open=schedule.always_open,
        )
        s.add(row)
        s.flush()
        position = 0

        def day(
            ranges: list[TimeRange],
            row_id: int,
            weekday: str | None = None,
            on: date | None = None,
            holiday: bool = False,
        ) -> None:
            nonlocal position
            d = ScheduleDayRow(
                site_id=site_id,
                schedule_id=row_id,
                weekday=weekday,
                date=on,
                holiday=holiday,
                position=position,
            )
            position += 1
            s.add(d)
            s.flush()
            for i, r in enumerate(ranges):
                s.add(
                    SchedulePeriodRow(
                        site_id=site_id, day_id=d.id, start=r.start, end=r.end, position=i
                    )
                )

        for weekday, ranges in schedule.week.items():
            day(ranges, row.id, weekday=weekday)
        for on in schedule.holidays:
            day([], row.id, on=on, holiday=True)
        for on, ranges in schedule.dates.items():
            day(ranges, row.id, on=on)


def _drop_schedule(s: Session, row: ScheduleRow) -> None:
    day_ids = list(s.scalars(select(ScheduleDayRow.id).where(ScheduleDayRow.schedule_id == row.id)))
    if day_ids:
        s.execute(delete(SchedulePeriodRow).where(SchedulePeriodRow.day_id.in_(day_ids)))
        s.execute(delete(ScheduleDayRow).where(ScheduleDayRow.schedule_id == row.id))
    s.delete(row)
    s.flush()
