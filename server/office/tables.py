"""The site's setup as rows. Every table has site_id (several sites may share one database).

The counters' runtime state (status, current ticket, officer) stays in `counters`
(server/store/tables.py), written on every call; their setup lives here in
`counter_setup`, written only when the manager changes it. A counter's row in
`counters` is made and removed together with its setup row (server/office/definition.py).
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column

from server.store.tables import Base, UTCDateTime
from shared.config import NotifyConfig, PriorityGroup

NOTIFY_BODY = NotifyConfig().body

SITE = 1  # the one site of a database today


class GroupList(TypeDecorator[list[PriorityGroup]]):
    """The site's priority groups as JSON text: a short list, read and written whole."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: list[PriorityGroup] | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return json.dumps([PriorityGroup.model_validate(g).model_dump() for g in value])

    def process_result_value(self, value: Any, dialect: Dialect) -> list[PriorityGroup] | None:
        if value is None:
            return None
        return [PriorityGroup.model_validate(g) for g in json.loads(value)]


def _site_id() -> Mapped[int]:
    return mapped_column(Integer, default=SITE, server_default="1")


class SiteSettingsRow(Base):
    """[site], [queue], [alerts] and [booking]: one row per site."""

    __tablename__ = "site_settings"

    site_id: Mapped[int] = mapped_column(Integer, primary_key=True, server_default="1")
    # [site]
    name: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64))
    zone_label: Mapped[str] = mapped_column(String(16))
    ticket_format: Mapped[str] = mapped_column(String(64))
    logo: Mapped[str] = mapped_column(Text)
    footer: Mapped[str] = mapped_column(Text)
    running_text: Mapped[str] = mapped_column(Text)
    place: Mapped[str] = mapped_column(String(80))
    head_title: Mapped[str] = mapped_column(String(120))
    head_name: Mapped[str] = mapped_column(String(120))
    head_id: Mapped[str] = mapped_column(String(40))
    # the TVs publish between calls (migration 0014)
    tv_publish: Mapped[bool] = mapped_column(Boolean, default=False)
    # [queue]
    queue_priority_max_in_row: Mapped[int] = mapped_column(Integer)
    queue_requeue_window_minutes: Mapped[int] = mapped_column(Integer)
    queue_default_service_minutes: Mapped[float] = mapped_column(Float)
    queue_recent_services_for_estimate: Mapped[int] = mapped_column(Integer)
    # who priority tickets are for (migration 0013)
    queue_priority_groups: Mapped[list[PriorityGroup]] = mapped_column(GroupList)
    # [alerts]
    alerts_pause_minutes: Mapped[int] = mapped_column(Integer)
    alerts_quota_left: Mapped[int] = mapped_column(Integer)
    alerts_device_silent_minutes: Mapped[int] = mapped_column(Integer)
    # [booking]
    booking_days_ahead: Mapped[int] = mapped_column(Integer)
    booking_retention_days: Mapped[int] = mapped_column(Integer)
    booking_early_minutes: Mapped[int] = mapped_column(Integer)
    booking_require_sms_code: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # [complaints]
    complaints_target_days: Mapped[int] = mapped_column(Integer, server_default="5")
    complaints_retention_days: Mapped[int] = mapped_column(Integer, server_default="365")
    # [notify] (server/notify/): defaults for a site stored before it existed
    notify_channel: Mapped[str] = mapped_column(String(8), server_default="none")
    notify_device: Mapped[str] = mapped_column(String(200), server_default="")
    notify_url: Mapped[str] = mapped_column(String(500), server_default="")
    notify_headers: Mapped[dict[str, str]] = mapped_column(JSON, server_default="{}")
    notify_body: Mapped[str] = mapped_column(Text, server_default=NOTIFY_BODY)
    notify_near_ahead: Mapped[int] = mapped_column(Integer, server_default="3")
    notify_near_minutes: Mapped[int] = mapped_column(Integer, server_default="0")
    notify_per_minute: Mapped[int] = mapped_column(Integer, server_default="30")
    notify_per_day: Mapped[int] = mapped_column(Integer, server_default="2000")
    # when the site came into the database (the seed), for the start-up's log line
    since: Mapped[datetime] = mapped_column(UTCDateTime)


class AgencyRow(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = _site_id()
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    color: Mapped[str] = mapped_column(String(7))
    logo: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("site_id", "code", name="uq_agencies_code"),)


