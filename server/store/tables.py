"""The SQLAlchemy tables. Wire models live in shared/models.py, apart from these."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as naive UTC, so SQLite and PostgreSQL agree."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


def _partial(name: str, present: str, *columns: str) -> Index:
    """An index of the rows where `present` is set (queries must say `present IS NOT NULL`
    or compare it, as `counter = :code` does, for the planner to use it)."""
    where = text(f"{present} IS NOT NULL")
    return Index(name, *columns, sqlite_where=where, postgresql_where=where)


class TicketRow(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    business_day: Mapped[date] = mapped_column(Date)
    service: Mapped[str] = mapped_column(String(32))
    # The service whose daily numbering this number belongs to (kept across transfers).
    issued_service: Mapped[str] = mapped_column(String(32))
    number: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(16))
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who the priority is for (lansia, disabilitas...; the site's list): told to the
    # issuing kiosk and the officer, grouped in reports, never in what the LAN reads
    # openly (migration 0013).
    priority_group: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    device_id: Mapped[int | None] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    serving_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    counter: Mapped[str | None] = mapped_column(String(32))
    # The officer at the counter when it was called (set in call_next, never on issuing),
    # so reports group by officer (migration 0006).
    officer: Mapped[str | None] = mapped_column(String(64))
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    transferred_from: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))

    __table_args__ = (
        # Call-next and "people ahead" read only this index: priority before queued_at,
        # so counting the tickets ahead never visits the table (migration 0002).
        Index(
            "ix_tickets_waiting", "business_day", "service", "status", "priority", "queued_at", "id"
        ),
        # "Served today" per counter, the board's recent calls, a service's recent
        # service times: each an index range, not a scan of the day (a 20,000-ticket day
        # slowed to a crawl without them). Partial (migration 0003): a ticket enters
        # them when it is called or finished, so issuing writes none of them.
        _partial("ix_tickets_counter", "counter", "business_day", "counter", "status"),
        _partial("ix_tickets_called", "called_at", "business_day", "called_at"),
        _partial("ix_tickets_finished", "finished_at", "service", "status", "finished_at"),
        Index("ix_tickets_day_code", "business_day", "code"),
        # Invariant 1: one number per service and day (transfer copies share it).
        Index(
            "ux_tickets_number",
            "issued_service",
            "business_day",
            "number",
            unique=True,
            sqlite_where=text("transferred_from IS NULL"),
            postgresql_where=text("transferred_from IS NULL"),
        ),
    )


class DailyNumber(Base):
    __tablename__ = "daily_numbers"

    business_day: Mapped[date] = mapped_column(Date, primary_key=True)
    service: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class ServiceStopRow(Base):
    """A service stopped for the rest of a business day (blanks ran out, an agency's system
    is down): no ticket is issued for it that day (POST /services/{code}/stop)."""

    __tablename__ = "service_stops"

    business_day: Mapped[date] = mapped_column(Date, primary_key=True)
    service: Mapped[str] = mapped_column(String(32), primary_key=True)
    reason: Mapped[str] = mapped_column(String(200))
    stopped_by: Mapped[str] = mapped_column(String(64))
    stopped_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EventRow(Base):
    __tablename__ = "events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    ticket_id: Mapped[int | None] = mapped_column(Integer)
    counter: Mapped[str | None] = mapped_column(String(32))
    # The event exactly as sent on the wire, so a replay equals the live message.
    body: Mapped[str] = mapped_column(Text)


# meta's key for the database's identity (server/store/identity.py): a random number,
# set once at creation.
DATABASE_ID = "database_id"


class Meta(Base):
    """Key/value rows; 'seq' holds the last event seq and is the writers' lock row."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class CounterRow(Base):
    __tablename__ = "counters"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="closed")
    ticket_id: Mapped[int | None] = mapped_column(Integer)
    priority_streak: Mapped[int] = mapped_column(Integer, default=0)
    officer: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeviceRow(Base):
    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_address: Mapped[str | None] = mapped_column(String(64))
    printer_status: Mapped[str | None] = mapped_column(String(32))
    # The last heartbeat's state as JSON ({printer, voice, last_seq, detail}) and when it
    # changed (migration 0006); last_seen_at says when the device was last heard from.
    state: Mapped[str | None] = mapped_column(Text)
    state_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    # A survey tablet answers for the tickets finished at this counter (migration 0004).
    counter: Mapped[str | None] = mapped_column(String(32))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OfficerRow(Base):
    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(16))
    pin_hash: Mapped[str] = mapped_column(String(200))
    counters: Mapped[str] = mapped_column(Text, default="")
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Console users (admin, supervisor) sign in with a password (migration 0004).
    password_hash: Mapped[str | None] = mapped_column(String(200))


class SessionRow(Base):
    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    officer_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    counter: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended: Mapped[bool] = mapped_column(Boolean, default=False)
    # "counter" (an officer's PIN at a counter) or "console" (a password, the web console)
    kind: Mapped[str] = mapped_column(String(16), default="counter", server_default="counter")


class LoginFailure(Base):
    """Wrong PINs and passwords per username, known or not: both lock out alike, so
    usernames cannot be probed (migration 0004)."""

    __tablename__ = "login_failures"

    site_id: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PageKeyRow(Base):
    """The site's secret for ticket page tokens (made at first start, never shown)."""

    __tablename__ = "ticket_page_keys"

    site_id: Mapped[int] = mapped_column(Integer, primary_key=True, server_default=text("1"))
    secret: Mapped[str] = mapped_column(String(64))  # 32 random bytes, hex
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
