"""The notify room's tables (on server.store.tables.Base, gathered by server/runtime/schema.py).

A phone is personal data (UU 27/2022): kept for its ticket's business day only, then
erased by the retention round (server/notify/sender.py `erase_past`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from server.store.tables import Base, UTCDateTime


class PhoneRow(Base):
    """The phone a waiting ticket left, and whether its "near" message is decided."""

    __tablename__ = "notify_phones"

    ticket_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    site_id: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    business_day: Mapped[date] = mapped_column(Date)
    service: Mapped[str] = mapped_column(String(32))
    phone: Mapped[str | None] = mapped_column(String(16))  # 62812...; None once erased
    lang: Mapped[str] = mapped_column(String(2))
    near_done: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        # what an event of a service looks for: its waiting phones not yet told "near"
        Index("ix_notify_phones_waiting", "business_day", "service", "near_done"),
    )


class OutboxRow(Base):
    """One message, decided once per (ticket, kind) in the transaction of its event.

    state: due -> sending -> sent; due again after a failure (next_try_at), failed after
    the last attempt; unknown when a send's outcome cannot be known (never sent again);
    expired when its day ended unsent.
    """

    __tablename__ = "notify_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    ticket_id: Mapped[int | None] = mapped_column(Integer)  # None: a booking's SMS code
    kind: Mapped[str] = mapped_column(String(12))  # near | called | transferred | stopped | code
    business_day: Mapped[date] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(16))  # None once erased
    text: Mapped[str] = mapped_column(String(320))
    state: Mapped[str] = mapped_column(String(8))
    attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        UniqueConstraint("ticket_id", "kind", name="ux_notify_outbox_ticket_kind"),
        Index("ix_notify_outbox_state", "state", "next_try_at"),
        Index("ix_notify_outbox_claimed", "claimed_at"),
    )
