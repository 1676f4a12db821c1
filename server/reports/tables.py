"""The reports room's tables: the floor's alerts, kept with when they started and ended,
and the sealed months long reports read."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from server.store.tables import Base, UTCDateTime


class HelpRow(Base):
    """A visitor asked for help at a kiosk ("Butuh bantuan"): open until an officer takes
    it. Its floor alert (kind `help`) lives and ends with it (migration 0013)."""

    __tablename__ = "help_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    device_id: Mapped[int | None] = mapped_column(Integer)
    kiosk: Mapped[str] = mapped_column(String(64))  # the kiosk's name: where the visitor is
    note: Mapped[str] = mapped_column(String(200), default="")
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    taken_by: Mapped[str | None] = mapped_column(String(64))  # the officer's username
    taken_counter: Mapped[str | None] = mapped_column(String(32))
    # "petugas menghampiri": the ticket whose holder asked (tickets.id; migration 0018)
    ticket_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_help_asked", "site_id", "asked_at"),)


class AlertRow(Base):
    """One alert: open while `ended_at` is NULL; the same (kind, subject) opens again later."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    kind: Mapped[str] = mapped_column(String(16))  # wait, pause, quota, printer, silent
    subject: Mapped[str] = mapped_column(String(64))  # a service, counter or device name
    message: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_alerts_started", "site_id", "started_at"),)


# Sealed months: the aggregates of a month's days that are over, kept so a long period
# need not read every ticket again (server/reports/months.py). A month's rows count only
# once its seal row exists; the seal says what they were made from, and days whose
# tickets or targets have changed since are read from the tickets until sealed anew.


class MonthSealRow(Base):
    __tablename__ = "report_month_seals"

    month: Mapped[date] = mapped_column(Date, primary_key=True)  # the month's first day
    upto: Mapped[date] = mapped_column(Date)  # the last day the rows hold: month end or before
    tickets: Mapped[int] = mapped_column(Integer)  # those days' ticket rows when sealed
    max_id: Mapped[int] = mapped_column(Integer)  # and their highest id
    basis: Mapped[str] = mapped_column(String(64))  # the targets and zone offset used
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MonthCountRow(Base):
    """A sealed month's counts and exact duration sums for one key of one dimension."""

    __tablename__ = "report_month_counts"
    __table_args__ = ({"sqlite_with_rowid": False},)

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    dim: Mapped[str] = mapped_column(String(8), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    issued: Mapped[int] = mapped_column(Integer)
    online: Mapped[int] = mapped_column(Integer)
    served: Mapped[int] = mapped_column(Integer)
    no_show: Mapped[int] = mapped_column(Integer)
    cancelled: Mapped[int] = mapped_column(Integer)
    transferred: Mapped[int] = mapped_column(Integer)
    priority: Mapped[int] = mapped_column(Integer)
    called: Mapped[int] = mapped_column(Integer)
    within_target: Mapped[int] = mapped_column(Integer)
    wait_n: Mapped[int] = mapped_column(Integer)
    wait_sum: Mapped[int] = mapped_column(BigInteger)
    service_n: Mapped[int] = mapped_column(Integer)
    service_sum: Mapped[int] = mapped_column(BigInteger)
    building_n: Mapped[int] = mapped_column(Integer)
    building_sum: Mapped[int] = mapped_column(BigInteger)


class MonthCellRow(Base):
    """A sealed month's histogram: how many of one key's durations had value x (tenths
    of a minute, or the wait chart's 5-minute bucket)."""

    __tablename__ = "report_month_cells"
    # The key is the row: without a rowid SQLite keeps it once, not again in an index.
    __table_args__ = ({"sqlite_with_rowid": False},)

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    dim: Mapped[str] = mapped_column(String(8), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    measure: Mapped[str] = mapped_column(String(8), primary_key=True)
    x: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
