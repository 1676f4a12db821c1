"""The complaint room's tables (on Base; gathered by server/runtime/schema.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from server.store.tables import Base, UTCDateTime


class ComplaintRow(Base):
    """One complaint. The contact is erased after the site's retention; the row (and so
    the figures) stays."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    # ADU-2026-000042: the year filed and its count within that year, gapless (taken
    # inside the store's serialized write; the unique key stops a second writer anyway).
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # /pengaduan/{token}
    agency: Mapped[str] = mapped_column(String(32))
    service: Mapped[str | None] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)  # plain text as typed, shown escaped
    # The whole contact (to reach the complainant) and its masked form (what screens show).
    contact: Mapped[str | None] = mapped_column(String(120))
    contact_masked: Mapped[str | None] = mapped_column(String(120))
    ticket_id: Mapped[int | None] = mapped_column(Integer)
    filed_by: Mapped[str | None] = mapped_column(String(64))  # the officer who entered it
    # the client's id of the request that filed it (staff only): a retry after a lost
    # answer finds this row instead of filing the complaint twice
    request_id: Mapped[str | None] = mapped_column(String(64))
    # an SKM suggestion promoted to a complaint (skm_surveys.id): promoted once
    survey_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    status: Mapped[str] = mapped_column(String(16))  # received | in_process | answered | closed
    assignee: Mapped[str | None] = mapped_column(String(64))
    answer: Mapped[str | None] = mapped_column(Text)
    lapor_number: Mapped[str | None] = mapped_column(String(40))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    filed_day: Mapped[date] = mapped_column(Date)  # the site's local date filed: the period
    in_process_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # working days from filed_day to the first answer (site's holidays of that time)
    answer_days: Mapped[int | None] = mapped_column(Integer)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contact_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("site_id", "year", "seq", name="ux_complaints_year_seq"),
        Index("ix_complaints_filed", "site_id", "filed_day"),
        Index("ix_complaints_status", "site_id", "status"),
        Index("ux_complaints_request", "filed_by", "request_id", unique=True),
    )