class ServiceRow(Base):
    __tablename__ = "services"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = _site_id()
    code: Mapped[str] = mapped_column(String(32))
    agency: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    prefix: Mapped[str] = mapped_column(String(3))
    quota: Mapped[int | None] = mapped_column(Integer)
    priority: Mapped[bool] = mapped_column(Boolean)
    target_minutes: Mapped[int] = mapped_column(Integer)
    needs_nik: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer)
    # A prefix change on a day with tickets: the new prefix and the day it applies from.
    next_prefix: Mapped[str | None] = mapped_column(String(3))
    next_prefix_from: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        UniqueConstraint("site_id", "code", name="uq_services_code"),
        Index("ix_services_agency", "site_id", "agency"),
    )


class ServiceStandardRow(Base):
    """A service's standar pelayanan (PermenPANRB 15/2014): published text, one row a service."""

    __tablename__ = "service_standards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = _site_id()
    service: Mapped[str] = mapped_column(String(32))
    requirements: Mapped[str] = mapped_column(Text)
    procedure: Mapped[str] = mapped_column(Text)
    time: Mapped[str] = mapped_column(Text)
    cost: Mapped[str] = mapped_column(Text)
    product: Mapped[str] = mapped_column(Text)
    complaints: Mapped[str] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("site_id", "service", name="uq_service_standards"),)


class BookingSessionRow(Base):
    """A service's online booking session (start, end, places)."""

    __tablename__ = "booking_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = _site_id()
    service: Mapped[str] = mapped_column(String(32))
    start: Mapped[time] = mapped_column(Time)
    end: Mapped[time] = mapped_column(Time)
    places: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_booking_sessions_service", "site_id", "service"),)


class CounterSetupRow(Base):
    """A counter's setup (its runtime state is server/store/tables.py CounterRow)."""

    __tablename__ = "counter_setup"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = _site_id()
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(40))
    agency: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("site_id", "code", name="uq_counter_setup_code"),)


class CounterServiceRow(Base):
    """A service a counter serves, in the counter's order."""

    __tablename__ = "counter_services"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = _site_id()
    counter: Mapped[str] = mapped_column(String(32))
    service: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_counter_services_counter", "site_id", "counter"),)


class ScheduleRow(Base):
    """Opening hours of a scope: the site, an agency or a service (owner = its code)."""

    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = _site_id()
    scope: Mapped[str] = mapped_column(String(8))  # site | agency | service
    owner: Mapped[str] = mapped_column(String(32), default="")
    last_issue_minutes: Mapped[int] = mapped_column(Integer)
    always_open: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (UniqueConstraint("site_id", "scope", "owner", name="uq_schedules_owner"),)


class ScheduleDayRow(Base):
    """A week day (weekday set), a one-off date (date set) or a holiday (holiday true)."""

    __tablename__ = "schedule_days"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = _site_id()
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"))
    weekday: Mapped[str | None] = mapped_column(String(10))
    date: Mapped[date | None] = mapped_column(Date)
    holiday: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_schedule_days_schedule", "schedule_id"),)


class SchedulePeriodRow(Base):
    """One opening period of a day; a gap between two is a break. None: closed that day."""

    __tablename__ = "schedule_periods"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = _site_id()
    day_id: Mapped[int] = mapped_column(ForeignKey("schedule_days.id", ondelete="CASCADE"))
    start: Mapped[time] = mapped_column(Time)
    end: Mapped[time] = mapped_column(Time)
    position: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_schedule_periods_day", "day_id"),)


class AuditRow(Base):
    """Every change of the setup: who, when, from where, what before and after (JSON)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = _site_id()
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(8))  # console | api | cli | import | seed
    action: Mapped[str] = mapped_column(String(16))  # create | update | delete
    entity: Mapped[str] = mapped_column(String(16))  # site | agency | service | counter | schedule
    key: Mapped[str] = mapped_column(String(80))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_audit_log_at", "site_id", "id"),)


class EvidenceRow(Base):
    """A file of evidence (a photo or PDF of a follow-up action done, or attached to a
    complaint's answer), kept in the database: never under a name the uploader chose."""

    __tablename__ = "evidence_files"
    __table_args__ = (Index("ix_evidence_owner", "site_id", "owner", "owner_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = _site_id()
    owner: Mapped[str] = mapped_column(String(16))  # skm_action | complaint
    owner_id: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(32))  # from its content, never its name
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
